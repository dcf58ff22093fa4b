#!/usr/bin/env python3
"""Build the 运城日报 party-building archive: `python build.py --help`."""
import sys

from ycarchive.cli import main

if __name__ == "__main__":
    sys.exit(main())
