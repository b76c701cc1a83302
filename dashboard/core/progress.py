"""How a long job says how far it is: a bar on the terminal (the CLI's ``--progress``), or a
report to whoever started it (the admin console's jobs, ``dashboard.web.jobs``)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from tqdm import tqdm

# (what, done, total): "allocate", 1,200 donations of 3,000 (total None while unknown)
Report = Callable[[str, int, int | None], None]


class _Reported(tqdm):
    """tqdm's counting and throttling (at most two reports a second), reported instead of
    drawn."""

    def __init__(self, *args, report: Report, **kwargs) -> None:
        self._report = report
        super().__init__(*args, file=io.StringIO(), mininterval=0.5, **kwargs)

    def display(self, msg: str | None = None, pos: int | None = None) -> bool:
        self._report(self.desc, self.n, self.total)
        return True


def progress_bar(
    progress: bool | Report,
    iterable: Iterable | None = None,
    *,
    desc: str,
    total: int | None = None,
    unit: str = "it",
) -> tqdm:
    """A tqdm bar: drawn on a terminal when ``progress`` is True, reported when it is a
    ``Report``, silent when it is False."""
    if callable(progress):
        return _Reported(iterable, desc=desc, total=total, unit=unit, leave=False, report=progress)
    # Drawn only on a terminal (tqdm's disable=None): in a log file a bar's redraws would
    # run into the lines printed between them.
    disable = None if progress else True
    return tqdm(iterable, desc=desc, total=total, unit=unit, disable=disable, leave=False)
