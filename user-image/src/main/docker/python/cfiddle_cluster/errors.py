"""The delegate's exception, kept apart so that importing the delegate does not import cfiddle (the site hook
imports the delegate while cfiddle itself is being imported)."""
from cfiddle.Runner import RunnerDelegateException


class ClusterRunError(RunnerDelegateException):
    """The experiment could not be run on the cluster, or did not finish there."""
