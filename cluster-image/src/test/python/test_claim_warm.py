"""A job claims its worker's warm sandbox by renaming it; anything else is a cold start, said in the worker's log."""
import pytest

CONF = {"CLUSTER_NAME": "course"}
NAME = "cfiddle-sandbox-course-worker3-job7-uid2001-99"


@pytest.fixture
def engine(launch, monkeypatch):
    """Docker's API as a table of canned answers; records the requests and what was logged or removed."""
    calls = {"requests": [], "logged": [], "removed": [], "answers": {}}

    def answer(method, path):
        calls["requests"].append((method, path))
        result = calls["answers"].get((method, path.split("?")[0]), (404, {"message": "No such container"}))
        if isinstance(result, Exception):
            raise result
        return result

    monkeypatch.setattr(launch, "engine", answer)
    monkeypatch.setattr(launch, "log", calls["logged"].append)
    monkeypatch.setattr(launch, "remove", calls["removed"].append)
    return calls


RENAME = ("POST", "/containers/cfiddle-warm-course-worker3/rename")
INSPECT = ("GET", f"/containers/{NAME}/json")


def test_a_running_warm_sandbox_is_renamed_after_the_job(launch, engine):
    engine["answers"] = {RENAME: (204, {}), INSPECT: (200, {"State": {"Status": "running"}})}
    assert launch.claim_warm(CONF, "worker3", NAME) is True
    assert engine["requests"][0] == ("POST", f"/containers/cfiddle-warm-course-worker3/rename?name={NAME}")
    assert engine["logged"] == [] and engine["removed"] == []


def test_no_warm_sandbox_means_a_cold_start_in_the_log(launch, engine):
    assert launch.claim_warm(CONF, "worker3", NAME) is False
    assert engine["logged"] == [f"no warm sandbox on worker3 (404: No such container): cold start for {NAME}"]


def test_an_exited_warm_sandbox_is_removed_and_logged(launch, engine):
    engine["answers"] = {RENAME: (204, {}), INSPECT: (200, {"State": {"Status": "exited", "ExitCode": 137}})}
    assert launch.claim_warm(CONF, "worker3", NAME) is False
    assert engine["removed"] == [NAME]
    assert engine["logged"] == [f"the warm sandbox on worker3 was not usable (state exited, exit code 137): "
                                f"cold start for {NAME}"]


def test_an_engine_that_does_not_answer_means_a_cold_start(launch, engine):
    engine["answers"] = {RENAME: ConnectionRefusedError(111, "Connection refused")}
    assert launch.claim_warm(CONF, "worker3", NAME) is False
    assert "no warm sandbox on worker3 (no answer: ConnectionRefusedError" in engine["logged"][0]
