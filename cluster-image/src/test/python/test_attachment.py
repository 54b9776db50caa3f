"""Attachment speaks Docker's attach protocol over the engine's socket: the upgrade, the header and stdin sent then
closed for writing, and stdout/stderr frames demultiplexed onto their outputs however they are split."""
import os
import socket
import threading

import pytest


class Output:
    def __init__(self):
        self.data = b""

    def write(self, chunk):
        self.data += chunk


def frame(stream, payload):
    return bytes([stream, 0, 0, 0]) + len(payload).to_bytes(4, "big") + payload


class FakeEngine(threading.Thread):
    """Accepts one attach, answers 101, records what the client sends until it closes its write side, then sends
    the frames byte by byte (the worst split) and closes."""

    def __init__(self, path, frames, status=b"HTTP/1.1 101 UPGRADED"):
        super().__init__(daemon=True)
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(1)
        self.frames, self.status = frames, status
        self.request, self.stdin = b"", b""

    def run(self):
        connection, _ = self.server.accept()
        while b"\r\n\r\n" not in self.request:
            self.request += connection.recv(65536)
        connection.sendall(self.status + b"\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n")
        if b" 101 " not in self.status:
            connection.close()
            return
        while chunk := connection.recv(65536):
            self.stdin += chunk
        for byte in self.frames:
            connection.sendall(bytes([byte]))
        connection.close()


@pytest.fixture
def stdin_with():
    """Puts data on file descriptor 0 (what the launcher forwards) for one test."""
    saved = os.dup(0)

    def use(data):
        read_end, write_end = os.pipe()
        os.write(write_end, data)
        os.close(write_end)
        os.dup2(read_end, 0)
        os.close(read_end)
    yield use
    os.dup2(saved, 0)
    os.close(saved)


def test_the_experiment_goes_in_and_the_streams_come_out_apart(launch, tmp_path, monkeypatch, stdin_with):
    path = str(tmp_path / "docker.sock")
    monkeypatch.setattr(launch, "DOCKER_SOCKET", path)
    engine = FakeEngine(path, frame(2, b"cfiddle prints\n") + frame(1, b"results tar") + frame(2, b""))
    engine.start()
    stdin_with(b"the experiment's tar")
    stdout, stderr = Output(), Output()

    attachment = launch.Attachment("cfiddle-sandbox-c-w-job7-uid2001-99", b"cfiddle-experiment deadline=60\n",
                                   {1: stdout, 2: stderr})
    attachment.start()
    attachment.join(10)
    engine.join(10)

    assert not attachment.is_alive()
    assert engine.request.startswith(b"POST /containers/cfiddle-sandbox-c-w-job7-uid2001-99/attach?stream=1&stdin=1"
                                     b"&stdout=1&stderr=1 HTTP/1.1\r\n")
    assert b"Upgrade: tcp" in engine.request
    assert engine.stdin == b"cfiddle-experiment deadline=60\nthe experiment's tar"
    assert (stdout.data, stderr.data) == (b"results tar", b"cfiddle prints\n")


def test_a_refused_attach_is_an_error_before_anything_is_sent(launch, tmp_path, monkeypatch):
    path = str(tmp_path / "docker.sock")
    monkeypatch.setattr(launch, "DOCKER_SOCKET", path)
    engine = FakeEngine(path, b"", status=b"HTTP/1.1 409 Conflict")
    engine.start()
    with pytest.raises(OSError, match="Docker refused the attach: HTTP/1.1 409 Conflict"):
        launch.Attachment("cfiddle-sandbox-x", b"header\n", {})
    engine.join(10)
    assert engine.stdin == b""
