"""Per-student limits on the user node: a cgroup of their own (memory without swap beyond it, CPU, processes)
and a disk budget for their home, so that one student cannot take the node from the others.

All students' servers run in ONE container. The hub (root there) makes a child cgroup per student under the
container's own cgroup and puts each server into it before the server drops to the student's uid; kernels,
terminals, compilers and srun inherit it. The cgroup's files are root's (0644), so a student can neither change
their limits nor move a process out (that needs write access to another cgroup's cgroup.procs).

Docker mounts the container's cgroups read-only; `init` (run by the entrypoint as root, with CAP_SYS_ADMIN, which
the stack grants the user service) remounts them read-write. Measured on cgroup v1 (Docker 20.10); cgroup v2 is
handled as its documentation requires (the container's processes move to a leaf, `hub`, before the controllers
are enabled for the children) but could not be measured on a v1 machine: see the README.

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
import subprocess

MOUNTINFO = "/proc/self/mountinfo"
PROC_CGROUP = "/proc/self/cgroup"
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

def cgroup_mounts(mountinfo_text):
    """(mount point, root within the hierarchy, fstype, controllers) of each cgroup mount in a mountinfo."""
    mounts = []
    for line in mountinfo_text.splitlines():
        fields = line.split()
        if "-" not in fields:
            continue
        separator = fields.index("-")
        fstype = fields[separator + 1]
        if fstype not in ("cgroup", "cgroup2"):
            continue
        super_options = fields[separator + 3].split(",") if len(fields) > separator + 3 else []
        controllers = set() if fstype == "cgroup2" else set(super_options)
        mounts.append((_unescape(fields[4]), _unescape(fields[3]), fstype, controllers))
    return mounts


def _unescape(field):
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def own_cgroups(mountinfo_text, proc_cgroup_text):
    """The container's own cgroup directories: ("v2", {"": dir}) or ("v1", {controller: dir}).

    /proc/self/cgroup names each hierarchy's cgroup from the hierarchy's root; a mount shows the hierarchy from
    its `root` field on (Docker 20.10 on v1: the container's cgroup, e.g. /docker/ID; v2 with a private cgroup
    namespace: "/"). So the directory is the mount point plus the path below the mount's root.
    """
    paths_v1, path_v2 = {}, None
    for line in proc_cgroup_text.splitlines():
        number, controllers, path = line.split(":", 2)
        if number == "0" and controllers == "":
            path_v2 = path
        for controller in controllers.split(","):
            paths_v1[controller] = path
    mounts = cgroup_mounts(mountinfo_text)
    v1 = {}
    for point, root, fstype, controllers in mounts:
        for controller in V1_CONTROLLERS:
            if fstype == "cgroup" and controller in controllers and controller in paths_v1:
                v1[controller] = _below(point, root, paths_v1[controller])
    if len(v1) == len(V1_CONTROLLERS):
        return "v1", v1
    for point, root, fstype, _ in mounts:
        if fstype == "cgroup2" and path_v2 is not None and point == "/sys/fs/cgroup":
            if path_v2.rstrip("/").endswith("/" + HUB_LEAF):
                # the hub itself, moved by init: the container's own cgroup is the leaf's parent
                path_v2 = path_v2.rstrip("/")[:-len(HUB_LEAF) - 1] or "/"
            return "v2", {"": _below(point, root, path_v2)}
    raise LimitsError("this container sees no cgroup v1 memory, cpu and pids hierarchies and no cgroup v2 at "
                      "/sys/fs/cgroup: per-student limits need one of them (see the README, 'Limits')")


def _below(point, root, path):
    if root != "/" and (path == root or path.startswith(root.rstrip("/") + "/")):
        path = path[len(root.rstrip("/")):]
    elif root != "/":
        # The cgroup namespace hides the container's position (v2, private namespace): the mount's root is ours.
        path = "/"
    return os.path.normpath(point + "/" + path.lstrip("/"))


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

    def __init__(self, mountinfo=MOUNTINFO, proc_cgroup=PROC_CGROUP):
        with open(mountinfo) as m, open(proc_cgroup) as c:
            self.mountinfo_text, proc_cgroup_text = m.read(), c.read()
        self.version, self.own = own_cgroups(self.mountinfo_text, proc_cgroup_text)

    def student_dirs(self, name):
        return {controller: os.path.join(directory, f"student-{name}") for controller, directory in self.own.items()}

    def init(self):
        """At the node's start, as root: our cgroups writable, and on v2 the controllers enabled for children."""
        for directory in set(self.own.values()):
            if not os.access(directory, os.W_OK) or _read_only(self.mountinfo_text, directory):
                _remount_read_write(directory)
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


def _read_only(mountinfo_text, directory):
    best = None
    for line in mountinfo_text.splitlines():
        fields = line.split()
        if len(fields) > 5:
            point = _unescape(fields[4])
            if (directory == point or directory.startswith(point.rstrip("/") + "/")) and (best is None or len(point) > len(best[0])):
                best = (point, "ro" in fields[5].split(","))
    return bool(best and best[1])


def _remount_read_write(directory):
    point = _mount_point(directory)
    # The read-only flag is the mount point's (a bind remount changes only that): no new file system is mounted.
    result = subprocess.run(["mount", "-o", "remount,bind,rw", point], capture_output=True, text=True)
    if result.returncode != 0:
        raise LimitsError(f"cannot make the container's cgroup {point} writable for per-student limits "
                          f"({result.stderr.strip()}): give the user node CAP_SYS_ADMIN (the stack's user service has "
                          f"cap_add: [SYS_ADMIN]; docker run --cap-add SYS_ADMIN); see the README, 'Limits'")


def _mount_point(directory):
    with open(MOUNTINFO) as m:
        points = [_unescape(line.split()[4]) for line in m if len(line.split()) > 4]
    return max((p for p in points if directory == p or directory.startswith(p.rstrip("/") + "/")), key=len)


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


def write_state(name, state):
    """The student's limits and disk state, for the notices their kernels print (cfiddle_cluster.limits_notice)."""
    os.makedirs(STATE_DIR, mode=0o755, exist_ok=True)
    path = os.path.join(STATE_DIR, f"{name}.json")
    with open(path + ".new", "w") as f:
        json.dump(state, f)
    os.chmod(path + ".new", 0o644)
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
