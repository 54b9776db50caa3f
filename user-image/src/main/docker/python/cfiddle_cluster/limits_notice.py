"""Tells a student in their notebook when one of their limits on the user node was reached (an IPython extension,
loaded into every kernel by /etc/ipython/ipython_kernel_config.py).

After each cell it looks at the state the hub writes for the student at every poll (their cgroup's out-of-memory
kills, which also happen to a compiler or to a previous kernel: the count seen is remembered in the home; their
disk use), and explains errors that come from a limit (a refused fork, a refused write). Students cannot read the
cgroups themselves (the host's tree is root's on this node).
"""
import errno
import json
import os
import pwd
import sys

from cfiddle_cluster import student_limits
from cfiddle_cluster.student_limits import SETTINGS, format_size

SEEN_FILE = os.path.join(".cache", "cfiddle-cluster", "oom-kills-seen")


def messages(state, kills, kills_seen, error, disk_reported):
    """The notices for one cell: pure, so that it is unit-tested. `state` is the hub's (or None)."""
    state = state or {}
    memory = format_size(state["memory"]) if "memory" in state else "its limit"
    out = []
    if kills > kills_seen:
        out.append(f"Your processes on the user node reached your memory limit of {memory} "
                   f"({SETTINGS['memory'][1]}): the system stopped {kills - kills_seen} of them "
                   f"(if it was this notebook's kernel, it restarts empty: run your cells again, with less data).")
    if isinstance(error, BlockingIOError) or (isinstance(error, OSError) and error.errno == errno.EAGAIN):
        out.append(f"A new process was refused: you have as many processes (threads included) as your limit of "
                   f"{state.get('pids', 'processes')} ({SETTINGS['pids'][1]}) on the user node.")
    if isinstance(error, OSError) and error.errno in (errno.EFBIG, errno.ENOSPC, errno.EDQUOT):
        out.append(f"That write was refused: no file of yours may be larger than "
                   f"{format_size(state.get('file_size_limit', 0))} (your disk quota, {SETTINGS['disk'][1]}: "
                   f"{format_size(state.get('disk', 0))} for your home).")
    if state.get("over_quota") and not disk_reported:
        out.append(f"Your home holds {format_size(state.get('disk_used', 0))}: its disk quota of "
                   f"{format_size(state.get('disk', 0))} ({SETTINGS['disk'][1]}) is reached. Delete files you do not "
                   f"need; see {student_limits.NOTICE_FILE} in your home.")
    return out


class Notice:
    def __init__(self):
        self.name = pwd.getpwuid(os.getuid()).pw_name
        self.home = os.path.expanduser("~")
        self.disk_reported = False
        self.kills_seen = self._remembered_kills()

    def after_cell(self, result):
        state = self._state()
        kills = _kills(state)
        error = getattr(result, "error_in_exec", None)
        for line in messages(state, kills, self.kills_seen, error, self.disk_reported):
            print(f"cfiddle-cluster: {line}", file=sys.stderr)
        self.disk_reported = bool(state and state.get("over_quota"))
        if kills != self.kills_seen:
            self.kills_seen = kills
            self._remember_kills(kills)

    def _state(self):
        try:
            with open(os.path.join(student_limits.STATE_DIR, f"{self.name}.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def _remembered_kills(self):
        current = _kills(self._state())
        try:
            with open(os.path.join(self.home, SEEN_FILE)) as f:
                return min(int(f.read().strip()), current)
        except (OSError, ValueError):
            # The first kernel: nothing to report from before it (the count starts with the student's cgroup).
            self._remember_kills(current)
            return current

    def _remember_kills(self, kills):
        path = os.path.join(self.home, SEEN_FILE)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(f"{kills}\n")
        except OSError:
            pass  # a home over its quota: the count is kept in this kernel only


def _kills(state):
    return int((state or {}).get("oom_kills", 0))


def load_ipython_extension(ipython):
    ipython.events.register("post_run_cell", Notice().after_cell)
