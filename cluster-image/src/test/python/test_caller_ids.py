"""The caller is who sudo says (SUDO_UID/SUDO_GID), never root."""
import pytest


def test_ids_from_sudo(launch, monkeypatch):
    monkeypatch.setenv("SUDO_UID", "1234")
    monkeypatch.setenv("SUDO_GID", "1300")
    assert launch.caller_ids() == (1234, 1300)


@pytest.mark.parametrize("uid, gid, message", [
    (None, None, "run me through sudo from a cfiddle job, not directly"),
    ("1234", None, "run me through sudo from a cfiddle job, not directly"),
    ("me", "1300", "run me through sudo from a cfiddle job, not directly"),
    ("0", "1300", "sandboxes never run as root"),
    ("1234", "0", "sandboxes never run as root"),
])
def test_refused_callers(launch, monkeypatch, capsys, uid, gid, message):
    for name, value in (("SUDO_UID", uid), ("SUDO_GID", gid)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exit:
        launch.caller_ids()
    assert exit.value.code == 2
    assert f"cfiddle-launch: {message}" in capsys.readouterr().err
