"""One kind of bad experiment (compile_error, segfault, infinite_loop), then a good one.
Reports the error the user got and the good experiment's return value."""
import sys

from cfiddle import arg_map, run
from cfiddle_test_support import POLYNOMIAL, build_source, error_report, report

BAD = {
    "compile_error": r'''
extern "C"
int broken(int x) {
    return x +;
}
''',
    "segfault": r'''
#include <cfiddle.hpp>
extern "C"
int broken(int x) {
    volatile int *nowhere = 0;
    return *nowhere + x;
}
''',
    # Ignores SIGTERM, as careless or hostile code may: only a hard kill stops it.
    "infinite_loop": r'''
#include <cfiddle.hpp>
#include <signal.h>
extern "C"
int broken(int x) {
    signal(SIGTERM, SIG_IGN);
    volatile int forever = 1;
    while (forever) x++;
    return x;
}
''',
}

try:
    run(build_source(BAD[sys.argv[1]]), "broken", arguments=arg_map(x=[1]))
    error = None
except Exception as e:
    error = error_report(e)
after = [r.return_value for r in run(build_source(POLYNOMIAL), "polynomial", arguments=arg_map(x=[7]))]
report(error=error, after=after)
