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
# # Batch normalization
#
# *Topic 5 of the course: normalizing each layer's inputs, and what that buys.*
#
# **Data used:** scikit-learn's handwritten digits (flattened).
#
# **Prerequisites:** tutorials 1 and 4.
#
# The course lists four benefits of batch normalization (BN): training is faster and more
# stable, it allows higher learning rates, it acts as mild regularization, and it reduces
# sensitivity to weight initialization. It also gives its position:
# `Linear -> Batch Norm -> Activation`. In this tutorial you will put each claim to a
# measured test on real handwritten digits, with the same deep network built with and
# without BN (`kerasdl.models.deep_mlp(batch_norm=True)`), and you will meet one catch the
# course does not mention: BN behaves differently at inference time.
#
# **What you will learn**
#
# - whether batch normalization trains faster and more stably, allows higher learning
#   rates, regularizes and makes initialization matter less, each claim measured;
# - where the course puts it (`Linear -> Batch Norm -> Activation`) and how to build
#   that with `kerasdl.models.deep_mlp(batch_norm=True)`;
# - why a batch-normalized network behaves differently at inference time.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

import kerasdl
from kerasdl import datasets, exercises, models, plots, stats, training

SMOKE = kerasdl.smoke_mode()
keras.utils.set_random_seed(0)

data = datasets.load("digits_flat")
if SMOKE:
    data = data.subset(500)
print(data)

DEPTH, WIDTH, BATCH = 6, 64, 64
TARGET = 0.9  # validation accuracy that counts as "trained"


def build(batch_norm, init="auto"):
    return models.deep_mlp(data.input_shape, data.num_outputs, depth=DEPTH, width=WIDTH,
                           batch_norm=batch_norm, kernel_initializer=init)


print([layer.name for layer in build(True).layers][:6])

# %% [markdown]
# With `batch_norm=True` each block is `hidden_i` (Dense without bias: BN's learned shift
# replaces it) -> `bn_i` -> `act_i`, the course's order.
#
# ## What BN does to a batch
#
# In training mode, BN standardises every unit over the batch, then applies a learned scale
# `gamma` and shift `beta` (1 and 0 at the start). Let us check on a fresh network.

# %%
fresh = build(True)
probe = models.feature_extractor(fresh, ["hidden_3", "bn_3"])
before, after = (np.asarray(t) for t in probe(data.x_train[:BATCH], training=True))
print(f"hidden_3 (Dense output): per-unit mean in [{before.mean(0).min():.2f}, {before.mean(0).max():.2f}], "
      f"std in [{before.std(0).min():.2f}, {before.std(0).max():.2f}]")
print(f"bn_3 (after BN):         per-unit mean in [{after.mean(0).min():.2f}, {after.mean(0).max():.2f}], "
      f"std in [{after.std(0).min():.2f}, {after.std(0).max():.2f}]")

# %% [markdown]
# At inference there is no batch to average over, so BN uses *running* averages of the
# means and variances it saw during training (Keras: `momentum=0.99`, i.e. each batch moves
# them 1% of the way). If they have not caught up with the real statistics, the network that
# works in training mode can fail at inference. To tell this apart from a failure to learn,
# we also score every BN network after recomputing its statistics on the whole training set.


# %%
def recompute_bn_statistics(model, x):
    """Set every BN layer's running mean/variance to the statistics of `x` (weights unchanged)."""
    layers = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    momenta = [layer.momentum for layer in layers]
    for layer in layers:
        layer.momentum = 0.0  # the running statistics become those of this one batch
    model(x, training=True)
    for layer, momentum in zip(layers, momenta):
        layer.momentum = momentum


_runs = {}


def run(batch_norm, learning_rate, epochs, init="auto", seed=0):
    """Train with plain SGD (no momentum, no adaptive steps) so BN's own effect is visible."""
    key = (batch_norm, learning_rate, epochs, str(init), seed)
    if key in _runs:  # same seed and settings give the same run: reuse it
        return _runs[key]
    keras.utils.set_random_seed(seed)
    model = training.compile_for(build(batch_norm, init), optimizer="sgd", learning_rate=learning_rate)
    history = model.fit(data.x_train, data.y_train, validation_data=data.validation, epochs=epochs,
                        batch_size=BATCH, verbose=0, callbacks=[keras.callbacks.TerminateOnNaN()]).history
    loss = history["loss"][-1]
    row = {"bn": batch_norm, "lr": learning_rate, "seed": seed, "diverged": not np.isfinite(loss),
           "train_loss": loss if np.isfinite(loss) else None,
           "val_acc": history["val_accuracy"][-1] if np.isfinite(loss) else None}
    for column, metric in (("epochs_to_target", "val_accuracy"), ("train_epochs_to_target", "accuracy")):
        reached = [i + 1 for i, acc in enumerate(history[metric]) if acc >= TARGET]
        row[column] = reached[0] if reached else None
    if batch_norm and np.isfinite(loss):
        recompute_bn_statistics(model, data.x_train)
        row["val_acc_recomputed"] = model.evaluate(*data.validation, verbose=0)[1]
    _runs[key] = model, history, row
    return _runs[key]


def score(row):
    # Count a diverged run as chance level (1 in 10 classes) so the comparison stays numeric.
    value = row.get("val_acc_recomputed", row["val_acc"])
    return 0.1 if value is None else value


def bn_vs_plain(values, what, unit="points", scale=100, higher_is_better=True):
    """Paired verdict, BN minus plain, over the seeds: values[bn] holds one number per seed."""
    diff = stats.paired_difference(values[True], values[False], names=("batch norm", "plain"),
                                   scale=scale, unit=unit, higher_is_better=higher_is_better)
    print(f"{what}: {diff.verdict()}")
    return diff


SEEDS = list(range(2 if SMOKE else 5))
print(f"Every experiment runs over {len(SEEDS)} seeds{' (smoke run: 2 seeds)' if SMOKE else ''}; "
      "each verdict pairs the BN and plain runs of the same seed.")


# %% [markdown]
# ## 1. Speed of convergence
#
# Same network, same data, SGD with learning rate 0.05: how many epochs until accuracy
# first reaches the target? `epochs_to_target` uses validation accuracy (inference mode);
# `train_epochs_to_target` uses the training accuracy Keras reports during `fit`, which for
# BN is computed with batch statistics. A run that never reaches the target within the
# budget is counted as `EPOCHS + 1` epochs in the paired verdict (so, when that happens, the
# true gap is at least as large as the one printed). The table shows seed 0.

# %%
EPOCHS = 2 if SMOKE else 12
speed = {(bn, seed): run(bn, 0.05, EPOCHS, seed=seed) for seed in SEEDS for bn in (False, True)}
print(training.format_table([{"model": "batch norm" if bn else "plain", **row}
                             for (bn, seed), (_, _, row) in speed.items() if seed == 0], digits=3))
for column, what in (("epochs_to_target", "validation"), ("train_epochs_to_target", "training")):
    epochs = {bn: [speed[bn, s][2][column] or EPOCHS + 1 for s in SEEDS] for bn in (False, True)}
    print(f"never reached within {EPOCHS} epochs ({what}): plain {epochs[False].count(EPOCHS + 1)}, "
          f"BN {epochs[True].count(EPOCHS + 1)} of {len(SEEDS)} seeds")
    bn_vs_plain(epochs, f"epochs to {TARGET:.0%} {what} accuracy", unit="epochs", scale=1,
                higher_is_better=False)
fig = plots.plot_history({"batch norm" if bn else "plain": h for (bn, seed), (_, h, _) in speed.items()
                          if seed == 0}, metrics=["loss", "accuracy"],
                         title="Plain SGD, learning rate 0.05, seed 0: with and without batch norm")
plt.show()

# %% [markdown]
# If BN's lead is larger in training accuracy than in validation accuracy, two things can
# be at work: the usual gap between training and unseen data, and BN's running averages,
# which lag behind the batch statistics that training accuracy is computed with. In the
# figure, compare the solid (training) and dashed (validation) orange curves in the first
# epochs; the `val_acc_recomputed` column of the next experiments separates the two.
#
# ## 2. Stability at higher learning rates
#
# We raise the learning rate step by step. "diverged" means the loss became NaN/infinite
# and training was stopped; a diverged run is scored at chance level (0.1). BN networks are
# scored with recomputed statistics. The table shows seed 0; the verdicts pair all seeds.

# %%
RATES = (1.0,) if SMOKE else (0.05, 0.5, 1.0)
LR_EPOCHS = 1 if SMOKE else 4
lr_runs = {(lr, bn, s): run(bn, lr, LR_EPOCHS, seed=s)[2]
           for s in SEEDS for lr in RATES for bn in (False, True)}
print(training.format_table([row for (lr, bn, s), row in lr_runs.items() if s == 0], digits=3))
for lr in RATES:
    bn_vs_plain({bn: [score(lr_runs[lr, bn, s]) for s in SEEDS] for bn in (False, True)},
                f"validation accuracy at learning rate {lr:g}")
for bn in (False, True):
    diverged = sum(lr_runs[lr, bn, s]["diverged"] for lr in RATES for s in SEEDS)
    top = [max((lr for lr in RATES if score(lr_runs[lr, bn, s]) >= TARGET), default=None) for s in SEEDS]
    print(f"{'with' if bn else 'without'} BN: {diverged} of {len(RATES) * len(SEEDS)} runs diverged; highest "
          f"rate reaching {TARGET:.0%} in {LR_EPOCHS} epochs, per seed: {top}")

# %%
from kerasdl.diagnose import diagnose  # the run without BN at the highest rate, diagnosed

model_high, history_high, _ = run(False, max(RATES), LR_EPOCHS, seed=SEEDS[0])
print(diagnose(history_high, model=model_high).report(short=True))

# %% [markdown]
# ## 3. Sensitivity to weight initialization
#
# He initialization is what `deep_mlp` uses for ReLU; here we replace it by weights drawn
# from a normal distribution that is far too small (std 0.01) or far too large (std 1.0),
# and compare with He (about `sqrt(2 / 64) = 0.18` for these layers). "Less sensitive"
# means a better worst case over the three initializations, and a narrower range between
# the best and the worst.

# %%
# "auto" is deep_mlp's default, He normal for ReLU (and the runs of experiment 2 at 0.05 are reused).
INITS = {"std 0.01 (too small)": keras.initializers.RandomNormal(stddev=0.01), "He normal": "auto",
         "std 1.0 (too large)": keras.initializers.RandomNormal(stddev=1.0)}
if SMOKE:
    INITS = {"std 0.01 (too small)": INITS["std 0.01 (too small)"]}
init_runs = {(label, bn, s): run(bn, 0.05, LR_EPOCHS, init=init, seed=s)[2]
             for s in SEEDS for label, init in INITS.items() for bn in (False, True)}
print(training.format_table([{"init": label, **row} for (label, bn, s), row in init_runs.items() if s == 0],
                            digits=3))
scores = {bn: np.array([[score(init_runs[label, bn, s]) for label in INITS] for s in SEEDS])
          for bn in (False, True)}
bn_vs_plain({bn: scores[bn].min(axis=1) for bn in (False, True)},
            "worst validation accuracy over the initializations")
if len(INITS) > 1:
    bn_vs_plain({bn: np.ptp(scores[bn], axis=1) for bn in (False, True)},
                "range (best - worst) over the initializations, smaller is better",
                higher_is_better=False)
bn_rows = [row for _, _, row in _runs.values() if "val_acc_recomputed" in row]
lag = [r for r in bn_rows if r["val_acc_recomputed"] - r["val_acc"] > 0.1]
print(f"BN runs so far whose validation accuracy rose by more than 10 points once the running "
      f"statistics were recomputed: {len(lag)} of {len(bn_rows)}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
for bn, colour in ((False, "tab:blue"), (True, "tab:orange")):
    label = "batch norm (recomputed statistics)" if bn else "plain"
    mean_lr = [np.mean([score(lr_runs[lr, bn, s]) for s in SEEDS]) for lr in RATES]
    axes[0].plot(RATES, mean_lr, "o-", color=colour, label=label)
    offset = 0.2 if bn else -0.2
    axes[1].bar(np.arange(len(INITS)) + offset, scores[bn].mean(axis=0), width=0.4, color=colour, label=label)
    for s in range(len(SEEDS)):  # one dot per seed
        axes[1].plot(np.arange(len(INITS)) + offset, scores[bn][s], ".", color="black", markersize=3)
running = [np.mean([lr_runs[lr, True, s]["val_acc"] or 0.1 for s in SEEDS]) for lr in RATES]
axes[0].plot(RATES, running, "o--", color="tab:orange", alpha=0.5, label="batch norm (running statistics)")
axes[0].set(xscale="log", xlabel="SGD learning rate", ylabel="validation accuracy",
            title=f"Mean over {len(SEEDS)} seeds ({LR_EPOCHS} epochs; diverged runs at 0.1)")
axes[0].set_xticks(RATES, [f"{r:g}" for r in RATES])
axes[0].minorticks_off()
axes[1].set_xticks(range(len(INITS)), list(INITS), fontsize="small")
axes[1].set(ylabel="validation accuracy", title=f"Initialization (lr 0.05, {LR_EPOCHS} epochs; dots: seeds)")
for ax in axes:
    ax.axhline(TARGET, color="grey", linestyle=":", linewidth=1)
    ax.set_ylim(0, 1.02)
handles, labels = axes[0].get_legend_handles_labels()
fig.legend(handles, labels, loc="lower center", ncol=3, fontsize="small")
fig.tight_layout(rect=(0, 0.08, 1, 1))
plt.show()

# %% [markdown]
# ## 4. Does BN act as a regularizer here?
#
# A regularizer narrows the gap between training and test performance. We evaluate both
# networks of experiment 1, for every seed, once on the full training and test splits, in
# inference mode (the BN networks with their running statistics recomputed).

# %%
reg_rows = []
for (bn, seed), (model, _, _) in speed.items():
    train_loss, train_acc = model.evaluate(data.x_train, data.y_train, verbose=0)
    test_loss, test_acc = model.evaluate(*data.test, verbose=0)
    reg_rows.append({"model": "batch norm" if bn else "plain", "bn": bn, "seed": seed, "train_acc": train_acc,
                     "test_acc": test_acc, "acc_gap": train_acc - test_acc, "loss_gap": test_loss - train_loss})
print(training.format_table([r for r in reg_rows if r["seed"] == 0], digits=3))
for column, what in (("acc_gap", "train - test accuracy gap (smaller is better)"),
                     ("test_acc", "test accuracy")):
    bn_vs_plain({bn: [r[column] for r in reg_rows if r["bn"] == bn] for bn in (False, True)}, what,
                higher_is_better=column != "acc_gap")
if SMOKE:
    print("(Smoke run: 2 seeds, little data and few epochs, so these numbers say nothing about the claims.)")

# %% [markdown]
# Keep in mind what this test can and cannot show: the two networks also differ in how far
# they got in training (BN usually gets further in the same number of epochs, and a network
# that fits better has more room to overfit). The "mild regularization" attributed to BN
# comes from the noise of batch statistics, which is expected to be small with batches of
# 64; on this data set the verdicts printed above are the measured answer, whichever way
# they go.

# %% [markdown]
# ## Summary
#
# - `deep_mlp(..., batch_norm=True)` builds `Dense (no bias) -> BatchNormalization ->
#   Activation` blocks; in training mode each unit leaves BN with batch mean 0 and std 1,
#   before the learned scale and shift.
# - The course's claims are testable: epochs to a target accuracy (speed), the largest
#   learning rate that still trains (stability), the worst case over initializations
#   (sensitivity) and the train-test gap (regularization). Each is judged over several
#   seeds, paired by seed, with the interval printed beside the verdict.
# - BN uses batch statistics in training and running averages at inference. When those
#   averages lag behind (few steps, large changes in scale), a network that trains well can
#   fail at inference; recomputing the statistics on training data shows the weights were fine.

# %% [markdown]
# ## Exercises
#
# Each exercise ends with a check, `exercises.check("05.k", ...)`. It judges your answer by
# the property the question is about, never by one exact number (your run differs from ours
# by seed, machine and library version), says what your result shows or what is missing, and
# gives a hint. A worked solution is folded under each exercise: try first, then open it.
#
# ### Exercise 1: What batch normalization adds to a network
#
# Build the network with and without BN (`build(True)`, `build(False)`). How many more
# *trainable* parameters does the BN network have, and how many *non-trainable* ones? Explain
# both numbers from what a BN layer learns and what it only tracks. Check with
# `exercises.check("05.1", model=..., plain=..., extra_trainable=..., non_trainable=...)`.

# %% tags=["solution"]
def count(weights):
    return sum(int(np.prod(w.shape)) for w in weights)


with_bn, without_bn = build(True), build(False)
extra = count(with_bn.trainable_weights) - count(without_bn.trainable_weights)
frozen = count(with_bn.non_trainable_weights)
print(f"trainable: {count(with_bn.trainable_weights):,} with BN, "
      f"{count(without_bn.trainable_weights):,} without ({extra:+,}); non-trainable with BN: "
      f"{frozen:,}; {DEPTH} BN layers of {WIDTH} units")
print(exercises.check("05.1", model=with_bn, plain=without_bn, extra_trainable=extra,
                      non_trainable=frozen).require())

# %% [markdown] tags=["solution"]
# Per unit, BN learns `gamma` and `beta` (2 trainable numbers) and the Dense layer in front of
# it drops its bias (1 fewer), so each BN unit adds one trainable parameter. It also keeps a
# running mean and variance per unit: 2 non-trainable numbers, updated by averaging during
# training, not by the gradient.

# %% [markdown]
# ### Exercise 2: Batch normalization with a batch of one
#
# Take the trained BN network of experiment 1 (seed 0: `speed[True, 0][0]`) and a copy of it
# (`keras.models.clone_model`, then `set_weights`: a training-mode call updates the running
# statistics, and we want to keep the original intact). Predict five different validation
# images *one at a time* (batches of shape `(1, 64)`), with `training=True` and with
# `training=False`. What happens in training mode, and why? Check with
# `exercises.check("05.2", single_training=..., single_inference=...)`, one row of
# probabilities per image.

# %% tags=["solution"]
trained_bn = speed[True, 0][0]
copy = keras.models.clone_model(trained_bn)
copy.set_weights(trained_bn.get_weights())
images = data.validation[0][:5]
single_training = np.concatenate([keras.ops.convert_to_numpy(copy(x[None], training=True))
                                  for x in images])
single_inference = np.concatenate([keras.ops.convert_to_numpy(copy(x[None], training=False))
                                   for x in images])
print("predicted class, training mode: ", single_training.argmax(axis=1).tolist())
print("predicted class, inference mode:", single_inference.argmax(axis=1).tolist(),
      "true:", data.validation[1][:5].tolist())
print(exercises.check("05.2", single_training=single_training,
                      single_inference=single_inference).require())

# %% [markdown] tags=["solution"]
# With one example in the batch, the batch mean of every unit is that example's own value, so
# BN's first layer outputs `beta` for every unit whatever the image, and the network predicts
# the same thing for all of them. Batch statistics only carry information when the batch holds
# several examples; at inference the running averages take their place.

# %% [markdown]
# ### Exercise 3: How fast the running averages move
#
# Keras updates a BN layer's running mean as `moving_mean = momentum * moving_mean +
# (1 - momentum) * batch_mean`. Feed a fresh `keras.layers.BatchNormalization(momentum=0.9)`
# the same batch ten times with `training=True` (use `before`, the `hidden_3` outputs computed
# above), and after each call record the share of the way the running mean has covered from
# 0 towards the batch mean. How many calls would the default momentum 0.99 need to cover 95%,
# and how many optimizer steps did the BN runs of experiment 2 take? Check with
# `exercises.check("05.3", momentum=0.9, fractions=...)`.

# %% tags=["solution"]
def covered_shares(momentum, batch, calls=10):
    layer = keras.layers.BatchNormalization(momentum=momentum)
    target = batch.mean(axis=0)
    shares = []
    for _ in range(calls):
        layer(batch, training=True)
        moved = keras.ops.convert_to_numpy(layer.moving_mean)
        shares.append(float(moved @ target / (target @ target)))  # least-squares share of the way
    return shares


shares = covered_shares(0.9, before)
print("share covered after each call (momentum 0.9):", np.round(shares, 3).tolist())
steps_per_epoch = -(-len(data.x_train) // BATCH)
need = int(np.ceil(np.log(0.05) / np.log(0.99)))
print(f"momentum 0.99 needs {need} steps to cover 95%; experiment 2 trained "
      f"{LR_EPOCHS} x {steps_per_epoch} = {LR_EPOCHS * steps_per_epoch} steps")
print(exercises.check("05.3", momentum=0.9, fractions=shares).require())

# %% [markdown] tags=["solution"]
# The running mean covers `1 - momentum^k` of the way after `k` calls. At 0.99 that is
# about 300 calls for 95%, and every step of training also moves the target (the weights
# change). When a run takes fewer steps than that, or the scale of a layer's outputs changes
# fast, the running statistics lag behind, which is what `val_acc_recomputed` corrects.

# %% [markdown]
# ### Exercise 4: Batch normalization after the activation
#
# With the Functional API, build the network of this page with BN *after* each activation:
# six blocks of `Dense(64, activation="relu")` (keeping its bias) followed by
# `BatchNormalization`, then the softmax output layer. Check its structure with
# `exercises.check("05.4", model=...)`. Then compare what the fourth hidden layer receives in
# each order, on the batch used above in training mode: the output of `bn_3` in your network,
# of `act_3` in the course's (`fresh`). How do their means and signs differ?

# %% tags=["solution"]
def build_bn_after():
    inputs = keras.Input(data.input_shape, name="input")
    x = inputs
    for i in range(1, DEPTH + 1):
        x = keras.layers.Dense(WIDTH, activation="relu", kernel_initializer="he_normal",
                               name=f"hidden_{i}")(x)
        x = keras.layers.BatchNormalization(name=f"bn_{i}")(x)
    outputs = keras.layers.Dense(data.num_outputs, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="bn_after_activation")


after_act = build_bn_after()
print(exercises.check("05.4", model=after_act).require())
batch = data.x_train[:BATCH]
for name, model, layer in (("BN after the activation", after_act, "bn_3"),
                           ("course order", fresh, "act_3")):
    out = models.feature_extractor(model, [layer])(batch, training=True)
    fed = keras.ops.convert_to_numpy(keras.tree.flatten(out)[0])
    print(f"{name}: {layer} hands hidden_4 inputs with mean {fed.mean():.3f}, std {fed.std():.3f}, "
          f"{(fed < 0).mean():.0%} negative")

# %% [markdown] tags=["solution"]
# In the course's order the next layer receives ReLU outputs: never negative, with a positive
# mean. With BN after the activation it receives standardised inputs, centred on 0 with a
# spread of 1 (the ReLU's zeros all become one negative value), which is what the "normalize
# each layer's inputs" argument asks for. Which order trains better is an empirical question with no general answer; on this
# page it would take both orders trained over seeds (`kerasdl.stats.run_over_seeds`) and a
# paired verdict to say.
