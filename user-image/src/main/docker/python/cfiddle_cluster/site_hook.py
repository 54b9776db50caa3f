"""Adapts cfiddle to the user node in every Python process there, without changing cfiddle's files.

Imported at interpreter start (by cfiddle-cluster.pth), it only registers an import hook; cfiddle is loaded
when the user imports it, and two of its modules are adjusted right after they are executed (through
cfiddle_api, which first checks that cfiddle is the version it was written for):
- cfiddle.config: SlurmDelegate becomes the default RunnerDelegate_type, so a plain run() goes to the cluster.
  A user can still run locally with cfiddle's own API: cfiddle_config(RunnerDelegate_type=SubprocessDelegate).
- cfiddle.jupyter: its notebook progress bar needs ipywidgets >= 7, which Debian bookworm lacks (6.0); where
  that is so, cfiddle gets tqdm's text progress bar instead of failing in build() and run(), written to stdout
  (tqdm's default, stderr, is shown by Jupyter as an error).
"""
import importlib.machinery
import sys

from cfiddle_cluster.cfiddle_api import CONFIG_MODULE, JUPYTER_MODULE


def _use_slurm_delegate(config_module):
    from cfiddle_cluster import cfiddle_api
    from cfiddle_cluster.delegate import SlurmDelegate
    cfiddle_api.make_default_delegate(config_module, SlurmDelegate)


def _use_text_progress_without_widgets(jupyter_module):
    try:
        import ipywidgets
        usable = int(ipywidgets.__version__.split(".")[0]) >= 7
    except ImportError:
        usable = False
    if not usable:
        from cfiddle_cluster import cfiddle_api
        from cfiddle_cluster.progress import StdoutTqdm
        cfiddle_api.use_notebook_progress_bar(jupyter_module, StdoutTqdm)


_ADJUSTMENTS = {CONFIG_MODULE: _use_slurm_delegate, JUPYTER_MODULE: _use_text_progress_without_widgets}


class _CfiddleAdjuster:
    """Meta-path finder that runs an adjustment after the module it names is executed."""

    def find_spec(self, fullname, path, target=None):
        adjust = _ADJUSTMENTS.get(fullname)
        if adjust is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            adjust(module)

        spec.loader.exec_module = exec_module
        return spec


if not any(type(finder).__name__ == _CfiddleAdjuster.__name__ for finder in sys.meta_path):
    sys.meta_path.insert(0, _CfiddleAdjuster())
