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
# on one worker to be seen overlapping, were Slurm to allow it. It records, as cfiddle measurements (exact 64-bit
# values in the result's CSV row, unlike return values, which cfiddle reads as a C int), when it started and ended
# (CLOCK_REALTIME, in nanoseconds: every sandbox of a test cluster runs on this host's one kernel and clock) and
# the sandbox's hostname (Docker's short id of the sandbox container, which the launcher labels with its worker).
BUSY = r'''
#include <cfiddle.hpp>
#include <DataSet.hpp>
#include <string>
#include <time.h>
#include <unistd.h>
extern "C"
long busy(long ms, long tag) {
    auto realtime_ns = [] {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        return t.tv_sec * 1000000000LL + t.tv_nsec;
    };
    start_measurement();
    get_dataset()->set("started_ns", realtime_ns());
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
    get_dataset()->set("ended_ns", realtime_ns());
    char hostname[256] = {0};
    gethostname(hostname, sizeof hostname - 1);
    get_dataset()->set("sandbox_hostname", std::string(hostname));
    end_measurement();
    return tag;
}
'''


def busy_record(result):
    """What one BUSY run recorded: its tag (the return value) and its measurement row, with the numbers (which
    cfiddle gives as the CSV's strings) as integers."""
    [row] = result.get_results()
    return {"tag": result.return_value, "started_ns": int(row["started_ns"]), "ended_ns": int(row["ended_ns"]),
            "sandbox_hostname": row["sandbox_hostname"]}


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
