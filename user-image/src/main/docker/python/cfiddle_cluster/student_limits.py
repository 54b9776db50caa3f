"""Per-student limits on the user node: a cgroup of their own (memory without swap beyond it, CPU, processes)
and a disk budget for their home, so that one student cannot take the node from the others.

All students' servers run in ONE container. The hub (root there) makes a child cgroup per student under the
container's own cgroup and puts each server into it before the server drops to the student's uid; kernels,
terminals, compilers and srun inherit it. The cgroup's files are root's (0644), so a student can neither change
their limits nor move a process out (that needs write access to another cgroup's cgroup.procs).

Docker mounts the container's own cgroups read-only, and a host's AppArmor profile for containers (docker-default,
on Ubuntu and Debian) refuses every mount, so they cannot be made writable from inside. The stack therefore mounts
the host's /sys/fs/cgroup read-write at HOST_CGROUP (in a root-only directory), and the hub finds the container's
own cgroup there by the process it holds: no capability is needed to write cgroup files (root owns them), and the
files that would let the node's root escalate (v1's devices.allow and release_agent) need CAP_SYS_ADMIN, which the
node does not have. On cgroup v2 the container's own processes move to a leaf, `hub`, before the controllers are
enabled for the children (a v2 cgroup with processes cannot pass controllers on).

Disk: the homes' file system (a Docker volume on the host's ext4) has no quotas, and a stack cannot grant what a
real per-home file system needs (loop devices, /dev/fuse). What is enforced instead (README, "Limits"):
- every server starts with a hard RLIMIT_FSIZE at the quota: no file of the student's grows past it, anywhere;
- the hub measures each running server's home (`du`) at every poll; a home over its quota gets its server
  stopped (files already written stay), a notice in the home and a line in the hub's log; the next server starts
  with a 1 MiB file size limit until the home is under its quota again and the server restarted.
A student therefore can exceed the quota by what they write between two polls, never by a file larger than it.
"""
import json
import os
import re

PROC_CGROUP = "/proc/self/cgroup"
# The host's /sys/fs/cgroup, mounted read-write by the stack (and the test fixture): StackNames.USER_NODE_HOST_CGROUP.
HOST_CGROUP = "/var/lib/cfiddle-host/cgroup"
# Where the hub writes each student's limits and state for their kernels' notices (readable by all, root's).
STATE_DIR = "/run/cfiddle-cluster/limits"
V1_CONTROLLERS = ("memory", "cpu", "pids")
V2_CONTROLLERS = ("memory", "cpu", "pids")
# cgroup v2: the leaf the container's own processes (the hub) move to, as only a cgroup without processes may
# enable controllers for its children.
HUB_LEAF = "hub"
CPU_PERIOD_US = 100_000
# While a home is over its quota its server may only write files this small (Jupyter's runtime and connection
# files, a small notebook): enough to open a notebook and delete things, not to fill the disk.
OVER_QUOTA_FILE_SIZE = 1024 * 1024
# How much a home already over its quota may still grow while its student cleans up before the server is stopped
# again (each file is at most OVER_QUOTA_FILE_SIZE).
OVER_QUOTA_SLACK = 64 * 1024 * 1024
NOTICE_FILE = "DISK-QUOTA-REACHED.txt"

SETTINGS = {
    "memory": ("CFIDDLE_STUDENT_MEMORY", "cfiddle.studentMemory"),
    "cpus": ("CFIDDLE_STUDENT_CPUS", "cfiddle.studentCpus"),
    "pids": ("CFIDDLE_STUDENT_PROCESS_LIMIT", "cfiddle.studentProcessLimit"),
    "disk": ("CFIDDLE_STUDENT_DISK_QUOTA", "cfiddle.studentDiskQuota"),
}


class LimitsError(Exception):
    """Per-student limits cannot be applied: the message names the cause and the fix."""


def parse_size(text, setting):
    """Bytes in a Docker-style size (512k, 64m, 1g, or plain bytes)."""
    match = re.fullmatch(r"(\d+)([bkmg]?)", str(text).strip().lower())
    if not match:
        raise LimitsError(f"{setting} {text!r} is not a size such as 1g")
    return int(match.group(1)) * 1024 ** "bkmg".index(match.group(2) or "b")


def format_size(size):
    """A size as the settings write it (1g, 64m), or to a tenth of a MiB."""
    for unit, scale in (("g", 1024 ** 3), ("m", 1024 ** 2)):
        if size >= scale and size % scale == 0:
            return f"{size // scale}{unit}"
    if size >= 1024 ** 2:
        return f"{size / 1024 ** 2:.1f}m"
    return f"{size // 1024}k" if size % 1024 == 0 else str(size)


class Limits:
    """One student's limits, from the node's environment (the stack sets them, cluster-defaults.env otherwise)."""

    def __init__(self, memory, cpus, pids, disk):
        self.memory, self.cpus, self.pids, self.disk = memory, cpus, pids, disk

    @classmethod
    def from_environment(cls, environ=os.environ):
        def value(key):
            name, setting = SETTINGS[key]
            if not environ.get(name):
                raise LimitsError(f"{name} ({setting}) is not set: the stack sets it, or the image's cluster-defaults.env")
            return environ[name]
        try:
            cpus = float(value("cpus"))
        except ValueError:
            raise LimitsError(f"{SETTINGS['cpus'][0]} ({SETTINGS['cpus'][1]}) {value('cpus')!r} is not a number of CPUs such as 1 or 0.5") from None
        if cpus <= 0:
            raise LimitsError(f"{SETTINGS['cpus'][1]} must be more than 0 CPUs")
        if not value("pids").isdigit():
            raise LimitsError(f"{SETTINGS['pids'][1]} {value('pids')!r} is not a number of processes")
        return cls(parse_size(value("memory"), SETTINGS["memory"][1]), cpus, int(value("pids")),
                   parse_size(value("disk"), SETTINGS["disk"][1]))

    def as_dict(self):
        return {"memory": self.memory, "cpus": self.cpus, "pids": self.pids, "disk": self.disk}


# --- where the container's own cgroups are -------------------------------------------------------------------

def hierarchies(host_root):
    """("v2", {"": root}) when the host's cgroups are unified, else ("v1", {controller: its hierarchy's root})."""
    if os.path.isfile(os.path.join(host_root, "cgroup.controllers")):
        return "v2", {"": host_root}
    # v1: one hierarchy per controller (cpu is often a link to cpu,cpuacct); a hybrid host's unified one has none
    v1 = {c: os.path.join(host_root, c) for c in V1_CONTROLLERS}
    missing = [c for c, d in v1.items() if not os.path.isfile(os.path.join(d, "cgroup.procs"))]
    if not missing:
        return "v1", v1
    if not os.path.isdir(host_root) or not os.listdir(host_root):
        raise LimitsError(f"the host's cgroups are not mounted at {host_root}: per-student limits need the host's "
                          f"/sys/fs/cgroup there, read-write (the stack's user service mounts it; with docker run: "
                          f"-v /sys/fs/cgroup:{host_root}); see the README, 'Limits'")
    raise LimitsError(f"the host's cgroups at {host_root} are neither cgroup v2 nor v1 with the {', '.join(missing)} "
                      f"controller: per-student limits need memory, cpu and pids; see the README, 'Limits'")


def cgroup_paths(proc_cgroup_text):
    """The process's cgroup per v1 controller and as "" for v2, as /proc/self/cgroup names them."""
    paths = {}
    for line in proc_cgroup_text.splitlines():
        number, controllers, path = line.split(":", 2)
        if number == "0" and controllers == "":
            paths[""] = path
        for controller in filter(None, controllers.split(",")):
            paths[controller] = path
    return paths


def holds(directory, pid):
    """Whether a cgroup directory has the process `pid` (a number of our pid namespace) in its cgroup.procs.

    A cgroup.procs read from a pid namespace lists only that namespace's processes by their numbers there (those
    of the host and of other containers read as 0, or not at all), so a match is the container's own process.
    """
    try:
        return str(pid) in _read(os.path.join(directory, "cgroup.procs")).split()
    except OSError:
        return False


def find_own(root, hint, pid):
    """The cgroup directory under a hierarchy's root that holds `pid`: the container's own, or its `hub` leaf.

    /proc/self/cgroup gives the path when the container shares the host's cgroup namespace (Docker 20.10 on v1);
    a private namespace (Docker's default on v2) shows "/", so the tree is searched for the process.
    """
    if hint and hint != "/":
        guess = os.path.normpath(os.path.join(root, hint.lstrip("/")))
        if holds(guess, pid):
            return guess
    for directory, subdirectories, _ in os.walk(root):
        if holds(directory, pid):
            return directory
        subdirectories.sort()
    raise LimitsError(f"no cgroup under {root} holds this process ({pid}): {root} is not the host's cgroups "
                      f"(mount the host's /sys/fs/cgroup there); see the README, 'Limits'")


def own_cgroups(host_root, proc_cgroup_text, pid):
    """The container's own cgroup directories in the host's tree: ("v2", {"": dir}) or ("v1", {controller: dir})."""
    version, roots = hierarchies(host_root)
    paths = cgroup_paths(proc_cgroup_text)
    own = {}
    for controller, root in roots.items():
        directory = find_own(root, paths.get(controller), pid)
        if os.path.basename(directory) == HUB_LEAF:
            directory = os.path.dirname(directory)  # the hub itself, moved by init: the container's is the parent
        if os.path.samefile(directory, root):
            raise LimitsError(f"this process is in the root cgroup of {root}: the user node must run in a "
                              f"container of its own (Docker gives each one a cgroup)")
        own[controller] = directory
    return version, own


# --- what to write, as (file, value) pairs: pure, so that it is unit-tested ---------------------------------

def limit_writes(version, limits):
    """The cgroup files of one student's cgroup and their values, in the order to write them."""
    quota = f"{int(limits.cpus * CPU_PERIOD_US)}"
    if version == "v1":
        return [
            ("memory", "memory.limit_in_bytes", str(limits.memory)),
            # memory + swap: equal to the memory, so no swap beyond it (after the memory: it may not be below it)
            ("memory", "memory.memsw.limit_in_bytes", str(limits.memory)),
            ("cpu", "cpu.cfs_period_us", str(CPU_PERIOD_US)),
            ("cpu", "cpu.cfs_quota_us", quota),
            ("pids", "pids.max", str(limits.pids)),
        ]
    return [
        ("", "memory.max", str(limits.memory)),
        ("", "memory.swap.max", "0"),
        ("", "cpu.max", f"{quota} {CPU_PERIOD_US}"),
        ("", "pids.max", str(limits.pids)),
    ]


def oom_kills(text):
    """The oom_kill count in memory.oom_control (v1) or memory.events (v2); 0 if the kernel does not count."""
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if key == "oom_kill" and value.strip().isdigit():
            return int(value)
    return 0


class Cgroups:
    """The container's cgroups as the hub uses them."""

    def __init__(self, host_root=HOST_CGROUP, proc_cgroup=PROC_CGROUP):
        with open(proc_cgroup) as c:
            proc_cgroup_text = c.read()
        self.version, self.own = own_cgroups(host_root, proc_cgroup_text, os.getpid())

    def student_dirs(self, name):
        return {controller: os.path.join(directory, f"student-{name}") for controller, directory in self.own.items()}

    def init(self):
        """At the node's start, as root: our cgroups writable, and on v2 the controllers enabled for children."""
        for directory in set(self.own.values()):
            if not os.access(directory, os.W_OK):
                raise LimitsError(f"the host's cgroups are mounted read-only at {HOST_CGROUP} ({directory} is not "
                                  f"writable): mount the host's /sys/fs/cgroup there read-write; see the README, 'Limits'")
        if self.version == "v2":
            own = self.own[""]
            hub = os.path.join(own, HUB_LEAF)
            os.makedirs(hub, exist_ok=True)
            # v2's rule: a cgroup with processes cannot pass controllers on; ours move to the leaf "hub".
            for _ in range(10):
                pids = _read(os.path.join(own, "cgroup.procs")).split()
                if not pids:
                    break
                for pid in pids:
                    try:
                        _write(os.path.join(hub, "cgroup.procs"), pid)
                    except ProcessLookupError:
                        pass
            available = _read(os.path.join(own, "cgroup.controllers")).split()
            missing = [c for c in V2_CONTROLLERS if c not in available]
            if missing:
                raise LimitsError(f"the container's cgroup offers no {', '.join(missing)} controller "
                                  f"(cgroup.controllers: {' '.join(available) or 'none'}): the engine must delegate them")
            _write(os.path.join(own, "cgroup.subtree_control"), " ".join("+" + c for c in V2_CONTROLLERS))
        return self

    def prepare(self, name, limits):
        """The student's cgroup with their limits (as root, before their server starts); returns its dirs."""
        dirs = self.student_dirs(name)
        for directory in set(dirs.values()):
            os.makedirs(directory, exist_ok=True)
        writes = limit_writes(self.version, limits)
        for controller, file, value in writes:
            path = os.path.join(dirs[controller], file)
            if file.startswith("memory.") and not os.path.exists(path):
                continue  # memsw / swap.max: absent without swap accounting, where there is no swap to limit
            try:
                _write(path, value)
            except OSError as e:
                if file == "memory.limit_in_bytes":
                    # lowering: memory+swap first, as the memory may not exceed it
                    _write(os.path.join(dirs[controller], "memory.memsw.limit_in_bytes"), value)
                    _write(path, value)
                else:
                    raise LimitsError(f"cannot set {path} to {value}: {e}") from e
        return dirs

    def join(self, dirs, pid):
        """Moves a process into the student's cgroup (all of its hierarchies). Safe in a preexec function."""
        for directory in set(dirs.values()):
            fd = os.open(os.path.join(directory, "cgroup.procs"), os.O_WRONLY)
            try:
                os.write(fd, str(pid).encode())
            finally:
                os.close(fd)

    def processes(self, dirs):
        procs = set()
        for directory in set(dirs.values()):
            try:
                procs.update(int(p) for p in _read(os.path.join(directory, "cgroup.procs")).split())
            except FileNotFoundError:
                pass
        return procs

    def oom_kill_count(self, dirs):
        directory = dirs["memory" if self.version == "v1" else ""]
        file = "memory.oom_control" if self.version == "v1" else "memory.events"
        try:
            return oom_kills(_read(os.path.join(directory, file)))
        except FileNotFoundError:
            return 0


def _read(path):
    with open(path) as f:
        return f.read()


def _write(path, value):
    with open(path, "w") as f:
        f.write(value)


# --- the disk budget: pure decisions ------------------------------------------------------------------------

def disk_decision(used, quota, over_quota_since_start, used_at_start):
    """What the hub does with a running server whose home holds `used` bytes: "ok" or "stop".

    A server started normally is stopped once the home exceeds its quota. One started while the home was already
    over (with small files only) may let it grow by OVER_QUOTA_SLACK while its student cleans up.
    """
    if over_quota_since_start:
        return "stop" if used > max(quota, used_at_start) + OVER_QUOTA_SLACK else "ok"
    return "stop" if used > quota else "ok"


def file_size_limit(used, quota):
    """The hard RLIMIT_FSIZE of a server started while its home holds `used` bytes."""
    return OVER_QUOTA_FILE_SIZE if used >= quota else quota


def quota_notice(name, used, limits):
    return (f"Your home holds {format_size(used)}: its disk quota of {format_size(limits.disk)} "
            f"({SETTINGS['disk'][1]}) is reached.\n"
            f"Your notebook server was stopped; everything you had saved is still here. Until your home is under "
            f"{format_size(limits.disk)} again, no file of yours can grow beyond {format_size(OVER_QUOTA_FILE_SIZE)}: "
            f"delete what you do not need (e.g. old .cfiddle build directories), then stop and start your server "
            f"(File > Hub Control Panel) to write normally again.\n")


def write_notice(home, uid, gid, text):
    """The notice, written by root into a student's home without following anything the student placed there."""
    directory = os.open(home, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        try:
            os.unlink(NOTICE_FILE, dir_fd=directory)
        except FileNotFoundError:
            pass
        fd = os.open(NOTICE_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644, dir_fd=directory)
        try:
            os.write(fd, text.encode())
            os.fchown(fd, uid, gid)
        finally:
            os.close(fd)
    finally:
        os.close(directory)


def remove_notice(home):
    try:
        directory = os.open(home, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return
    try:
        os.unlink(NOTICE_FILE, dir_fd=directory)
    except FileNotFoundError:
        pass
    finally:
        os.close(directory)


def write_state(name, state, uid, state_dir=STATE_DIR):
    """The student's limits and state, for the notices their kernels print (cfiddle_cluster.limits_notice).

    Readable by that student alone (another's disk use and out-of-memory kills are not theirs to see); the
    directory is root's, so nobody can replace the file but the hub.
    """
    os.makedirs(state_dir, mode=0o755, exist_ok=True)
    path = os.path.join(state_dir, f"{name}.json")
    fd = os.open(path + ".new", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o400)
    with os.fdopen(fd, "w") as f:
        json.dump(state, f)
        os.fchmod(f.fileno(), 0o400)
        os.fchown(f.fileno(), uid, -1)
    os.replace(path + ".new", path)


def main(argv):
    """`python3 -m cfiddle_cluster.student_limits init`: the entrypoint's check, before the hub starts."""
    if argv[1:] != ["init"]:
        raise SystemExit("usage: python3 -m cfiddle_cluster.student_limits init")
    try:
        limits = Limits.from_environment()
        cgroups = Cgroups().init()
    except (LimitsError, OSError) as e:
        raise SystemExit(f"user node: per-student limits: {e}") from None
    print(f"per-student limits (cgroup {cgroups.version}): memory {format_size(limits.memory)} (no swap beyond it), "
          f"{limits.cpus:g} CPUs, {limits.pids} processes, disk {format_size(limits.disk)} per home", flush=True)


if __name__ == "__main__":
    import sys
    main(sys.argv)
