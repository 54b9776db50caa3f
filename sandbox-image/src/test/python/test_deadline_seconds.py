"""The sandbox's own deadline comes from CFIDDLE_DEADLINE_SECONDS (set by the launcher); 0, unset or garbage: none."""
import pytest


@pytest.mark.parametrize("value, seconds", [("300", 300), ("1", 1), ("0", None), ("", None), ("soon", None),
                                            ("1.5", None), ("300; rm -rf /", None)])
def test_deadline_from_the_environment(sandbox_run, monkeypatch, value, seconds):
    monkeypatch.setenv("CFIDDLE_DEADLINE_SECONDS", value)
    assert sandbox_run.deadline_seconds() == seconds


def test_no_deadline_when_unset(sandbox_run, monkeypatch):
    monkeypatch.delenv("CFIDDLE_DEADLINE_SECONDS", raising=False)
    assert sandbox_run.deadline_seconds() is None
