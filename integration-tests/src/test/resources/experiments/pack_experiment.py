"""Builds POLYNOMIAL here and writes the experiment, as the delegate would send it to a sandbox, to FILE.
Usage: pack_experiment.py FILE"""
import sys

from cfiddle import arg_map, cfiddle_config, run
from cfiddle_cluster.delegate import pack_experiment
from cfiddle_test_support import POLYNOMIAL, build_source


class WriteExperiment:
    def execute(self, command, runner):
        with open(sys.argv[1], "wb") as f:
            f.write(pack_experiment(runner, list(runner.get_invocations())))
        raise SystemExit(0)


with cfiddle_config(RunnerDelegate_type=WriteExperiment):
    run(build_source(POLYNOMIAL), "polynomial", arguments=arg_map(x=[1, 2, 3]))
