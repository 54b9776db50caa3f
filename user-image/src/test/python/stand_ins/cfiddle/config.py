"""Stand-in for cfiddle.config: the two names cfiddle_api.sandbox_copy takes from it."""


def noop_progress_bar(data, *args, **kwargs):
    return data


def peek_config():
    return dict(Executable_type=object, ProgressBar=None, RunnerDelegate_type=None)
