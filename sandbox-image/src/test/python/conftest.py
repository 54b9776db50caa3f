"""Loads cfiddle-sandbox-run (a script without a .py suffix) as a module, and builds tar archives to feed it."""
import importlib.machinery
import importlib.util
import io
import pathlib
import sys
import tarfile

import pytest

sys.dont_write_bytecode = True  # no __pycache__ next to the script: src/main/docker is a Docker build context

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "main" / "docker" / "cfiddle-sandbox-run"


def load_script(path):
    loader = importlib.machinery.SourceFileLoader(path.name.replace("-", "_"), str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


@pytest.fixture
def sandbox_run():
    return load_script(SCRIPT)


def regular(name, data=b"x"):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def directory(name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    return info, None


def special(name, type, linkname=""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = type, linkname
    return info, None


def tar_of(*members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


@pytest.fixture
def work_dir(tmp_path, monkeypatch):
    """The sandbox's working directory, inside an otherwise empty tmp_path that nothing may be written to."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def written_outside(tmp_path, work_dir):
    """Everything under tmp_path that is not the working directory or in it."""
    return lambda: sorted(str(p) for p in tmp_path.rglob("*") if p != work_dir and work_dir not in p.parents)


@pytest.fixture
def receive(sandbox_run, work_dir, monkeypatch):
    """Runs receive_experiment on the given bytes."""
    def run(archive_bytes):
        sandbox_run.receive_experiment(io.BufferedReader(io.BytesIO(archive_bytes)))
    return run
