"""The notice templates (Jinja2), packaged as data files."""
