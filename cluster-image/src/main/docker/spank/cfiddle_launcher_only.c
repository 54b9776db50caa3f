/*
 * cfiddle_launcher_only: a SPANK plugin that lets a job step run exactly one command on a worker, the sandbox
 * launcher ("/usr/bin/sudo -n /usr/local/sbin/cfiddle-launch"), unless the job's user is an admin.
 *
 * Where it acts, and why there:
 *   remote (slurmstepd on the worker), slurm_spank_task_init: the enforcement, in each task's child before it
 *     executes anything the user chose (the task, a --task-prolog). It covers srun steps, steps inside salloc,
 *     and sbatch's batch script alike, whatever client submitted them.
 *   local (srun) and allocator (salloc, sbatch) on the submit host: an early, friendly refusal, so that a student
 *     who types srun or sbatch is told what to do instead of waiting for a worker. Not a security boundary (a
 *     student controls the client), only a courtesy.
 *
 * plugstack.conf arguments: launcher=PATH sudo=PATH admin_uids=UID,UID,...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <slurm/spank.h>

SPANK_PLUGIN(cfiddle_launcher_only, 1);

#define MESSAGE "cfiddle: this cluster runs experiments only through cfiddle's run() in a notebook on the user " \
                "node; direct srun, sbatch and salloc jobs are refused."
#define MAX_ADMINS 64

static const char *launcher = "/usr/local/sbin/cfiddle-launch";
static const char *sudo_path = "/usr/bin/sudo";
static uid_t admins[MAX_ADMINS];
static int admin_count;

static int parse_args(int ac, char **av)
{
    admin_count = 0; /* every hook gets the arguments again */
    for (int i = 0; i < ac; i++) {
        if (strncmp(av[i], "launcher=", 9) == 0) {
            launcher = av[i] + 9;
        } else if (strncmp(av[i], "sudo=", 5) == 0) {
            sudo_path = av[i] + 5;
        } else if (strncmp(av[i], "admin_uids=", 11) == 0) {
            char *list = strdup(av[i] + 11), *save = NULL;
            for (char *uid = strtok_r(list, ",", &save); uid && admin_count < MAX_ADMINS;
                 uid = strtok_r(NULL, ",", &save)) {
                char *end;
                unsigned long value = strtoul(uid, &end, 10);
                if (*end != '\0' || value == 0) {
                    slurm_error("cfiddle_launcher_only: admin_uids: '%s' is not a uid above 0", uid);
                    free(list);
                    return ESPANK_BAD_ARG;
                }
                admins[admin_count++] = (uid_t) value;
            }
            free(list);
        } else {
            slurm_error("cfiddle_launcher_only: unknown argument '%s'", av[i]);
            return ESPANK_BAD_ARG;
        }
    }
    return ESPANK_SUCCESS;
}

static int is_admin(uid_t uid)
{
    for (int i = 0; i < admin_count; i++) {
        if (admins[i] == uid) {
            return 1;
        }
    }
    return 0;
}

/* The only command line a student's step may run. */
static int is_launcher(int argc, char **argv)
{
    return argc == 3 && strcmp(argv[0], sudo_path) == 0 && strcmp(argv[1], "-n") == 0
           && strcmp(argv[2], launcher) == 0;
}

static int step_is_allowed(spank_t sp)
{
    uid_t uid;
    int argc = 0;
    char **argv = NULL;
    if (spank_get_item(sp, S_JOB_UID, &uid) != ESPANK_SUCCESS) {
        return 0;
    }
    if (is_admin(uid)) {
        return 1;
    }
    return spank_get_item(sp, S_JOB_ARGV, &argc, &argv) == ESPANK_SUCCESS && is_launcher(argc, argv);
}

/* sbatch and salloc on the submit host. */
int slurm_spank_init_post_opt(spank_t sp, int ac, char **av)
{
    int rc = parse_args(ac, av);
    if (rc != ESPANK_SUCCESS || spank_context() != S_CTX_ALLOCATOR || is_admin(getuid())) {
        return rc;
    }
    slurm_error(MESSAGE);
    return ESPANK_ERROR;
}

/* srun on the submit host, once it knows the command it will launch. */
int slurm_spank_local_user_init(spank_t sp, int ac, char **av)
{
    int rc = parse_args(ac, av);
    if (rc != ESPANK_SUCCESS || step_is_allowed(sp)) {
        return rc;
    }
    slurm_error(MESSAGE);
    return ESPANK_ERROR;
}

/* Each task's child process on the worker, as the job's user, with the step's input and output in place, just
 * before slurmstepd would run the user's --task-prolog and execute the task. A student's task goes no further:
 * the launcher is executed from here with an empty environment (so no user-chosen program, task prolog or
 * environment variable ever acts on the worker), and any other command ends here with the refusal. Hooks that
 * run earlier cannot stop the task: slurmstepd 22.05 forks and executes it even when they fail. */
int slurm_spank_task_init(spank_t sp, int ac, char **av)
{
    uid_t uid;
    int rc = parse_args(ac, av);
    if (rc != ESPANK_SUCCESS || spank_get_item(sp, S_JOB_UID, &uid) != ESPANK_SUCCESS) {
        dprintf(STDERR_FILENO, "cfiddle_launcher_only: cannot check this step\n");
        _exit(126);
    }
    if (is_admin(uid)) {
        return ESPANK_SUCCESS;
    }
    if (!step_is_allowed(sp)) {
        dprintf(STDERR_FILENO, "%s\n", MESSAGE);
        _exit(126);
    }
    char *const argv[] = {(char *) sudo_path, "-n", (char *) launcher, NULL};
    char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
    execve(sudo_path, argv, envp);
    dprintf(STDERR_FILENO, "cfiddle_launcher_only: cannot execute %s: %s\n", sudo_path, strerror(errno));
    _exit(126);
}
