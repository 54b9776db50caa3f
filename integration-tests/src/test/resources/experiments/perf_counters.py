"""Software perf counters requested through cfiddle, measured in the sandbox."""
from cfiddle import arg_map, run
from cfiddle_test_support import build_source, error_report, report

exes = build_source(r'''
#include <cfiddle.hpp>
extern "C"
long squares(long n) {
    start_measurement();
    long sum = 0;
    for (long i = 0; i < n; i++) sum += i * i;
    end_measurement();
    return sum;
}
''')
df = run(exes, "squares", arguments=arg_map(n=[100000, 1000000]), perf_counters=["PERF_COUNT_SW_CPU_CLOCK"]).as_df()
try:
    run(exes, "squares", arguments=arg_map(n=[1000]), perf_counters=["NO_SUCH_COUNTER"])
    unknown = None
except Exception as e:
    unknown = error_report(e)
report(cpu_clock=[int(v) for v in df["PERF_COUNT_SW_CPU_CLOCK"]], unknown_counter=unknown)
