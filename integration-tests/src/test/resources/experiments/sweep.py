"""Builds POLYNOMIAL and runs it over an argument sweep (on the cluster, or with --local on this node)."""
import sys

from cfiddle import arg_map, run
from cfiddle_test_support import POLYNOMIAL, build_source, locally, report

exes = build_source(POLYNOMIAL)
xs = [1, 2, 3, 5, 8, 13]
if "--local" in sys.argv:
    with locally():
        results = run(exes, "polynomial", arguments=arg_map(x=xs))
else:
    results = run(exes, "polynomial", arguments=arg_map(x=xs))
report(args=[r.invocation.arguments["x"] for r in results], returns=[r.return_value for r in results])
