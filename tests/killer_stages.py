"""Stages for the tests of the run machinery (tests/test_engines.py), defined here at module level so
that worker processes can import them: stages travel to the workers by pickle. It imports no part of
the pipeline itself, so that a fresh worker gets these quickly.

`python -m tests.killer_stages run ...` is `python -m pipeline run ...` with the stages `SLOW`.
"""

from __future__ import annotations

import os
import signal
import sys
import time

KILL = 'УБИВАЕТ-ВОРКЕР'     # a document holding this kills the process running the stage (as the OOM killer)
SLOW = 'ДОЛГО-ДУМАЕТ'       # a document holding this takes a minute in the stage


def kill(doc, res):
    if KILL in doc.text:
        os.kill(os.getpid(), signal.SIGKILL)
    return doc


def die_if(flag: bool) -> bool:
    """A chunk function for an engine: kills its process when `flag`."""
    if flag:
        os.kill(os.getpid(), signal.SIGKILL)
    return flag


def die_if_any(flags: tuple) -> tuple:
    """A chunk function for an engine: kills its process when any of `flags` is true."""
    return flags if not any(flags) else die_if(True)


def split_flags(chunk: tuple) -> list[tuple]:
    """An engine's `split` for chunks (flags,): the flags in two halves."""
    flags, = chunk
    middle = len(flags) // 2
    return [(flags[:middle],), (flags[middle:],)] if middle else [chunk]


def nap(seconds: float) -> float:
    """A chunk function for an engine: sleeps `seconds`, returns them."""
    time.sleep(seconds)
    return seconds


def slow(doc, res):
    if SLOW in doc.text:
        time.sleep(60)
    return doc


def pipeline(name: str, function):
    """The segment stage, then `function` as stage `name`."""
    from pipeline.batch import runner
    return runner.Pipeline((runner.STAGES[0], runner.Stage(name, function)))


def main(argv: list[str]) -> int:
    """The command line, its runs with the stages segment and `slow`."""
    from pipeline import cli
    from pipeline.batch import runner
    plain = runner.run

    def run(*args, **kwargs):
        return plain(*args, stages=pipeline('slow', slow), **kwargs)

    runner.run = run
    return cli.main(argv)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
