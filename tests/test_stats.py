"""kerasdl.stats against independent references (scipy, statsmodels), and honest model selection.

The statistics are compared with `scipy.stats.ttest_rel`, `scipy.stats.t`,
`scipy.stats.binomtest` and statsmodels' `mcnemar` on fixed numbers; the
training side checks that seeds pair runs and that nothing chosen depends on
the test split (its labels are poisoned and the choices must not move).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats as sps

from kerasdl import datasets, models, training
from kerasdl.stats import (
    SeedRuns,
    exact_binomial_two_sided,
    learning_curve,
    mcnemar_exact,
    mean_interval,
    paired_difference,
    run_over_seeds,
)

PAIRS = [
    ([0.912, 0.934, 0.921, 0.945, 0.928], [0.901, 0.915, 0.925, 0.930, 0.911]),
    ([0.50, 0.61, 0.58], [0.52, 0.57, 0.49]),
    ([1.0, 2.0, 3.5, 2.2, 0.1, 4.4, 3.3], [0.9, 2.4, 3.1, 2.0, 0.5, 4.0, 3.6]),
    ([10.0, 12.0], [9.0, 9.5]),
]


@pytest.mark.backend_neutral
@pytest.mark.parametrize("a, b", PAIRS)
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_paired_difference_matches_scipy_ttest_rel(a, b, confidence):
    ours = paired_difference(a, b, confidence=confidence)
    ref = sps.ttest_rel(a, b)
    interval = ref.confidence_interval(confidence)
    assert abs(ours.p_value - ref.pvalue) < 1e-10
    assert abs(ours.t_statistic - ref.statistic) < 1e-10
    assert abs(ours.ci_low - interval.low) < 1e-10 and abs(ours.ci_high - interval.high) < 1e-10
    d = np.subtract(a, b)
    half = sps.t.ppf(0.5 + confidence / 2, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    assert abs((ours.ci_high - ours.ci_low) / 2 - half) < 1e-10
    assert ours.sd == pytest.approx(d.std(ddof=1), abs=1e-12) and ours.n == len(d)


@pytest.mark.backend_neutral
def test_paired_difference_scale_direction_and_verdicts():
    a, b = PAIRS[0]
    scaled = paired_difference(a, b, scale=100, unit="points", names=("deep", "shallow"))
    plain = paired_difference(a, b)
    assert scaled.mean == pytest.approx(100 * plain.mean) and scaled.p_value == pytest.approx(plain.p_value)
    assert scaled.detected and scaled.verdict().startswith("deep is better than shallow by ")
    assert "5 seeds" in scaled.verdict() and "95% CI" in scaled.verdict()
    flipped = paired_difference(b, a, scale=100, unit="points", names=("shallow", "deep"))
    assert flipped.verdict().startswith("deep is better than shallow")
    # Lower is better (losses): the smaller mean wins.
    loss = paired_difference([0.2, 0.21, 0.19], [0.3, 0.32, 0.31], names=("A", "B"), higher_is_better=False)
    assert loss.verdict().startswith("A is better than B")
    unclear = paired_difference(*PAIRS[1], names=("x", "y"))
    assert not unclear.detected and unclear.verdict().startswith("No detectable difference between x and y")
    assert unclear.ci_low < 0 < unclear.ci_high


@pytest.mark.backend_neutral
def test_paired_difference_degenerate_and_bad_input():
    same = paired_difference([0.5, 0.6], [0.5, 0.6])
    assert (same.mean, same.p_value, same.ci_low, same.ci_high, same.detected) == (0.0, 1.0, 0.0, 0.0, False)
    shifted = paired_difference([0.75, 0.5, 0.25], [0.5, 0.25, 0.0])  # exact in binary: no spread at all
    assert shifted.detected and shifted.p_value == 0.0
    with pytest.raises(ValueError, match="at least 2"):
        paired_difference([0.5], [0.4])
    with pytest.raises(ValueError, match="one score per seed"):
        paired_difference([0.5, 0.6], [0.4])
    with pytest.raises(ValueError, match="confidence"):
        paired_difference([0.5, 0.6], [0.4, 0.5], confidence=95)
    with pytest.raises(ValueError, match="finite"):
        paired_difference([0.5, float("nan")], [0.4, 0.5])
    with pytest.raises(TypeError, match="sequence of numbers"):
        paired_difference("ab", [0.4, 0.5])


@pytest.mark.backend_neutral
def test_mean_interval_matches_scipy():
    values = [0.91, 0.95, 0.9, 0.97, 0.93]
    mean, low, high = mean_interval(values, 0.95)
    ref = sps.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=sps.sem(values))
    assert abs(low - ref[0]) < 1e-10 and abs(high - ref[1]) < 1e-10 and mean == pytest.approx(np.mean(values))
    assert mean_interval([0.4]) == (0.4, 0.4, 0.4)


@pytest.mark.backend_neutral
@pytest.mark.parametrize("b, c", [(0, 0), (0, 5), (3, 3), (7, 2), (1, 12), (25, 40), (130, 95), (400, 371)])
def test_exact_binomial_matches_scipy_and_statsmodels(b, c):
    from statsmodels.stats.contingency_tables import mcnemar

    ours = exact_binomial_two_sided(b, c)
    assert abs(ours - mcnemar([[50, b], [c, 50]], exact=True).pvalue) < 1e-10
    if b + c:
        assert abs(ours - sps.binomtest(b, b + c, 0.5).pvalue) < 1e-10


@pytest.mark.backend_neutral
def test_mcnemar_exact_counts_disagreements():
    rng = np.random.default_rng(0)
    a = rng.random(400) < 0.9
    b = rng.random(400) < 0.8
    result = mcnemar_exact(a, b, names=("cnn", "mlp"))
    assert result.only_a == int(np.sum(a & ~b)) and result.only_b == int(np.sum(~a & b))
    assert result.n_examples == 400
    assert result.detected and result.verdict().startswith("cnn is better than mlp on this test set")
    assert "one training run each" in result.verdict()
    tie = mcnemar_exact([1, 0, 1, 0], [0, 1, 1, 0])
    assert tie.p_value == 1.0 and tie.verdict().startswith("No detectable difference")
    with pytest.raises(ValueError, match="same non-empty test set"):
        mcnemar_exact([1, 0], [1])
    with pytest.raises(ValueError, match="0/1"):
        mcnemar_exact([0.5, 1], [1, 1])


def _rows(values: dict[str, list[float]], split: str = "test") -> SeedRuns:
    return SeedRuns([{"model": m, "seed": s, f"{split}_accuracy": v} for m, vs in values.items()
                     for s, v in enumerate(vs)])


@pytest.mark.backend_neutral
def test_seed_runs_pairs_by_seed_and_selects_on_validation():
    runs = _rows({"a": [0.9, 0.92, 0.94], "b": [0.89, 0.9, 0.91]})
    # Seeds run in a different order still pair by seed.
    shuffled = SeedRuns(list(reversed(runs.rows)))
    assert shuffled.paired("a", "b").mean == pytest.approx(runs.paired("a", "b").mean)
    ref = sps.ttest_rel([0.9, 0.92, 0.94], [0.89, 0.9, 0.91])
    assert abs(runs.paired("a", "b").p_value - ref.pvalue) < 1e-10
    assert runs.paired("a", "b").unit == "points"
    with pytest.raises(ValueError, match="validation"):
        runs.best(split="test")
    with pytest.raises(ValueError, match="model must be one of"):
        runs.scores("zzz")
    assert runs.verdict("a", "b").startswith("test accuracy: ")


@pytest.fixture(scope="module")
def wine():
    return datasets.load("wine")


def _builders(data):
    return {
        "shallow": lambda: models.shallow_mlp(data.input_shape, 3, hidden_units=8),
        "deep": lambda: models.deep_mlp(data.input_shape, 3, depth=3, width=8, dropout=0.2),
    }


@pytest.mark.backend_neutral
def test_same_seed_gives_same_initial_weights_across_calls(wine):
    starts: list[list[np.ndarray]] = []

    def build():
        model = models.deep_mlp(wine.input_shape, 3, depth=2, width=8)
        starts.append([w.copy() for w in model.get_weights()])
        return model

    run_over_seeds({"m": build}, wine, seeds=[3], epochs=1)
    run_over_seeds({"m": build}, wine, seeds=[3, 4], epochs=1)
    assert all(np.array_equal(x, y) for x, y in zip(starts[0], starts[1]))
    assert not all(np.array_equal(x, y) for x, y in zip(starts[1], starts[2]))


@pytest.mark.backend_neutral
def test_model_selection_never_reads_the_test_split(wine):
    rng = np.random.default_rng(1)
    poisoned = replace(wine, y_test=rng.permutation(wine.y_test)[::-1].copy(),
                       x_test=rng.normal(size=wine.x_test.shape).astype("float32"))
    clean = training.compare(_builders(wine), wine, epochs=6, verbose=0, seed=2)
    dirty = training.compare(_builders(wine), poisoned, epochs=6, verbose=0, seed=2)
    for a, b in zip(clean.rows, dirty.rows):
        assert a["best_epoch"] == b["best_epoch"]
        assert a["val_accuracy"] == b["val_accuracy"] and a["val_loss"] == b["val_loss"]
    assert clean.best("val_accuracy")["model"] == dirty.best("val_accuracy")["model"]
    with pytest.raises(ValueError, match="validation column"):
        clean.best("test_accuracy")
    a_runs = run_over_seeds(_builders(wine), wine, seeds=2, epochs=3)
    b_runs = run_over_seeds(_builders(wine), poisoned, seeds=2, epochs=3)
    assert a_runs.best() == b_runs.best()
    assert [r["best_epoch"] for r in a_runs.rows] == [r["best_epoch"] for r in b_runs.rows]


@pytest.mark.backend_neutral
def test_best_epoch_weights_are_restored(wine):
    result = training.compare(_builders(wine), wine, epochs=8, verbose=0, seed=0)
    for row in result.rows:
        history = result.histories[row["model"]]["val_loss"]
        assert row["best_epoch"] == int(np.argmin(history)) + 1
        assert row["val_loss"] == pytest.approx(min(history), rel=1e-4, abs=1e-5)
    with pytest.raises(ValueError, match="validation quantity"):
        training.BestEpoch("loss")


@pytest.mark.backend_neutral
def test_run_over_seeds_mixes_keras_and_sklearn_and_learning_curves(wine):
    from sklearn.linear_model import LogisticRegression

    builders = {"logreg": lambda seed: LogisticRegression(max_iter=500, random_state=seed),
                "mlp": lambda: models.shallow_mlp(wine.input_shape, 3, hidden_units=8)}
    runs = run_over_seeds(builders, wine, seeds=2, epochs=2)
    assert runs.models == ["logreg", "mlp"] and runs.seeds == [0, 1]
    assert {"val_accuracy", "test_accuracy", "seconds"} <= set(runs.rows[0])
    assert len(runs.summary()) == 2 and "logreg" in runs.table()
    curve = learning_curve(builders, wine, sizes=[40, 20], seeds=2, epochs=1)
    assert curve.sizes == [20, 40] and curve.scores("mlp").shape == (2, 2)
    assert set(curve.paired("logreg", "mlp")) == {20, 40}
    with pytest.raises(ValueError, match="seeds"):
        run_over_seeds(builders, wine, seeds=[1, 1])
    with pytest.raises(ValueError, match="exceeds"):
        learning_curve(builders, wine, sizes=[10_000])


@pytest.mark.backend_neutral
def test_kept_models_are_the_scored_ones(wine):
    # keep_models hands back the very networks the rows describe: evaluating a kept model on
    # validation gives its row's score, and it carries the curves of its own fit.
    builders = {"a": lambda: models.shallow_mlp(wine.input_shape, 3, hidden_units=8),
                "b": lambda: models.deep_mlp(wine.input_shape, 3, depth=2, width=8)}
    runs = run_over_seeds(builders, wine, seeds=[0, 1], epochs=3, keep_models=True)
    assert sorted(runs.trained) == [("a", 0), ("a", 1), ("b", 0), ("b", 1)]
    x_val, y_val = wine.validation
    for row in runs.rows:
        model = runs.trained[row["model"], row["seed"]]
        score = model.evaluate(x_val, y_val, verbose=0, return_dict=True)["accuracy"]
        assert score == pytest.approx(row["val_accuracy"], abs=1e-6)
        assert len(model.history.history["val_loss"]) == 3
    assert run_over_seeds(builders, wine, seeds=1, epochs=1).trained == {}
    with pytest.raises(TypeError, match="keep_models must be True or False"):
        run_over_seeds(builders, wine, seeds=1, epochs=1, keep_models="yes")


@pytest.mark.parametrize("name", ["digits", "breast_cancer", "wine", "spirals", "waveforms"])
def test_three_splits_are_disjoint_and_stratified(name):
    data = datasets.load(name)
    rows = {split: {r.tobytes() for r in x.reshape(len(x), -1)}
            for split, x in (("train", data.x_train), ("val", data.x_val), ("test", data.x_test))}
    # sklearn's digits holds a few exact duplicate images; identical rows can only come from those.
    allowed = 5 if name == "digits" else 0
    assert len(rows["train"] & rows["val"]) <= allowed and len(rows["train"] & rows["test"]) <= allowed
    assert len(rows["val"] & rows["test"]) <= allowed
    n_all = len(data.x_train) + len(data.x_val)
    assert len(data.x_val) == round(0.2 * n_all)
    train_share = np.bincount(data.y_train) / len(data.y_train)
    val_share = np.bincount(data.y_val, minlength=len(train_share)) / len(data.y_val)
    assert np.abs(train_share - val_share).max() < 0.03
    assert data.validation[0] is data.x_val and data.test[0] is data.x_test


def test_two_way_split_on_request_and_clear_error():
    two = datasets.load("wine", validation_size=0)
    three = datasets.load("wine")
    assert two.x_val is None and len(two.x_train) == len(three.x_train) + len(three.x_val)
    with pytest.raises(ValueError, match="no validation split"):
        two.validation
    with pytest.raises(ValueError, match="validation_size"):
        datasets.load("wine", validation_size=1.5)
    again = three.split_validation(0.2)
    assert len(again.x_train) == len(three.x_train)
    np.testing.assert_allclose(three.x_train.mean(axis=0), 0.0, atol=1e-5)
