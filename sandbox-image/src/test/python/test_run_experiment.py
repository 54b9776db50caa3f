"""The experiment runs in a child process: its results come back, its crash is named, its deadline holds."""
import os
import signal

import pytest


def writes_results(runner, results):
    results.write(runner.read().upper())


def crashes(runner, results):
    os.kill(os.getpid(), signal.SIGSEGV)


def raises(runner, results):
    raise RuntimeError("broken pickle")


def never_ends(runner, results):
    while True:
        pass


@pytest.fixture
def runner_file(work_dir):
    (work_dir / "runner.pickle").write_bytes(b"runner")


def test_the_results_are_written(sandbox_run, runner_file, work_dir):
    sandbox_run.run_experiment(writes_results, None)
    assert (work_dir / "results.pickle").read_bytes() == b"RUNNER"


def test_a_crash_is_named_with_its_signal(sandbox_run, runner_file, capsys):
    with pytest.raises(SystemExit) as exit:
        sandbox_run.run_experiment(crashes, None)
    assert exit.value.code == 128 + signal.SIGSEGV
    assert "the experiment crashed with signal 11 (SIGSEGV)" in capsys.readouterr().err


def test_an_exception_is_a_failure_with_its_traceback(sandbox_run, runner_file, capfd):
    with pytest.raises(SystemExit) as exit:
        sandbox_run.run_experiment(raises, None)
    assert exit.value.code == 1
    err = capfd.readouterr().err
    assert "RuntimeError: broken pickle" in err and "cfiddle-run failed with exit code 1" in err


def test_a_runaway_is_stopped_at_the_deadline(sandbox_run, runner_file, capsys):
    with pytest.raises(SystemExit) as exit:
        sandbox_run.run_experiment(never_ends, 1)
    assert exit.value.code == 124
    assert "reached its time limit" in capsys.readouterr().err
