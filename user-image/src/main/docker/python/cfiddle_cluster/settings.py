"""The admin's settings for running experiments on the cluster, from /etc/cfiddle/cluster.conf (written by the
user node's entrypoint from its environment). Users cannot change them per call."""
import configparser
import os
from dataclasses import dataclass

SETTINGS_FILE = os.environ.get("CFIDDLE_CLUSTER_CONF", "/etc/cfiddle/cluster.conf")


@dataclass(frozen=True)
class ClusterSettings:
    partition: str = "cfiddle"
    time_limit: str = "5"          # any Slurm --time format: minutes, minutes:seconds, ...
    launcher: str = "/usr/local/sbin/cfiddle-launch"
    job_name: str = "cfiddle"
    output_limit: str = "16m"      # per stream; the workers' launcher enforces the same limit

    @classmethod
    def load(cls, path=SETTINGS_FILE):
        parser = configparser.ConfigParser()
        if not parser.read(path):
            return cls()
        section = parser["slurm"] if parser.has_section("slurm") else {}
        defaults = cls()
        return cls(partition=section.get("partition", defaults.partition),
                   time_limit=section.get("time_limit", defaults.time_limit),
                   launcher=section.get("launcher", defaults.launcher),
                   job_name=section.get("job_name", defaults.job_name),
                   output_limit=section.get("output_limit", defaults.output_limit))
