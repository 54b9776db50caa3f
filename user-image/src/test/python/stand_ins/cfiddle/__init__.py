"""A stand-in for cfiddle, on the tests' sys.path only: the delegate's unit tests need nothing of cfiddle but the
exception its error derives from (the real cfiddle is in the images, not on the build host)."""
