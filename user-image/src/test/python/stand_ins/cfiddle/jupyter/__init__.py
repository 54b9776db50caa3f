"""Stand-in for cfiddle.jupyter: only its module name matters (cfiddle_api.outside_jupyter)."""
