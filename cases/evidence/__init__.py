"""Evidence: captures of URLs, their content-addressed objects, timestamp tokens, packages.

- :mod:`.objects`: where objects live (content-addressed by SHA-256, never rewritten), behind :class:`ObjectStore`;
- :mod:`.models`: the ``evidence_capture`` and ``evidence_object`` tables;
- :mod:`.manifest`: the canonical manifest of a capture, the bytes a timestamp token covers;
- :mod:`.timestamps`: RFC 3161 requests to the configured TSA, and verification of tokens;
- :mod:`.services`: recording a capture (objects, row, audit event) and reading captures back;
- :mod:`.package`, :mod:`.verify`: evidence packages (zip) and their offline verification.

See ``docs/evidence.md``.
"""
