class RunnerDelegateException(Exception):
    pass


class SubprocessDelegate:
    pass
