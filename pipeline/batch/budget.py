"""The time budget of one document: how many seconds all its stages may take together.

A run's budget is an argument (`run(doc_timeout=...)`, `--doc-timeout`) that
travels with each chunk to the process that runs it; nothing here is set
process-wide. This module imports no pandas and no models, so the command
line can check the value before it starts the workers.
"""

from __future__ import annotations

import math
import signal
import threading
from contextlib import contextmanager

DOC_TIMEOUT = 30.0          # seconds per document, all stages together, when the run says nothing
SHORTEST = 0.01             # a shorter budget would stop every document in its first stage
LONGEST = 1e6               # about 11 days; beyond it the interval timer overflows on some systems


class BudgetError(ValueError):
    """A time budget that cannot be used: negative, not a number, too short or too long."""


def time_budget(value: float | str | None) -> float | None:
    """Seconds per document from what a user gave (None: the default); None back means no limit.

    `0` and `inf` mean no limit; negative, `nan`, shorter than SHORTEST or longer than LONGEST
    seconds raise BudgetError with a message saying what is accepted.
    """
    if value is None:
        return DOC_TIMEOUT
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise BudgetError(f'time budget {value!r} is not a number of seconds') from None
    if seconds == 0 or seconds == math.inf:
        return None
    if math.isnan(seconds) or seconds < 0:
        raise BudgetError(f'time budget {value!r}: give seconds >= {SHORTEST:g}, or 0 or inf for no limit')
    if seconds < SHORTEST:
        raise BudgetError(f'time budget {value!r} is shorter than {SHORTEST:g} s: every document would '
                          f'stop in its first stage (0 or inf: no limit)')
    if seconds > LONGEST:
        raise BudgetError(f'time budget {value!r} is longer than {LONGEST:g} s (0 or inf: no limit)')
    return seconds


class DocumentTimeout(Exception):
    """A stage ran past the document's time budget."""


@contextmanager
def budget(seconds: float | None, stage: str):
    """Raise DocumentTimeout in the block after `seconds` (SIGALRM; the main thread of a POSIX process only).

    Elsewhere (Dask worker threads, Windows) nothing is interrupted here:
    the runner then checks each document's time between stages.
    """
    usable = (seconds and seconds > 0 and hasattr(signal, 'setitimer')
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def expired(signum, frame):
        raise DocumentTimeout(f'stage {stage} ran past the time budget of {seconds:g} s')

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
