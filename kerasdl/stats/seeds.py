"""Train a set of models over several seeds on the same splits, and compare them paired by seed.

`run_over_seeds` is the one way kerasdl compares models: for every seed,
every model is built after `keras.utils.set_random_seed(seed)` (so a builder
gets the same initial weights for the same seed, and two models see the same
shuffling), trained on the training split, its epoch chosen on the
validation split, and evaluated once on validation and once on test. The
result is a tidy table (one row per model per seed) that `paired` and
`verdict` turn into intervals and sentences.

Builders may also return scikit-learn estimators (anything with `fit` and
`predict`); they are fitted on flattened inputs and scored the same way, so
classical and deep models share one comparison.

Example:
    >>> from kerasdl import datasets, models
    >>> from kerasdl.stats import run_over_seeds
    >>> data = datasets.load("wine")
    >>> runs = run_over_seeds({"mlp": lambda: models.shallow_mlp(data.input_shape, 3, hidden_units=8)},
    ...                       data, seeds=2, epochs=1)
    >>> [row["seed"] for row in runs.rows]
    [0, 1]
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kerasdl.stats.paired import PairedDifference, mean_interval, paired_difference
from kerasdl.validation import check_positive_int

_LOWER_IS_BETTER = ("loss", "mae", "mse", "error")


@dataclass
class SeedRuns:
    """One row per model per seed: scores on validation and test, epochs, seconds.

    Attributes:
        rows: Dicts with `model`, `seed`, `params` (or None), `best_epoch`,
            `val_<metric>`, `test_<metric>` and `seconds`.
        metric: The score compared ("accuracy" for classification, "mae" for regression).
        trained: `{(model name, seed): trained model}` when `run_over_seeds` ran
            with `keep_models=True` (Keras models hold the weights of their
            chosen epoch and their `history`), else empty.

    Example:
        >>> runs = SeedRuns([{"model": "a", "seed": s, "val_accuracy": v, "test_accuracy": v}
        ...                  for s, v in enumerate([0.8, 0.9])], metric="accuracy")
        >>> runs.scores("a", split="val").tolist()
        [0.8, 0.9]
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    metric: str = "accuracy"
    trained: dict[tuple[str, int], Any] = field(default_factory=dict, repr=False)

    @property
    def models(self) -> list[str]:
        """Model names in the order they were run."""
        return list(dict.fromkeys(row["model"] for row in self.rows))

    @property
    def seeds(self) -> list[int]:
        """Seeds in the order they were run."""
        return list(dict.fromkeys(row["seed"] for row in self.rows))

    @property
    def higher_is_better(self) -> bool:
        """False for error-like metrics (loss, MAE), True for accuracy-like ones."""
        return not any(word in self.metric for word in _LOWER_IS_BETTER)

    def scores(self, model: str, split: str = "test", metric: str | None = None) -> np.ndarray:
        """A model's scores, one per seed in seed order.

        Example:
            >>> SeedRuns([{"model": "a", "seed": 0, "test_accuracy": 0.5}]).scores("a").tolist()
            [0.5]
        """
        column = self._column(split, metric)
        by_seed = {row["seed"]: row[column] for row in self.rows if row["model"] == model}
        if not by_seed:
            raise ValueError(f"model must be one of {self.models}; got {model!r}.")
        return np.array([by_seed[s] for s in self.seeds if s in by_seed], dtype=float)

    def paired(self, a: str, b: str, split: str = "test", metric: str | None = None,
               confidence: float = 0.95) -> PairedDifference:
        """The paired difference A - B over the seeds both models ran on.

        Accuracy-like metrics are reported in points (x 100).

        Example:
            >>> rows = [{"model": m, "seed": s, "test_accuracy": v} for m, vals in
            ...         {"a": [0.9, 0.92, 0.91], "b": [0.88, 0.9, 0.9]}.items() for s, v in enumerate(vals)]
            >>> round(SeedRuns(rows).paired("a", "b").mean, 2)
            1.67
        """
        column = self._column(split, metric)
        both = [s for s in self.seeds if self._has(a, s, column) and self._has(b, s, column)]
        score = {(row["model"], row["seed"]): row[column] for row in self.rows}
        points = column.endswith(("accuracy", "auc"))
        higher = not any(word in column for word in _LOWER_IS_BETTER)
        return paired_difference([score[a, s] for s in both], [score[b, s] for s in both],
                                 confidence=confidence, names=(a, b), scale=100.0 if points else 1.0,
                                 unit="points" if points else "", higher_is_better=higher)

    def verdict(self, a: str, b: str, split: str = "test", metric: str | None = None) -> str:
        """The verdict sentence of `paired(a, b, split)`, naming the split.

        Example:
            >>> rows = [{"model": m, "seed": s, "test_accuracy": v} for m, vals in
            ...         {"a": [0.9, 0.92], "b": [0.9, 0.91]}.items() for s, v in enumerate(vals)]
            >>> SeedRuns(rows).verdict("a", "b").startswith("test accuracy: No detectable difference")
            True
        """
        column = self._column(split, metric)
        return f"{column.replace('_', ' ')}: {self.paired(a, b, split, metric).verdict()}"

    def best(self, split: str = "val", metric: str | None = None) -> str:
        """The model with the best mean *validation* score (model selection).

        Raises:
            ValueError: `split` is not "val": choosing by test scores makes the
                test split a validation split.

        Example:
            >>> rows = [{"model": m, "seed": 0, "val_accuracy": v} for m, v in (("a", 0.8), ("b", 0.9))]
            >>> SeedRuns(rows).best()
            'b'
        """
        if split != "val":
            raise ValueError(f"split must be 'val' for model selection; got {split!r}. Choose on the "
                             "validation split, then report the chosen model's test score.")
        means = {m: float(self.scores(m, "val", metric).mean()) for m in self.models}
        return (max if self.higher_is_better else min)(means, key=means.get)

    def summary(self, split: str = "test", metric: str | None = None,
                confidence: float = 0.95) -> list[dict[str, Any]]:
        """Per model: mean score, its t interval over seeds, seeds, mean epochs and seconds.

        Example:
            >>> rows = [{"model": "a", "seed": s, "test_accuracy": v, "seconds": 1.0} for s, v in enumerate([0.8, 1.0])]
            >>> SeedRuns(rows).summary()[0]["mean"]
            0.9
        """
        column = self._column(split, metric)
        out = []
        for model in self.models:
            mine = [row for row in self.rows if row["model"] == model]
            mean, low, high = mean_interval([row[column] for row in mine], confidence)
            entry: dict[str, Any] = {"model": model, "split": split, "metric": column.split("_", 1)[1],
                                     "mean": mean, "ci_low": low, "ci_high": high, "seeds": len(mine)}
            if mine[0].get("params") is not None:
                entry["params"] = mine[0]["params"]
            if all("best_epoch" in row for row in mine):
                entry["best_epoch"] = float(np.mean([row["best_epoch"] for row in mine]))
            if all("seconds" in row for row in mine):
                entry["seconds"] = float(np.mean([row["seconds"] for row in mine]))
            out.append(entry)
        return out

    def table(self, split: str = "test", metric: str | None = None) -> str:
        """`summary()` as an aligned text table."""
        from kerasdl.training import format_table

        return format_table(self.summary(split, metric))

    def _column(self, split: str, metric: str | None) -> str:
        if split not in ("val", "test", "train"):
            raise ValueError(f"split must be 'val', 'test' or 'train'; got {split!r}.")
        column = f"{split}_{metric or self.metric}"
        if self.rows and not any(column in row for row in self.rows):
            raise ValueError(f"no {column!r} in the runs; columns: {sorted(self.rows[0])}.")
        return column

    def _has(self, model: str, seed: int, column: str) -> bool:
        return any(r["model"] == model and r["seed"] == seed and column in r for r in self.rows)


def run_over_seeds(
    builders: Mapping[str, Callable[..., Any]],
    data: Any,
    seeds: int | Sequence[int] = 5,
    epochs: int = 20,
    batch_size: int = 32,
    optimizer: str = "adam",
    learning_rate: float = 1e-3,
    select_epoch: str | None = "val_loss",
    callbacks: Callable[[], list] | None = None,
    keep_models: bool = False,
    verbose: int = 0,
) -> SeedRuns:
    """Train every model once per seed on the same splits and collect tidy rows.

    Args:
        builders: Name -> function returning a fresh, uncompiled (or compiled)
            `keras.Model`, or a scikit-learn estimator. A builder that takes a
            `seed` argument receives the seed (use it for `random_state`).
        data: A `kerasdl.datasets.Dataset` with a validation split.
        seeds: How many seeds (0 .. n-1), or the seeds themselves.
        epochs: Training epochs per Keras model.
        batch_size: Mini-batch size.
        optimizer: Optimizer name for uncompiled models.
        learning_rate: Learning rate for them.
        select_epoch: Validation quantity choosing the kept epoch (see
            `kerasdl.training.compare`), or None for the last epoch.
        callbacks: Zero-argument function returning fresh callbacks for each fit.
        keep_models: Keep every trained model in `SeedRuns.trained` (to plot
            or probe them afterwards; they stay in memory).
        verbose: 1 prints one line per model per seed.

    Returns:
        `SeedRuns`.

    Raises:
        ValueError: Bad seeds, or a dataset without a validation split.

    Example:
        >>> from sklearn.linear_model import LogisticRegression
        >>> from kerasdl import datasets
        >>> data = datasets.load("wine")
        >>> runs = run_over_seeds({"logreg": lambda seed: LogisticRegression(random_state=seed)}, data, seeds=2)
        >>> runs.summary()[0]["seeds"]
        2
        >>> kept = run_over_seeds({"logreg": lambda seed: LogisticRegression(random_state=seed)}, data,
        ...                       seeds=[3], keep_models=True)
        >>> sorted(kept.trained)
        [('logreg', 3)]
    """
    import keras

    from kerasdl.training import METRICS, compare

    seed_list = _seed_list(seeds)
    if not isinstance(builders, Mapping) or not builders:
        raise TypeError("builders must be a non-empty dict of name -> function building a model.")
    for name, builder in builders.items():
        if not callable(builder):
            raise TypeError(f"builders[{name!r}] must be a function that builds a model; got {type(builder).__name__}.")
    epochs = check_positive_int("epochs", epochs)
    if not isinstance(keep_models, bool):
        raise TypeError(f"keep_models must be True or False; got {keep_models!r}.")
    x_val, y_val = data.validation
    metric = METRICS.get(getattr(data, "task", "multiclass"), "accuracy")
    runs = SeedRuns(metric=metric)
    for seed in seed_list:
        for name, builder in builders.items():
            keras.utils.set_random_seed(seed)
            model = _call(builder, seed)
            if isinstance(model, keras.Model):
                result = compare({name: model}, data, epochs=epochs, batch_size=batch_size, seed=seed,
                                 optimizer=optimizer, learning_rate=learning_rate, verbose=0,
                                 callbacks=callbacks() if callbacks else None, select_epoch=select_epoch)
                row = dict(result.rows[0])
            elif hasattr(model, "fit") and hasattr(model, "predict"):
                row = _fit_estimator(name, model, data, x_val, y_val, metric)
            else:
                raise TypeError(f"builders[{name!r}] returned {type(model).__name__}; expected a keras.Model "
                                "or an estimator with fit and predict.")
            row["seed"] = seed
            runs.rows.append(row)
            if keep_models:
                runs.trained[name, seed] = model
            if verbose:
                print(f"seed {seed} {name}: val_{metric} {row.get(f'val_{metric}', float('nan')):.4f}, "
                      f"{row['seconds']:.1f} s", flush=True)
    return runs


def _fit_estimator(name: str, estimator: Any, data: Any, x_val: np.ndarray, y_val: np.ndarray,
                   metric: str) -> dict[str, Any]:
    flat = lambda x: np.asarray(x).reshape(len(x), -1)  # noqa: E731
    start = time.perf_counter()
    estimator.fit(flat(data.x_train), np.asarray(data.y_train).reshape(-1))
    seconds = time.perf_counter() - start
    row: dict[str, Any] = {"model": name, "params": None}
    for split, x, y in (("train", data.x_train, data.y_train), ("val", x_val, y_val),
                        ("test", data.x_test, data.y_test)):
        predicted, truth = np.asarray(estimator.predict(flat(x))).reshape(-1), np.asarray(y).reshape(-1)
        row[f"{split}_{metric}"] = (float(np.mean(np.abs(predicted - truth))) if metric == "mae"
                                    else float(np.mean(predicted == truth)))
    row["seconds"] = seconds
    return row


def _call(builder: Callable[..., Any], seed: int) -> Any:
    try:
        takes_seed = "seed" in inspect.signature(builder).parameters
    except (TypeError, ValueError):
        takes_seed = False
    return builder(seed=seed) if takes_seed else builder()


def _seed_list(seeds: int | Sequence[int]) -> list[int]:
    if isinstance(seeds, bool):
        raise ValueError(f"seeds must be a count (>= 1) or a list of integer seeds; got {seeds!r}.")
    if isinstance(seeds, (int, np.integer)):
        return list(range(check_positive_int("seeds", int(seeds))))
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence) or not seeds:
        raise ValueError(f"seeds must be a count (>= 1) or a non-empty list of integer seeds; got {seeds!r}.")
    out = []
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"seeds must hold non-negative integers; got {s!r} in {list(seeds)!r}.")
        out.append(int(s))
    if len(set(out)) != len(out):
        raise ValueError(f"seeds must be distinct (a repeated seed repeats the same run); got {out}.")
    return out
