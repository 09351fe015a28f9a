"""piratewatch."""
