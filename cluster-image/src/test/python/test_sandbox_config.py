"""The docker commands a job can cause: fixed lockdown flags and the admin's settings. From the caller, only its
uid and job id (checked by sudo and Slurm) reach them, and only in the sandbox's name; a warm sandbox, started
before its job is known, gets exactly the same lockdown."""
import pytest

CONF = {"CLUSTER_NAME": "course", "SANDBOX_IMAGE": "registry:5000/cfiddle-cluster/sandbox:1.0",
        "SANDBOX_MEMORY": "1g", "SANDBOX_PIDS": "256", "SANDBOX_WORK_SIZE": "256m", "SANDBOX_TMP_SIZE": "64m",
        "SANDBOX_OUTPUT_LIMIT": "16m"}
UID, JOB, NODE = 1234, "4711", "worker3"


@pytest.fixture
def name(launch):
    return launch.job_sandbox_name(dict(CONF), NODE, JOB, UID)


@pytest.fixture(params=["cold", "warm"])
def command(request, launch, name):
    if request.param == "cold":
        return launch.cold_command(dict(CONF), NODE, name)
    return launch.warm_create_command(dict(CONF), NODE)


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
    ("--user", "sandbox"),
    ("--label", "cfiddle.cluster=course"),
    ("--label", f"cfiddle.node={NODE}"),
    ("--workdir", "/work"),
    ("--log-driver", "none"),
])
def test_lockdown_option(command, flag, value):
    assert (flag, value) in options(command)


@pytest.mark.parametrize("flag", ["--read-only", "--init", "--interactive"])
def test_lockdown_switch(command, flag):
    assert flag in command


def test_cold_and_warm_sandboxes_differ_only_in_how_they_start_and_their_name(launch, name):
    cold = launch.cold_command(dict(CONF), NODE, name)
    warm = launch.warm_create_command(dict(CONF), NODE)
    assert cold[:4] == ["docker", "run", "--name", name]
    assert warm[:4] == ["docker", "create", "--name", "cfiddle-warm-course-worker3"]
    assert cold[4:] == warm[4:]


def test_a_job_sandbox_is_named_after_its_cluster_node_job_and_user(name):
    assert name.startswith(f"cfiddle-sandbox-course-{NODE}-job{JOB}-uid{UID}-")


def test_the_header_carries_the_deadline(launch):
    assert launch.header(280) == b"cfiddle-experiment deadline=280\n"
    assert launch.header(None) == b"cfiddle-experiment deadline=0\n"


def test_no_swap_beyond_the_memory_limit(launch, name):
    for memory in ("1g", "512m", "3000000"):
        command = launch.cold_command(dict(CONF, SANDBOX_MEMORY=memory), NODE, name)
        pairs = dict(p for p in options(command) if p[0] in ("--memory", "--memory-swap"))
        assert pairs == {"--memory": memory, "--memory-swap": memory}


def test_working_directory_and_tmp_are_private_bounded_tmpfs(command):
    mounts = [value for flag, value in options(command) if flag == "--tmpfs"]
    assert mounts == ["/work:rw,exec,nosuid,nodev,size=256m,mode=0700",
                      "/tmp:rw,exec,nosuid,nodev,size=64m,mode=1777"]


def test_the_image_is_last_so_its_own_command_runs(command):
    assert command[-1] == CONF["SANDBOX_IMAGE"]
    assert not command[-1].startswith("-")


@pytest.mark.parametrize("widening", ["--privileged", "--cap-add", "--volume", "-v", "--mount", "--device",
                                      "--pid", "--ipc", "--uts", "--userns", "--publish", "-p", "--entrypoint",
                                      "--env", "-e", "--env-file", "--volumes-from", "--group-add", "--sysctl"])
def test_nothing_widens_the_sandbox(command, widening):
    assert not any(arg == widening or arg.startswith(widening + "=") for arg in command)
    assert "host" not in [value for _, value in options(command)]


def test_the_caller_reaches_it_only_through_the_name(launch, monkeypatch, name):
    """The environment (sudo resets it, the SPANK plugin empties it) and stdin never shape the command: the same
    arguments give the same command whatever the process sees; another caller changes only the name."""
    reference = launch.cold_command(dict(CONF), NODE, name)
    for variable in ("CFIDDLE_SANDBOX_IMAGE", "DOCKER_HOST", "DOCKER_CONFIG", "SLURM_JOB_ID", "SANDBOX_MEMORY",
                     "HOME", "LD_PRELOAD"):
        monkeypatch.setenv(variable, "--privileged")
    assert launch.cold_command(dict(CONF), NODE, name) == reference
    other = launch.cold_command(dict(CONF), NODE, launch.job_sandbox_name(dict(CONF), NODE, "5150", 2001))
    assert [(mine, theirs) for mine, theirs in zip(reference, other) if mine != theirs] \
        == [(name, name.replace(f"job{JOB}-uid{UID}", "job5150-uid2001"))]
