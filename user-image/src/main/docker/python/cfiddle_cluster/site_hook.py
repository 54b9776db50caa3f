"""Makes SlurmDelegate cfiddle's default RunnerDelegate_type in every Python process on the user node.

Imported at interpreter start (by cfiddle-cluster.pth), it only registers an import hook: cfiddle itself is
loaded when the user imports it, and its configuration is adjusted right after cfiddle.config is executed.
A user can still run locally with cfiddle's own API: cfiddle_config(RunnerDelegate_type=SubprocessDelegate).
"""
import importlib.machinery
import sys


class _DelegateInstaller:
    """Meta-path finder that wraps the loading of cfiddle.config."""

    def find_spec(self, fullname, path, target=None):
        if fullname != "cfiddle.config":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            from cfiddle_cluster.delegate import SlurmDelegate
            module.default_config["RunnerDelegate_type"] = SlurmDelegate

        spec.loader.exec_module = exec_module
        return spec


if not any(isinstance(finder, _DelegateInstaller) for finder in sys.meta_path):
    sys.meta_path.insert(0, _DelegateInstaller())
