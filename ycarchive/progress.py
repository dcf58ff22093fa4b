"""Progress bars for the long parts of a build, shown only when stderr is a terminal."""
from __future__ import annotations

import sys


def bar(desc: str, total: int | None = None, unit: str = "file"):
    """A tqdm bar on stderr; silent (and almost free) when stderr is not a terminal, as in CI
    logs, pipes and tests. It disappears when done: the build's summary line is what stays."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not sys.stderr.isatty(),
                leave=False, mininterval=0.25, dynamic_ncols=True)


def own_lock() -> None:
    """Give this (forked) process's bars a lock of its own. tqdm shares one multiprocessing lock
    between a process and those it forks; a process ended by a signal while it held that lock
    (making a bar) left every later bar of its parent waiting for ever: the next build of a
    preview server, after a build that failed and stopped its search process."""
    import threading

    from tqdm import tqdm

    tqdm.set_lock(threading.RLock())
