"""The job's time left, as squeue's %L prints it, in seconds."""
import pytest


@pytest.mark.parametrize("text, seconds", [
    ("1-02:03:04", ((1 * 24 + 2) * 60 + 3) * 60 + 4),
    ("0-00:00:05", 5),
    ("12:00:00", 12 * 3600),
    ("1:02:03", 3723),
    ("05:06", 306),
    ("4:59", 299),
    ("42", 42),
    ("0", 0),
])
def test_durations(launch, text, seconds):
    assert launch.parse_slurm_duration(text) == seconds


@pytest.mark.parametrize("text", ["UNLIMITED", "NOT_SET", "INVALID"])
def test_no_limit(launch, text):
    assert launch.parse_slurm_duration(text) is None


@pytest.mark.parametrize("text", ["soon", "1:xx", ""])
def test_garbage_is_an_error_not_a_duration(launch, text):
    with pytest.raises(ValueError):
        launch.parse_slurm_duration(text)
