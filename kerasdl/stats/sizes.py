"""Learning curves over training-set size, with paired intervals over seeds.

For each size `n`, every model is trained on the same stratified subset of
`n` training examples per seed (`Dataset.subset(n, seed)`), so at each size
the models are paired by seed exactly as in `run_over_seeds`. Validation and
test splits stay the same at every size.

Example:
    >>> from sklearn.linear_model import LogisticRegression
    >>> from kerasdl import datasets
    >>> from kerasdl.stats import learning_curve
    >>> data = datasets.load("wine")
    >>> curve = learning_curve({"logreg": lambda seed: LogisticRegression(random_state=seed)},
    ...                        data, sizes=[30, 60], seeds=2)
    >>> curve.sizes
    [30, 60]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kerasdl.stats.paired import PairedDifference
from kerasdl.stats.seeds import SeedRuns, _seed_list, run_over_seeds
from kerasdl.validation import check_positive_int


@dataclass
class LearningCurve:
    """`SeedRuns` per training-set size.

    Attributes:
        runs: Training-set size -> `SeedRuns` at that size.

    Example:
        >>> rows = [{"model": "a", "seed": 0, "test_accuracy": 0.7}]
        >>> LearningCurve({10: SeedRuns(rows)}).sizes
        [10]
    """

    runs: dict[int, SeedRuns] = field(default_factory=dict)

    @property
    def sizes(self) -> list[int]:
        """The training-set sizes, ascending."""
        return sorted(self.runs)

    @property
    def models(self) -> list[str]:
        """Model names."""
        return self.runs[self.sizes[0]].models if self.runs else []

    @property
    def metric(self) -> str:
        """The compared score."""
        return self.runs[self.sizes[0]].metric if self.runs else "accuracy"

    def scores(self, model: str, split: str = "test") -> np.ndarray:
        """Array of shape `(sizes, seeds)` of one model's scores.

        Example:
            >>> rows = [{"model": "a", "seed": s, "test_accuracy": v} for s, v in enumerate([0.7, 0.8])]
            >>> LearningCurve({10: SeedRuns(rows)}).scores("a").tolist()
            [[0.7, 0.8]]
        """
        return np.stack([self.runs[n].scores(model, split) for n in self.sizes])

    def paired(self, a: str, b: str, split: str = "test") -> dict[int, PairedDifference]:
        """Size -> paired difference A - B at that size."""
        return {n: self.runs[n].paired(a, b, split) for n in self.sizes}

    def rows(self, split: str = "test") -> list[dict[str, Any]]:
        """Per size and model: mean and interval (the `SeedRuns.summary` rows with `n_train`).

        Example:
            >>> rows = [{"model": "a", "seed": s, "test_accuracy": v} for s, v in enumerate([0.7, 0.9])]
            >>> LearningCurve({10: SeedRuns(rows)}).rows()[0]["n_train"]
            10
        """
        return [{"n_train": n, **row} for n in self.sizes for row in self.runs[n].summary(split)]

    def table(self, split: str = "test") -> str:
        """`rows()` as an aligned text table."""
        from kerasdl.training import format_table

        return format_table(self.rows(split))


def learning_curve(
    builders: Mapping[str, Callable[..., Any]],
    data: Any,
    sizes: Sequence[int],
    seeds: int | Sequence[int] = 5,
    **run_kwargs: Any,
) -> LearningCurve:
    """Run `run_over_seeds` at several training-set sizes.

    Args:
        builders: As for `run_over_seeds`.
        data: A `kerasdl.datasets.Dataset` with a validation split.
        sizes: Training-set sizes, each in [1, len(data.x_train)].
        seeds: How many seeds, or the seeds. The subset at each size is drawn
            with the run's seed, so the paired runs share their data.
        **run_kwargs: Passed to `run_over_seeds` (epochs, batch_size, ...).

    Returns:
        A `LearningCurve`.

    Example:
        >>> from sklearn.tree import DecisionTreeClassifier
        >>> from kerasdl import datasets
        >>> data = datasets.load("wine")
        >>> curve = learning_curve({"tree": lambda seed: DecisionTreeClassifier(random_state=seed)},
        ...                        data, sizes=[20], seeds=2)
        >>> curve.scores("tree").shape
        (1, 2)
    """
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or not sizes:
        raise ValueError(f"sizes must be a non-empty list of training-set sizes; got {sizes!r}.")
    limit = len(data.x_train)
    checked = []
    for i, n in enumerate(sizes):
        n = check_positive_int(f"sizes[{i}]", n)
        if n > limit:
            raise ValueError(f"sizes[{i}]={n} exceeds the {limit} training examples.")
        checked.append(n)
    curve = LearningCurve()
    for n in sorted(set(checked)):
        merged = SeedRuns()
        for seed in _seed_list(seeds):
            part = run_over_seeds(builders, data.subset(n, seed=seed), seeds=[seed], **run_kwargs)
            merged.rows.extend(part.rows)
            merged.metric = part.metric
        curve.runs[n] = merged
    return curve
