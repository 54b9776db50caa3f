"""CappedCopy passes a sandbox stream on up to the output limit; past it, it asks once for the sandbox to be
stopped and keeps draining (Docker stops a sandbox only once its output is read)."""
import os
import threading
import time

import pytest


class CopyThroughPipes:
    """A CappedCopy from a pipe (the sandbox's stream) to a file (ours), counting its on_overflow calls."""

    def __init__(self, launch, limit, target):
        read_end, self.write_end = os.pipe()
        self.source = os.fdopen(read_end, "rb", buffering=0)
        self.target = target
        self.target_fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        self.overflow_calls = 0
        self.overflow_called = threading.Event()
        self.copy = launch.CappedCopy(self.source, launch.CappedOutput(self.target_fd, limit, self._on_overflow))
        self.copy.start()

    def _on_overflow(self):  # CappedCopy calls it from a thread of its own
        self.overflow_calls += 1
        self.overflow_called.set()

    def send(self, data, then_copied=None):
        os.write(self.write_end, data)
        if then_copied is not None:  # let the copy read it as a chunk of its own
            deadline = time.monotonic() + 10
            while self.copy.output.copied != then_copied:
                assert time.monotonic() < deadline, f"copied {self.copy.output.copied} bytes, expected {then_copied}"
                time.sleep(0.01)

    def finish(self):
        """Ends the stream; returns what reached the target."""
        os.close(self.write_end)
        self.copy.join(10)
        assert not self.copy.is_alive()
        self.source.close()
        os.close(self.target_fd)
        return self.target.read_bytes()


@pytest.fixture
def capped_copy(launch, tmp_path):
    return lambda limit: CopyThroughPipes(launch, limit, tmp_path / "copied")


def test_everything_within_the_limit_is_copied(capped_copy):
    pipes = capped_copy(100)
    pipes.send(b"results", then_copied=7)
    pipes.send(b" and more")
    assert pipes.finish() == b"results and more"
    assert (pipes.copy.output.copied, pipes.copy.output.overflowed, pipes.overflow_calls) == (16, False, 0)


def test_past_the_limit_on_overflow_is_called_once_and_the_rest_is_drained(capped_copy):
    pipes = capped_copy(10)
    pipes.send(b"123456", then_copied=6)
    # Far more than a pipe holds: the writer finishes only if the copy keeps reading.
    writer = threading.Thread(target=lambda: [pipes.send(b"x" * 65536) for _ in range(64)])
    writer.start()
    writer.join(10)
    assert not writer.is_alive(), "the copy stopped draining its source"
    assert pipes.finish() == b"123456"
    assert pipes.overflow_called.wait(10)
    assert (pipes.copy.output.copied, pipes.copy.output.overflowed, pipes.overflow_calls) == (6, True, 1)


def test_a_first_chunk_over_the_limit_copies_nothing(capped_copy):
    pipes = capped_copy(4)
    pipes.send(b"too long")
    assert pipes.finish() == b""
    assert pipes.overflow_called.wait(10)
    assert (pipes.copy.output.copied, pipes.copy.output.overflowed, pipes.overflow_calls) == (0, True, 1)
