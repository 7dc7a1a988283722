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
# # Dropout: switching neurons off to fight overfitting
#
# **Author:** kerasdl
#
# The course describes dropout like this: during training, each forward pass switches off a
# random fraction of the neurons, so no neuron can rely on a specific partner; at test time
# dropout is off and all neurons are active. In this tutorial you will:
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
from kerasdl import datasets, models, plots, training

SMOKE = kerasdl.smoke_mode()
keras.utils.set_random_seed(0)

# A few hundred training images: far fewer examples than the network has parameters.
N_TRAIN = 300
data = datasets.load("digits_flat").subset(N_TRAIN)
print(data)

# %% [markdown]
# ## An over-parameterised network
#
# Three hidden layers of 512 ReLU units: over half a million weights to fit a few hundred
# images. `kerasdl.models.deep_mlp(..., dropout=rate)` puts a `Dropout` layer after every
# hidden layer (named `dropout_1`, `dropout_2`, ...).

# %%
RATES = (0.0, 0.2, 0.5)
WIDTH, DEPTH = 512, 3
EPOCHS = 2 if SMOKE else 60


def build(rate):
    return models.deep_mlp(data.input_shape, data.num_outputs, depth=DEPTH, width=WIDTH, dropout=rate)


params = models.count_params(build(0.0))
print(f"{params:,} trainable parameters for {len(data.x_train)} training images: "
      f"{params / len(data.x_train):,.0f} parameters per image")

# %% [markdown]
# ## Train with and without dropout
#
# `kerasdl.training.compare` trains each network with the same seed (same initial weights
# for equal shapes, same batch order), using the test split as validation data, and then
# evaluates both splits **with dropout off**, so train and test accuracy are measured the
# same way.

# %%
result = training.compare({f"dropout {r}": (lambda r=r: build(r)) for r in RATES}, data,
                          epochs=EPOCHS, batch_size=32, verbose=0)
rows = []
for row in result.rows:
    history = result.histories[row["model"]]
    val_loss = np.array(history["val_loss"])
    rows.append({"model": row["model"], "train_acc": row["train_accuracy"], "test_acc": row["test_accuracy"],
                 "acc_gap": row["train_accuracy"] - row["test_accuracy"],
                 "train_loss": row["train_loss"], "test_loss": row["test_loss"],
                 "loss_gap": row["test_loss"] - row["train_loss"],
                 "best_val_epoch": int(val_loss.argmin()) + 1,
                 "val_loss_rise": float(val_loss[-1] - val_loss.min())})
print(training.format_table(rows, digits=3))

# %%
fig = plots.plot_history(result.histories, metrics=["loss", "accuracy"], log_loss=True,
                         title="Solid: training (dropout on); dashed: validation")
plt.show()

# %%
from kerasdl.diagnose import diagnose  # what the diagnosis says about the run without dropout

print(diagnose(result.histories[rows[0]["model"]]).report(short=True))

# %% [markdown]
# How to read the table: `acc_gap` and `loss_gap` are training minus test accuracy and test
# minus training loss; the larger they are, the more the network memorised its training
# images instead of learning what generalises. `best_val_epoch` is when validation loss was
# lowest and `val_loss_rise` how far it climbed after that: a rising validation loss while
# the training loss keeps falling is the textbook sign of overfitting. (The training curves
# in the figure are measured with dropout *on*, which is why they can sit above validation.)
#
# How big a difference is meaningful? The test split has a fixed size, so accuracy on it
# has a sampling error we can compute.

# %%
base, best = rows[0], max(rows[1:], key=lambda r: r["test_acc"])
n_test = len(data.y_test)
stderr = np.sqrt(base["test_acc"] * (1 - base["test_acc"]) / n_test)
diff = best["test_acc"] - base["test_acc"]
print(f"Standard error of a test accuracy near {base['test_acc']:.3f} on {n_test} images: "
      f"{100 * stderr:.1f} points.")
print(f"Best dropout model ({best['model']}) vs no dropout: test accuracy {100 * diff:+.1f} points, "
      f"which is {'more' if abs(diff) > 2 * stderr else 'less'} than two standard errors "
      f"({'a clear' if abs(diff) > 2 * stderr else 'not a clear'} difference on its own).")
for row in rows[1:]:
    print(f"{row['model']}: loss gap {row['loss_gap']:.3f} vs {base['loss_gap']:.3f} without dropout "
          f"({row['loss_gap'] - base['loss_gap']:+.3f}); best validation loss at "
          f"epoch {row['best_val_epoch']} vs {base['best_val_epoch']}, then rose {row['val_loss_rise']:.3f} "
          f"vs {base['val_loss_rise']:.3f}.")
if SMOKE:
    print("(Smoke run: little data and few epochs, so these numbers say nothing about the claims.)")

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
net = result.models["dropout 0.5"]
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
# ## Summary
#
# - `deep_mlp(..., dropout=rate)` adds a `Dropout` layer after every hidden block.
# - With few examples and many parameters, a network can memorise its training set; the
#   train/test gaps in accuracy and loss, and a validation loss that turns upward, measure it.
# - Dropout acts only when `training=True` (inside `fit()`); `predict()`/`evaluate()` run
#   the full network deterministically. Keras rescales survivors by `1 / (1 - rate)` during
#   training, so inference needs no correction.
# - Judge regularisation effects against the test set's sampling error: on a test split of
#   a few hundred images, accuracy differences of a point or two can be noise.
#
# ## Exercises
#
# 1. Re-run the comparison with `N_TRAIN = 1000`. Does the gap without dropout shrink? Does
#    dropout still help?
# 2. Try `dropout=0.8`. At what rate does dropout start to hurt training accuracy as well?
# 3. Run the comparison with three different `seed=` values in `training.compare` and report
#    the mean and spread of each model's test accuracy. Is the ranking stable?
# 4. Monte Carlo dropout: average 50 predictions made with `training=True`. Is the spread of
#    those predictions larger for misclassified test images than for correct ones?
