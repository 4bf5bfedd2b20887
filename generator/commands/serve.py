"""formgen serve [PATH…] [--port N] [--host H] [--pdf]: preview the site, rebuilt and reloaded on every save."""

from __future__ import annotations

import argparse

from ..config import CONFIG_NAME
from ..extras import require
from ..i18n import N_, _
from .common import add_content_arguments, content_paths, locate_site

HELP = N_("preview the site on this machine: build it, serve it, rebuild and reload the page on every change")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_content_arguments(parser)
    parser.add_argument("--port", type=int, default=8000, metavar="N",
                        help=_("the port to serve on (default: 8000; 0 picks a free port)"))
    parser.add_argument("--host", default="127.0.0.1", metavar="HOST",
                        help=_("the address to serve on (default: 127.0.0.1, this machine only)"))
    parser.add_argument("--pdf", action="store_true", help=_("also make the PDFs (slower rebuilds)"))


def _log(text: str) -> None:
    print(text, flush=True)  # flushed: the terminal (or a pipe) sees each build as it ends


def run(args: argparse.Namespace) -> int:
    require("serve", "serve")  # the watcher is imported only once the preview runs: say now if it is missing
    from ..serve import Preview  # imported when used, as build's

    site = locate_site(args)
    paths = content_paths(args, site)
    # Without --config: the site's formgen.toml, or where one would be created (watched for that).
    config = site.config or site.root / CONFIG_NAME
    preview = Preview(paths, config=config, site_root=site.root, host=args.host, port=args.port, pdf=args.pdf, log=_log)
    # Ctrl-C and `kill` end the wait with KeyboardInterrupt or Terminated: the private folder is removed here,
    # then the CLI says "formgen: interrupted" (exit 130) or "terminated" (143), as for every command.
    try:
        preview.start()
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            _log(_("formgen serve: listening on {host}: other machines on the network can open the preview")
                 .format(host=args.host))
        _log(_("serving {url} (press Ctrl-C to stop)").format(url=preview.url))
        preview.wait()
    finally:
        _log("")  # after the terminal's ^C
        preview.stop()
        _log(_("stopped"))
    return 0
