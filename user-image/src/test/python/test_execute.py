"""SlurmDelegate.execute against fake srun and squeue: which failures it submits again, how long it waits for the
controller, how it gives up on a lost worker, and how it bounds what comes back."""
import dataclasses

import pytest

from conftest import CONTROLLER_GONE, JOB_STARTED, SETTINGS, TASK_LAUNCH_FAILED, ClusterRunError, delegate, results_tar

SUCCEED = f"""\
experiment = sys.stdin.buffer.read()
assert experiment == b"the experiment", experiment
sys.stderr.write({JOB_STARTED!r} + "\\n")
sys.stdout.buffer.write({results_tar(["result"])!r})
sys.exit(0)
"""


def fail_with(stderr, code=1):
    return f"sys.stderr.write({stderr!r} + '\\n')\nsys.exit({code})\n"


def first_calls(count, body):
    """A script that does `body` on its first `count` calls and succeeds after."""
    indented = "".join(f"    {line}\n" for line in body.splitlines())
    return f"if call <= {count}:\n{indented}{SUCCEED}"


def test_success_writes_the_results(fake, run_experiment):
    fake.add("srun", SUCCEED)
    assert run_experiment() == ["result"]
    assert fake.calls("srun") == 1


def test_a_job_slurm_could_not_start_is_submitted_again(fake, run_experiment):
    fake.add("srun", first_calls(2, fail_with(TASK_LAUNCH_FAILED)))
    assert run_experiment() == ["result"]
    assert fake.calls("srun") == 3


def test_three_launch_failures_are_the_end(fake, run_experiment):
    fake.add("srun", fail_with(TASK_LAUNCH_FAILED))
    with pytest.raises(ClusterRunError, match="srun exit code 1") as error:
        run_experiment()
    assert TASK_LAUNCH_FAILED in str(error.value)
    assert fake.calls("srun") == delegate.LAUNCH_ATTEMPTS == 3


def test_an_experiment_that_ran_and_failed_is_not_submitted_again(fake, run_experiment):
    fake.add("srun", f"sys.stderr.write({JOB_STARTED!r} + '\\n')\n"
                     + fail_with("cfiddle-sandbox: the experiment crashed with signal 11 (SIGSEGV)", 139))
    with pytest.raises(ClusterRunError, match="segmentation fault"):
        run_experiment()
    assert fake.calls("srun") == 1


def test_an_unreachable_controller_is_waited_for_without_using_up_attempts(fake, run_experiment):
    fake.add("srun", first_calls(delegate.LAUNCH_ATTEMPTS + 2, fail_with(CONTROLLER_GONE)))
    assert run_experiment() == ["result"]
    assert fake.calls("srun") == delegate.LAUNCH_ATTEMPTS + 3


def test_a_controller_that_stays_away_is_given_up_on(fake, run_experiment, monkeypatch):
    monkeypatch.setattr(delegate, "CONTROLLER_WAIT_SECONDS", 0.3)
    fake.add("srun", fail_with(CONTROLLER_GONE))
    with pytest.raises(ClusterRunError, match=r"controller did not answer for 0.3 s; nothing ran"):
        run_experiment()


def test_srun_that_outlives_its_job_is_stopped_and_the_worker_named(fake, run_experiment):
    fake.add("srun", f"sys.stdin.buffer.read()\nsys.stderr.write({JOB_STARTED!r} + '\\n')\nsys.stderr.flush()\n"
                     "time.sleep(60)\n")
    fake.add("squeue", "")  # Slurm knows no such job any more
    with pytest.raises(ClusterRunError) as error:
        run_experiment()
    assert str(error.value) == ("The worker worker3 stopped while it ran your experiment (job 7 ended as NODE_FAIL). "
                                "Run it again: another worker will take it.")
    assert fake.calls("srun") == 1
    assert fake.calls("squeue") >= 2


def test_results_over_the_output_limit_are_refused(fake, run_experiment):
    fake.add("srun", "sys.stdin.buffer.read()\nfor _ in range(64):\n    sys.stdout.buffer.write(b'r' * 65536)\n")
    with pytest.raises(ClusterRunError, match=r"The experiment's results exceeded the cluster's output limit \(1k\)\."):
        run_experiment(dataclasses.replace(SETTINGS, output_limit="1k"))


def test_what_srun_returns_is_bounded_in_memory(fake, fast):
    fake.add("srun", "sys.stdin.buffer.read()\n"
                     "for _ in range(64):\n"
                     "    sys.stdout.buffer.write(b'r' * 65536)\n"
                     "    sys.stderr.buffer.write(b'e' * 65536)\n"
                     "sys.exit(1)\n")
    outcome = delegate._run_srun(["srun"], b"the experiment", "1k")
    assert outcome.stdout_overflowed
    assert len(outcome.stdout) <= 1024 + delegate.ARCHIVE_SLACK_BYTES
    assert len(outcome.stderr) <= delegate.STDERR_TAIL_BYTES + 65536
    assert outcome.returncode == 1
