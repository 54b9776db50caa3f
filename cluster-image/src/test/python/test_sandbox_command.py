"""The one docker command a job can cause: fixed lockdown flags, the admin's settings, and from the caller only
its uid, gid and job id (checked by sudo and Slurm)."""
import pytest

CONF = {"CLUSTER_NAME": "course", "SANDBOX_IMAGE": "registry:5000/cfiddle-cluster/sandbox:1.0",
        "SANDBOX_MEMORY": "1g", "SANDBOX_PIDS": "256", "SANDBOX_WORK_SIZE": "256m", "SANDBOX_TMP_SIZE": "64m",
        "SANDBOX_OUTPUT_LIMIT": "16m"}
UID, GID, JOB, NODE, NAME = 1234, 1300, "4711", "worker3", "cfiddle-sandbox-4711-99"


@pytest.fixture
def command(launch):
    return launch.sandbox_command(dict(CONF), UID, GID, JOB, NODE, NAME, 280)


def options(command):
    """(flag, value) for every option before the image."""
    return list(zip(command[2:-1], command[3:-1]))


@pytest.mark.parametrize("flag, value", [
    ("--network", "none"),
    ("--cap-drop", "ALL"),
    ("--security-opt", "no-new-privileges"),
    ("--security-opt", "seccomp=/etc/cfiddle/sandbox-seccomp.json"),
    ("--memory", "1g"),
    ("--memory-swap", "1g"),
    ("--pids-limit", "256"),
    ("--ulimit", "core=0"),
    ("--user", f"{UID}:{GID}"),
    ("--label", "cfiddle.cluster=course"),
    ("--label", f"cfiddle.job={JOB}"),
    ("--label", f"cfiddle.node={NODE}"),
    ("--label", f"cfiddle.uid={UID}"),
    ("--name", NAME),
    ("--workdir", "/work"),
    ("--log-driver", "none"),
    ("--env", "CFIDDLE_DEADLINE_SECONDS=280"),
])
def test_lockdown_option(command, flag, value):
    assert (flag, value) in options(command)


@pytest.mark.parametrize("flag", ["--read-only", "--init", "--interactive"])
def test_lockdown_switch(command, flag):
    assert flag in command


def test_no_swap_beyond_the_memory_limit(launch):
    for memory in ("1g", "512m", "3000000"):
        command = launch.sandbox_command(dict(CONF, SANDBOX_MEMORY=memory), UID, GID, JOB, NODE, NAME, None)
        pairs = dict(p for p in options(command) if p[0] in ("--memory", "--memory-swap"))
        assert pairs == {"--memory": memory, "--memory-swap": memory}


def test_working_directory_and_tmp_are_private_bounded_tmpfs(command):
    mounts = [value for flag, value in options(command) if flag == "--tmpfs"]
    assert mounts == [f"/work:rw,exec,nosuid,nodev,size=256m,uid={UID},gid={GID},mode=0700",
                      "/tmp:rw,exec,nosuid,nodev,size=64m,mode=1777"]


def test_the_image_is_last_so_its_own_command_runs(command):
    assert command[:3] == ["docker", "run", "--interactive"]
    assert command[-1] == CONF["SANDBOX_IMAGE"]
    assert not command[-1].startswith("-")


def test_no_deadline_means_zero(launch):
    command = launch.sandbox_command(dict(CONF), UID, GID, JOB, NODE, NAME, None)
    assert ("--env", "CFIDDLE_DEADLINE_SECONDS=0") in options(command)


@pytest.mark.parametrize("widening", ["--privileged", "--cap-add", "--volume", "-v", "--mount", "--device",
                                      "--pid", "--ipc", "--uts", "--userns", "--publish", "-p", "--entrypoint",
                                      "--env-file", "--volumes-from", "--group-add", "--sysctl"])
def test_nothing_widens_the_sandbox(command, widening):
    assert not any(arg == widening or arg.startswith(widening + "=") for arg in command)
    assert "host" not in [value for _, value in options(command)]


def test_the_caller_reaches_it_only_through_uid_gid_and_job_id(launch, monkeypatch):
    """The environment (sudo resets it, the SPANK plugin empties it) and stdin never shape the command: the same
    arguments give the same command whatever the process sees; a different caller changes only the values that
    are its uid, gid and job id."""
    reference = launch.sandbox_command(dict(CONF), UID, GID, JOB, NODE, NAME, 280)
    for name in ("CFIDDLE_SANDBOX_IMAGE", "DOCKER_HOST", "DOCKER_CONFIG", "SLURM_JOB_ID", "SANDBOX_MEMORY",
                 "CFIDDLE_DEADLINE_SECONDS", "HOME", "LD_PRELOAD"):
        monkeypatch.setenv(name, "--privileged")
    assert launch.sandbox_command(dict(CONF), UID, GID, JOB, NODE, NAME, 280) == reference

    other = launch.sandbox_command(dict(CONF), 2001, 2002, "5150", NODE, "cfiddle-sandbox-5150-99", 280)
    assert len(other) == len(reference)
    changed = [(mine, theirs) for mine, theirs in zip(reference, other) if mine != theirs]
    for mine, theirs in changed:
        assert theirs == (mine.replace(str(UID), "2001").replace(str(GID), "2002").replace(JOB, "5150"))
