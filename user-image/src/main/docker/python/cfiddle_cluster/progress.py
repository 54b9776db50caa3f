"""cfiddle's text progress bar on the user node: tqdm writing to stdout, because Jupyter shows stderr (tqdm's
default) in the error style. A module-level class, since cfiddle pickles its runner with the progress bar."""
import sys

from tqdm.std import tqdm


class StdoutTqdm(tqdm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("file", sys.stdout)
        super().__init__(*args, **kwargs)
