"""Progress bars for the long parts of a build, shown only when stderr is a terminal."""
from __future__ import annotations

import sys


class _Quiet:
    """The bar when none is shown: tqdm is not even imported then (5-16 ms of a build,
    bench/import_costs.py)."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def bar(desc: str, total: int | None = None, unit: str = "file"):
    """A tqdm bar on stderr; none when stderr is not a terminal, as in CI logs, pipes and
    tests. It disappears when done: the build's summary line is what stays."""
    if not sys.stderr.isatty():
        return _Quiet()
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False, mininterval=0.25,
                dynamic_ncols=True)


def own_lock() -> None:
    """Give this (forked) process's bars a lock of its own. tqdm shares one multiprocessing lock
    between a process and those it forks; a process ended by a signal while it held that lock
    (making a bar) left every later bar of its parent waiting for ever: the next build of a
    preview server, after a build that failed and stopped its search process."""
    if "tqdm" not in sys.modules:   # no bar made yet: nothing shared with the parent
        return
    import threading

    from tqdm import tqdm

    tqdm.set_lock(threading.RLock())
