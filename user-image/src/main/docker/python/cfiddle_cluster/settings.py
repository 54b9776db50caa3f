"""The admin's settings for running experiments on the cluster, from /etc/cfiddle/cluster.conf (written by the
user node's entrypoint from its environment). Users cannot change them per call."""
import configparser
import os
from dataclasses import dataclass

SETTINGS_FILE = os.environ.get("CFIDDLE_CLUSTER_CONF", "/etc/cfiddle/cluster.conf")


@dataclass(frozen=True)
class ClusterSettings:
    # The deploy's settings, with no default here (their defaults have one source, the build's):
    time_limit: str                # any Slurm --time format: minutes, minutes:seconds, ...
    output_limit: str              # per stream; the workers' launcher enforces the same limit
    # Fixed by the images:
    partition: str = "cfiddle"
    launcher: str = "/usr/local/sbin/cfiddle-launch"
    job_name: str = "cfiddle"

    @classmethod
    def load(cls, path=SETTINGS_FILE):
        parser = configparser.ConfigParser()
        parser.read(path)
        section = parser["slurm"] if parser.has_section("slurm") else {}
        missing = [key for key in ("time_limit", "output_limit") if not section.get(key)]
        if missing:
            raise RuntimeError(f"{path} lacks {', '.join(missing)}: the user node's entrypoint writes it from the"
                               " node's environment (is this the cluster's user node?)")
        fixed = cls(time_limit="", output_limit="")
        return cls(time_limit=section["time_limit"], output_limit=section["output_limit"],
                   partition=section.get("partition", fixed.partition),
                   launcher=section.get("launcher", fixed.launcher),
                   job_name=section.get("job_name", fixed.job_name))
