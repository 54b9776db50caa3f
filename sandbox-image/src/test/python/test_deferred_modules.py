"""Modules cfiddle imports but the sandbox never uses are deferred: a stand-in until first use, then the real one."""
import os
import sys
import types

import pytest


@pytest.fixture
def fresh(monkeypatch):
    """A small stdlib module, forgotten before and after the test."""
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    yield "colorsys"
    sys.modules.pop("colorsys", None)


def test_an_import_statement_takes_the_stand_in_without_loading_the_module(sandbox_run, fresh):
    sandbox_run.defer([fresh])
    module = __import__(fresh)
    assert isinstance(module, sandbox_run.DeferredModule)
    assert isinstance(sys.modules[fresh], sandbox_run.DeferredModule)


def test_the_first_use_loads_the_real_module_and_behaves_as_it(sandbox_run, fresh):
    sandbox_run.defer([fresh])
    stand_in = __import__(fresh)
    assert stand_in.rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)
    assert type(sys.modules[fresh]) is types.ModuleType
    assert stand_in.rgb_to_hsv is sys.modules[fresh].rgb_to_hsv


def test_a_module_that_is_not_installed_is_left_alone(sandbox_run):
    sandbox_run.defer(["no_such_module_anywhere"])
    assert "no_such_module_anywhere" not in sys.modules


def test_a_stand_in_answers_what_it_provides_without_loading_the_module(sandbox_run, fresh, monkeypatch):
    monkeypatch.setitem(sandbox_run.STAND_INS, fresh, {"answer": 42})
    sandbox_run.defer([fresh])
    assert __import__(fresh).answer == 42
    assert isinstance(sys.modules[fresh], sandbox_run.DeferredModule)


def test_resource_filename_is_the_path_in_the_package_directory(sandbox_run):
    import json
    expected = os.path.join(os.path.dirname(json.__file__), "resources", "")
    assert sandbox_run.resource_filename("json", "resources/") == expected
