"""The watchdog gives up on a job only when Slurm has not been running it for a whole grace period."""
import pytest

from conftest import delegate


@pytest.fixture
def squeue(fake):
    """A fake squeue that prints the state in tmp/state (nothing when the file is empty: an unknown job)."""
    fake.add("squeue", "print((tmp / 'state').read_text())\n")
    return lambda state: (fake.directory / "state").write_text(state)


def test_no_job_yet_asks_nothing(fake, squeue):
    assert delegate._JobWatchdog().ended_without_srun(None) is None
    assert fake.calls("squeue") == 0


@pytest.mark.parametrize("state", ["RUNNING", "COMPLETING", "CONFIGURING"])
def test_a_running_job_is_not_over(monkeypatch, squeue, state):
    monkeypatch.setattr(delegate, "SRUN_GRACE_SECONDS", 0)
    squeue(state)
    assert delegate._JobWatchdog().ended_without_srun("7") is None


def test_an_ended_job_is_over_only_after_the_grace_period(monkeypatch, squeue):
    squeue("")
    watchdog = delegate._JobWatchdog()
    monkeypatch.setattr(delegate, "SRUN_GRACE_SECONDS", 3600)
    assert watchdog.ended_without_srun("7") is None
    monkeypatch.setattr(delegate, "SRUN_GRACE_SECONDS", 0)
    assert watchdog.ended_without_srun("7") == "NODE_FAIL"


def test_the_state_slurm_names_is_reported(monkeypatch, squeue):
    monkeypatch.setattr(delegate, "SRUN_GRACE_SECONDS", 0)
    squeue("NODE_FAIL\n")
    assert delegate._JobWatchdog().ended_without_srun("7") == "NODE_FAIL"
    squeue("FAILED")
    assert delegate._JobWatchdog().ended_without_srun("7") == "FAILED"


def test_running_again_restarts_the_grace_period(monkeypatch, squeue):
    watchdog = delegate._JobWatchdog()
    monkeypatch.setattr(delegate, "SRUN_GRACE_SECONDS", 3600)
    squeue("")
    assert watchdog.ended_without_srun("7") is None
    squeue("RUNNING")
    assert watchdog.ended_without_srun("7") is None
    assert watchdog._ended_since is None
