"""McNemar's exact test: two models evaluated once on the same test examples.

When each model is trained once, the only randomness left to judge is which
test examples happened to be drawn. McNemar's test looks at the examples
where the two models disagree: `b` that only A gets right and `c` that only
B gets right. Under "no difference" each disagreement is a fair coin, so the
exact two-sided p-value is a binomial tail. It says nothing about how much
the result would move with another training seed: use
`kerasdl.stats.paired_difference` over seeds for that.

Example:
    >>> from kerasdl.stats import mcnemar_exact
    >>> r = mcnemar_exact([1, 1, 1, 0, 1, 1], [1, 0, 0, 0, 1, 1])
    >>> (r.only_a, r.only_b, r.p_value)
    (2, 0, 0.5)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import comb

import numpy as np


@dataclass(frozen=True)
class McNemarResult:
    """Counts of disagreements and the exact two-sided p-value.

    Attributes:
        names: The two model names, A first.
        only_a: Examples A gets right and B gets wrong.
        only_b: Examples B gets right and A gets wrong.
        n_examples: Test examples compared.
        p_value: Exact two-sided p-value (binomial, p = 1/2, on only_a + only_b trials).
        alpha: Significance level used by `verdict`.

    Example:
        >>> McNemarResult(("A", "B"), 3, 3, 100, 1.0).detected
        False
    """

    names: tuple[str, str]
    only_a: int
    only_b: int
    n_examples: int
    p_value: float
    alpha: float = 0.05

    @property
    def detected(self) -> bool:
        """True when the p-value is below `alpha`."""
        return self.p_value < self.alpha

    def verdict(self) -> str:
        """One sentence: who is right where the other is wrong, and what the test says.

        Example:
            >>> mcnemar_exact([1] * 30 + [0] * 5, [0] * 30 + [0] * 5, names=("deep", "shallow")).verdict()[:28]
            'deep is better than shallow '
        """
        a, b = self.names
        counts = (f"{a} alone is right on {self.only_a} of {self.n_examples} test examples, "
                  f"{b} alone on {self.only_b}; exact McNemar p = {self.p_value:.3g}, one training run each")
        if not self.detected:
            return f"No detectable difference between {a} and {b} on this test set ({counts})."
        winner, loser = (a, b) if self.only_a > self.only_b else (b, a)
        return f"{winner} is better than {loser} on this test set ({counts})."

    def __str__(self) -> str:
        return self.verdict()


def mcnemar_exact(
    correct_a: Sequence[bool] | np.ndarray,
    correct_b: Sequence[bool] | np.ndarray,
    names: tuple[str, str] = ("A", "B"),
    alpha: float = 0.05,
) -> McNemarResult:
    """Exact McNemar test on per-example correctness of two models.

    Args:
        correct_a: One boolean per test example: did model A get it right?
        correct_b: The same for model B, on the same examples in the same order.
        names: Names for the verdict.
        alpha: Significance level for `detected` and the verdict.

    Returns:
        A `McNemarResult`.

    Raises:
        ValueError: Unequal lengths, an empty test set, or values other than 0/1.

    Example:
        >>> mcnemar_exact([1, 0, 1, 1], [1, 1, 0, 1]).p_value
        1.0
    """
    a, b = _as_bool("correct_a", correct_a), _as_bool("correct_b", correct_b)
    if len(a) != len(b) or len(a) == 0:
        raise ValueError(f"correct_a and correct_b must describe the same non-empty test set; "
                         f"got {len(a)} and {len(b)} examples.")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a number in (0, 1); got {alpha!r}.")
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
    return McNemarResult((str(names[0]), str(names[1])), only_a, only_b, len(a),
                         exact_binomial_two_sided(only_a, only_b), float(alpha))


def exact_binomial_two_sided(b: int, c: int) -> float:
    """Two-sided exact p-value of `b` successes against `c` failures for a fair coin.

    Computed with exact integer arithmetic: `min(1, 2 * P(X <= min(b, c)))`
    for `X ~ Binomial(b + c, 1/2)`; 1.0 when there are no trials.

    Example:
        >>> exact_binomial_two_sided(0, 5)
        0.0625
    """
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(comb(n, k) for k in range(min(b, c) + 1))
    return float(min(Fraction(1), Fraction(2 * tail, 2**n)))


def _as_bool(name: str, values: Sequence[bool] | np.ndarray) -> np.ndarray:
    array = np.asarray(values).reshape(-1)
    if array.dtype != bool:
        if not np.all(np.isin(array, (0, 1))):
            raise ValueError(f"{name} must hold one 0/1 (or bool) per test example; got values "
                             f"{np.unique(array)[:5].tolist()}.")
        array = array.astype(bool)
    return array
