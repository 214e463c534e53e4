"""`python -m ippanel_mock`: same as the `ippanel-mock` command."""

from __future__ import annotations

import sys

from ippanel_mock.cli import main

if __name__ == "__main__":
    sys.exit(main())
