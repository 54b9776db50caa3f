"""The delegate's exception, kept apart so that importing the delegate does not import cfiddle (the site hook
imports the delegate while cfiddle itself is being imported)."""
from .cfiddle_api import runner_delegate_exception


class ClusterRunError(runner_delegate_exception()):
    """The experiment could not be run on the cluster, or did not finish there."""
