"""The pure parts of the per-student limits: where the container's cgroups are (from mountinfo and
/proc/self/cgroup as Docker shows them), what is written there, the disk decisions and the notices."""
import errno
import os

import pytest

from cfiddle_cluster import limits_notice, student_limits
from cfiddle_cluster.student_limits import Limits, LimitsError

ID = "3fc37ee4a59d44d95000a406a7ebc56fc1d4ab0751f2e8d26f267f349abc01c2"
LIMITS = Limits(memory=512 * 2 ** 20, cpus=0.5, pids=200, disk=2 ** 30)
PID = 57


def cgroup(root, path, pids=(), files=("cgroup.procs",)):
    """A directory of a fake cgroup tree; cgroup.procs lists pids as one read from the container's pid namespace."""
    directory = root / path.strip("/") if path.strip("/") else root
    directory.mkdir(parents=True, exist_ok=True)
    for name in files:
        (directory / name).write_text("".join(f"{p}\n" for p in pids) if name == "cgroup.procs" else "")
    return directory


def v1_host(root, path, pids=(PID,)):
    """A v1 host (Docker 20.10's cgroupfs driver): a hierarchy per controller, cpu a link to cpu,cpuacct."""
    for hierarchy in ("memory", "pids", "cpu,cpuacct", "devices"):
        cgroup(root / hierarchy, "/", pids=(0, 0))
        cgroup(root / hierarchy, "/docker/other", pids=(0,))
        cgroup(root / hierarchy, path, pids=pids)
    (root / "cpu").symlink_to("cpu,cpuacct")
    cgroup(root / "unified", "/", files=("cgroup.procs", "cgroup.controllers"))  # a hybrid host's empty v2 tree
    return root


def v2_host(root, path, pids=(PID,)):
    """A v2 host (systemd driver): the container's scope among others; the host's processes read as 0."""
    cgroup(root, "/", pids=(0,), files=("cgroup.procs", "cgroup.controllers"))
    cgroup(root, "/init.scope", pids=(0,))
    cgroup(root, "/system.slice/docker-other.scope", pids=(0, 0))
    cgroup(root, "/system.slice/containerd.service", pids=(0,))
    cgroup(root, path, pids=pids)
    return root


def test_v1_host_namespace_finds_each_hierarchy_by_the_path_proc_self_cgroup_gives(tmp_path):
    v1_host(tmp_path, f"/docker/{ID}")
    proc = "".join(f"{n}:{c}:/docker/{ID}\n" for n, c in enumerate(["cpu,cpuacct", "memory", "devices", "pids"], 1))
    version, own = student_limits.own_cgroups(str(tmp_path), proc + f"0::/docker/{ID}\n", PID)
    assert version == "v1"
    assert own == {"memory": f"{tmp_path}/memory/docker/{ID}", "cpu": f"{tmp_path}/cpu/docker/{ID}",
                   "pids": f"{tmp_path}/pids/docker/{ID}"}


def test_v2_private_namespace_finds_the_scope_by_the_process_it_holds(tmp_path):
    path = f"/system.slice/docker-{ID}.scope"
    v2_host(tmp_path, path)
    assert student_limits.own_cgroups(str(tmp_path), "0::/\n", PID) == ("v2", {"": f"{tmp_path}{path}"})


def test_v2_after_init_the_hub_in_its_leaf_still_finds_the_containers_cgroup(tmp_path):
    path = f"/system.slice/docker-{ID}.scope"
    v2_host(tmp_path, path, pids=())
    cgroup(tmp_path, path + "/hub", pids=(1, PID))
    cgroup(tmp_path, path + "/student-bob", pids=(80,))
    assert student_limits.own_cgroups(str(tmp_path), "0::/hub\n", PID) == ("v2", {"": f"{tmp_path}{path}"})


def test_v2_a_wrong_hint_falls_back_to_the_search(tmp_path):
    path = f"/docker/{ID}"
    v2_host(tmp_path, path)
    cgroup(tmp_path, "/hub", pids=(0,))  # a host cgroup named like the leaf, without our process
    assert student_limits.own_cgroups(str(tmp_path), "0::/hub\n", PID) == ("v2", {"": f"{tmp_path}{path}"})


def test_nothing_mounted_says_what_to_mount(tmp_path):
    with pytest.raises(LimitsError, match=r"not mounted at .*-v /sys/fs/cgroup:"):
        student_limits.own_cgroups(str(tmp_path / "cgroup"), "0::/\n", PID)


def test_a_tree_without_our_process_is_a_clear_error(tmp_path):
    v2_host(tmp_path, "/system.slice/docker-x.scope", pids=(0,))
    with pytest.raises(LimitsError, match=r"no cgroup under .* holds this process \(57\)"):
        student_limits.own_cgroups(str(tmp_path), "0::/\n", PID)


def test_v1_without_a_pids_hierarchy_names_it(tmp_path):
    v1_host(tmp_path, f"/docker/{ID}")
    (tmp_path / "pids" / "cgroup.procs").unlink()
    with pytest.raises(LimitsError, match="v1 with the pids controller"):
        student_limits.own_cgroups(str(tmp_path), f"0::/docker/{ID}\n", PID)


def test_the_root_cgroup_is_never_taken_for_the_containers(tmp_path):
    v2_host(tmp_path, "/", pids=(PID,))
    with pytest.raises(LimitsError, match="root cgroup"):
        student_limits.own_cgroups(str(tmp_path), "0::/\n", PID)


def test_v1_writes_memory_and_swap_alike_then_cpu_quota_and_pids():
    assert student_limits.limit_writes("v1", LIMITS) == [
        ("memory", "memory.limit_in_bytes", "536870912"),
        ("memory", "memory.memsw.limit_in_bytes", "536870912"),
        ("cpu", "cpu.cfs_period_us", "100000"),
        ("cpu", "cpu.cfs_quota_us", "50000"),
        ("pids", "pids.max", "200"),
    ]


def test_v2_writes_no_swap_and_a_cpu_max():
    assert student_limits.limit_writes("v2", LIMITS) == [
        ("", "memory.max", "536870912"), ("", "memory.swap.max", "0"),
        ("", "cpu.max", "50000 100000"), ("", "pids.max", "200"),
    ]


def test_oom_kills_from_v1_oom_control_and_v2_events():
    assert student_limits.oom_kills("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n") == 3
    assert student_limits.oom_kills("low 0\nhigh 0\nmax 7\noom 2\noom_kill 2\noom_group_kill 0\n") == 2
    assert student_limits.oom_kills("oom_kill_disable 0\nunder_oom 0\n") == 0


def test_limits_from_the_environment_and_their_errors():
    env = {"CFIDDLE_STUDENT_MEMORY": "1g", "CFIDDLE_STUDENT_CPUS": "1.5", "CFIDDLE_STUDENT_PROCESS_LIMIT": "512",
           "CFIDDLE_STUDENT_DISK_QUOTA": "100m"}
    limits = Limits.from_environment(env)
    assert (limits.memory, limits.cpus, limits.pids, limits.disk) == (2 ** 30, 1.5, 512, 100 * 2 ** 20)
    with pytest.raises(LimitsError, match=r"CFIDDLE_STUDENT_MEMORY \(cfiddle.studentMemory\) is not set"):
        Limits.from_environment({**env, "CFIDDLE_STUDENT_MEMORY": ""})
    with pytest.raises(LimitsError, match="cfiddle.studentDiskQuota 'lots' is not a size"):
        Limits.from_environment({**env, "CFIDDLE_STUDENT_DISK_QUOTA": "lots"})
    with pytest.raises(LimitsError, match="not a number of CPUs"):
        Limits.from_environment({**env, "CFIDDLE_STUDENT_CPUS": "one"})


def test_a_server_is_stopped_past_the_quota_and_one_started_over_it_only_past_the_slack():
    quota = 100
    assert student_limits.disk_decision(100, quota, False, 0) == "ok"
    assert student_limits.disk_decision(101, quota, False, 0) == "stop"
    slack = student_limits.OVER_QUOTA_SLACK
    assert student_limits.disk_decision(150 + slack, quota, True, 150) == "ok"
    assert student_limits.disk_decision(151 + slack, quota, True, 150) == "stop"


def test_a_server_started_over_the_quota_writes_small_files_only():
    assert student_limits.file_size_limit(10, 100) == 100
    assert student_limits.file_size_limit(100, 100) == student_limits.OVER_QUOTA_FILE_SIZE


def test_sizes_read_as_operators_write_them():
    assert student_limits.format_size(2 ** 30) == "1g"
    assert student_limits.format_size(64 * 2 ** 20) == "64m"
    assert student_limits.format_size(92272 * 1024) == "90.1m"
    assert student_limits.format_size(512 * 1024) == "512k"


def test_the_notice_names_the_quota_and_its_setting():
    text = student_limits.quota_notice("alice", 70 * 2 ** 20, Limits(2 ** 30, 1, 512, 64 * 2 ** 20))
    assert "disk quota of 64m (cfiddle.studentDiskQuota) is reached" in text
    assert "holds 70m" in text and "still here" in text


def test_the_notice_never_follows_what_the_student_placed_in_their_home(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("root's file\n")
    home = tmp_path / "home"
    home.mkdir()
    (home / student_limits.NOTICE_FILE).symlink_to(victim)
    student_limits.write_notice(str(home), os.getuid(), os.getgid(), "quota reached\n")
    assert victim.read_text() == "root's file\n"
    assert (home / student_limits.NOTICE_FILE).read_text() == "quota reached\n"
    assert not (home / student_limits.NOTICE_FILE).is_symlink()
    student_limits.remove_notice(str(home))
    assert not (home / student_limits.NOTICE_FILE).exists()


STATE = {"memory": 512 * 2 ** 20, "pids": 200, "disk": 64 * 2 ** 20, "disk_used": 70 * 2 ** 20,
         "file_size_limit": 2 ** 20, "over_quota": False}


def test_kernel_notice_for_an_out_of_memory_kill_names_the_limit_and_setting():
    [line] = limits_notice.messages(STATE, kills=2, kills_seen=1, error=None, disk_reported=False)
    assert "memory limit of 512m (cfiddle.studentMemory)" in line and "stopped 1 of them" in line
    assert limits_notice.messages(STATE, kills=2, kills_seen=2, error=None, disk_reported=False) == []


def test_kernel_notice_for_a_refused_fork_and_a_refused_write():
    [fork] = limits_notice.messages(STATE, 0, 0, BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable"), False)
    assert "limit of 200 (cfiddle.studentProcessLimit)" in fork
    [write] = limits_notice.messages(STATE, 0, 0, OSError(errno.EFBIG, "File too large"), False)
    assert "larger than 1m" in write and "cfiddle.studentDiskQuota" in write


def test_kernel_notice_for_a_home_over_its_quota_once():
    over = {**STATE, "over_quota": True}
    [line] = limits_notice.messages(over, 0, 0, None, disk_reported=False)
    assert "holds 70m: its disk quota of 64m (cfiddle.studentDiskQuota) is reached" in line
    assert limits_notice.messages(over, 0, 0, None, disk_reported=True) == []


def test_the_state_is_the_students_alone_to_read(tmp_path):
    student_limits.write_state("alice", {"oom_kills": 2}, os.getuid(), state_dir=str(tmp_path))
    student_limits.write_state("alice", {"oom_kills": 3}, os.getuid(), state_dir=str(tmp_path))
    state = tmp_path / "alice.json"
    assert oct(state.stat().st_mode & 0o777) == "0o400" and state.stat().st_uid == os.getuid()
    assert '"oom_kills": 3' in state.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["alice.json"]
