"""The delegate's settings file: what the entrypoint writes is read back; a file without the deploy's settings is
refused with a message naming them, not replaced by guesses."""
import pytest

from cfiddle_cluster.settings import ClusterSettings


def test_reads_what_the_entrypoint_writes(tmp_path):
    conf = tmp_path / "cluster.conf"
    conf.write_text("[slurm]\npartition = course\ntime_limit = 0:30\noutput_limit = 2m\n")
    settings = ClusterSettings.load(str(conf))
    assert (settings.partition, settings.time_limit, settings.output_limit) == ("course", "0:30", "2m")
    assert settings.launcher == "/usr/local/sbin/cfiddle-launch"


@pytest.mark.parametrize("content", ["", "[slurm]\npartition = course\n", "[slurm]\ntime_limit = 5\n"])
def test_a_file_without_the_deploys_settings_is_refused(tmp_path, content):
    conf = tmp_path / "cluster.conf"
    conf.write_text(content)
    with pytest.raises(RuntimeError, match="lacks .*(time_limit|output_limit)"):
        ClusterSettings.load(str(conf))
