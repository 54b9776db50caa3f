"""Wall-clock seconds of N identical run() calls locally and N through the cluster (build and import excluded).
Usage: timed_runs.py N"""
import sys
import time

from cfiddle import arg_map, run
from cfiddle_test_support import POLYNOMIAL, build_source, locally, report

n = int(sys.argv[1])
exes = build_source(POLYNOMIAL)
arguments = arg_map(x=[1, 2, 3])


def timed():
    start = time.perf_counter()
    run(exes, "polynomial", arguments=arguments)
    return time.perf_counter() - start


with locally():
    local = [timed() for _ in range(n)]
cluster = [timed() for _ in range(n)]
report(local=local, cluster=cluster)
