"""Sizes in the launcher's configuration (the output limit)."""
import pytest


@pytest.mark.parametrize("text, size", [("123", 123), ("7b", 7), ("512k", 512 * 1024), ("64m", 64 * 1024 ** 2),
                                        ("1g", 1024 ** 3), (" 16M\n", 16 * 1024 ** 2)])
def test_sizes(launch, text, size):
    assert launch.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "16mb", "1.5g", "-1m", "m", "16 m", "1t"])
def test_not_a_size_stops_the_launcher_naming_the_file(launch, capsys, text):
    with pytest.raises(SystemExit) as exit:
        launch.parse_size(text)
    assert exit.value.code == 1
    assert f"cfiddle-launch: /etc/cfiddle/launcher.conf: {text!r} is not a size such as 64m" in capsys.readouterr().err
