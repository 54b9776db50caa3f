"""Tries to run code on a worker as the submitting user through srun's --task-prolog: bash expands BASH_ENV
(command substitution included) when it starts, and here that opens a connection back to this node. Reports
whether the worker called back, and what srun said.
Usage: task_prolog_probe.py COMMAND..."""
import os
import socket
import subprocess
import sys

from cfiddle_test_support import report

listener = socket.create_server(("0.0.0.0", 0))
port = listener.getsockname()[1]
environment = dict(os.environ, BASH_ENV=f"$(exec 3<>/dev/tcp/usernode/{port})")
srun = subprocess.run(["srun", "--time=1", "--task-prolog=/bin/bash", *sys.argv[1:]], env=environment,
                      stdin=subprocess.DEVNULL, capture_output=True, text=True)
# Our own connection marks the end of the queue: a call from the worker, made while srun ran, is accepted first.
socket.create_connection(("127.0.0.1", port))
_, (address, _) = listener.accept()
report(called_back=address != "127.0.0.1", srun_exit=srun.returncode, stderr=srun.stderr[-2000:])
