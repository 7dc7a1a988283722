# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Dropout
#
# *Topic 4 of the course: switching neurons off at random to fight overfitting.*
#
# **Data used:** scikit-learn's handwritten digits (flattened).
#
# **Prerequisites:** tutorial 1.
#
# The course describes dropout like this: during training, each forward pass switches off a
# random fraction of the neurons, so no neuron can rely on a specific partner; at test time
# dropout is off and all neurons are active.
#
# **What you will learn**
#
# - build a deliberately over-parameterised network and give it too little data, so it overfits;
# - train it with dropout rates 0, 0.2 and 0.5 and **measure** the gap between training and
#   validation performance;
# - check, on the trained network, that dropout really is random in training mode and
#   completely off in inference mode, and see the rescaling Keras applies to the survivors.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

import kerasdl
from kerasdl import datasets, exercises, models, plots, stats, training

SMOKE = kerasdl.smoke_mode()
keras.utils.set_random_seed(0)

# A few hundred training images: far fewer examples than the network has parameters.
N_TRAIN = 300
data = datasets.load("digits_flat").subset(N_TRAIN)
print(data)

# %% [markdown]
# ## An over-parameterised network
#
# Three hidden layers of 256 ReLU units: far more weights than there are training images
# (the count is printed below). `kerasdl.models.deep_mlp(..., dropout=rate)` puts a
# `Dropout` layer after every hidden layer (named `dropout_1`, `dropout_2`, ...).

# %%
RATES = (0.0, 0.5) if SMOKE else (0.0, 0.2, 0.5)
WIDTH, DEPTH = 256, 3
EPOCHS = 2 if SMOKE else 30


def build(rate):
    return models.deep_mlp(data.input_shape, data.num_outputs, depth=DEPTH, width=WIDTH, dropout=rate)


params = models.count_params(build(0.0))
print(f"{params:,} trainable parameters for {len(data.x_train)} training images: "
      f"{params / len(data.x_train):,.0f} parameters per image")

# %% [markdown]
# ## Train with and without dropout, over several seeds
#
# One training run is one draw: another seed gives other initial weights, another batch
# order and other dropout masks, and the ranking of two close models can flip.
# `kerasdl.stats.run_over_seeds` trains every network once per seed (the same seed gives
# the same initial weights and batch order to each), fits on the training split with the
# *validation* split as `validation_data`, and evaluates each final network once on
# training, validation and test data **with dropout off**, so all three are measured the
# same way. Every network keeps the weights of its last epoch (`select_epoch=None`): no
# early stopping, so dropout is the only defence against overfitting we test here. With
# `keep_models=True` the trained networks stay in `runs.trained`, keyed by (name, seed), so
# the seed-0 runs can be plotted and probed below.

# %%
SEEDS = 2 if SMOKE else 5
names = [f"dropout {r}" for r in RATES]
runs = stats.run_over_seeds({name: (lambda r=r: build(r)) for name, r in zip(names, RATES)}, data,
                            seeds=SEEDS, epochs=EPOCHS, batch_size=32, select_epoch=None,
                            keep_models=True)
if SMOKE:
    print(f"Smoke run: {SEEDS} seeds.")
print(f"Test accuracy, mean and 95% interval over {SEEDS} seeds:")
print(runs.table("test"))

rows = []
for row in runs.rows:
    model = runs.trained[row["model"], row["seed"]]
    val_loss = np.array(model.history.history["val_loss"])
    rows.append({"model": row["model"], "seed": row["seed"], "train_acc": row["train_accuracy"],
                 "test_acc": row["test_accuracy"], "acc_gap": row["train_accuracy"] - row["test_accuracy"],
                 "loss_gap": row["test_loss"] - row["train_loss"],
                 "best_val_epoch": int(val_loss.argmin()) + 1,
                 "val_loss_rise": float(val_loss[-1] - val_loss.min())})
print(training.format_table([r for r in rows if r["seed"] == 0], digits=3))

# %%
histories = {name: runs.trained[name, 0].history.history for name in names}
fig = plots.plot_history(histories, metrics=["loss", "accuracy"], log_loss=True,
                         title="Seed 0. Solid: training (dropout on); dashed: validation")
plt.show()

# %%
from kerasdl.diagnose import diagnose  # what the diagnosis says about the run without dropout

no_dropout = runs.trained[names[0], 0]
print(diagnose(no_dropout.history.history, model=no_dropout).report(short=True))

# %% [markdown]
# How to read the table (seed 0): `acc_gap` and `loss_gap` are training minus test accuracy
# and test minus training loss; the larger they are, the more the network memorised its
# training images instead of learning what generalises. `best_val_epoch` is when validation
# loss was lowest and `val_loss_rise` how far it climbed after that: a rising validation
# loss while the training loss keeps falling is the textbook sign of overfitting. (The
# training curves in the figure are measured with dropout *on*, which is why they can sit
# above validation.)
#
# Is a difference real or seed-to-seed noise? Each verdict below pairs the runs by seed
# (`SeedRuns.verdict`, `stats.paired_difference`) and prints the 95% interval of the mean
# difference; "better" is only said when that interval excludes zero.

# %%
def per_seed(model, column):
    return np.array([r[column] for r in rows if r["model"] == model])


for name in names[1:]:
    print(runs.verdict(name, names[0], split="test"))
    print(runs.verdict(name, names[0], split="test", metric="loss"))
    gap = stats.paired_difference(per_seed(name, "acc_gap"), per_seed(names[0], "acc_gap"),
                                  names=(name, names[0]), scale=100, unit="points",
                                  higher_is_better=False)
    print(f"train - test accuracy gap (smaller is better): {gap.verdict()}")
chosen = runs.best("val")  # model selection on the validation split only
print(f"Rate chosen on validation accuracy: {chosen}; its test accuracy over {SEEDS} seeds: "
      "{:.3f} [{:.3f}, {:.3f}]".format(*stats.mean_interval(runs.scores(chosen, "test"))))
for name in names[1:]:  # the course's claim, read from the paired verdicts above
    d = runs.paired(name, names[0], split="test")
    effect = ("raised" if d.mean > 0 else "lowered") if d.detected else "did not detectably change"
    print(f"Course: dropout gives more generalized representations. Here, {name} {effect} test accuracy "
          f"against no dropout ({SEEDS} seeds, 95% CI [{d.ci_low:+.1f}, {d.ci_high:+.1f}] points)"
          + ("." if d.detected and d.mean > 0 else ": not what the course leads us to expect here."))
if SMOKE:
    print("(Smoke run: 2 seeds, little data and few epochs, so these numbers say nothing about the claims.)")

# %% [markdown]
# Overfitting often shows in the *loss* before it shows in accuracy: an overfitted network
# can still pick the right digit while being over-confident on the images it gets wrong,
# and cross-entropy punishes that confidence. That is why the lines above compare both.
#
# ## Dropout is on in training, off at inference
#
# A Keras layer receives a `training` flag. `fit()` passes `training=True`; `predict()`,
# `evaluate()` and a plain `model(x)` call use `training=False`. Let us feed the **same**
# test image through the trained dropout-0.5 network several times in each mode.

# %%
net = runs.trained["dropout 0.5", 0]
x = data.x_test[:1]
label = int(data.y_test[0])
passes = 5
p_train = [float(net(x, training=True)[0, label]) for _ in range(passes)]
p_infer = [float(net(x, training=False)[0, label]) for _ in range(passes)]
print(training.format_table([{"pass": i + 1, "p_true_training": a, "p_true_inference": b}
                             for i, (a, b) in enumerate(zip(p_train, p_infer))]))
print(f"Spread of P(label={label}) over {passes} passes: training mode {np.ptp(p_train):.4f}, "
      f"inference mode {np.ptp(p_infer):.4f}")

# %% [markdown]
# Now look inside: compare the first hidden layer (`hidden_1`, after ReLU) with the output
# of `dropout_1` for the same image. Keras uses *inverted* dropout: in training it zeroes
# each unit with probability `rate` and multiplies the survivors by `1 / (1 - rate)`, so the
# expected activation is unchanged and nothing needs rescaling at inference.

# %%
probe = models.feature_extractor(net, ["hidden_1", "dropout_1"])
hidden, inference_out = (np.asarray(t)[0] for t in probe(x, training=False))
alive = hidden > 0  # ReLU units that fire for this image; dropout can only silence these
masks = np.array([np.asarray(probe(x, training=True)[1])[0] for _ in range(8 if SMOKE else 32)])
kept = masks[:, alive] != 0
ratio = masks[:, alive][kept] / np.broadcast_to(hidden[alive], kept.shape)[kept]
print(f"hidden_1 units active for this image: {alive.sum()} of {hidden.size}")
print(f"Training mode, {len(masks)} passes: {100 * (1 - kept.mean()):.1f}% of the active units dropped "
      f"(rate 0.5); survivors scaled by {ratio.mean():.3f} (1 / (1 - 0.5) = 2)")
print(f"Inference mode: dropout_1 output equals hidden_1 exactly: {np.array_equal(inference_out, hidden)}")
print(f"Mean over passes / inference activation: {masks[:, alive].mean() / hidden[alive].mean():.3f} "
      "(inverted dropout keeps the expectation)")

# %%
shown = np.flatnonzero(alive)[:64]
fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 3.8), height_ratios=[12, 1.5], sharex=True)
top.imshow(masks[:12, shown] / hidden[shown], cmap="Greys", vmin=0, vmax=2, aspect="auto",
           interpolation="nearest")
top.set_ylabel("pass, training=True")
top.set_title("dropout_1 / hidden_1: black = kept (x2), grey = kept (x1), white = dropped")
bottom.imshow((inference_out[shown] / hidden[shown])[None, :], cmap="Greys", vmin=0, vmax=2,
              aspect="auto", interpolation="nearest")
bottom.set_yticks([0], ["inference"])
bottom.set_xlabel(f"the first {len(shown)} active units of hidden_1")
plt.show()

# %% [markdown]
# Each upper row is one training-mode pass: a different random half of the units is switched
# off every time, while the inference row keeps every unit at its plain value: the picture
# in the course text (`O X O X O` in training, all `O` at test time). Because every pass
# trains a different thinned sub-network, no unit can count on a particular partner being
# present, which is the "redundant paths" argument of the course.

# %% [markdown]
# ## One mask per example, per step
#
# The course says "each neuron has 50% chance of being switched off per batch". Keras is
# finer-grained than that: `Dropout` draws a fresh random mask for every *example* of a
# batch, at every training step, so two images in the same mini-batch lose different
# units, and the same image loses different units each time it is seen. A small
# measurement on `dropout_1`: feed one batch holding the same `hidden_1` activations
# twice, in two successive training-mode calls (each call is what one step of `fit` does).

# %%
layer = net.get_layer("dropout_1")
pair = np.repeat(hidden[None, alive], 2, axis=0)  # the same active units, as two examples of one batch
step_1, step_2 = (np.asarray(layer(pair, training=True)) != 0 for _ in range(2))
print(f"{pair.shape[1]} active units; share whose kept/dropped state differs:")
print(f"  example 1 vs example 2, same batch, same step: {(step_1[0] != step_1[1]).mean():.2f}")
print(f"  example 1, step 1 vs step 2:                   {(step_1[0] != step_2[0]).mean():.2f}")
print("  (two independent masks at rate 0.5 differ on half the units on average: 0.50)")
print(f"Kept per example and step: {step_1.mean(axis=1).round(2).tolist()} (step 1), "
      f"{step_2.mean(axis=1).round(2).tolist()} (step 2)")

# %% [markdown]
# ## Summary
#
# - `deep_mlp(..., dropout=rate)` adds a `Dropout` layer after every hidden block.
# - With few examples and many parameters, a network can memorise its training set; the
#   train/test gaps in accuracy and loss, and a validation loss that turns upward, measure it.
# - Dropout acts only when `training=True` (inside `fit()`); `predict()`/`evaluate()` run
#   the full network deterministically. Keras rescales survivors by `1 / (1 - rate)` during
#   training, so inference needs no correction.
# - Keras draws a new dropout mask for every example at every step, not one per batch.
# - Judge a regularisation effect over several seeds, paired by seed, with an interval
#   (`kerasdl.stats.run_over_seeds`); one run on a few hundred test images cannot tell a
#   point or two from noise.

# %% [markdown]
# ## Exercises
#
# Each exercise ends with a check, `exercises.check("04.k", ...)`. It judges your answer by
# the property the question is about, never by one exact number (your run differs from ours
# by seed, machine and library version), says what your result shows or what is missing, and
# gives a hint. A worked solution is folded under each exercise: try first, then open it.
#
# ### Exercise 1: Inverted dropout at rate 0.8
#
# Build `keras.layers.Dropout(0.8)` and call it with `training=True` on a batch of ones of
# shape `(200, 256)`. What share of the values survives, what value do the survivors carry,
# and what is the mean of the output? Check with
# `exercises.check("04.1", outputs=out, rate=0.8)`, where `out` is the layer's output.

# %% tags=["solution"]
drop_08 = keras.layers.Dropout(0.8)
out = keras.ops.convert_to_numpy(drop_08(np.ones((200, 256), dtype="float32"), training=True))
print(f"kept {(out != 0).mean():.3f} of the values; survivors carry {np.unique(out[out != 0])}; "
      f"mean of the output {out.mean():.3f}")
print(exercises.check("04.1", outputs=out, rate=0.8).require())

# %% [markdown] tags=["solution"]
# Only about one value in five survives, and each survivor is multiplied by
# `1 / (1 - 0.8) = 5`, so the *expected* output equals the input. A rate of 0.8 is legal but
# harsh: every step trains a network with a fifth of its units, which is why rates above 0.5
# are rare for hidden layers.

# %% [markdown]
# ### Exercise 2: Dropout on the inputs too, built by hand
#
# The original dropout paper also drops a small share of the *inputs*. With the Functional
# API, build this page's network (three hidden `Dense(256, relu)` layers and a softmax output)
# with a `Dropout(0.2)` straight after the `Input` and a `Dropout(0.5)` after every hidden
# layer. Then build the plain network `build(0.0)`, copy your weights into it
# (`plain.set_weights(model.get_weights())`) and check with
# `exercises.check("04.2", model=model, plain=plain)`. The check also compares the two
# networks' predictions with dropout off: what do you expect?

# %% tags=["solution"]
def build_input_dropout(input_rate=0.2, hidden_rate=0.5):
    inputs = keras.Input(data.input_shape, name="input")
    x = keras.layers.Dropout(input_rate, name="dropout_input")(inputs)
    for i in range(1, DEPTH + 1):
        x = keras.layers.Dense(WIDTH, activation="relu", kernel_initializer="he_normal",
                               name=f"hidden_{i}")(x)
        x = keras.layers.Dropout(hidden_rate, name=f"dropout_{i}")(x)
    outputs = keras.layers.Dense(data.num_outputs, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="input_dropout_mlp")


with_inputs, plain = build_input_dropout(), build(0.0)
plain.set_weights(with_inputs.get_weights())  # Dropout has no weights: the lists line up
print([layer.name for layer in with_inputs.layers])
print(f"{with_inputs.count_params():,} parameters with dropout, {plain.count_params():,} without")
print(exercises.check("04.2", model=with_inputs, plain=plain).require())

# %% [markdown] tags=["solution"]
# Dropout adds no parameters, and with `training=False` it is the identity, so the network
# with dropout and the plain one with the same weights make exactly the same predictions.
# Only training differs: `fit` would train a different thinned network at every step.

# %% [markdown]
# ### Exercise 3: Why the training curve sits above validation
#
# In the figure above, the training loss of the dropout networks is measured by `fit` with
# dropout on. Take the trained seed-0 dropout-0.5 network `net` and compute, on the training
# split, its loss with dropout off (`net.evaluate`) and with dropout on (the mean over a few
# calls `net(x, training=True)`, scored with
# `keras.losses.sparse_categorical_crossentropy`). Do the same for the network without
# dropout (`no_dropout`). Check the dropout network with
# `exercises.check("04.3", evaluated_loss=..., training_mode_loss=...)`
# (optionally also `fit_loss=`, the last epoch's `loss` in `net.history.history`).

# %% tags=["solution"]
def training_mode_loss(model, passes=5):
    losses = [keras.losses.sparse_categorical_crossentropy(data.y_train,
                                                           model(data.x_train, training=True))
              for _ in range(passes)]
    return float(np.mean([keras.ops.convert_to_numpy(loss).mean() for loss in losses]))


losses = {}
for name, model in (("dropout 0.5", net), ("dropout 0.0", no_dropout)):
    losses[name] = dict(evaluated_loss=model.evaluate(data.x_train, data.y_train, verbose=0)[0],
                        training_mode_loss=training_mode_loss(model),
                        fit_loss=model.history.history["loss"][-1])
    print(f"{name}: " + ", ".join(f"{k} {v:.4f}" for k, v in losses[name].items()))
print(exercises.check("04.3", **losses["dropout 0.5"]).require())

# %% [markdown] tags=["solution"]
# Without dropout the two ways of measuring agree (the network is the same in both modes);
# with dropout the training-mode loss is higher, because each pass uses a random half of the
# units. `fit` reports that noisier loss (averaged over the epoch, on weights that were still
# changing), while validation is always scored with dropout off: the gap between the solid
# and dashed curves is partly a gap between two ways of measuring, not only overfitting.

# %% [markdown]
# ### Exercise 4: Monte Carlo dropout: where is the network unsure?
#
# Keep dropout on at prediction time: make 50 predictions of the validation images with
# `net(x, training=True)` and average them. Take each image's class from the averaged
# prediction, and as its *disagreement* the share of the 50 passes whose own top class is a
# different one. Do the passes disagree more on the images the averaged prediction gets
# wrong? Check with
# `exercises.check("04.4", disagreement_correct=..., disagreement_wrong=...)`, one share
# per image.

# %% tags=["solution"]
x_val, y_val = data.validation
mc = np.stack([keras.ops.convert_to_numpy(net(x_val, training=True)) for _ in range(50)])
predicted = mc.mean(axis=0).argmax(axis=1)
# Per image: the share of passes whose top class is not the averaged prediction's.
disagreement = (mc.argmax(axis=2) != predicted).mean(axis=0)
correct = predicted == y_val
deterministic = net.evaluate(x_val, y_val, verbose=0)[1]
print(f"validation accuracy: averaged over 50 dropout passes {correct.mean():.3f}, "
      f"one pass with dropout off {deterministic:.3f}")
print(f"mean disagreement: {disagreement[correct].mean():.3f} on {correct.sum()} correct images, "
      f"{disagreement[~correct].mean():.3f} on {(~correct).sum()} misclassified ones")
print(exercises.check("04.4", disagreement_correct=disagreement[correct],
                      disagreement_wrong=disagreement[~correct]).require())
