#!/usr/bin/env python
"""Django's command-line utility; `sandan` (the console script) does the same."""

from sandan.cli import main

if __name__ == "__main__":
    main()
