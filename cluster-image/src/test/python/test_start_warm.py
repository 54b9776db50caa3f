"""A worker's next warm sandbox is created with the lockdown and started through Docker's API; a leftover of its
name is replaced; a refusal is said in the worker's log and leaves nothing behind (jobs then start cold)."""
import pytest

CONF = {"CLUSTER_NAME": "course"}
WARM = "cfiddle-warm-course-worker3"
CREATE = ("POST", f"/containers/create?name={WARM}")
START = ("POST", f"/containers/{WARM}/start")


@pytest.fixture
def engine(launch, monkeypatch):
    """Docker's API as queues of canned answers per request; records requests, bodies, logs and removals."""
    calls = {"requests": [], "bodies": [], "logged": [], "removed": [], "answers": {}}

    def answer(method, path, body=None):
        calls["requests"].append((method, path))
        calls["bodies"].append(body)
        return calls["answers"][(method, path)].pop(0)

    monkeypatch.setattr(launch, "engine", answer)
    monkeypatch.setattr(launch, "log", calls["logged"].append)
    monkeypatch.setattr(launch, "remove", calls["removed"].append)
    monkeypatch.setattr(launch, "sandbox_config", lambda conf, node: {"Image": "sandbox", "Labels": {"node": node}})
    return calls


def test_it_is_created_with_the_sandbox_config_and_started(launch, engine):
    engine["answers"] = {CREATE: [(201, {"Id": "abc"})], START: [(204, {})]}
    launch.start_warm(CONF, "worker3")
    assert engine["requests"] == [CREATE, START]
    assert engine["bodies"][0] == {"Image": "sandbox", "Labels": {"node": "worker3"}}
    assert engine["logged"] == [] and engine["removed"] == []


def test_a_leftover_of_its_name_is_replaced(launch, engine):
    engine["answers"] = {CREATE: [(409, {"message": "Conflict. The container name is already in use"}),
                                  (201, {"Id": "abc"})], START: [(204, {})]}
    launch.start_warm(CONF, "worker3")
    assert engine["requests"] == [CREATE, CREATE, START]
    assert engine["removed"] == [WARM]
    assert engine["logged"] == []


def test_a_refusal_is_logged_and_leaves_nothing(launch, engine):
    engine["answers"] = {CREATE: [(400, {"message": "invalid seccomp profile"})]}
    launch.start_warm(CONF, "worker3")
    assert engine["logged"] == ["could not start a warm sandbox on worker3 (400: invalid seccomp profile); "
                                "jobs will start cold"]
    assert engine["removed"] == [WARM]


def test_a_sandbox_that_does_not_start_is_logged_and_removed(launch, engine):
    engine["answers"] = {CREATE: [(201, {"Id": "abc"})], START: [(500, {"message": "OCI runtime create failed\nx"})]}
    launch.start_warm(CONF, "worker3")
    assert engine["logged"] == ["could not start a warm sandbox on worker3 (500: OCI runtime create failed; x); "
                                "jobs will start cold"]
    assert engine["removed"] == [WARM]


def test_a_missing_sandbox_image_is_named_with_what_to_do(launch, engine):
    engine["answers"] = {CREATE: [(404, {"message": "No such image: sandbox"})]}
    launch.start_warm(dict(CONF, SANDBOX_IMAGE="sandbox"), "worker3")
    assert engine["logged"] == ["could not start a warm sandbox on worker3 (404: No such image: sandbox: the sandbox "
                                "image sandbox is not on this host's engine any more; restart this worker, which "
                                "pulls it); jobs will start cold"]
