"""Prints Docker's default seccomp profile (read from argv[1]) with perf_event_open allowed unconditionally
(the default allows it only to CAP_SYS_ADMIN; what it may then observe is bounded by perf_event_paranoid)."""
import json
import sys

with open(sys.argv[1]) as f:
    profile = json.load(f)
profile["syscalls"].append({"names": ["perf_event_open"], "action": "SCMP_ACT_ALLOW", "args": [],
                            "comment": "cfiddle perf counters"})
json.dump(profile, sys.stdout, indent=1)
