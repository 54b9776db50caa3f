"""The launcher's lines in the worker's log: one line per event, whatever Docker printed."""


def test_docker_messages_become_one_log_line(launch):
    assert launch.one_line("Error response from daemon: No such container: x\nError: failed to rename\n") \
        == "Error response from daemon: No such container: x; Error: failed to rename"
