"""Imports the delegate with a stand-in cfiddle, and puts fake srun and squeue executables first on PATH."""
import io
import pathlib
import pickle
import sys
import tarfile
import textwrap

import pytest

sys.dont_write_bytecode = True  # no __pycache__ in src/main/docker: it is a Docker build context

HERE = pathlib.Path(__file__).resolve().parent
sys.path[:0] = [str(HERE / "stand_ins"), str(HERE.parents[1] / "main" / "docker" / "python")]

from cfiddle_cluster import delegate  # noqa: E402
from cfiddle_cluster.errors import ClusterRunError  # noqa: E402
from cfiddle_cluster.settings import ClusterSettings  # noqa: E402

SETTINGS = ClusterSettings(partition="course", time_limit="5", launcher="/usr/local/sbin/cfiddle-launch",
                           job_name="cfiddle", output_limit="16m")
JOB_STARTED = "cfiddle-launch: job 7 started on worker3"
TASK_LAUNCH_FAILED = "srun: error: Task launch for StepId=12.0 failed on node worker1: Communication connection failure"
CONTROLLER_GONE = "srun: error: Unable to establish control machine address"


def results_tar(results):
    """What a sandbox sends back: a tar holding results.pickle."""
    data = pickle.dumps(results)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo(delegate.RESULTS_FILE)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class FakeCommands:
    """Writes Python scripts named like Slurm's commands into a directory put first on PATH. Each script sees
    `call` (1 for its first run, 2 for its second, ...), `experiment` (its stdin, for srun) and `tmp`."""

    def __init__(self, directory, monkeypatch):
        self.directory = directory
        monkeypatch.setenv("PATH", f"{directory}:/usr/bin:/bin")
        self.add("squeue", "print('RUNNING')\n")  # while srun runs, Slurm runs its job

    def add(self, name, body):
        script = self.directory / name
        script.write_text(f"#!{sys.executable} -I\n" + textwrap.dedent(f"""\
            import pathlib, sys, time
            tmp = pathlib.Path({str(self.directory)!r})
            calls = tmp / "{name}.calls"
            call = len(calls.read_text().splitlines()) + 1 if calls.exists() else 1
            calls.write_text("x\\n" * call)
            """) + textwrap.dedent(body))
        script.chmod(0o755)

    def calls(self, name):
        path = self.directory / f"{name}.calls"
        return len(path.read_text().splitlines()) if path.exists() else 0


@pytest.fixture
def fake(tmp_path, monkeypatch):
    directory = tmp_path / "bin"
    directory.mkdir()
    return FakeCommands(directory, monkeypatch)


@pytest.fixture
def fast(monkeypatch):
    """The delegate's waits, shortened so that its retry and watch decisions run in well under a second."""
    for name, seconds in (("CONTROLLER_RETRY_SECONDS", 0.01), ("CONTROLLER_WAIT_SECONDS", 5),
                          ("WATCH_INTERVAL_SECONDS", 0.05), ("SRUN_GRACE_SECONDS", 0.2)):
        monkeypatch.setattr(delegate, name, seconds)


class Runner:
    """What the delegate needs of cfiddle's Runner when pack_experiment is bypassed."""

    def get_invocations(self):
        return []


@pytest.fixture
def run_experiment(tmp_path, monkeypatch, fast):
    """Runs SlurmDelegate.execute as cfiddle does (pack_experiment bypassed) and returns what it wrote."""
    monkeypatch.setattr(delegate, "pack_experiment", lambda runner, invocations: b"the experiment")
    results = tmp_path / "results.pickle"

    def run(settings=SETTINGS):
        delegate.SlurmDelegate(settings).execute(["cfiddle-run", "--runner", "r", "--results", str(results)],
                                                 Runner())
        return pickle.loads(results.read_bytes())
    return run
