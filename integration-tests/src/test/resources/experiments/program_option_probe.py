"""Tries to run code on a worker as the submitting user through a program that srun names for the worker
(--task-prolog=/bin/bash or --task-epilog=/bin/bash): bash expands BASH_ENV (command substitution included) when it
starts, and here that opens a connection back to this node. Reports whether the worker called back, and what
srun said. With --past-the-client-filter, srun reads a copy of this node's slurm.conf without the cli_filter (as
any student can make), so only the worker's own defences stand in the way; with --in-salloc, the step is made
inside an allocation of its own (salloc ... srun ...).
Usage: program_option_probe.py [--past-the-client-filter] [--in-salloc] OPTION=PROGRAM COMMAND..."""
import os
import socket
import subprocess
import sys
import tempfile

from cfiddle_test_support import report

args = sys.argv[1:]
environment = dict(os.environ)
if "--past-the-client-filter" in args:
    args.remove("--past-the-client-filter")
    conf = os.path.join(tempfile.mkdtemp(), "slurm.conf")
    with open("/etc/slurm/slurm.conf") as original, open(conf, "w") as copy:
        copy.writelines(line for line in original if not line.startswith("CliFilterPlugins"))
    environment["SLURM_CONF"] = conf
in_salloc = "--in-salloc" in args
if in_salloc:
    args.remove("--in-salloc")
option, command = args[0], args[1:]

listener = socket.create_server(("0.0.0.0", 0))
port = listener.getsockname()[1]
environment["BASH_ENV"] = f"$(exec 3<>/dev/tcp/usernode/{port})"
srun = ["srun", "--time=1", "--export=ALL", option, *command]
submit = ["salloc", "--time=1", *srun] if in_salloc else srun
outcome = subprocess.run(submit, env=environment, stdin=subprocess.DEVNULL, capture_output=True, text=True)
# Our own connection marks the end of the queue: a call from the worker, made while srun ran, is accepted first.
socket.create_connection(("127.0.0.1", port))
_, (address, _) = listener.accept()
report(called_back=address != "127.0.0.1", srun_exit=outcome.returncode, stderr=outcome.stderr[-2000:])
