"""Where the time of one run() goes: N runs of a 1-invocation BUSY experiment (0 ms busy) locally and N through
the cluster (build and import excluded). For each run: from the run() call to the experiment's start ("to"),
the experiment itself ("in"), and from its end to run() returning ("back"), from CLOCK_REALTIME stamps taken on
the user node and inside the experiment (one host's clock in a test cluster).
Usage: profile_run.py N"""
import sys
import time

from cfiddle import arg_map, run
from cfiddle_test_support import BUSY, build_source, busy_record, locally, report

n = int(sys.argv[1])
exes = build_source(BUSY)


def profiled():
    called = time.time_ns()
    [record] = [busy_record(r) for r in run(exes, "busy", arguments=arg_map(ms=[0], tag=[7]))]
    returned = time.time_ns()
    return {"to": (record["started_ns"] - called) / 1e9, "in": (record["ended_ns"] - record["started_ns"]) / 1e9,
            "back": (returned - record["ended_ns"]) / 1e9, "total": (returned - called) / 1e9}


with locally():
    local = [profiled() for _ in range(n)]
cluster = [profiled() for _ in range(n)]
report(local=local, cluster=cluster)
