"""SlurmDelegate: cfiddle's RunnerDelegate that runs an experiment in a sandbox on a Slurm worker.

cfiddle calls execute(["cfiddle-run", "--runner", R, "--results", S], runner). Nothing is shared between the
user node and the workers: the experiment (a re-pickled runner and the .so files it loads) is streamed as a tar
through srun's stdin to the worker's launcher, which pipes it into a fresh sandbox; the sandbox's results come
back on srun's stdout and are written to S, where cfiddle expects them.
"""
import collections
import io
import pickle
import re
import subprocess
import tarfile
import threading
import time

from . import cfiddle_api
from .settings import ClusterSettings

# The sandbox's side of the protocol (cfiddle-sandbox-run in the sandbox image).
RUNNER_FILE = "runner.pickle"
RESULTS_FILE = "results.pickle"
STDERR_TAIL_LINES = 20
STDERR_TAIL_BYTES = 64 * 1024
ARCHIVE_SLACK_BYTES = 1024 * 1024
# The launcher's first line names the job and its worker; the watchdog asks Slurm about that job this often, and
# gives up on an srun whose job Slurm no longer runs after the grace period.
_JOB_STARTED = re.compile(r"cfiddle-launch: job (\d+) started on (\S+)")
WATCH_INTERVAL_SECONDS = 3
SRUN_GRACE_SECONDS = 10
# A job that Slurm could not start on its worker (e.g. a worker that died a moment ago and that the controller
# has not yet noticed) ran nothing, so it is safe to submit again: Slurm then picks a live worker.
LAUNCH_ATTEMPTS = 3
NEVER_STARTED = ("srun: error: Application launch failed", "srun: error: Task launch for")
# A controller that is restarting (or moving to another host) cannot be reached for a while; nothing was
# submitted, so the delegate waits for it, up to CONTROLLER_WAIT_SECONDS.
CONTROLLER_UNREACHABLE = ("Unable to establish control machine address", "Unable to contact slurm controller",
                          "Unable to allocate resources: Socket timed out")
CONTROLLER_WAIT_SECONDS = 120
CONTROLLER_RETRY_SECONDS = 2


def _error(message):
    from .errors import ClusterRunError
    return ClusterRunError(message)


class SlurmDelegate:
    def __init__(self, settings=None):
        self._settings = settings or ClusterSettings.load()

    def execute(self, command, runner):
        results_path = _option(command, "--results")
        invocations = list(runner.get_invocations())
        experiment = pack_experiment(runner, invocations)
        launch_attempts = 0
        controller_deadline = time.monotonic() + CONTROLLER_WAIT_SECONDS
        while True:
            completed = _run_srun(self._srun_command(), experiment, self._settings.output_limit)
            if completed.returncode == 0:
                break
            if _controller_unreachable(completed.stderr):
                if time.monotonic() >= controller_deadline:
                    raise _error(f"The cluster's controller did not answer for {CONTROLLER_WAIT_SECONDS} s; nothing "
                                 f"ran. Try again in a while, or tell the course's admin.")
                time.sleep(CONTROLLER_RETRY_SECONDS)
                continue
            launch_attempts += 1
            if not _never_started(completed.stderr) or launch_attempts >= LAUNCH_ATTEMPTS:
                break
        if completed.lost_worker:
            raise _error(f"The worker {completed.node} stopped while it ran your experiment (job {completed.job_id} "
                         f"ended as {completed.lost_worker}). Run it again: another worker will take it.")
        if completed.stdout_overflowed:
            raise _error(f"The experiment's results exceeded the cluster's output limit ({self._settings.output_limit}).")
        if completed.returncode != 0:
            raise _error(_failure_message(completed.returncode, completed.stderr, self._settings))
        results = unpack_results(completed.stdout, completed.stderr)
        cfiddle_api.give_back_invocations(results, invocations)
        with open(results_path, "wb") as f:
            pickle.dump(results, f)

    def _srun_command(self):
        s = self._settings
        return ["srun", "--quiet", "--nodes=1", "--ntasks=1", f"--partition={s.partition}",
                f"--time={s.time_limit}", f"--job-name={s.job_name}", "--chdir=/tmp", "--export=NONE",
                "/usr/bin/sudo", "-n", s.launcher]


class _SrunOutcome:
    def __init__(self):
        self.returncode = None
        self.stdout = b""
        self.stdout_overflowed = False
        self.stderr = ""
        self.job_id = None
        self.node = None
        self.lost_worker = None


def _run_srun(command, experiment, output_limit):
    """Runs srun with the experiment on its stdin, keeping at most output_limit (plus the archive's framing) of
    its stdout and the tail of its stderr, so that no experiment can fill this shared node's memory. Watches
    the job while it runs: when Slurm has ended it (e.g. its worker died) but srun does not return, srun is
    stopped and the outcome says which worker was lost."""
    outcome = _SrunOutcome()
    srun = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout_limit = parse_size(output_limit) + ARCHIVE_SLACK_BYTES
    stdout_chunks, stderr_tail = [], collections.deque()
    stdout_size = [0]
    stderr_size = [0]

    def feed():
        try:
            srun.stdin.write(experiment)
            srun.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # srun ended early: its stderr says why

    def read_stdout():
        while chunk := srun.stdout.read1(65536):
            if stdout_size[0] + len(chunk) > stdout_limit:
                outcome.stdout_overflowed = True
                continue
            stdout_size[0] += len(chunk)
            stdout_chunks.append(chunk)

    def read_stderr():
        while chunk := srun.stderr.read1(65536):
            stderr_tail.append(chunk)
            stderr_size[0] += len(chunk)
            while stderr_size[0] - len(stderr_tail[0]) > STDERR_TAIL_BYTES:
                stderr_size[0] -= len(stderr_tail.popleft())
            if outcome.job_id is None:
                started = _JOB_STARTED.search(b"".join(stderr_tail).decode(errors="replace"))
                if started:
                    outcome.job_id, outcome.node = started.group(1), started.group(2)

    threads = [threading.Thread(target=target, daemon=True) for target in (feed, read_stdout, read_stderr)]
    for thread in threads:
        thread.start()
    watchdog = _JobWatchdog()
    while True:
        try:
            outcome.returncode = srun.wait(timeout=WATCH_INTERVAL_SECONDS)
            break
        except subprocess.TimeoutExpired:
            lost = watchdog.ended_without_srun(outcome.job_id)
            if lost:
                outcome.lost_worker = lost
                srun.kill()
    for thread in threads:
        thread.join()
    outcome.stdout = b"".join(stdout_chunks)
    outcome.stderr = b"".join(stderr_tail).decode(errors="replace")
    return outcome


class _JobWatchdog:
    """Decides that a job is over although its srun still waits: Slurm no longer runs it for a grace period."""

    def __init__(self):
        self._ended_since = None

    def ended_without_srun(self, job_id):
        if job_id is None:
            return None
        state = subprocess.run(["squeue", "--noheader", f"--jobs={job_id}", "--format=%T"],
                               capture_output=True, text=True).stdout.strip()
        if state in ("RUNNING", "COMPLETING", "CONFIGURING"):
            self._ended_since = None
            return None
        self._ended_since = self._ended_since or time.monotonic()
        if time.monotonic() - self._ended_since < SRUN_GRACE_SECONDS:
            return None
        return state or "NODE_FAIL"


def parse_size(text):
    """Bytes in a Docker-style size (512k, 64m, 1g, or plain bytes)."""
    match = re.fullmatch(r"(\d+)([bkmg]?)", str(text).strip().lower())
    if not match:
        raise _error(f"the cluster's output limit {text!r} is not a size such as 16m (see /etc/cfiddle/cluster.conf)")
    return int(match.group(1)) * 1024 ** "bkmg".index(match.group(2) or "b")


def _controller_unreachable(stderr):
    return any(marker in stderr for marker in CONTROLLER_UNREACHABLE)


def _never_started(stderr):
    return any(line.startswith(NEVER_STARTED) for line in stderr.splitlines())


def _option(command, name):
    try:
        return command[command.index(name) + 1]
    except (ValueError, IndexError):
        raise _error(f"cfiddle called the delegate without {name}: {command!r}") from None


def pack_experiment(runner, invocations):
    """The experiment as the sandbox takes it (cfiddle-sandbox-run's stdin): a tar of runner.pickle and the .so
    files it loads, at paths local to the sandbox's working directory (see cfiddle_api.sandbox_copy)."""
    payload, files = cfiddle_api.sandbox_copy(runner, invocations)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        _add_bytes(archive, RUNNER_FILE, pickle.dumps(payload))
        for name, source in files.items():
            try:
                archive.add(source, arcname=name)
            except OSError as e:
                raise _error(f"cannot read the built library {source}: {e}. Build the code again.") from e
    return buffer.getvalue()


def _add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def unpack_results(stdout, stderr=""):
    """cfiddle's results (or the exception it raised) from what the sandbox wrote on its stdout."""
    try:
        with tarfile.open(fileobj=io.BytesIO(stdout), mode="r") as archive:
            member = archive.extractfile(RESULTS_FILE)
            return pickle.load(member)
    # TypeError: results.pickle is not a file (extractfile gives None); ValueError: an unknown pickle protocol.
    except (tarfile.TarError, KeyError, AttributeError, TypeError, ValueError, pickle.UnpicklingError, EOFError) as e:
        raise _error(f"the cluster returned no readable results ({e}).\n{_tail(stderr)}") from None


_CAUSE = re.compile(r"((?:cfiddle-launch|cfiddle-sandbox|cfiddle): .*|srun: error: .*|slurmstepd: error: .*|"
                    r"srun: [Jj]ob .*|sbatch: error: .*)")
_OVER_LIMIT = ("QOSMaxSubmitJobPerUserLimit", "Job violates accounting/QOS policy")


def _failure_message(code, stderr, settings):
    causes = [m.group(1).strip() for m in _CAUSE.finditer(stderr) if not _JOB_STARTED.match(m.group(1))]
    lines = [f"The experiment failed on the cluster (srun exit code {code})."]
    if any(marker in stderr for marker in _OVER_LIMIT):
        lines.append("You already have as many experiments queued or running as the cluster allows one student: "
                     "wait for them to finish, then run this one again.")
    if "DUE TO TIME LIMIT" in stderr or "reached its time limit" in stderr:
        lines.append(f"It ran longer than the time limit ({settings.time_limit} of partition {settings.partition}).")
    if "signal 11" in stderr or "SIGSEGV" in stderr:
        lines.append("The experiment crashed with a segmentation fault.")
    lines += causes
    lines.append(_tail(stderr))
    return "\n".join(line for line in lines if line)


def _tail(stderr):
    lines = [line for line in stderr.strip().splitlines() if not _JOB_STARTED.search(line)]
    tail = [line[:500] for line in lines[-STDERR_TAIL_LINES:]]
    return ("Last lines of its error output:\n" + "\n".join(tail)) if tail else ""
