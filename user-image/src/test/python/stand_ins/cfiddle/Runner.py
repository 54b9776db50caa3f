class RunnerDelegateException(Exception):
    pass
