"""`python -m bot` runs the same command line as the `callbot` script."""

from bot.cli import main

raise SystemExit(main())
