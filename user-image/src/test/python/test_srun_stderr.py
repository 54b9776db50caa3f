"""How the delegate reads srun's error output: a job that never started, an unreachable controller, the tail."""
import pytest

from conftest import CONTROLLER_GONE, JOB_STARTED, TASK_LAUNCH_FAILED, delegate


@pytest.mark.parametrize("stderr", [
    TASK_LAUNCH_FAILED,
    "srun: error: Application launch failed: Communication connection failure",
    f"srun: job 12 queued and waiting for resources\n{TASK_LAUNCH_FAILED}\nsrun: error: Timed out waiting",
])
def test_never_started(stderr):
    assert delegate._never_started(stderr)


@pytest.mark.parametrize("stderr", [
    "",
    f"{JOB_STARTED}\ncfiddle-sandbox: the experiment crashed with signal 11 (SIGSEGV)",
    # Only srun's own line counts, not an experiment that quotes it.
    f"my output: {TASK_LAUNCH_FAILED}",
])
def test_started(stderr):
    assert not delegate._never_started(stderr)


@pytest.mark.parametrize("stderr", [
    CONTROLLER_GONE,
    "srun: error: Unable to contact slurm controller (connect failure)",
    "srun: error: Unable to allocate resources: Socket timed out on send/recv operation",
    f"srun: error: slurm_get_node_alias_addrs: {CONTROLLER_GONE}\nsrun: error: fatal",
])
def test_controller_unreachable(stderr):
    assert delegate._controller_unreachable(stderr)


@pytest.mark.parametrize("stderr", ["", TASK_LAUNCH_FAILED, "srun: error: Unable to allocate resources: "
                                    "Job violates accounting/QOS policy"])
def test_controller_reachable(stderr):
    assert not delegate._controller_unreachable(stderr)


def test_tail_drops_the_launchers_job_started_line():
    assert delegate._tail(f"{JOB_STARTED}\nfirst\nsecond\n") == "Last lines of its error output:\nfirst\nsecond"


def test_tail_of_nothing_is_nothing():
    assert delegate._tail("") == ""
    assert delegate._tail(f"{JOB_STARTED}\n") == ""


def test_tail_is_bounded_in_lines_and_line_length():
    stderr = "\n".join(f"line {i} " + "x" * 1000 for i in range(100))
    lines = delegate._tail(stderr).splitlines()
    assert lines[0] == "Last lines of its error output:"
    assert len(lines) == 1 + delegate.STDERR_TAIL_LINES
    assert lines[1].startswith("line 80 ") and lines[-1].startswith("line 99 ")
    assert all(len(line) == 500 for line in lines[1:])
