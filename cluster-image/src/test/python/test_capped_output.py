"""CappedOutput passes a sandbox stream on up to the output limit; past it, it asks once (from a thread of its
own) for the sandbox to be stopped and drops the rest, so that the stream keeps draining (Docker stops a
sandbox only once its output is read)."""
import os
import threading

import pytest


class Capped:
    """A CappedOutput to a file, counting its on_overflow calls."""

    def __init__(self, launch, limit, target):
        self.target = target
        self.target_fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        self.overflow_calls = 0
        self.overflow_called = threading.Event()
        self.output = launch.CappedOutput(self.target_fd, limit, self._on_overflow)

    def _on_overflow(self):
        self.overflow_calls += 1
        self.overflow_called.set()

    def written(self):
        os.close(self.target_fd)
        return self.target.read_bytes()


@pytest.fixture
def capped(launch, tmp_path):
    return lambda limit: Capped(launch, limit, tmp_path / "copied")


def test_everything_within_the_limit_is_written(capped):
    out = capped(100)
    out.output.write(b"results")
    out.output.write(b" and more")
    assert out.written() == b"results and more"
    assert (out.output.copied, out.output.overflowed, out.overflow_calls) == (16, False, 0)


def test_past_the_limit_on_overflow_is_called_once_and_the_rest_is_dropped(capped):
    out = capped(10)
    out.output.write(b"123456")
    for _ in range(64):  # far more than the limit: every write returns at once
        out.output.write(b"x" * 65536)
    assert out.written() == b"123456"
    assert out.overflow_called.wait(10)
    assert (out.output.copied, out.output.overflowed, out.overflow_calls) == (6, True, 1)


def test_a_first_chunk_over_the_limit_writes_nothing(capped):
    out = capped(4)
    out.output.write(b"too long")
    assert out.written() == b""
    assert out.overflow_called.wait(10)
    assert (out.output.copied, out.output.overflowed, out.overflow_calls) == (0, True, 1)
