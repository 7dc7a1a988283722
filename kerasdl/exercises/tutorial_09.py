"""Checks for the exercises of tutorial 09 (deep learning vs classical machine learning).

Example:
    >>> import numpy as np
    >>> from kerasdl import exercises
    >>> [e.id for e in exercises.exercises_of("09")]
    ['09.1', '09.2', '09.3']
    >>> exercises.check("09.1", default_proba=np.full(50, 0.62), small_leaf_proba=np.linspace(0, 1, 50),
    ...                 n_train=25).passed
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from kerasdl.exercises.registry import exercise, expect


def _probabilities(name: str, values: Any) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    expect(array.ndim == 1 and array.size >= 10, f"`{name}` as one probability per test example; got shape {array.shape}")
    expect(np.all(np.isfinite(array)) and array.min() >= 0 and array.max() <= 1,
           f"`{name}` to hold probabilities between 0 and 1")
    return array


@exercise(
    "09.1",
    "The boosted trees' floor",
    hint="Fit HistGradientBoostingClassifier on the 25-example subset twice, with the default "
    "min_samples_leaf and with a smaller one, and pass predict_proba(x_test)[:, 1] of each.",
)
def _hgb_floor(default_proba: Any, small_leaf_proba: Any, n_train: int, min_samples_leaf: int = 20) -> str:
    default = _probabilities("default_proba", default_proba)
    small = _probabilities("small_leaf_proba", small_leaf_proba)
    n_train, leaf = int(n_train), int(min_samples_leaf)
    expect(n_train < 2 * leaf, f"a training set smaller than 2 x min_samples_leaf = {2 * leaf} (the size where no "
           f"split is possible); got n_train={n_train}")
    spread = float(np.ptp(default))
    expect(spread < 1e-9, "one and the same probability for every test example from the default model (it cannot "
           f"split, so every tree is a single leaf); its predictions span {spread:.3g}")
    distinct = len(np.unique(np.round(small, 9)))
    expect(distinct >= 2, f"different probabilities for different examples with the smaller leaves; got {distinct} value")
    return (
        f"With {n_train} examples and min_samples_leaf={leaf} no split has {leaf} examples on both sides, so the "
        f"default model predicts {default[0]:.3f} for every test example (the class share it saw); with smaller "
        f"leaves it gives {distinct} distinct probabilities. The learning curve's smallest point measured that "
        "default, not boosting."
    )


@exercise(
    "09.2",
    "Correlated features shuffled together",
    hint="Shuffle the rows of the group's columns with ONE permutation (so the features stay consistent "
    "with each other) and measure the Brier score's rise, as permutation_importance does for one column.",
)
def _correlated_group(single: Mapping[str, Mapping[str, float]], group: Mapping[str, float]) -> str:
    expect(isinstance(single, Mapping) and isinstance(group, Mapping) and set(single) == set(group) and single,
           "`single` as {model: {feature: importance}} and `group` as {model: importance}, for the same models")
    lines = []
    for model, features in single.items():
        expect(isinstance(features, Mapping) and len(features) >= 2,
               f"single[{model!r}] as a dict of at least two features of the group")
        values = {f: float(v) for f, v in features.items()}
        together = float(group[model])
        top = max(values, key=values.get)
        expect(
            together >= values[top] and together > 0,
            f"shuffling the group together to hurt {model} at least as much as shuffling its most important "
            f"member alone ({top}: {values[top]:.4g}); got {together:.4g}",
        )
        total = sum(values.values())
        lines.append(f"{model}: together {together:.4g}, members alone {total:.4g} in sum"
                     + (f" ({together / total:.1f}x)" if total > 0 else ""))
    return (
        "; ".join(lines) + ". Shuffling one of several correlated features leaves its twins in place, so the "
        "model loses little and each member looks unimportant; shuffled together, the information is gone. "
        "Per-feature permutation importance understates groups of correlated features."
    )


@exercise(
    "09.3",
    "The forest's two explanations",
    hint="Pass the forest's feature_importances_ and its permutation importances (the page's "
    "`importance['RandomForest']`), one value per feature in the same order.",
)
def _impurity_vs_permutation(impurity: Any, permutation: Any) -> str:
    from scipy.stats import spearmanr

    a, b = np.asarray(impurity, dtype=float), np.asarray(permutation, dtype=float)
    expect(a.ndim == 1 and a.shape == b.shape and a.size >= 5,
           f"two arrays with one value per feature, of the same length; got shapes {a.shape} and {b.shape}")
    expect(np.all(a >= 0) and abs(a.sum() - 1) < 1e-6,
           f"`impurity` as the forest's feature_importances_ (non-negative, summing to 1); they sum to {a.sum():.4g}")
    rho = float(spearmanr(a, b).statistic)
    expect(rho > 0.3, f"the two rankings to agree (Spearman rank correlation above 0.3); got {rho:.2f}")
    shared = len(set(np.argsort(a)[::-1][:5]) & set(np.argsort(b)[::-1][:5]))
    return (
        f"Impurity and permutation importance rank the {a.size} features alike (Spearman {rho:.2f}; {shared} of "
        "the top 5 shared): the forest's free explanation and the outside probe tell the same story, which is "
        "what lets the probe stand in for a model without built-in importances, such as the MLP."
    )
