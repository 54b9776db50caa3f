"""Shared by the integration tests' experiment scripts: the C++ functions they measure and how results are
reported (one line 'RESULT <json>' on stdout, parsed by the Java side)."""
import json
from contextlib import contextmanager

from cfiddle import build, cfiddle_config, code
from cfiddle.Runner import SubprocessDelegate

# cfiddle's prototype parser wants the signature on its own line after extern "C".
POLYNOMIAL = r'''
#include <cfiddle.hpp>
extern "C"
long polynomial(long x) {
    return 3 * x * x + 2 * x + 1;
}
'''

# Spins for `ms` milliseconds of wall-clock time and returns `tag`: a job that lasts long enough for two jobs
# on one worker to be seen overlapping, were Slurm to allow it.
BUSY = r'''
#include <cfiddle.hpp>
#include <time.h>
extern "C"
long busy(long ms, long tag) {
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
    return tag;
}
'''


def build_source(source):
    return build(code(source))


@contextmanager
def locally():
    """cfiddle's own way to run on this machine instead of the cluster."""
    with cfiddle_config(RunnerDelegate_type=SubprocessDelegate):
        yield


def report(**values):
    print("RESULT " + json.dumps(values), flush=True)


def error_report(e):
    return {"type": type(e).__name__, "message": str(e)}
