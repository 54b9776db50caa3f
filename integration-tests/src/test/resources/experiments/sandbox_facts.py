"""What an experiment sees of the machine it runs on, measured by the experiment itself, next to the same
facts on the user node."""
import os
import socket

from cfiddle import arg_map, run
from cfiddle_test_support import build_source, report

FACTS = ["uid", "gid", "interfaces", "root_write_errno", "home_entries", "cap_eff_is_zero", "hostname_hash"]

exes = build_source(r'''
#include <cfiddle.hpp>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
extern "C"
int fact(int which) {
    if (which == 0) return getuid();
    if (which == 1) return getgid();
    if (which == 2) {
        struct if_nameindex *all = if_nameindex();
        int n = 0;
        for (struct if_nameindex *i = all; i && i->if_index; i++) n++;
        if_freenameindex(all);
        return n;
    }
    if (which == 3) {
        int fd = open("/cfiddle-probe", O_CREAT | O_WRONLY, 0600);
        if (fd < 0) return errno;
        close(fd);
        unlink("/cfiddle-probe");
        return 0;
    }
    if (which == 4) {
        DIR *home = opendir("/home");
        if (!home) return 0;
        int n = 0;
        for (struct dirent *e = readdir(home); e; e = readdir(home))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
        closedir(home);
        return n;
    }
    if (which == 5) {
        FILE *status = fopen("/proc/self/status", "r");
        char line[256];
        int zero = -1;
        while (status && fgets(line, sizeof line, status))
            if (!strncmp(line, "CapEff:", 7)) zero = strspn(line + 7, "\t 0") == strlen(line + 7) - 1;
        if (status) fclose(status);
        return zero;
    }
    if (which == 6) {
        char name[256] = {0};
        gethostname(name, sizeof name - 1);
        unsigned h = 0;
        for (char *p = name; *p; p++) h = h * 31 + (unsigned char) *p;
        return (int) (h & 0x7fffffff);
    }
    return -1;
}
''')

results = run(exes, "fact", arguments=arg_map(which=list(range(len(FACTS)))))
sandbox = {FACTS[r.invocation.arguments["which"]]: r.return_value for r in results}

h = 0
for c in socket.gethostname().encode():
    h = (h * 31 + c) & 0xffffffff
user_node = {"uid": os.getuid(), "interfaces": len(socket.if_nameindex()), "home_entries": len(os.listdir("/home")),
             "hostname_hash": h & 0x7fffffff}
report(sandbox=sandbox, user_node=user_node)
