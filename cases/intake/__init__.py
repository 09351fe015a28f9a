"""Intake: submissions of sites with evidence, from the API, CSV files and the command line."""
