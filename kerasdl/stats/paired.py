"""Paired differences over seeds: a t-based confidence interval and a p-value.

Two models trained with the same seeds (same initial weights for the same
builder, same shuffling, same splits) give one score each per seed. The
question "is A better than B?" is about the *difference* per seed, not about
two separate means: seed-to-seed noise that moves both models together
cancels in the difference. This module computes that difference's mean,
its Student-t confidence interval (standard deviation with ``ddof=1``) and
the two-sided p-value, and words a verdict that never says more than the
interval does.

Example:
    >>> from kerasdl.stats import paired_difference
    >>> result = paired_difference([0.91, 0.93, 0.92], [0.90, 0.91, 0.91], scale=100, unit="points")
    >>> round(result.mean, 2), result.n
    (1.33, 3)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kerasdl.validation import check_bool


@dataclass(frozen=True)
class PairedDifference:
    """The difference A - B over paired runs, with its interval and p-value.

    Attributes:
        names: The two names, A first (A - B is the difference).
        differences: Per-pair differences A - B, already multiplied by `scale`.
        mean: Mean difference.
        sd: Standard deviation of the differences (ddof=1).
        se: Standard error of the mean difference.
        ci_low, ci_high: The confidence interval of the mean difference.
        confidence: Its level (0.95 gives a 95% interval).
        p_value: Two-sided p-value of the paired t-test (H0: mean difference 0).
        t_statistic: The t statistic (`mean / se`); infinite when all differences are equal and non-zero.
        n: Number of pairs (seeds).
        unit: Unit of the differences, e.g. "points" for accuracy x 100.
        higher_is_better: Whether a larger score is better (accuracy) or worse (loss).

    Example:
        >>> r = paired_difference([2.0, 3.0, 4.0], [1.0, 1.0, 1.0])
        >>> (r.mean, r.sd, r.n)
        (2.0, 1.0, 3)
    """

    names: tuple[str, str]
    differences: tuple[float, ...]
    mean: float
    sd: float
    se: float
    ci_low: float
    ci_high: float
    confidence: float
    p_value: float
    t_statistic: float
    n: int
    unit: str = ""
    higher_is_better: bool = True

    @property
    def detected(self) -> bool:
        """True when the interval excludes 0 (a difference is detected at this confidence)."""
        return self.ci_low > 0 or self.ci_high < 0

    def verdict(self, what: str = "seeds") -> str:
        """A one-sentence verdict that says only what the interval supports.

        Args:
            what: What the pairs are ("seeds", "folds", ...), for the sentence.

        Example:
            >>> r = paired_difference([0.93, 0.95, 0.94], [0.90, 0.91, 0.90], scale=100, unit="points")
            >>> r.verdict().split(" (")[0]
            'A is better than B by 3.7 points'
        """
        a, b = self.names
        level = f"{round(self.confidence * 100):g}%"
        unit = f" {self.unit}" if self.unit else ""
        interval = f"[{self.ci_low:+.2f}, {self.ci_high:+.2f}]{unit}"
        stats = f"{level} CI of {a} - {b} {interval}, paired over {self.n} {what}, {_p(self.p_value)}"
        if not self.detected:
            return f"No detectable difference between {a} and {b} at {self.n} {what} ({stats})."
        a_larger = self.mean > 0
        winner, loser = (a, b) if a_larger == self.higher_is_better else (b, a)
        return f"{winner} is better than {loser} by {abs(self.mean):.2g}{unit} ({stats})."

    def __str__(self) -> str:
        return self.verdict()


def paired_difference(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    confidence: float = 0.95,
    names: tuple[str, str] = ("A", "B"),
    scale: float = 1.0,
    unit: str = "",
    higher_is_better: bool = True,
) -> PairedDifference:
    """Mean of the paired differences `a - b`, its t interval and two-sided p-value.

    Args:
        a: Scores of model A, one per seed (or fold), in the same order as `b`.
        b: Scores of model B on the same seeds.
        confidence: Level of the interval, in (0, 1).
        names: Names of A and B for the verdict.
        scale: Multiplies the differences (100 turns accuracies into points).
        unit: Unit of the scaled differences, for the verdict.
        higher_is_better: False for scores where lower is better (losses, error rates).

    Returns:
        A `PairedDifference`.

    Raises:
        ValueError: Fewer than two pairs, unequal lengths, non-finite scores,
            or a confidence outside (0, 1).

    Example:
        >>> r = paired_difference([0.80, 0.82, 0.81, 0.83], [0.80, 0.81, 0.82, 0.82], scale=100)
        >>> r.detected, round(r.p_value, 3)
        (False, 0.638)
    """
    from scipy import stats

    x, y = _as_scores("a", a), _as_scores("b", b)
    if len(x) != len(y):
        raise ValueError(f"a and b must hold one score per seed each; got {len(x)} and {len(y)} scores.")
    if len(x) < 2:
        raise ValueError(f"a paired interval needs at least 2 pairs (seeds); got {len(x)}.")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a number in (0, 1), e.g. 0.95; got {confidence!r}.")
    check_bool("higher_is_better", higher_is_better)
    d = (x - y) * float(scale)
    n = len(d)
    mean = float(d.mean())
    sd = float(d.std(ddof=1))
    se = sd / math.sqrt(n)
    df = n - 1
    if se > 0:
        t_stat = mean / se
        p = float(2 * stats.t.sf(abs(t_stat), df))
        half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    else:
        # Every pair differs by the same amount: no spread, so the interval is that one value.
        t_stat = 0.0 if mean == 0 else math.copysign(math.inf, mean)
        p = 1.0 if mean == 0 else 0.0
        half = 0.0
    return PairedDifference(
        names=(str(names[0]), str(names[1])), differences=tuple(float(v) for v in d), mean=mean, sd=sd, se=se,
        ci_low=mean - half, ci_high=mean + half, confidence=float(confidence), p_value=p, t_statistic=t_stat,
        n=n, unit=unit, higher_is_better=bool(higher_is_better),
    )


def mean_interval(values: Sequence[float] | np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of `values` and its t confidence interval (ddof=1), as `(mean, low, high)`.

    With one value the interval is that value (nothing is known about the spread).

    Example:
        >>> m, lo, hi = mean_interval([1.0, 2.0, 3.0])
        >>> m, round(lo, 3), round(hi, 3)
        (2.0, -0.484, 4.484)
    """
    from scipy import stats

    v = _as_scores("values", values)
    if len(v) == 0:
        raise ValueError("values must hold at least one score; got none.")
    mean = float(v.mean())
    if len(v) < 2:
        return mean, mean, mean
    half = float(stats.t.ppf(0.5 + confidence / 2, len(v) - 1)) * float(v.std(ddof=1)) / math.sqrt(len(v))
    return mean, mean - half, mean + half


def prediction_interval(
    values: Sequence[float] | np.ndarray, confidence: float = 0.99
) -> tuple[float, float, float]:
    """Where one more run is expected to land, from `values` of earlier runs: `(mean, low, high)`.

    A confidence interval says where the *mean* lies; a learner's single run
    scatters more than that. The Student-t prediction interval for one new
    observation is ``mean +- t(n-1) * sd * sqrt(1 + 1/n)`` (ddof=1). kerasdl's
    exercise checks use it as their tolerance band. It needs at least two values.

    Example:
        >>> m, lo, hi = prediction_interval([1.0, 2.0, 3.0], confidence=0.95)
        >>> m, round(lo, 3), round(hi, 3)
        (2.0, -2.968, 6.968)
    """
    from scipy import stats

    v = _as_scores("values", values)
    if len(v) < 2:
        raise ValueError(f"values must hold at least two scores for a prediction interval; got {len(v)}.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1; got {confidence!r}.")
    mean = float(v.mean())
    half = float(stats.t.ppf(0.5 + confidence / 2, len(v) - 1)) * float(v.std(ddof=1)) * math.sqrt(1 + 1 / len(v))
    return mean, mean - half, mean + half


def _as_scores(name: str, values: Sequence[float] | np.ndarray) -> np.ndarray:
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of numbers; got {values!r}.")
    try:
        array = np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a sequence of numbers; got {values!r}.") from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must hold finite scores; got {array.tolist()}.")
    return array


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
