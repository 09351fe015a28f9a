"""Each association's catalogue of works (titles in several languages, content type, rights holder)."""
