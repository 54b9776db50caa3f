"""The output limit from the cluster's settings."""
import pytest

from conftest import ClusterRunError, delegate


@pytest.mark.parametrize("text, size", [("16m", 16 * 1024 ** 2), ("512k", 512 * 1024), ("1g", 1024 ** 3),
                                        ("100", 100), (" 2M ", 2 * 1024 ** 2), (4096, 4096)])
def test_sizes(text, size):
    assert delegate.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "16mb", "lots", "1.5g", "-1"])
def test_not_a_size(text):
    with pytest.raises(ClusterRunError, match="is not a size such as 16m"):
        delegate.parse_size(text)
