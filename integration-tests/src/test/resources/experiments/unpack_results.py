"""Reads what a sandbox wrote on its stdout (FILE) and reports the return values in it.
Usage: unpack_results.py FILE"""
import sys

from cfiddle_cluster.delegate import unpack_results
from cfiddle_test_support import report

with open(sys.argv[1], "rb") as f:
    results = unpack_results(f.read())
report(args=[r.invocation.arguments["x"] for r in results], returns=[r.return_value for r in results])
