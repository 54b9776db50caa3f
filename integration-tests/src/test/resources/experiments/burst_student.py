"""One student of the burst benchmark: builds BUSY, says so by creating READY_FILE, waits for GO_FILE (the common
start), then runs COUNT experiments in a row, each its own run() (so its own job), busy for MS milliseconds.
Reports each run's record (see BUSY) and when its run() was called (CLOCK_REALTIME, ns), and the CPU time this
process and its children (srun) used for the runs.
Usage: burst_student.py COUNT MS DIRECTORY READY_FILE GO_FILE"""
import os
import resource
import sys
import time

from cfiddle import arg_map, run
from cfiddle_test_support import BUSY, build_source, busy_record, report

count, ms, directory, ready_file, go_file = int(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:6]
os.makedirs(directory, exist_ok=True)
os.chdir(directory)
exes = build_source(BUSY)
open(ready_file, "w").close()
while not os.path.exists(go_file):
    time.sleep(0.05)
runs = []
before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
for tag in range(count):
    submitted_ns = time.time_ns()
    [record] = [busy_record(r) for r in run(exes, "busy", arguments=arg_map(ms=[ms], tag=[tag]))]
    runs.append(dict(record, submitted_ns=submitted_ns))
after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = [a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before)]
report(returns=[r["tag"] for r in runs], runs=runs, cpu_seconds_self=cpu[0], cpu_seconds_srun=cpu[1])
