"""The pure parts of the per-student limits: where the container's cgroups are (from mountinfo and
/proc/self/cgroup as Docker shows them), what is written there, the disk decisions and the notices."""
import errno
import os

import pytest

from cfiddle_cluster import limits_notice, student_limits
from cfiddle_cluster.student_limits import Limits, LimitsError

ID = "3fc37ee4a59d44d95000a406a7ebc56fc1d4ab0751f2e8d26f267f349abc01c2"
# Docker 20.10, cgroup v1 (this project's machine): each hierarchy mounted read-only from the container's cgroup.
V1_MOUNTINFO = "\n".join(
    f"97{i} 970 0:{29 + i} /docker/{ID} /sys/fs/cgroup/{c} ro,nosuid,nodev,noexec,relatime - cgroup cgroup rw,{c}"
    for i, c in enumerate(["cpu", "cpuacct", "cpuset", "memory", "devices", "pids", "systemd"])
) + "\n970 969 0:242 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,mode=755\n"
V1_CGROUP = "".join(f"{n}:{c}:/docker/{ID}\n" for n, c in
                    enumerate(["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"], 1)) \
    + f"0::/docker/{ID}\n"
# cgroup v2 with a private cgroup namespace (Docker's default there): the container's cgroup is "/".
V2_MOUNTINFO = "980 979 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate\n"
LIMITS = Limits(memory=512 * 2 ** 20, cpus=0.5, pids=200, disk=2 ** 30)


def test_v1_finds_each_controllers_hierarchy_of_the_container():
    version, own = student_limits.own_cgroups(V1_MOUNTINFO, V1_CGROUP)
    assert version == "v1"
    assert own == {"memory": "/sys/fs/cgroup/memory", "cpu": "/sys/fs/cgroup/cpu", "pids": "/sys/fs/cgroup/pids"}


def test_v1_inside_a_students_cgroup_finds_that_cgroup():
    cgroup = V1_CGROUP.replace(f"/docker/{ID}", f"/docker/{ID}/student-alice")
    _, own = student_limits.own_cgroups(V1_MOUNTINFO, cgroup)
    assert own["memory"] == "/sys/fs/cgroup/memory/student-alice"


def test_v2_private_namespace_and_after_the_hub_moved_to_its_leaf():
    assert student_limits.own_cgroups(V2_MOUNTINFO, "0::/\n") == ("v2", {"": "/sys/fs/cgroup"})
    assert student_limits.own_cgroups(V2_MOUNTINFO, "0::/hub\n") == ("v2", {"": "/sys/fs/cgroup"})
    assert student_limits.own_cgroups(V2_MOUNTINFO, "0::/student-bob\n") == ("v2", {"": "/sys/fs/cgroup/student-bob"})


def test_v2_host_namespace_finds_the_containers_scope():
    path = f"/system.slice/docker-{ID}.scope"
    assert student_limits.own_cgroups(V2_MOUNTINFO, f"0::{path}\n") == ("v2", {"": "/sys/fs/cgroup" + path})


def test_no_usable_cgroups_is_a_clear_error():
    with pytest.raises(LimitsError, match="no cgroup v1 memory, cpu and pids"):
        student_limits.own_cgroups("1 0 0:1 / / rw - ext4 /dev/sda rw\n", "0::/\n")


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
