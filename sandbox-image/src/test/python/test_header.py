"""Before the experiment, the launcher writes one header line with the job's time left; nothing else is accepted."""
import io

import pytest


def header_of(data):
    return io.BufferedReader(io.BytesIO(data))


@pytest.mark.parametrize("line, seconds", [(b"cfiddle-experiment deadline=300\n", 300),
                                           (b"cfiddle-experiment deadline=1\n", 1),
                                           (b"cfiddle-experiment deadline=0\n", None)])
def test_the_deadline_comes_from_the_header(sandbox_run, line, seconds):
    assert sandbox_run.read_header(header_of(line + b"tar bytes")) == seconds


def test_the_experiment_starts_right_after_the_header(sandbox_run):
    stream = header_of(b"cfiddle-experiment deadline=5\nrunner.pickle...")
    sandbox_run.read_header(stream)
    assert stream.read() == b"runner.pickle..."


@pytest.mark.parametrize("data", [b"", b"runner.pickle\x00\x00\x00", b"cfiddle-experiment deadline=soon\n",
                                  b"cfiddle-experiment deadline=1.5\n", b"cfiddle-experiment deadline=-1\n",
                                  b"cfiddle-experiment deadline=300; rm -rf /\n",
                                  b"cfiddle-experiment deadline=" + b"9" * 100 + b"\n"])
def test_anything_else_is_refused(sandbox_run, capsys, data):
    with pytest.raises(SystemExit) as exit:
        sandbox_run.read_header(header_of(data))
    assert exit.value.code == 2
    assert "expected a 'cfiddle-experiment deadline=SECONDS' line" in capsys.readouterr().err
