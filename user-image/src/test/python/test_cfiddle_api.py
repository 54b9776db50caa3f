"""The one module that uses cfiddle's internals: it refuses any cfiddle but the pinned one, and copies a runner
for the sandbox without the user's paths or notebook-only classes."""
import types

import pytest

from cfiddle_cluster import cfiddle_api


@pytest.fixture
def pinned(monkeypatch, tmp_path):
    """cfiddle 0.6.1 pinned by the image build, and the installed version as the test sets it."""
    pin = tmp_path / "cfiddle-version"
    pin.write_text("0.6.1\n")
    monkeypatch.setattr(cfiddle_api, "PINNED_FILE", pin)
    monkeypatch.setattr(cfiddle_api, "_checked", False)
    installed = {"version": "0.6.1"}
    import importlib.metadata
    monkeypatch.setattr(importlib.metadata, "version", lambda name: installed["version"])
    return installed


def test_the_pinned_version_passes_and_is_checked_once(pinned):
    cfiddle_api.require_pinned_version()
    pinned["version"] = "0.7.0"
    cfiddle_api.require_pinned_version()  # checked already in this process


def test_another_cfiddle_is_refused_naming_both_versions_and_what_to_do(pinned):
    pinned["version"] = "0.7.0"
    with pytest.raises(cfiddle_api.CfiddleVersionError) as refused:
        cfiddle_api.require_pinned_version()
    message = str(refused.value)
    assert "cfiddle 0.7.0 is installed" in message and "internals of cfiddle 0.6.1" in message
    assert "cfiddle_api.py" in message and "cfiddle.version" in message


def test_no_cfiddle_or_no_pin_is_refused(pinned, monkeypatch, tmp_path):
    with pytest.raises(cfiddle_api.CfiddleVersionError, match="cfiddle is not installed"):
        cfiddle_api.check_version(None, "0.6.1")
    monkeypatch.setattr(cfiddle_api, "PINNED_FILE", tmp_path / "absent")
    with pytest.raises(cfiddle_api.CfiddleVersionError, match="the image build writes there"):
        cfiddle_api.require_pinned_version()


def test_the_default_delegate_is_not_set_under_another_cfiddle(pinned):
    config = types.SimpleNamespace(default_config={"RunnerDelegate_type": "cfiddle's own"})
    pinned["version"] = "0.5.0"
    with pytest.raises(cfiddle_api.CfiddleVersionError):
        cfiddle_api.make_default_delegate(config, "the cluster's")
    assert config.default_config["RunnerDelegate_type"] == "cfiddle's own"
    pinned["version"] = "0.6.1"
    cfiddle_api.make_default_delegate(config, "the cluster's")
    assert config.default_config["RunnerDelegate_type"] == "the cluster's"


class PlainExecutable:
    def __init__(self, lib):
        self.lib = lib
        self.build_dir = "/home/alice/build"


# Like cfiddle.jupyter's subclasses: defined in a cfiddle.jupyter module, deriving from a plain class.
NotebookExecutable = type("NotebookExecutable", (PlainExecutable,), {"__module__": "cfiddle.jupyter.util"})


class Runner:
    def __init__(self, invocations):
        self._invocations = invocations
        self._cmd_runner = "the cluster's delegate"
        self._progress_bar = "a notebook progress bar"
        self.Executable_type = NotebookExecutable


def test_the_sandbox_copy_names_libraries_by_position_and_keeps_the_users_objects(pinned):
    shared = NotebookExecutable("/home/alice/build/a.so")
    other = PlainExecutable("/home/alice/build/b.so")
    invocations = [types.SimpleNamespace(executable=shared, arguments=1),
                   types.SimpleNamespace(executable=shared, arguments=2),
                   types.SimpleNamespace(executable=other, arguments=3)]
    runner = Runner(invocations)

    payload, files = cfiddle_api.sandbox_copy(runner, invocations)

    assert files == {"exe0/a.so": "/home/alice/build/a.so", "exe1/b.so": "/home/alice/build/b.so"}
    copied = payload["runner"]._invocations
    assert [i.executable.lib for i in copied] == ["exe0/a.so", "exe0/a.so", "exe1/b.so"]
    assert all("/home/alice" not in i.executable.build_dir for i in copied)
    assert type(copied[0].executable) is PlainExecutable
    assert payload["runner"].Executable_type is PlainExecutable
    from cfiddle.Runner import SubprocessDelegate
    assert payload["runner"]._cmd_runner is SubprocessDelegate
    assert payload["config"]["RunnerDelegate_type"] is SubprocessDelegate
    # The user's own objects are untouched.
    assert shared.lib == "/home/alice/build/a.so" and runner._invocations is invocations
    assert runner._cmd_runner == "the cluster's delegate"


def test_results_get_the_users_invocations_back():
    mine = [object(), object()]
    results = [types.SimpleNamespace(invocation="sandbox's"), types.SimpleNamespace(invocation="sandbox's")]
    cfiddle_api.give_back_invocations(results, mine)
    assert [r.invocation for r in results] == mine
    failure = RuntimeError("the experiment raised")
    cfiddle_api.give_back_invocations(failure, mine)  # an exception is passed on as it is
