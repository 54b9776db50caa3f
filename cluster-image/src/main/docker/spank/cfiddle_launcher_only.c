/*
 * cfiddle_launcher_only: a SPANK plugin that lets a student's job step run exactly one program on a worker, the
 * sandbox launcher ("/usr/bin/sudo -n /usr/local/sbin/cfiddle-launch"), and nothing else: not a program of their
 * choice, not a --task-prolog or --task-epilog, nothing that their environment could steer. Admins' steps are not
 * limited. It acts in slurmstepd on the worker (remote context), whatever client submitted the step, since a
 * student controls every client-side check (the clear refusals on the user node are cli_filter.lua's).
 *
 *   slurm_spank_user_init     the step's environment is emptied, so no variable the student set (BASH_ENV,
 *                             LD_PRELOAD, ...) reaches anything slurmstepd starts.
 *   slurm_spank_task_init     each task's child, before slurmstepd would run a --task-prolog and the task: it
 *                             executes the launcher (empty environment) or refuses. Earlier hooks cannot stop a
 *                             task in Slurm 22.05 (slurmstepd forks and executes it even when they fail).
 *   slurm_spank_task_post_fork  once every task is forked: slurmstepd may execute no program any more (seccomp),
 *                             so the step's --task-epilog, which slurmstepd runs as the student after each task,
 *                             never starts. The tasks, forked before, still execute the launcher.
 *
 * plugstack.conf arguments: launcher=PATH sudo=PATH admin_uids=UID,UID,...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <seccomp.h>
#include <signal.h>
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

static int job_is_admins(spank_t sp, int ac, char **av)
{
    uid_t uid;
    return parse_args(ac, av) == ESPANK_SUCCESS && spank_get_item(sp, S_JOB_UID, &uid) == ESPANK_SUCCESS
           && is_admin(uid);
}

/* slurmstepd, before any task is forked: the step's environment (what srun exported) is emptied. */
int slurm_spank_user_init(spank_t sp, int ac, char **av)
{
    char **env = NULL;
    if (spank_context() != S_CTX_REMOTE || job_is_admins(sp, ac, av)) {
        return ESPANK_SUCCESS;
    }
    if (spank_get_item(sp, S_JOB_ENV, &env) != ESPANK_SUCCESS || env == NULL) {
        slurm_error("cfiddle_launcher_only: cannot read the step's environment");
        return ESPANK_ERROR;
    }
    /* Names first: unsetting edits the very array being read. */
    int count = 0;
    while (env[count] != NULL) {
        count++;
    }
    char **names = calloc(count + 1, sizeof(char *));
    if (names == NULL) {
        return ESPANK_ERROR;
    }
    for (int i = 0; i < count; i++) {
        names[i] = strndup(env[i], strcspn(env[i], "="));
    }
    int rc = ESPANK_SUCCESS;
    for (int i = 0; i < count; i++) {
        if (names[i] == NULL || spank_unsetenv(sp, names[i]) != ESPANK_SUCCESS) {
            rc = ESPANK_ERROR;
        }
        free(names[i]);
    }
    free(names);
    if (rc != ESPANK_SUCCESS) {
        slurm_error("cfiddle_launcher_only: cannot empty the step's environment");
    }
    return rc;
}

/* slurmstepd (root), after each task's fork, before the tasks are let go: from the first call on, no thread of
 * slurmstepd, nor anything it forks later, can execute a program. A step that cannot be locked down so is ended. */
int slurm_spank_task_post_fork(spank_t sp, int ac, char **av)
{
    static int locked;
    if (locked || job_is_admins(sp, ac, av)) {
        return ESPANK_SUCCESS;
    }
    int rc = -1;
    scmp_filter_ctx filter = seccomp_init(SCMP_ACT_ALLOW);
    if (filter != NULL && seccomp_rule_add(filter, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(execve), 0) == 0
        && seccomp_rule_add(filter, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(execveat), 0) == 0
        && seccomp_attr_set(filter, SCMP_FLTATR_CTL_TSYNC, 1) == 0) {
        rc = seccomp_load(filter);
    }
    seccomp_release(filter);
    if (rc != 0) {
        pid_t pid;
        slurm_error("cfiddle_launcher_only: cannot stop slurmstepd from executing programs (%s): ending the step",
                    strerror(rc < 0 ? -rc : EINVAL));
        if (spank_get_item(sp, S_TASK_PID, &pid) == ESPANK_SUCCESS) {
            kill(pid, SIGKILL);
        }
        return ESPANK_ERROR;
    }
    locked = 1;
    return ESPANK_SUCCESS;
}
