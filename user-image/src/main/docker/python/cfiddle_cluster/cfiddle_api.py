"""cfiddle's internals, as cfiddle_cluster uses them: the one module that reaches into cfiddle (its runner's
private attributes, its config keys, its module names). They are cfiddle 0.6.1's, the version the root pom pins
(cfiddle.version; the image build writes it next to this file). Before any of them is used, the installed
cfiddle is checked to be that version: another one fails at once with a message saying so, instead of an
experiment misbehaving in a way nobody can trace.

Nothing here imports cfiddle at module level: the site hook uses this module while cfiddle itself is being
imported."""
import copy
import os
import pathlib

PINNED_FILE = pathlib.Path(__file__).with_name("cfiddle-version")
CONFIG_MODULE = "cfiddle.config"
JUPYTER_MODULE = "cfiddle.jupyter"

_checked = False


class CfiddleVersionError(RuntimeError):
    """The installed cfiddle is not the one cfiddle_cluster was written against."""


def check_version(installed, pinned):
    """Raises CfiddleVersionError unless the installed cfiddle is the pinned one."""
    if installed is None:
        raise CfiddleVersionError(f"cfiddle is not installed here, but cfiddle_cluster needs cfiddle {pinned}")
    if installed != pinned:
        raise CfiddleVersionError(
            f"cfiddle {installed} is installed, but cfiddle_cluster uses internals of cfiddle {pinned} (its runner's"
            f" attributes, config keys and modules): install cfiddle {pinned}, or adapt"
            f" cfiddle_cluster/cfiddle_api.py to cfiddle {installed} and set cfiddle.version in the root pom to it")


def require_pinned_version():
    """Checks once per process that the installed cfiddle is the version in PINNED_FILE."""
    global _checked
    if _checked:
        return
    import importlib.metadata  # here, not at interpreter start (the site hook imports this module)
    try:
        pinned = PINNED_FILE.read_text().strip()
    except OSError as e:
        raise CfiddleVersionError(f"cannot read {PINNED_FILE} ({e.strerror}): the image build writes there the cfiddle"
                                  f" version cfiddle_cluster was written for") from None
    try:
        installed = importlib.metadata.version("cfiddle")
    except importlib.metadata.PackageNotFoundError:
        installed = None
    check_version(installed, pinned)
    _checked = True


def runner_delegate_exception():
    """The exception class cfiddle expects a runner delegate's failures to derive from."""
    from cfiddle.Runner import RunnerDelegateException
    return RunnerDelegateException


def make_default_delegate(config_module, delegate_class):
    """Makes delegate_class what a plain run() uses (cfiddle.config, as it is being imported)."""
    require_pinned_version()
    config_module.default_config["RunnerDelegate_type"] = delegate_class


def use_notebook_progress_bar(jupyter_module, progress_bar):
    """Replaces the notebook progress bar of cfiddle.jupyter (as it is being imported)."""
    require_pinned_version()
    jupyter_module.tqdm = progress_bar


def sandbox_copy(runner, invocations):
    """The runner as the sandbox runs it, and the files it needs there.

    Returns (payload, files): payload is what runner.pickle holds (cfiddle's config and a runner with cfiddle's
    stock delegate and no progress bar, so the sandbox needs nothing but cfiddle); files maps each built library's
    path in the sandbox (exeN/NAME.so, local to its working directory) to its path here, so that the user's own
    paths (and home) never reach the worker."""
    require_pinned_version()
    from cfiddle.config import noop_progress_bar, peek_config
    from cfiddle.Runner import SubprocessDelegate

    sandbox_executables = {}
    files = {}
    sandbox_invocations = []
    for invocation in invocations:
        executable = invocation.executable
        if id(executable) not in sandbox_executables:
            directory = f"exe{len(sandbox_executables)}"
            local = copy.copy(executable)
            local.__class__ = outside_jupyter(type(executable))
            local.build_dir = directory
            local.lib = f"{directory}/{os.path.basename(executable.lib)}"
            files[local.lib] = executable.lib
            sandbox_executables[id(executable)] = local
        local_invocation = copy.copy(invocation)
        local_invocation.executable = sandbox_executables[id(executable)]
        sandbox_invocations.append(local_invocation)

    sandbox_runner = copy.copy(runner)
    for name, value in vars(runner).items():
        if isinstance(value, type):
            setattr(sandbox_runner, name, outside_jupyter(value))
    sandbox_runner._invocations = sandbox_invocations
    sandbox_runner._cmd_runner = SubprocessDelegate
    sandbox_runner._progress_bar = noop_progress_bar
    config = {key: outside_jupyter(value) if isinstance(value, type) else value for key, value in peek_config().items()}
    config.update(RunnerDelegate_type=SubprocessDelegate, ProgressBar=noop_progress_bar)
    return dict(config=config, runner=sandbox_runner), files


def outside_jupyter(cls):
    """In a notebook, cfiddle uses subclasses from cfiddle.jupyter that add display methods and import IPython,
    which the sandbox does not have: the sandbox gets their nearest plain cfiddle base class."""
    for base in cls.__mro__:
        if not base.__module__.startswith(JUPYTER_MODULE):
            return base
    return cls


def give_back_invocations(results, invocations):
    """Results name the sandbox's copies of the invocations; give the user back their own."""
    if isinstance(results, Exception):
        return
    for result, invocation in zip(results, invocations):
        if hasattr(result, "invocation"):
            result.invocation = invocation
