"""The sandbox a job can cause, as the launcher asks Docker's API for it: a fixed lockdown and the admin's
settings. From the caller, only its uid and job id (checked by sudo and Slurm) reach Docker, and only in the
sandbox's name; a warm sandbox, started before its job is known, is created from exactly the same config."""
import json

import pytest

CONF = {"CLUSTER_NAME": "course", "SANDBOX_IMAGE": "registry:5000/cfiddle-cluster/sandbox:1.0",
        "SANDBOX_MEMORY": "1g", "SANDBOX_PIDS": "256", "SANDBOX_WORK_SIZE": "256m", "SANDBOX_TMP_SIZE": "64m",
        "SANDBOX_OUTPUT_LIMIT": "16m"}
UID, JOB, NODE = 1234, "4711", "worker3"
SECCOMP = {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}


@pytest.fixture
def launch(launch, tmp_path, monkeypatch):
    profile = tmp_path / "sandbox-seccomp.json"
    profile.write_text(json.dumps(SECCOMP, indent=2))
    monkeypatch.setattr(launch, "SECCOMP_PROFILE", str(profile))
    return launch


@pytest.fixture
def name(launch):
    return launch.job_sandbox_name(dict(CONF), NODE, JOB, UID)


@pytest.fixture
def config(launch):
    return launch.sandbox_config(dict(CONF), NODE)


@pytest.mark.parametrize("key, value", [
    ("Init", True),
    ("NetworkMode", "none"),
    ("ReadonlyRootfs", True),
    ("CapDrop", ["ALL"]),
    ("PidsLimit", 256),
    ("Memory", 1024 ** 3),
    ("MemorySwap", 1024 ** 3),
    ("Ulimits", [{"Name": "core", "Soft": 0, "Hard": 0}]),
    ("LogConfig", {"Type": "none", "Config": {}}),
])
def test_lockdown_setting(config, key, value):
    assert config["HostConfig"][key] == value


def test_no_new_privileges_and_the_clusters_seccomp_profile(config):
    no_new_privileges, seccomp = config["HostConfig"]["SecurityOpt"]
    assert no_new_privileges == "no-new-privileges"
    assert seccomp.startswith("seccomp=") and json.loads(seccomp.removeprefix("seccomp=")) == SECCOMP


def test_runs_as_the_unprivileged_sandbox_user_in_its_working_directory(config):
    assert (config["User"], config["WorkingDir"]) == ("sandbox", "/work")


def test_one_experiment_in_on_stdin_which_ends_with_it(config):
    assert config["OpenStdin"] and config["StdinOnce"] and config["AttachStdin"]
    assert "Tty" not in config


def test_labelled_with_its_cluster_and_worker(config):
    assert config["Labels"] == {"cfiddle.cluster": "course", "cfiddle.node": NODE}


def test_no_swap_beyond_the_memory_limit(launch):
    for memory, size in (("1g", 1024 ** 3), ("512m", 512 * 1024 ** 2), ("3000000", 3000000)):
        host = launch.sandbox_config(dict(CONF, SANDBOX_MEMORY=memory), NODE)["HostConfig"]
        assert (host["Memory"], host["MemorySwap"]) == (size, size)


def test_working_directory_and_tmp_are_private_bounded_tmpfs(config):
    assert config["HostConfig"]["Tmpfs"] == {"/work": "rw,exec,nosuid,nodev,size=256m,mode=0700",
                                             "/tmp": "rw,exec,nosuid,nodev,size=64m,mode=1777"}


def test_the_images_own_command_runs(config):
    assert config["Image"] == CONF["SANDBOX_IMAGE"]
    assert not {"Cmd", "Entrypoint"} & config.keys()


@pytest.mark.parametrize("widening", ["Privileged", "CapAdd", "Binds", "Mounts", "VolumesFrom", "Devices",
                                      "DeviceRequests", "PidMode", "IpcMode", "UTSMode", "UsernsMode", "CgroupnsMode",
                                      "PortBindings", "PublishAllPorts", "GroupAdd", "Sysctls", "Runtime",
                                      "ExtraHosts", "Links", "Cgroup", "CgroupParent", "OomKillDisable"])
def test_nothing_widens_the_sandbox(config, widening):
    assert widening not in config["HostConfig"]


def test_nothing_of_the_container_widens_it_either(config):
    assert not {"Env", "Volumes", "ExposedPorts", "Entrypoint", "Cmd", "Hostname", "Domainname"} & config.keys()


def test_a_job_sandbox_is_named_after_its_cluster_node_job_and_user(name):
    assert name.startswith(f"cfiddle-sandbox-course-{NODE}-job{JOB}-uid{UID}-")


def test_the_header_carries_the_deadline(launch):
    assert launch.header(280) == b"cfiddle-experiment deadline=280\n"
    assert launch.header(None) == b"cfiddle-experiment deadline=0\n"


def test_the_caller_reaches_it_only_through_the_name(launch, monkeypatch, config, name):
    """The environment (sudo resets it, the SPANK plugin empties it) and stdin never shape the sandbox: the same
    settings give the same config whatever the process sees; another caller changes only the name."""
    for variable in ("CFIDDLE_SANDBOX_IMAGE", "DOCKER_HOST", "DOCKER_CONFIG", "SLURM_JOB_ID", "SANDBOX_MEMORY",
                     "HOME", "LD_PRELOAD"):
        monkeypatch.setenv(variable, "--privileged")
    assert launch.sandbox_config(dict(CONF), NODE) == config
    other = launch.job_sandbox_name(dict(CONF), NODE, "5150", 2001)
    assert other == name.replace(f"job{JOB}-uid{UID}", "job5150-uid2001")
