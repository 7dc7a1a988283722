"""The diagnosis rules: each fires on a real run that fails its way and stays silent on healthy runs.

The real runs (tests/diagnose_cases.py) train small networks on the 8x8 digits or the spirals
for a few epochs; the main rules are checked over three seeds. The threshold logic itself is
checked on hand-made recordings, which is fast and backend-neutral.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from diagnose_cases import build, mlp  # noqa: E402

from kerasdl.diagnose import KINDS, RULES, TUTORIALS, Diagnosis, DiagnosisCallback, Finding, diagnose  # noqa: E402
from kerasdl.diagnose import thresholds as T  # noqa: E402
from kerasdl.recorders import ActivationHistory, GradientHistory  # noqa: E402

SEEDS = (0, 1, 2)
_CACHE: dict = {}


def _run(name: str, seed: int):
    if (name, seed) not in _CACHE:
        case = build(name, seed)
        _CACHE[(name, seed)] = diagnose(case.history, case.gradients, case.activations, case.model)
    return _CACHE[(name, seed)]


# ---- real failing runs -------------------------------------------------------------------------

MAIN = [  # (case, the finding it must produce)
    ("vanishing", "vanishing_gradients"),
    ("exploding", "exploding_gradients"),
    ("exploding", "nonfinite_gradients"),
    ("lr_high", "lr_too_high"),
    ("lr_low", "lr_too_low"),
    ("overfit", "overfitting"),
    ("dead_relu", "dead_relu"),
]
OTHERS = [
    ("underfit", "underfitting"),
    ("val_below", "val_below_train"),
    ("saturated", "saturated_units"),
    ("clipping", "clipping_always_on"),
]


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case,kind", MAIN, ids=[f"{c}-{k}" for c, k in MAIN])
def test_main_rules_fire_on_their_failing_run(case, kind, seed):
    d = _run(case, seed)
    assert kind in d.kinds, d.report()
    finding = d.by_kind(kind)[0]
    assert finding.tutorial == TUTORIALS[kind] and finding.fix and finding.explanation
    assert finding.evidence.get("steps") or finding.evidence.get("epochs") or finding.evidence.get("layer")


@pytest.mark.slow
@pytest.mark.parametrize("case,kind", OTHERS, ids=[f"{c}-{k}" for c, k in OTHERS])
def test_other_rules_fire_on_their_failing_run(case, kind):
    d = _run(case, 0)
    assert kind in d.kinds, d.report()


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_healthy_run_has_no_finding(seed):
    d = _run("healthy", seed)
    assert d.findings == [], d.report()
    assert {"vanishing_gradients", "dead_relu", "overfitting", "lr_too_high"} <= set(d.checked)


@pytest.mark.slow
def test_evidence_names_the_layer_and_steps():
    f = _run("vanishing", 0).by_kind("vanishing_gradients")[0]
    assert f.evidence["first_layer"] == "hidden_1" and f.evidence["last_layer"] == "output"
    assert f.evidence["median_ratio"] < T.VANISHING_RATIO
    assert f.evidence["steps"][0] == 0 and f.evidence["steps"][1] > 10
    f = _run("overfit", 0).by_kind("overfitting")[0]
    assert f.evidence["epochs_since_best"] >= T.OVERFIT_PATIENCE


# ---- BatchNorm inside a frozen backbone (needs no training) ------------------------------------

def _backbone_model(freeze_bn: bool, freeze_backbone: bool = True):
    inner_in = keras.Input((8, 8, 1))
    h = inner_in
    for i in range(3):
        h = keras.layers.Conv2D(4, 3, padding="same", name=f"conv_{i}")(h)
        h = keras.layers.BatchNormalization(name=f"bn_{i}")(h)
        h = keras.layers.ReLU(name=f"relu_{i}")(h)
    backbone = keras.Model(inner_in, keras.layers.GlobalAveragePooling2D()(h), name="backbone")
    x = keras.Input((8, 8, 1))
    model = keras.Model(x, keras.layers.Dense(10, name="head")(backbone(x)))
    if freeze_backbone:
        for layer in backbone.layers:
            is_bn = isinstance(layer, keras.layers.BatchNormalization)
            layer.trainable = (not freeze_bn) if is_bn else layer.name == "conv_2"  # top block unfrozen
    return model


@pytest.mark.backend_neutral
def test_batchnorm_trainable_in_frozen_backbone():
    d = diagnose(model=_backbone_model(freeze_bn=False), rules=["batchnorm_in_frozen_backbone"])
    (f,) = d.findings
    assert f.evidence["backbone"] == "backbone" and f.evidence["layers"] == ["bn_0", "bn_1", "bn_2"]
    assert f.evidence["frozen_fraction"] == pytest.approx(2 / 3)
    for healthy in (_backbone_model(freeze_bn=True), _backbone_model(False, freeze_backbone=False)):
        assert diagnose(model=healthy, rules=["batchnorm_in_frozen_backbone"]).findings == []


# ---- the thresholds on hand-made recordings (fast) --------------------------------------------

def _grads(first, last, clipped=None):
    h = GradientHistory(columns=[("hidden_1", "kernel"), ("output", "kernel")])
    rows = {"l2": np.stack([first, last], axis=1)}
    if clipped is not None:
        rows["l2_clipped"] = clipped
    h.append(range(len(first)), rows)
    return h


@pytest.mark.backend_neutral
def test_vanishing_threshold_and_step_fraction():
    n = 10
    assert diagnose(gradients=_grads([0.009] * n, [1.0] * n)).kinds == ["vanishing_gradients"]
    assert diagnose(gradients=_grads([0.011] * n, [1.0] * n)).findings == []
    # Below the ratio on only 4 of 10 steps: not a property of the run.
    assert diagnose(gradients=_grads([0.001] * 4 + [0.5] * 6, [1.0] * n)).findings == []


@pytest.mark.backend_neutral
def test_exploding_and_nonfinite_thresholds():
    assert diagnose(gradients=_grads([2e3, 1.0], [1.0, 1.0])).kinds == ["exploding_gradients"]
    assert diagnose(gradients=_grads([9e2, 1.0], [9.0, 1.0])).findings == []
    grows = diagnose(gradients=_grads([150.0] * 3, [1.0] * 3))
    assert grows.kinds == ["exploding_gradients"] and "grows on its way" in grows.findings[0].summary
    d = diagnose(gradients=_grads([1.0, np.inf, np.nan], [1.0, 1.0, np.nan]))
    assert d.kinds == ["nonfinite_gradients"]
    assert d.findings[0].evidence["first_step"] == 1 and d.findings[0].evidence["layers"] == ["hidden_1"]


@pytest.mark.backend_neutral
def test_clipping_rule_needs_nine_steps_in_ten():
    raw = np.ones((10, 2))
    always = np.full((10, 2), 0.5)
    assert diagnose(gradients=_grads(raw[:, 0], raw[:, 1], always)).kinds == ["clipping_always_on"]
    sometimes = always.copy()
    sometimes[:2] = 1.0
    assert diagnose(gradients=_grads(raw[:, 0], raw[:, 1], sometimes)).findings == []
    d = diagnose(gradients=_grads(raw[:, 0], raw[:, 1]))
    assert "clipping_always_on" in d.skipped


@pytest.mark.backend_neutral
def test_activation_thresholds():
    meta = {"activations": {"act": "relu", "sig": "sigmoid"}}
    h = ActivationHistory(columns=[("act", "output"), ("sig", "output")], meta=meta)
    h.append([0, 5], {"dead_frac": [[0.1, 0.0], [0.55, 0.0]], "saturated_frac": [[np.nan, 0.4], [np.nan, 0.45]]})
    d = diagnose(activations=h)
    assert d.kinds == ["dead_relu"] and d.findings[0].evidence["since_step"] == 5
    h.values["saturated_frac"][:, 1] = [0.6, 0.7]
    assert "saturated_units" in diagnose(activations=h).kinds


@pytest.mark.backend_neutral
def test_curve_thresholds():
    falling = [2.3, 1.5, 1.0, 0.7, 0.5, 0.4]
    assert diagnose({"loss": falling, "val_loss": [2.2, 1.5, 1.1, 0.8, 0.6, 0.5]}).findings == []
    # Two rises by more than a quarter of the starting loss: spikes.
    assert diagnose({"loss": [2.0, 1.0, 1.8, 0.8, 1.5, 0.5]}).kinds == ["lr_too_high"]
    assert diagnose({"loss": [2.0, 1.0, 1.8, 0.8, 0.7, 0.5]}).findings == []  # one spike only
    assert diagnose({"loss": [2.0, 2.5]}).kinds == ["lr_too_high"]  # ended above its start
    assert diagnose({"loss": [1.0, 0.995, 0.992]}).kinds == ["lr_too_low"]
    assert diagnose({"loss": [1.0, 0.98, 0.95]}).findings == []  # still falling: not flat, no plateau
    stalled = diagnose({"loss": [1.0, 0.98, 0.975]})  # fell, stalled at 97% of its start
    assert stalled.kinds == ["underfitting"]
    over = {"loss": [1.0, 0.5, 0.3, 0.2, 0.1, 0.05], "val_loss": [1.0, 0.6, 0.62, 0.64, 0.66, 0.70]}
    assert diagnose(over).kinds == ["overfitting"]
    over["val_loss"][-1] = 0.64  # only 6.7% above the best: within noise
    assert diagnose(over).findings == []
    below = {"loss": [1.0, 0.8, 0.7, 0.6], "val_loss": [0.9, 0.7, 0.6, 0.55]}
    assert diagnose(below).kinds == ["val_below_train"]
    # Below the epoch averages but not below the estimated end-of-epoch loss: the averaging explains it.
    averaged = {"loss": [1.0, 0.8, 0.6, 0.4], "val_loss": [0.9, 0.68, 0.5, 0.35]}
    assert diagnose(averaged).findings == []


@pytest.mark.backend_neutral
def test_learning_rate_blowup_needs_the_model_for_chance_level():
    model = mlp(depth=1, width=4)
    model.compile(keras.optimizers.SGD(10.0), "sparse_categorical_crossentropy")
    logs = {"loss": [7e11, 8.4, 4.4, 2.8, 2.5]}
    assert "lr_too_high" not in diagnose(logs).kinds  # without a model: no chance level to compare
    f = diagnose(logs, model=model).by_kind("lr_too_high")[0]
    assert f.evidence["blowup_epochs"] == [1] and f.evidence["learning_rate"] == 10.0
    assert f.evidence["chance_loss"] == pytest.approx(np.log(10))


@pytest.mark.backend_neutral
def test_val_below_train_names_dropout_as_a_cause():
    model = mlp(depth=2, width=8, dropout=0.5)
    d = diagnose({"loss": [1.0, 0.8, 0.7], "val_loss": [0.8, 0.6, 0.5]}, model=model)
    assert "Dropout 'dropout_1' (rate 0.5)" in d.findings[0].evidence["causes"][0]


@pytest.mark.backend_neutral
def test_diagnosis_as_data_and_text(tmp_path):
    assert set(RULES) == set(KINDS) == set(TUTORIALS)
    d = diagnose({"loss": [2.0, np.nan]}, gradients=_grads([1.0, np.nan], [1.0, 1.0]))
    assert d.kinds == ["nonfinite_gradients", "lr_too_high"]
    assert all(f.severity == "error" for f in d)
    json.dumps(d.to_dict())
    text = d.report()
    assert "read: tutorials/07_vanishing_exploding_gradients/" in text and "Not checked:" in text
    assert len(d.report(short=True).splitlines()) >= 3
    # A saved recording works as well as the history object.
    path = _grads([0.001] * 3, [1.0] * 3).save(tmp_path / "g.npz")
    assert diagnose(gradients=str(path)).kinds == ["vanishing_gradients"]
    assert "No problem found" in diagnose({"loss": [1.0, 0.5, 0.2]}).report()
    assert isinstance(d, Diagnosis) and isinstance(d.findings[0], Finding)


@pytest.mark.backend_neutral
def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="history must be a keras History"):
        diagnose([1.0, 2.0])
    with pytest.raises(TypeError, match="gradients must be a GradientHistory"):
        diagnose(gradients={"l2": 1})
    with pytest.raises(ValueError, match="unknown names"):
        diagnose({"loss": [1.0]}, rules=["overfit"])
    with pytest.raises(ValueError, match="severity must be one of"):
        Finding("x", "fatal", "y")
    with pytest.raises(TypeError, match="print_fn must be callable"):
        DiagnosisCallback(print_fn="stdout")
    with pytest.raises(ValueError, match="kind must be one of"):
        Finding.of("overfit", "warning", "y")
    with pytest.raises(ValueError, match="overrides may be explanation, fix or tutorial"):
        Finding.of("overfitting", "warning", "y", hint="z")


@pytest.mark.backend_neutral
def test_every_finding_carries_the_advice_of_its_kind():
    # The rules measure; the words come from one table. A rule's finding must carry that
    # table's explanation, fix and page, except where it says what it found (val_below_train).
    from kerasdl.diagnose.advice import ADVICE

    assert set(ADVICE) == set(KINDS)
    assert all(a.explanation.endswith(".") and a.fix.endswith(".") for a in ADVICE.values())
    d = diagnose({"loss": [2.0, np.nan]}, gradients=_grads([1.0, np.nan], [1.0, 1.0]))
    d2 = diagnose({"loss": [1.0, 0.8, 0.7], "val_loss": [0.8, 0.6, 0.5]},
                  model=mlp(depth=2, width=8, dropout=0.5))
    seen = list(d) + list(d2)
    assert {f.kind for f in seen} >= {"nonfinite_gradients", "lr_too_high", "val_below_train"}
    for f in seen:
        assert (f.fix, f.tutorial) == (ADVICE[f.kind].fix, ADVICE[f.kind].tutorial)
        if f.kind == "val_below_train":
            first_cause = "regularisation that acts only in training: Dropout 'dropout_1'"
            assert f.explanation.startswith("Usual causes, most likely first: " + first_cause)
        else:
            assert f.explanation == ADVICE[f.kind].explanation


@pytest.mark.backend_neutral
def test_callback_prints_a_short_report_at_the_end_of_fit():
    printed = []
    model = mlp(depth=1, width=4, inputs=3, classes=2)
    model.compile(keras.optimizers.SGD(1e-9), "sparse_categorical_crossentropy")
    cb = DiagnosisCallback(print_fn=printed.append)
    x, y = np.random.default_rng(0).normal(size=(32, 3)), np.arange(32) % 2
    model.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[cb])
    assert cb.diagnosis.kinds == ["lr_too_low"] and len(cb.logs["loss"]) == 3
    assert printed and printed[0].startswith("Diagnosis: 1 finding") and "Fix:" in printed[0]
