"""cfiddle-sandbox-run unpacks the experiment from stdin: only plain files and directories, inside the working
directory, within the limits; anything else ends the sandbox with exit code 2 before it is written."""
import os
import subprocess
import sys
import tarfile

import pytest

from conftest import SCRIPT, directory, regular, special, tar_of

OUTSIDE = "cfiddle-sandbox: refusing a path outside the experiment: "
NOT_PLAIN = "': only regular files and directories are accepted"
RUNNER = regular("runner.pickle", b"pickled runner")


# Each case: its members (given the directory above the working directory, where nothing may appear), and the
# message that refuses it.
HOSTILE = [
    pytest.param(lambda above: [regular(str(above / "evil"))], OUTSIDE, id="absolute path"),
    pytest.param(lambda above: [directory(str(above / "evil-dir"))], OUTSIDE, id="absolute directory"),
    pytest.param(lambda above: [regular("../evil")], OUTSIDE, id="parent"),
    pytest.param(lambda above: [directory("..")], OUTSIDE, id="parent itself"),
    pytest.param(lambda above: [regular("a/../../evil")], OUTSIDE, id="down then up"),
    pytest.param(lambda above: [regular("./../evil")], OUTSIDE, id="dot then up"),
    pytest.param(lambda above: [RUNNER, directory("exe0"), regular("exe0/../../evil")], OUTSIDE,
                 id="after good files"),
    pytest.param(lambda above: [special("link", tarfile.SYMTYPE, str(above))], NOT_PLAIN, id="symlink out"),
    pytest.param(lambda above: [special("link", tarfile.SYMTYPE, ".."), regular("link/evil")], NOT_PLAIN,
                 id="symlink, then a file through it"),
    pytest.param(lambda above: [special("link", tarfile.LNKTYPE, str(above / "evil"))], NOT_PLAIN,
                 id="hardlink out"),
    pytest.param(lambda above: [RUNNER, special("copy", tarfile.LNKTYPE, "runner.pickle")], NOT_PLAIN,
                 id="hardlink in"),
    pytest.param(lambda above: [special("dev", tarfile.CHRTYPE)], NOT_PLAIN, id="character device"),
    pytest.param(lambda above: [special("dev", tarfile.BLKTYPE)], NOT_PLAIN, id="block device"),
    pytest.param(lambda above: [special("fifo", tarfile.FIFOTYPE)], NOT_PLAIN, id="fifo"),
]


@pytest.mark.parametrize("members, message", HOSTILE)
def test_hostile_member_is_refused_and_nothing_is_written_outside(members, message, tmp_path, receive,
                                                                  written_outside, capsys):
    with pytest.raises(SystemExit) as exit:
        receive(tar_of(*members(tmp_path)))
    assert exit.value.code == 2
    assert message in capsys.readouterr().err
    assert written_outside() == []


def test_too_many_members_are_refused(sandbox_run, monkeypatch, receive, capsys):
    monkeypatch.setattr(sandbox_run, "MAX_MEMBERS", 3)
    with pytest.raises(SystemExit) as exit:
        receive(tar_of(RUNNER, *(regular(f"f{i}") for i in range(3))))
    assert exit.value.code == 2
    assert "the experiment has more than 3 files" in capsys.readouterr().err


def test_files_over_the_total_size_are_refused_before_they_are_written(sandbox_run, monkeypatch, receive, work_dir,
                                                                       capsys):
    monkeypatch.setattr(sandbox_run, "MAX_BYTES", 3 * 1024 * 1024)
    with pytest.raises(SystemExit) as exit:
        receive(tar_of(regular("a", b"a" * 2 * 1024 * 1024), regular("b", b"b" * 2 * 1024 * 1024)))
    assert exit.value.code == 2
    assert "the experiment's files exceed 3 MiB" in capsys.readouterr().err
    assert not (work_dir / "b").exists()


def test_a_header_claiming_more_than_the_limit_is_refused_without_reading_its_data(receive, work_dir, capsys):
    info = tarfile.TarInfo("huge")
    info.size = 513 * 1024 * 1024
    with pytest.raises(SystemExit) as exit:
        receive(info.tobuf(format=tarfile.GNU_FORMAT))
    assert exit.value.code == 2
    assert "the experiment's files exceed 512 MiB" in capsys.readouterr().err
    assert list(work_dir.iterdir()) == []


def test_a_good_archive_is_extracted(receive, work_dir, written_outside):
    receive(tar_of(RUNNER, directory("exe0"), regular("exe0/lib.so", b"\x7fELF"), regular("./exe1/../exe1.so", b"so")))
    assert (work_dir / "runner.pickle").read_bytes() == b"pickled runner"
    assert (work_dir / "exe0" / "lib.so").read_bytes() == b"\x7fELF"
    assert (work_dir / "exe1.so").read_bytes() == b"so"
    assert written_outside() == []


def test_an_archive_without_the_runner_is_refused(receive, capsys):
    with pytest.raises(SystemExit) as exit:
        receive(tar_of(regular("exe0/lib.so")))
    assert exit.value.code == 2
    assert "the experiment has no runner.pickle" in capsys.readouterr().err


def test_what_is_not_a_tar_is_refused(receive, capsys):
    with pytest.raises(SystemExit) as exit:
        receive(b"this is not a tar archive" * 40)
    assert exit.value.code == 2
    assert "the experiment did not arrive as a tar archive" in capsys.readouterr().err


def test_the_script_itself_refuses_a_hostile_archive_before_running_anything(tmp_path, work_dir, written_outside):
    # The real entry point, as the sandbox runs it (isolated), with a stand-in for cfiddle, which it imports first.
    with_stand_in_cfiddle = ("import runpy, sys, types\n"
                             "sys.modules['cfiddle'] = types.ModuleType('cfiddle')\n"
                             "sys.modules['cfiddle.Runner'] = types.SimpleNamespace(do_invoke_runner=None)\n"
                             f"runpy.run_path({str(SCRIPT)!r}, run_name='__main__')\n")
    completed = subprocess.run([sys.executable, "-I", "-c", with_stand_in_cfiddle],
                               input=b"cfiddle-experiment deadline=60\n" + tar_of(regular("a/../../evil")),
                               capture_output=True, cwd=work_dir, env={"PATH": os.defpath}, timeout=30)
    assert completed.returncode == 2
    assert b"cfiddle-sandbox: refusing a path outside the experiment: 'a/../../evil'" in completed.stderr
    assert completed.stdout == b""
    assert written_outside() == []
