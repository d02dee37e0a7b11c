"""The `tm` command: each command parses options, makes one library call and prints.

`common` holds the application and the options commands share; `corpus` the commands over pages
and corpora; `search` the commands that find what a TM holds; `memory` the other
commands over a TM; `people` the commands of
reviewers and users. Importing them registers their commands.
"""

import sys

from tm.cli import corpus, memory, people, search, terms  # noqa: F401  (registers the commands)
from tm.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    app(sys.argv[1:])
