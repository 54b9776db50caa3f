"""SlurmDelegate: cfiddle's RunnerDelegate that runs an experiment in a sandbox on a Slurm worker.

cfiddle calls execute(["cfiddle-run", "--runner", R, "--results", S], runner). Nothing is shared between the
user node and the workers: the experiment (a re-pickled runner and the .so files it loads) is streamed as a tar
through srun's stdin to the worker's launcher, which pipes it into a fresh sandbox; the sandbox's results come
back on srun's stdout and are written to S, where cfiddle expects them.
"""
import copy
import io
import os
import pickle
import subprocess
import tarfile

from .settings import ClusterSettings

# The sandbox's side of the protocol (cfiddle-sandbox-run in the sandbox image).
RUNNER_FILE = "runner.pickle"
RESULTS_FILE = "results.pickle"
STDERR_TAIL_LINES = 20
# A job that Slurm could not start on its worker (e.g. a worker that died a moment ago and that the controller
# has not yet noticed) ran nothing, so it is safe to submit again: Slurm then picks a live worker.
LAUNCH_ATTEMPTS = 3
NEVER_STARTED = ("srun: error: Application launch failed", "srun: error: Task launch for")


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
        for _attempt in range(LAUNCH_ATTEMPTS):
            completed = subprocess.run(self._srun_command(), input=experiment, capture_output=True)
            stderr = completed.stderr.decode(errors="replace")
            if completed.returncode == 0 or not _never_started(stderr):
                break
        if completed.returncode != 0:
            raise _error(_failure_message(completed.returncode, stderr, self._settings))
        results = unpack_results(completed.stdout, stderr)
        _restore_invocations(results, invocations)
        with open(results_path, "wb") as f:
            pickle.dump(results, f)

    def _srun_command(self):
        s = self._settings
        return ["srun", "--quiet", "--nodes=1", "--ntasks=1", f"--partition={s.partition}",
                f"--time={s.time_limit}", f"--job-name={s.job_name}", "--chdir=/tmp", "--export=NONE",
                "/usr/bin/sudo", "-n", s.launcher]


def _never_started(stderr):
    return any(line.startswith(NEVER_STARTED) for line in stderr.splitlines())


def _option(command, name):
    try:
        return command[command.index(name) + 1]
    except (ValueError, IndexError):
        raise _error(f"cfiddle called the delegate without {name}: {command!r}") from None


def pack_experiment(runner, invocations):
    """The experiment as the sandbox takes it (cfiddle-sandbox-run's stdin): a tar of runner.pickle and the .so
    files it loads, at paths local to the sandbox's working directory.

    The runner is re-pickled with those paths, so the user's own paths (and home) never reach the worker, and
    with cfiddle's stock delegate and no progress bar, so the sandbox needs nothing but cfiddle."""
    from cfiddle.config import noop_progress_bar, peek_config
    from cfiddle.Runner import SubprocessDelegate

    sandbox_executables = {}
    files = {}
    sandbox_invocations = []
    for invocation in invocations:
        executable = invocation.executable
        if id(executable) not in sandbox_executables:
            directory = f"exe{len(sandbox_executables)}"
            local = copy.copy(executable)
            local.__class__ = _outside_jupyter(type(executable))
            local.build_dir = directory
            local.lib = f"{directory}/{os.path.basename(executable.lib)}"
            files[local.lib] = executable.lib
            sandbox_executables[id(executable)] = local
        local_invocation = copy.copy(invocation)
        local_invocation.executable = sandbox_executables[id(executable)]
        sandbox_invocations.append(local_invocation)

    sandbox_runner = copy.copy(runner)
    for name, value in vars(runner).items():
        if isinstance(value, type):
            setattr(sandbox_runner, name, _outside_jupyter(value))
    sandbox_runner._invocations = sandbox_invocations
    sandbox_runner._cmd_runner = SubprocessDelegate
    sandbox_runner._progress_bar = noop_progress_bar
    config = {key: _outside_jupyter(value) if isinstance(value, type) else value for key, value in peek_config().items()}
    config.update(RunnerDelegate_type=SubprocessDelegate, ProgressBar=noop_progress_bar)

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        _add_bytes(archive, RUNNER_FILE, pickle.dumps(dict(config=config, runner=sandbox_runner)))
        for name, source in files.items():
            try:
                archive.add(source, arcname=name)
            except OSError as e:
                raise _error(f"cannot read the built library {source}: {e}. Build the code again.") from e
    return buffer.getvalue()


def _outside_jupyter(cls):
    """In a notebook, cfiddle uses subclasses from cfiddle.jupyter that add display methods and import IPython,
    which the sandbox does not have: the sandbox gets their nearest plain cfiddle base class."""
    for base in cls.__mro__:
        if not base.__module__.startswith("cfiddle.jupyter"):
            return base
    return cls


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
    except (tarfile.TarError, KeyError, AttributeError, pickle.UnpicklingError, EOFError) as e:
        raise _error(f"the cluster returned no readable results ({e}).\n{_tail(stderr)}") from None


def _restore_invocations(results, invocations):
    """Results name the sandbox's copies of the invocations; give the user back their own."""
    if isinstance(results, Exception):
        return
    for result, invocation in zip(results, invocations):
        if hasattr(result, "invocation"):
            result.invocation = invocation


def _failure_message(code, stderr, settings):
    causes = [line.strip() for line in stderr.splitlines()
              if line.startswith(("cfiddle-launch:", "cfiddle-sandbox:", "srun: error:", "slurmstepd: error:",
                                  "srun: Job", "srun: job"))]
    lines = [f"The experiment failed on the cluster (srun exit code {code})."]
    if "DUE TO TIME LIMIT" in stderr or "reached its time limit" in stderr:
        lines.append(f"It ran longer than the time limit ({settings.time_limit} of partition {settings.partition}).")
    if "signal 11" in stderr or "SIGSEGV" in stderr:
        lines.append("The experiment crashed with a segmentation fault.")
    lines += causes
    lines.append(_tail(stderr))
    return "\n".join(line for line in lines if line)


def _tail(stderr):
    tail = stderr.strip().splitlines()[-STDERR_TAIL_LINES:]
    return ("Last lines of its error output:\n" + "\n".join(tail)) if tail else ""
