"""Audio engines: decoding (PyAV), voice profile and call metrics (numpy), speaker attribution."""
