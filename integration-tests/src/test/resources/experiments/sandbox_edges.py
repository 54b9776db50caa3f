"""One experiment that pushes an edge of the sandbox (flood, memory, killall, orphan, forkstorm), then reports the error the
user got, how long it took and this process's peak memory (the user node must not buffer a flood).
Usage: sandbox_edges.py KIND N"""
import resource
import sys
import time

from cfiddle import arg_map, run
from cfiddle_test_support import build_source, error_report, report

SOURCES = {
    # Writes N MiB to stdout and N MiB to stderr.
    "flood": r'''
#include <cfiddle.hpp>
#include <string.h>
#include <unistd.h>
extern "C"
long flood(long n) {
    static char line[1024];
    memset(line, 'x', sizeof line);
    for (long i = 0; i < n * 1024; i++) {
        write(1, line, sizeof line);
        write(2, line, sizeof line);
    }
    return 0;
}
''',
    # Touches N MiB.
    "memory": r'''
#include <cfiddle.hpp>
#include <stdlib.h>
#include <string.h>
extern "C"
long memory(long n) {
    for (long i = 0; i < n; i++) {
        memset(malloc(1 << 20), 1, 1 << 20);
    }
    return 0;
}
''',
    # Kills every process it may: the sandbox's own runner included.
    "killall": r'''
#include <cfiddle.hpp>
#include <signal.h>
extern "C"
long killall(long n) {
    kill(-1, SIGKILL);
    return n;
}
''',
    # Leaves a daemon behind (double fork, new session), named cfiddle-orphan, and returns N.
    "orphan": r'''
#include <cfiddle.hpp>
#include <sys/prctl.h>
#include <unistd.h>
extern "C"
long orphan(long n) {
    if (fork() == 0) {
        setsid();
        if (fork() == 0) {
            prctl(PR_SET_NAME, "cfiddle-orphan");
            sleep(600);
        }
        _exit(0);
    }
    return n;
}
''',
    # A fork storm for N seconds: forks as fast as it can, every child waiting forever; returns how many it got.
    "forkstorm": r'''
#include <cfiddle.hpp>
#include <time.h>
#include <unistd.h>
extern "C"
long forkstorm(long n) {
    long forked = 0;
    for (time_t end = time(NULL) + n; time(NULL) < end;) {
        pid_t child = fork();
        if (child == 0) {
            for (;;) {
                pause();
            }
        }
        forked += child > 0;
    }
    return forked;
}
''',
}

kind, n = sys.argv[1], int(sys.argv[2])
started = time.monotonic()
try:
    returns = [r.return_value for r in run(build_source(SOURCES[kind]), kind, arguments=arg_map(n=[n]))]
    error = None
except Exception as e:
    returns, error = None, error_report(e)
report(error=error, returns=returns, seconds=time.monotonic() - started,
       peak_rss_kib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
