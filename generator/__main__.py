"""The formgen CLI: parse arguments, call one command, turn exceptions into exit codes.

``python -m generator`` and the ``formgen`` console script are the same entry point. Exit codes:
0 success, 1 problems found in the content, 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from .commands import build, check, diff, export, import_, init, new, schema, serve
from .errors import FormgenError

COMMANDS = {"build": build, "check": check, "export": export, "schema": schema, "serve": serve, "init": init,
            "new": new, "diff": diff, "import": import_}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="formgen", description="项目支出绩效自评表 static generator")
    parser.add_argument("--version", action="version", version=f"formgen {__version__}")
    verbs = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in COMMANDS.items():
        module.add_arguments(verbs.add_parser(name, help=module.HELP, description=module.HELP))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # exits 2 on a usage error
    try:
        return COMMANDS[args.command].run(args)
    except FormgenError as error:
        print(f"formgen: {error}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:  # `formgen export | head` is not an error
        return 0


if __name__ == "__main__":
    sys.exit(main())
