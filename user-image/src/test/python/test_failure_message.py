"""What a student reads when an experiment fails: the cause in words, Slurm's and the launcher's own lines, and the
last lines of the error output."""
from conftest import JOB_STARTED, SETTINGS, delegate


def message(stderr, code=1):
    return delegate._failure_message(code, stderr, SETTINGS)


def test_names_the_exit_code():
    assert message("", 124).startswith("The experiment failed on the cluster (srun exit code 124).")


def test_slurm_time_limit():
    text = message("slurmstepd: error: *** STEP 12.0 ON worker1 CANCELLED AT 2026-11-30T10:00:00 DUE TO TIME LIMIT ***")
    assert "It ran longer than the time limit (5 of partition course)." in text


def test_launcher_time_limit():
    text = message("cfiddle-launch: job 12 on worker1 reached its time limit; the experiment was stopped", 124)
    assert "It ran longer than the time limit (5 of partition course)." in text
    assert "cfiddle-launch: job 12 on worker1 reached its time limit; the experiment was stopped" in text


def test_segfault():
    text = message("cfiddle-sandbox: the experiment crashed with signal 11 (SIGSEGV)", 139)
    assert "The experiment crashed with a segmentation fault." in text
    assert "cfiddle-sandbox: the experiment crashed with signal 11 (SIGSEGV)" in text


def test_submit_limit():
    for stderr in ("srun: error: Unable to allocate resources: Job violates accounting/QOS policy "
                   "(job submit limit, user's size and/or time limits)",
                   "srun: error: QOSMaxSubmitJobPerUserLimit"):
        assert "You already have as many experiments queued or running as the cluster allows one student" \
            in message(stderr)


def test_markers_are_found_mid_line():
    # The experiment's last output had no newline, so the launcher's message continues its line.
    text = message("partial output without a newline"
                   "cfiddle-launch: job 12 on worker1 reached its time limit; the experiment was stopped\n"
                   "progress 99%slurmstepd: error: *** JOB 12 ON worker1 CANCELLED AT now DUE TO TIME LIMIT ***\n"
                   "x = 1srun: error: QOSMaxSubmitJobPerUserLimit")
    lines = text.splitlines()
    assert "It ran longer than the time limit (5 of partition course)." in lines
    assert "cfiddle-launch: job 12 on worker1 reached its time limit; the experiment was stopped" in lines
    assert "slurmstepd: error: *** JOB 12 ON worker1 CANCELLED AT now DUE TO TIME LIMIT ***" in lines
    assert "srun: error: QOSMaxSubmitJobPerUserLimit" in lines
    assert any(line.startswith("You already have as many experiments queued or running") for line in lines)


def test_the_launchers_job_started_line_is_no_cause():
    text = message(f"{JOB_STARTED}\ncfiddle-sandbox: cfiddle-run failed with exit code 3", 3)
    assert "worker3" not in text
    assert "cfiddle-sandbox: cfiddle-run failed with exit code 3" in text


def test_an_unexplained_failure_says_only_what_it_knows():
    text = message("Traceback (most recent call last):\nValueError: bad", 1)
    assert text.splitlines() == ["The experiment failed on the cluster (srun exit code 1).",
                                 "Last lines of its error output:", "Traceback (most recent call last):",
                                 "ValueError: bad"]
