"""`formgen serve` as a user starts it: a process in a folder, read up to the line naming its address."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from .conftest import ROOT


@contextlib.contextmanager
def serve_process(folder: Path, *, stderr_apart: bool = False) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """`formgen serve --port 0` started in `folder`, with the lines it printed up to its ``serving …`` line
    (its standard error among them unless `stderr_apart`); killed after the block if still running."""
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", "0"], cwd=folder,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE if stderr_apart else subprocess.STDOUT,
                               text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not any(line.startswith("serving ") for line in lines):
            line = process.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        yield process, lines
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
