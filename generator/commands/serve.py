"""formgen serve [PATH…] [--port N] [--host H] [--pdf]: preview the site, rebuilt and reloaded on every save."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path
from types import FrameType

from ..config import CONFIG_NAME, find_config
from ..errors import UsageError
from ..serve import Preview
from .common import add_content_arguments, content_paths, site_root

HELP = "preview the site on this machine: build it, serve it, rebuild and reload the page on every change"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_content_arguments(parser)
    parser.add_argument("--port", type=int, default=8000, metavar="N",
                        help="the port to serve on (default: 8000; 0 picks a free port)")
    parser.add_argument("--host", default="127.0.0.1", metavar="HOST",
                        help="the address to serve on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--pdf", action="store_true", help="also make the PDFs (slower rebuilds)")


def _log(text: str) -> None:
    print(text, flush=True)  # flushed: the terminal (or a pipe) sees each build as it ends


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # `kill` stops as cleanly as Ctrl-C: the temporary folder is removed


def run(args: argparse.Namespace) -> int:
    paths = content_paths(args)
    if args.config is not None and not args.config.is_file():
        raise UsageError(f"{args.config}: no such file")
    root = site_root(args)
    # Without --config: the nearest formgen.toml, or where one would be created (watched for that).
    config = args.config or find_config(Path.cwd()) or root / CONFIG_NAME
    preview = Preview(paths, config=config, site_root=root, host=args.host, port=args.port, pdf=args.pdf, log=_log)
    signal.signal(signal.SIGTERM, _stop)
    try:
        preview.start()
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            _log(f"formgen serve: listening on {args.host}: other machines on the network can open the preview")
        _log(f"serving {preview.url} (press Ctrl-C to stop)")
        preview.wait()
    except KeyboardInterrupt:
        _log("")  # after the terminal's ^C
    finally:
        preview.stop()
    _log("stopped")
    return 0
