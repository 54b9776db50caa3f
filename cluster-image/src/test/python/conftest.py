"""Loads cfiddle-launch (a script without a .py suffix) as a module."""
import importlib.machinery
import importlib.util
import pathlib
import sys

import pytest

sys.dont_write_bytecode = True  # no __pycache__ next to the script: src/main/docker is a Docker build context

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "main" / "docker" / "node" / "cfiddle-launch"


@pytest.fixture
def launch():
    loader = importlib.machinery.SourceFileLoader("cfiddle_launch", str(SCRIPT))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module
