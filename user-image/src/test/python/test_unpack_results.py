"""Results come back as a tar holding results.pickle; anything else is a ClusterRunError with the error output."""
import io
import tarfile

import pytest

from conftest import ClusterRunError, delegate, results_tar


def tar_with(info, data=b""):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info.size = len(data) if info.isfile() else 0
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def results_member(data, type=tarfile.REGTYPE):
    info = tarfile.TarInfo(delegate.RESULTS_FILE)
    info.type = type
    return tar_with(info, data)


def test_results_are_unpickled():
    assert delegate.unpack_results(results_tar([{"time": 1.5}])) == [{"time": 1.5}]


@pytest.mark.parametrize("stdout", [
    pytest.param(b"", id="nothing"),
    pytest.param(b"Segmentation fault\n" * 100, id="not a tar"),
    pytest.param(results_tar([1, 2, 3])[:700], id="cut short"),
    pytest.param(tar_with(tarfile.TarInfo("other.pickle"), b"x"), id="no results file"),
    pytest.param(results_member(b"garbage"), id="not a pickle"),
    pytest.param(results_member(b"\x80\xff"), id="unknown pickle protocol"),
    pytest.param(results_member(b"", tarfile.DIRTYPE), id="results file is a directory"),
])
def test_garbage_is_a_cluster_run_error_with_the_error_output(stdout):
    stderr = "cfiddle-sandbox: cfiddle-run wrote no results.pickle"
    with pytest.raises(ClusterRunError) as error:
        delegate.unpack_results(stdout, stderr)
    assert str(error.value).startswith("the cluster returned no readable results (")
    assert str(error.value).endswith(f"Last lines of its error output:\n{stderr}")
