"""The rules every other package shares, once: this package imports nothing of piratewatch's own.

- :mod:`common.hosts`: a URL or host name as one canonical host, and its registrable domain
  (IDNA 2008 with UTS 46, the Public Suffix List bundled with tldextract);
- :mod:`common.keys`: the fixed-length keys that stand for URLs in unique constraints;
- :mod:`common.pages`: the text a reader sees on an HTML page;
- :mod:`common.titles`: titles folded for comparison in any script.

Its one exception::

    NormalizationError (a ValueError)   the input cannot be a site's host; the message says why
"""
