"""``python -m mbcnav`` runs the command line, for environments without the console script."""

from mbcnav.cli import main

main()
