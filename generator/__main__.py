"""The formgen CLI: parse arguments, call one command, turn exceptions into exit codes.

``python -m generator`` and the ``formgen`` console script are the same entry point. Exit codes:
0 success, 1 problems found in the content (or a file system error), 2 usage error, 3 a bug in formgen,
130 interrupted (Ctrl-C), 143 terminated (SIGTERM). Whatever happens, the user gets one line, never a
traceback (unless FORMGEN_DEBUG=1 asks for it).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import sys
import threading
import traceback
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from types import FrameType

from . import __version__, i18n
from .commands import build, check, diff, export, help, import_, init, new, profiles, schema, serve
from .errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    FormgenError,
    Terminated,
    note_line,
    os_error_message,
    said,
)
from .i18n import _

COMMANDS = {"build": build, "check": check, "export": export, "schema": schema, "serve": serve, "init": init,
            "new": new, "diff": diff, "import": import_, "profiles": profiles, "help": help}

DEBUG_VARIABLE = "FORMGEN_DEBUG"
"""Set to 1 to get the traceback of an internal error (for a bug report) besides its one line."""


_PIECES = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff\uf900-\ufaff"
                     r"\uff00-\uffef\u3000-\u303f]+|\s+")
"""What a help line may break between: each Chinese character or full-width mark, Latin words, spaces."""
_NOT_FIRST = "，。、；：？！）》」』”’"
"""Marks that close a phrase: never the first of a line, as Chinese typesetting wants."""


def _columns(text: str) -> int:
    """The width of `text` on a terminal: Chinese characters and full-width marks take two columns."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help, wrapped by the columns a terminal gives each character: a line of Chinese is twice
    as wide as its length, and textwrap would make it overflow an 80-column window; it may break between
    any two Chinese characters, as Chinese text does."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        lines: list[str] = []
        line = ""
        for piece in _PIECES.findall(" ".join(text.split())):
            if line and not piece.isspace() and _columns(line + piece) > width and piece[0] not in _NOT_FIRST:
                lines.append(line.rstrip())
                line = ""
            if line or not piece.isspace():
                line += piece
        return [*lines, line.rstrip()] if line.strip() else lines

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in self._split_lines(text, width - len(indent)))

    def _format_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                      groups: Iterable[argparse._MutuallyExclusiveGroup], prefix: str | None) -> str:
        # Continuation lines are indented by the length of "用法：formgen build", which is narrower than
        # it shows: they would start left of the options they continue.
        text = super()._format_usage(usage, actions, groups, prefix)
        shown = _("usage: ") if prefix is None else prefix
        return re.sub(r"\n(?= )", "\n" + " " * (_columns(shown) - len(shown)), text)


def _add_lang(parser: argparse.ArgumentParser, default: object) -> None:
    # Read before parsing (i18n.requested), since the help itself is in that language; declared here so
    # that it is listed, and accepted before or after the verb.
    parser.add_argument("--lang", metavar="LANG", default=default,
                        help=_("language of messages: {languages} (default: ${variable}, else zh_CN)").format(
                            languages=", ".join(i18n.available()), variable=i18n.ENVIRONMENT_VARIABLE))


def build_parser() -> argparse.ArgumentParser:
    i18n.speak_through_argparse()
    parser = argparse.ArgumentParser(prog="formgen", description=_("项目支出绩效自评表 static generator"),
                                     formatter_class=_HelpFormatter)
    parser.add_argument("--version", action="version", version=f"formgen {__version__}",
                        help=_("show program's version number and exit"))
    _add_lang(parser, None)
    verbs = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                  title=_("commands"))
    for name, module in COMMANDS.items():
        verb = verbs.add_parser(name, help=_(module.HELP), description=_(module.HELP), formatter_class=_HelpFormatter)
        module.add_arguments(verb)
        _add_lang(verb, argparse.SUPPRESS)
    return parser


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line, with a verb's paths or revisions on both sides of its options, as git takes them:
    argparse reads one run of positionals only, so `diff HEAD~1 --format markdown content/` left content/
    over. Exits 2 on a usage error, as argparse does."""
    parser = build_parser()
    args, left = parser.parse_known_args(argv)
    verbs = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    listed = [action for action in verbs.choices[args.command]._actions
              if not action.option_strings and action.nargs in ("*", "+")]
    if left and listed and not any(word.startswith("-") for word in left):
        convert = listed[0].type if callable(listed[0].type) else str
        getattr(args, listed[0].dest).extend(convert(word) for word in left)
        return args
    return parser.parse_args(argv)  # what is left is not a verb's positional: argparse's own message


def _terminate(signum: int, frame: FrameType | None) -> None:
    # Once only: a second SIGTERM must not cut short the cleanup the first one started.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """SIGTERM raises Terminated in the main thread, so that `finally` blocks run as for Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _say(text: str) -> None:
    sys.stdout.flush()  # what the command printed comes first
    print(said(text), file=sys.stderr, flush=True)


def _one_line(text: str) -> str:
    """A message on one line: a multi-line one (a worker's traceback) keeps its first and last lines."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if len(lines) <= 1 else f"{lines[0]} … {lines[-1]}"


def _speak(argv: Sequence[str]) -> None:
    """Choose the language of every message before anything is said. A language formgen does not speak
    (`--lang fr`, a mistyped FORMGEN_LANG) is a note, not an error: the command goes on in the default
    language, so that a pre-commit hook or a CI job is not stopped by the setting of one machine."""
    asked = i18n.requested(argv)
    i18n.activate(asked)
    if i18n.normalized(asked) is None:
        sys.stdout.flush()
        print(note_line(_("there are no messages in “{language}”; formgen speaks {languages}: choose one with --lang "
                          "or {variable}. The messages follow in Chinese.").format(
            language=asked, languages=", ".join(i18n.available()), variable=i18n.ENVIRONMENT_VARIABLE)),
              file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    _speak(sys.argv[1:] if argv is None else argv)
    try:
        with _sigterm_raises():
            args = parse(argv)  # exits 2 on a usage error
            return COMMANDS[args.command].run(args)
    except FormgenError as error:
        _say(str(error))
        return error.exit_code
    except BrokenPipeError:  # `formgen export | head` is not an error
        return 0
    except KeyboardInterrupt:
        _say(_("interrupted"))
        return EXIT_INTERRUPTED
    except Terminated:
        _say(_("terminated"))
        return EXIT_TERMINATED
    except OSError as error:  # the disk, not formgen: say where and what to do
        if os.environ.get(DEBUG_VARIABLE):
            traceback.print_exc()
        _say(os_error_message(error))
        return 1
    except Exception as error:
        if os.environ.get(DEBUG_VARIABLE):
            traceback.print_exc()
        _say(_("internal error: {kind}: {message} — please report it, with the command you ran (set {variable}=1 "
               "to see where it happened)").format(kind=type(error).__name__, message=_one_line(str(error)),
                                                    variable=DEBUG_VARIABLE))
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
