"""The hub's spawner: LocalProcessSpawner, with each student's server in their own cgroup and under their disk
budget (cfiddle_cluster.student_limits says what is enforced and how).

The server joins the student's cgroup and gets its file size limit in the child process, as root, right before
JupyterHub drops it to the student's uid (make_preexec_fn): nothing of the student's ever runs outside the cgroup,
and the hard limit cannot be raised by the student (no CAP_SYS_RESOURCE). At every poll (c.Spawner.poll_interval)
the hub reads the cgroup's out-of-memory kills and the home's size; it logs what it saw, writes the state the
student's kernels show (cfiddle_cluster.limits_notice: students cannot read the cgroups) and stops a server whose
home is over its quota.
"""
import asyncio
import os
import pwd
import resource
import signal

from jupyterhub.spawner import LocalProcessSpawner

from cfiddle_cluster import student_limits
from cfiddle_cluster.student_limits import SETTINGS, format_size


class StudentLimitsSpawner(LocalProcessSpawner):
    _cgroups = None  # one for the hub, made at the first spawn
    # LocalProcessSpawner.stop polls: while stopping, poll only asks whether the process is alive.
    _stopping = False

    @classmethod
    def cgroups(cls):
        if cls._cgroups is None:
            cls._cgroups = student_limits.Cgroups()
        return cls._cgroups

    async def start(self):
        self.limits = student_limits.Limits.from_environment()
        account = pwd.getpwnam(self.user.name)
        self.home = account.pw_dir
        self.cgroup_dirs = self.cgroups().prepare(self.user.name, self.limits)
        self.used_at_start = await _disk_usage(self.home)
        self.over_quota_at_start = self.used_at_start >= self.limits.disk
        self.file_size_limit = student_limits.file_size_limit(self.used_at_start, self.limits.disk)
        self.oom_kills_seen = self.cgroups().oom_kill_count(self.cgroup_dirs)
        if self.over_quota_at_start:
            self.log.warning("%s: home holds %s, over its disk quota of %s (%s): server starts with files limited to %s",
                             self.user.name, format_size(self.used_at_start), format_size(self.limits.disk),
                             SETTINGS["disk"][1], format_size(self.file_size_limit))
        else:
            student_limits.remove_notice(self.home)
        self._write_state(self.used_at_start)
        return await super().start()

    def make_preexec_fn(self, name):
        drop_to_student = super().make_preexec_fn(name)
        cgroups, dirs, file_size = self.cgroups(), self.cgroup_dirs, self.file_size_limit

        def preexec():
            cgroups.join(dirs, os.getpid())
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
            drop_to_student()
        return preexec

    async def poll(self):
        status = await super().poll()
        if status is not None or self._stopping or not hasattr(self, "cgroup_dirs"):
            return status
        kills = self.cgroups().oom_kill_count(self.cgroup_dirs)
        if kills > self.oom_kills_seen:
            self.log.warning("%s: out of memory at their limit of %s (%s): the kernel killed %d of their processes",
                             self.user.name, format_size(self.limits.memory), SETTINGS["memory"][1],
                             kills - self.oom_kills_seen)
            self.oom_kills_seen = kills
        used = await _disk_usage(self.home)
        self._write_state(used)
        if student_limits.disk_decision(used, self.limits.disk, self.over_quota_at_start, self.used_at_start) == "stop":
            self.log.warning("%s: home holds %s, over its disk quota of %s (%s): stopping their server",
                             self.user.name, format_size(used), format_size(self.limits.disk), SETTINGS["disk"][1])
            account = pwd.getpwnam(self.user.name)
            student_limits.write_notice(self.home, account.pw_uid, account.pw_gid,
                                        student_limits.quota_notice(self.user.name, used, self.limits))
            await self.stop()
            return 1
        return None

    async def stop(self, now=False):
        self._stopping = True
        try:
            await super().stop(now=now)
        finally:
            self._stopping = False
        # Whatever the server left behind (a kernel, a background job) goes with it: nothing of the student's
        # keeps running, or writing, without a server.
        if hasattr(self, "cgroup_dirs"):
            for pid in self.cgroups().processes(self.cgroup_dirs):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def _write_state(self, used):
        state = dict(self.limits.as_dict(), disk_used=used, file_size_limit=self.file_size_limit,
                     over_quota=used > self.limits.disk or self.over_quota_at_start,
                     oom_kills=self.cgroups().oom_kill_count(self.cgroup_dirs))
        student_limits.write_state(self.user.name, state, pwd.getpwnam(self.user.name).pw_uid)


async def _disk_usage(home):
    # du in a process of its own: the hub's event loop goes on meanwhile.
    process = await asyncio.create_subprocess_exec("du", "-s", "-B1", "-x", home, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.DEVNULL)
    out, _ = await process.communicate()
    fields = out.split()
    return int(fields[0]) if fields and fields[0].isdigit() else 0
