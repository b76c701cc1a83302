"""The perturbation of a release's figures: the cell-key method, with two parts.

Exact figures published again and again give single workers away by subtraction (issue 27):
a province that counted 523 workers last month and 524 now says where the new worker lives,
and the occupation, gender and age tables say the rest. Every figure a release publishes
below the programme's headline therefore carries a small offset, the sum of two draws from
the same distribution (docs/contract.md "Public releases"):

- a **persistent** part, drawn from the cell's key: the sum of the permanent keys of the
  records behind the figure (``queries.public.record_key``). The same workers give the same
  offset in every release, so saving many releases and averaging them does not remove it;
- a **release** part, drawn from the cell's key and the release's date. Every figure moves a
  little from one release to the next, so which figures changed says nothing about where
  the new workers are.

Each part is a whole number of steps (one worker; three worker-months; Rp 50,400; one claim;
Rp 5,000,000 of benefits) between -B and B, with B = ceil(k / 2): zero with probability
about one third, and each step further half as likely (a two-sided geometric law, cut at
B). So a figure is within 2B steps of the truth, and nobody, however many releases they
hold, can tell a change of one worker from none. Draws are a keyed hash (BLAKE2b) of the
ledger's secret, so a release rebuilt from the same ledger is the same release.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from functools import cache

import pandas as pd

RATIO = 0.5  # each step further from zero is half as likely
# What one step of noise is in each figure's unit.
STEPS = {
    "workers": 1,
    "protected_workers": 1,
    "ended_workers": 1,
    "continued_workers": 1,
    "claims": 1,
    "protected_months": 3,
    "allocated_idr": 50_400,  # three months at Rp 16,800
    "amount_idr": 5_000_000,  # claims: an eighth of a death benefit
}
EXACT = "exact"
CELL_KEY = "cell-key"


@cache
def _cumulative(bound: int) -> tuple[list[float], list[int]]:
    offsets = list(range(-bound, bound + 1))
    weights = [RATIO ** abs(offset) for offset in offsets]
    total = sum(weights)
    running, cumulative = 0.0, []
    for weight in weights:
        running += weight / total
        cumulative.append(running)
    cumulative[-1] = 1.0
    return cumulative, offsets


def draw(u: float, bound: int) -> int:
    """The offset (in steps) whose cumulative probability first reaches ``u`` in [0, 1)."""
    if bound == 0:
        return 0
    cumulative, offsets = _cumulative(bound)
    return offsets[min(bisect.bisect_right(cumulative, u), len(offsets) - 1)]


@dataclass(frozen=True)
class Perturbation:
    """The offsets of one release: ``bound`` steps at most per part (0: exact figures)."""

    salt: int
    as_of: dt.date
    bound: int

    @classmethod
    def exact(cls, salt: int = 0) -> Perturbation:
        return cls(salt, dt.date.min, 0)

    @classmethod
    def for_release(cls, salt: int, as_of: dt.date, k: int) -> Perturbation:
        return cls(salt, as_of, math.ceil(k / 2))

    @property
    def method(self) -> str:
        return EXACT if self.bound == 0 else CELL_KEY

    def limit(self, figure: str) -> int:
        """How far a published ``figure`` may lie from the truth, in its unit."""
        return 2 * self.bound * STEPS[figure]

    def noise(self, figure: str, key: int) -> int:
        """The offset of ``figure`` in a cell whose key is ``key``, in the figure's unit."""
        if self.bound == 0:
            return 0
        persistent = self._uniform(f"{figure}|{key}")
        fresh = self._uniform(f"{figure}|{key}|{self.as_of.isoformat()}")
        steps = draw(persistent, self.bound) + draw(fresh, self.bound)
        return steps * STEPS[figure]

    def frame(self, frame: pd.DataFrame, keys: dict[str, str]) -> pd.DataFrame:
        """``frame``'s figures (each named with its key column) perturbed, never below 0."""
        shown = {}
        for figure, key_column in keys.items():
            shown[figure] = pd.Series(
                [
                    max(0, int(value) + self.noise(figure, int(key)))
                    for value, key in zip(frame[figure], frame[key_column], strict=True)
                ],
                index=frame.index,
                dtype="int64",
            )
        return pd.DataFrame(shown, index=frame.index)

    def describe(self) -> dict:
        """What a release says of its perturbation (the methodology page explains it)."""
        return {
            "method": self.method,
            "steps": dict(STEPS) if self.bound else {},
            "steps_at_most": 2 * self.bound,
        }

    def _uniform(self, text: str) -> float:
        digest = hashlib.blake2b(
            text.encode(), digest_size=8, key=self.salt.to_bytes(8, "big")
        ).digest()
        return int.from_bytes(digest, "big") / 2**64
