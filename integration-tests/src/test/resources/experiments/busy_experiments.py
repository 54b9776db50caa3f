"""COUNT experiments in a row, each its own run() (so its own job), each busy for MS milliseconds, built in
DIRECTORY (one per concurrent submitter: cfiddle builds into its working directory). Reports each run's return
value and what it recorded (see BUSY).
Usage: busy_experiments.py COUNT MS DIRECTORY"""
import os
import sys

from cfiddle import arg_map, run
from cfiddle_test_support import BUSY, build_source, busy_record, report

count, ms = int(sys.argv[1]), int(sys.argv[2])
os.makedirs(sys.argv[3], exist_ok=True)
os.chdir(sys.argv[3])
exes = build_source(BUSY)
runs = []
for tag in range(count):
    runs += [busy_record(r) for r in run(exes, "busy", arguments=arg_map(ms=[ms], tag=[tag]))]
report(returns=[r["tag"] for r in runs], runs=runs)
