"""``python -m piratewatch`` runs the command line."""

from piratewatch.cli import main

main()
