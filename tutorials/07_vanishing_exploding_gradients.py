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
# # Vanishing and exploding gradients
#
# *Topic 7 of the course: watching gradients shrink or grow layer by layer, and the
# fixes.*
#
# **Data used:** scikit-learn's handwritten digits (flattened).
#
# **Prerequisites:** tutorials 5 and 6.
#
# Backpropagation carries the error from the output layer back to the first layer, and on
# the way it multiplies by one factor per layer. The course's picture: start at 0.8, multiply
# by 0.2 four times, and "layer 1 receives a gradient 625 times smaller than the output
# layer", so it barely learns. With sigmoid activations small factors are the rule, since the
# sigmoid's slope never exceeds 0.25. Factors above 1 make the opposite happen: the gradient
# explodes.
#
# **What you will learn**
#
# - record the gradients the optimizer really applies, per layer and per step, with
#   `kerasdl.recorders.GradientRecorder` (a Keras callback: `fit` is unchanged);
# - measure the first-layer / output-layer gradient ratio of deep sigmoid networks and put it
#   next to the course's 625;
# - measure the three fixes the course names (ReLU + He initialization, batch
#   normalization, residual connections) with the same recorder;
# - make gradients explode, tame them with gradient clipping, and read the norms before and
#   after clipping;
# - see what each case does to accuracy.

# %%
import warnings

import keras
import matplotlib.pyplot as plt
import numpy as np

import kerasdl
from kerasdl import datasets, exercises, models, plots, recorders, stats, training

SMOKE = kerasdl.smoke_mode()
keras.utils.set_random_seed(0)
# Non-finite gradients are expected in the exploding runs; we print them from the history instead.
warnings.simplefilter("ignore", recorders.NonFiniteGradientWarning)

data = datasets.load("digits_flat")  # real 8x8 handwritten digits, 64 pixels in [0, 1]
if SMOKE:
    data = data.subset(300)
print(data)

DEPTH, WIDTH = 8, 64
EPOCHS = 2 if SMOKE else 15
LEARNING_RATE = 0.1

# %% [markdown]
# ## The course's arithmetic, and the sigmoid's slope
#
# The sigmoid $\sigma(z) = 1/(1+e^{-z})$ has slope $\sigma'(z) = \sigma(z)(1-\sigma(z))$.
# Every sigmoid layer the gradient passes through multiplies it by such a slope (and by that
# layer's weights), so $n$ layers contribute a product of $n$ slopes.

# %%
chain = [0.8]
for _ in range(4):
    chain.append(chain[-1] * 0.2)
print("course's chain, output -> layer 1:", " -> ".join(f"{g:g}" for g in chain))
COURSE_TIMES = chain[0] / chain[-1]
print(f"course: layer 1 gets a gradient {COURSE_TIMES:.0f} times smaller than the output layer")

z = np.linspace(-8, 8, 1601)
sig = 1 / (1 + np.exp(-z))
SLOPE_MAX = float((sig * (1 - sig)).max())
print(f"largest sigmoid slope: {SLOPE_MAX:.4f} (at z = {z[(sig * (1 - sig)).argmax()]:.1f})")
for n in (4, DEPTH):
    print(f"{SLOPE_MAX:.2f} ** {n} = {SLOPE_MAX ** n:.3e}: with weight factors of 1, the slopes alone "
          f"shrink the gradient {1 / SLOPE_MAX ** n:,.0f} times over {n} layers")

# %% [markdown]
# ## A deep sigmoid network, recorded
#
# `deep_mlp(..., activation="sigmoid", kernel_initializer="glorot_uniform")` builds `DEPTH`
# hidden layers named `hidden_1` ... `hidden_8`, then `output`. We train with plain SGD on
# purpose: Adam rescales each parameter's step by its own gradient history, which hides much
# of the effect (exercise 1). `GradientRecorder()` keeps the L2 norm of every layer's
# gradient at every step; `TerminateOnNaN` stops a run whose loss has blown up.
#
# Compare like with like: an L2 norm grows with the number of parameters it sums over,
# and `hidden_1` (64 x 64 weights + 64 biases = 4,160) has more than six times the
# parameters of `output` (64 x 10 + 10 = 650). So the ratios below divide **per-parameter
# RMS** gradients, the L2 norm over the square root of the layer's trainable parameter
# count: the typical size of one weight's gradient, which is what sets how fast that
# weight moves under SGD.


# %%
RESULTS = {}


def rms(result, step=0):
    """Per-parameter RMS gradient of every recorded layer at one step, output layer first."""
    return {layer: values[step] for layer, values in result["rms"].items()}


def rms_table(result, step=0):
    values = rms(result, step)
    out = values["output"]
    print(f"per-parameter RMS gradient at step {step} (output layer first)")
    print(f"{'layer':10s} {'RMS':>10s} {'ratio to output':>16s} {'times smaller':>14s}")
    for layer, value in values.items():
        print(f"{layer:10s} {value:10.3e} {value / out:16.4g} {out / value if value else np.inf:14.4g}")


def run(name, activation="sigmoid", kernel_initializer="glorot_uniform", optimizer=None, depth=DEPTH,
        epochs=EPOCHS, **builder_args):
    keras.utils.set_random_seed(0)  # same data order and, for equal shapes, same starting weights
    model = models.deep_mlp(data.input_shape, data.num_outputs, depth=depth, width=WIDTH,
                            activation=activation, kernel_initializer=kernel_initializer, **builder_args)
    training.compile_for(model, optimizer=optimizer or keras.optimizers.SGD(LEARNING_RATE))
    recorder = recorders.GradientRecorder()
    history = model.fit(data.x_train, data.y_train, validation_data=data.validation, epochs=epochs,
                        batch_size=32, verbose=0, callbacks=[recorder, keras.callbacks.TerminateOnNaN()])
    grads = recorder.history
    result = {"grads": grads, "history": history, "model": model,
              "accuracy": history.history.get("val_accuracy", [np.nan])[-1],
              "largest": float(np.nanmax(np.where(np.isinf(grads.values["l2"]), np.nan, grads.values["l2"]))),
              "notes": []}
    sizes = {layer: sum(int(np.prod(w.shape)) for w in model.get_layer(layer).trainable_weights)
             for layer in grads.layers}
    result["rms"] = {layer: grads.get(layer) / np.sqrt(sizes[layer]) for layer in reversed(grads.layers)}
    result["over_time"] = result["rms"]["hidden_1"] / result["rms"]["output"]
    result["ratio"], result["median"] = result["over_time"][0], float(np.nanmedian(result["over_time"]))
    if not np.isfinite(history.history["loss"][-1]):
        result["notes"].append("loss became NaN")
    if not all(np.isfinite(w).all() for w in model.get_weights()):
        result["notes"].append("weights are NaN")  # the reported loss can stay finite even then
    print(f"{name:38s} hidden_1/output at step 0: {result['ratio']:.2e}; val accuracy {result['accuracy']:.3f}"
          f" after {len(history.history['loss'])} epoch(s)" + "".join(f"; {n}" for n in result["notes"]))
    if grads.nonfinite:
        first = grads.nonfinite[0]
        print(f"{'':38s} recorder: first non-finite gradient in {first['layer']} at step {first['step']}")
    RESULTS[name] = result
    return result


sigmoid = run("sigmoid, 8 layers")
print(recorders.gradient_table(sigmoid["grads"], step="first"))
rms_table(sigmoid)

# %%
from kerasdl.diagnose import diagnose  # the same run, diagnosed from its recording

print(diagnose(sigmoid["history"], sigmoid["grads"]).report(short=True))

# %% [markdown]
# The tables read like the course's: the output layer first, then each layer further from
# the loss, on the very first update, before training has changed the weights. The first
# (`gradient_table`) divides whole-layer L2 norms; the second divides per-parameter RMS
# values, the like-with-like comparison used from here on (all hidden layers have 4,160
# parameters, so among them the two agree; only the output layer's ratio changes, by
# sqrt(4160 / 650) = 2.5). Next to the course's number:
# this 8-layer network, the slope bound for 8 layers, and the same network with 4 hidden
# layers, the course's depth. The per-layer factor is the $n$-th root of the whole ratio.

# %%
sigmoid4 = run("sigmoid, 4 layers", depth=4)
rms_table(sigmoid4)
print(f"{'per-parameter RMS':28s}{'times smaller':>15s}{'per-layer factor':>18s}")
print(f"{'course (4 layers)':28s}{COURSE_TIMES:15,.0f}{0.2:18.3f}")
for label, r, n in (("measured, 4 sigmoid layers", sigmoid4, 4), ("measured, 8 sigmoid layers", sigmoid, DEPTH)):
    print(f"{label:28s}{1 / r['ratio']:15,.0f}{r['ratio'] ** (1 / n):18.3f}")
print(f"{'slope bound, 8 layers':28s}{1 / SLOPE_MAX ** DEPTH:15,.0f}{SLOPE_MAX:18.3f}")
for n, r in ((4, sigmoid4), (DEPTH, sigmoid)):
    times = 1 / r["ratio"]
    print(f"{n} layers: the measured gap is {times / COURSE_TIMES:.3g} x the course's 625 "
          f"({'larger' if times > COURSE_TIMES else 'smaller'}); the average factor per layer, "
          f"{r['ratio'] ** (1 / n):.3f}, is {'below' if r['ratio'] ** (1 / n) < SLOPE_MAX else 'above'} "
          f"the sigmoid's largest slope {SLOPE_MAX:.2f}")

f4 = sigmoid4["ratio"] ** (1 / 4)
print(f"had each of the {DEPTH} layers shrunk the gradient by the 4-layer network's factor "
      f"{f4:.3f}, hidden_1 would get {1 / f4 ** DEPTH:,.0f} times less than the output layer; "
      f"measured: {1 / sigmoid['ratio']:,.0f} (one seed, first step)")

# %% [markdown]
# A layer's kernel gradient is the error arriving from above times the activations entering
# that layer, so the per-layer factors are not exactly sigmoid slopes; weights and inputs
# enter too. Does the gap last beyond the first step? The heatmap shows every layer at every
# step (log colour scale).

# %%
fig = plots.plot_gradient_heatmap(sigmoid["grads"], title="sigmoid, 8 layers: gradient norm per layer and step")
plt.show()
over_time = sigmoid["over_time"]
print(f"over all {len(over_time)} steps, hidden_1's per-parameter RMS gradient was between "
      f"{1 / over_time.max():,.0f} and {1 / over_time.min():,.0f} times smaller than the output layer's")

# %% [markdown]
# ## The fixes, measured with the same recorder
#
# - **ReLU + He initialization**: ReLU's slope is exactly 1 for positive inputs, and He's
#   variance $2/\text{fan\_in}$ keeps the signal's scale from layer to layer.
# - **Batch normalization** (`batch_norm=True`): re-centres and re-scales each layer's
#   pre-activations, so the sigmoid works near its steepest point.
# - **Residual connections** (`residual=True`): each block adds its input to its output,
#   so the gradient has a path that skips the sigmoid's slope.

# %%
relu = run("ReLU + He", activation="relu", kernel_initializer="he_normal")
run("sigmoid + batch norm", batch_norm=True)
run("sigmoid + residual", residual=True)
fixes = ["sigmoid, 8 layers", "ReLU + He", "sigmoid + batch norm", "sigmoid + residual"]
fig = plots.plot_gradient_flow({k: RESULTS[k]["grads"] for k in fixes}, step="first",
                               title="gradient norm per layer at the first step (output on the left)")
plt.show()
fig = plots.plot_history({k: RESULTS[k]["history"] for k in fixes}, metrics=["accuracy"],
                         title=f"{DEPTH} hidden layers, SGD learning rate {LEARNING_RATE}")
plt.show()

# %%
for k in fixes[1:]:
    r = RESULTS[k]
    print(f"{k:22s} hidden_1/output (per-parameter RMS) is {r['ratio'] / sigmoid['ratio']:,.0f} x the plain "
          f"sigmoid network's (one seed, first step)")

# %% [markdown]
# With batch normalization the model has extra `bn_i` layers (their `gamma` and `beta` have
# gradients too); the flow plot places every point above its own layer's name.
#
# ## Exploding gradients, and clipping
#
# Now the opposite problem. The course's cause is **too-large weights**: ReLU with weights
# drawn with standard deviation 0.3 instead of He's $\sqrt{2/64} \approx 0.18$. Each layer
# then amplifies the signal (and, backwards, the error) instead of preserving it. A second
# failure is often blamed on exploding gradients too: **too-large steps**, the ReLU + He
# network with learning rate 0.5 instead of 0.1. We will see that it is a different
# problem, *dead ReLUs*: units whose input has become negative for every example, so they
# output 0 and pass no gradient back.
#
# Each is trained as it is and with `clipnorm=1.0`, which rescales each variable's gradient
# to norm at most 1 before the update. With clipping on, the recorder keeps both norms:
# `l2` (what backpropagation produced) and `l2_clipped` (what the optimizer applied).

# %%
BIG = keras.initializers.RandomNormal(stddev=0.3)
HIGH_LR = 0.5
big = run("ReLU, std 0.3 init", activation="relu", kernel_initializer=BIG)
big_clip = run("ReLU, std 0.3 init + clip", activation="relu", kernel_initializer=BIG,
               optimizer=keras.optimizers.SGD(LEARNING_RATE, clipnorm=1.0))
DEAD = f"ReLU + He, lr {HIGH_LR} (dead ReLUs)"
run(DEAD, activation="relu", kernel_initializer="he_normal", optimizer=keras.optimizers.SGD(HIGH_LR))
run(f"{DEAD} + clip", activation="relu", kernel_initializer="he_normal",
    optimizer=keras.optimizers.SGD(HIGH_LR, clipnorm=1.0))

print(f"first-step gradient norms, std 0.3 vs He: output layer {big['grads'].get('output')[0]:.3g} vs "
      f"{relu['grads'].get('output')[0]:.3g}, hidden_1 {big['grads'].get('hidden_1')[0]:.3g} vs "
      f"{relu['grads'].get('hidden_1')[0]:.3g}")
print(recorders.gradient_table(big["grads"], step="first"))

first_big = [big["grads"].get(layer)[0] for layer in big["grads"].layers]
first_he = [relu["grads"].get(layer)[0] for layer in relu["grads"].layers]
print(f"smallest first-step layer gradient with std 0.3: {min(first_big):.3g}, "
      f"{min(first_big) / max(first_he):,.0f} x the largest with He ({max(first_he):.3g})")


def dead_units(model, x):
    """Per hidden layer: the share of ReLU units that output 0 for every validation image."""
    names = [f"hidden_{i}" for i in range(1, DEPTH + 1)]
    probe = keras.Model(model.input, [model.get_layer(n).output for n in names])
    return {n: float(np.mean(np.all(np.asarray(a) <= 0, axis=0))) for n, a in zip(names, probe(x))}


for name in ("ReLU + He", DEAD, f"{DEAD} + clip"):
    dead = dead_units(RESULTS[name]["model"], data.validation[0])
    grads = RESULTS[name]["grads"]
    zero = int(np.sum(grads.get("hidden_1") == 0))
    print(f"{name:38s} dead units after training: " + " ".join(f"{v:.0%}" for v in dead.values())
          + f"; hidden_1's gradient exactly 0 at {zero} of {len(grads)} steps")

# %% [markdown]
# With too-large weights the forward activations grow layer after layer as well, and a
# kernel's gradient is the error times the activations entering the layer: compare the
# absolute norms with He's, not only the first/output ratio. The learning rate 0.5 run
# fails differently, and the lines above say how: where a few big steps have pushed every
# unit of a layer into ReLU's flat half for all inputs, the layer is dead, the gradient
# below it is exactly 0, and no later step brings it back. Its gradients did not explode;
# they vanished for good. Clipping from the first step bounds how far each update can push
# a unit, which is why the clipped run's dead-unit line can look so different: it can
# prevent deaths, not undo them. Here is what clipping did to the std 0.3 network, step by
# step:

# %%
clipped = big_clip["grads"]
print("clipnorm clips kernel and bias separately, so a layer's combined norm can reach sqrt(2) after clipping.")
print(f"{'layer':10s} {'largest before clipping':>24s} {'largest after clipping':>23s}   (over all steps)")
for layer in reversed(clipped.layers):
    print(f"{layer:10s} {np.nanmax(clipped.get(layer)):24.3g} {np.nanmax(clipped.get(layer, stat='l2_clipped')):23.3g}")
before, after = clipped.get("hidden_1"), clipped.get("hidden_1", stat="l2_clipped")
print(f"hidden_1: clipping shrank the gradient at {int(np.sum(after < before * 0.999))} of {len(before)} steps")

early = clipped.steps < 120  # the first few epochs, where clipping matters most
fig, ax = plt.subplots(figsize=(7, 3.4))
for layer in ("output", "hidden_1"):
    line, = ax.plot(clipped.steps[early], clipped.get(layer)[early], label=f"{layer}, before clipping")
    ax.plot(clipped.steps[early], clipped.get(layer, stat="l2_clipped")[early], "--", color=line.get_color(),
            label=f"{layer}, after clipping")
ax.set_yscale("log")
ax.set_xlabel("step")
ax.set_ylabel("gradient L2 norm")
ax.set_title("std 0.3 init, clipnorm=1.0: produced vs applied gradient, first 120 steps")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# Clipping keeps the direction of each gradient and caps its size, so one huge gradient
# cannot throw the weights far away. That is why it is standard in recurrent networks, where
# the same weights are multiplied once per time step. It does not remove the cause: a
# badly scaled network still starts with huge gradients; clipping only bounds the damage
# each step can do, and the accuracy column below shows whether the network recovered.
#
# ## All runs side by side
#
# `hidden_1/output` is the ratio of the first hidden layer's per-parameter RMS gradient to
# the output layer's, at the first step and as the median over training; `largest` is the
# largest finite gradient norm of any variable; `val acc` is on the validation split after
# the last epoch. All of it is one seed (seed 0).

# %%
print(f"{'setup':38s} {'hidden_1/output':>15s} {'median':>9s} {'largest':>9s} {'val acc':>8s}  note")
for name, r in RESULTS.items():
    note = ", ".join(r["notes"] + (["non-finite gradients"] if r["grads"].nonfinite else []))
    print(f"{name:38s} {r['ratio']:15.2e} {r['median']:9.2e} {r['largest']:9.3g} "
          f"{r['accuracy']:8.3f}  {note}".rstrip())

# %% [markdown]
# One seed cannot say whether a fix or clipping *helps accuracy*: another initialization
# and shuffling could reorder the runs. So the two comparisons that matter are repeated over
# seeds with `kerasdl.stats.run_over_seeds` (same seed, same initial weights for a builder;
# epoch chosen on the validation split; scored once on the test split), and the verdicts
# below are its paired 95% intervals.

# %%
SEEDS, SEED_EPOCHS = (2, 1) if SMOKE else (5, 6)


def builder(activation, init, clipnorm=None):
    def build():
        model = models.deep_mlp(data.input_shape, data.num_outputs, depth=DEPTH, width=WIDTH,
                                activation=activation, kernel_initializer=init)
        return training.compile_for(model, optimizer=keras.optimizers.SGD(LEARNING_RATE, clipnorm=clipnorm))
    return build


seed_runs = stats.run_over_seeds(
    {"sigmoid": builder("sigmoid", "glorot_uniform"), "ReLU + He": builder("relu", "he_normal"),
     "std 0.3": builder("relu", BIG), "std 0.3 + clip": builder("relu", BIG, clipnorm=1.0)},
    data, seeds=SEEDS, epochs=SEED_EPOCHS, callbacks=lambda: [keras.callbacks.TerminateOnNaN()])
print(f"{SEEDS} seeds x {SEED_EPOCHS} epochs" + (" (smoke run: 2 seeds)" if SMOKE else ""))
print(seed_runs.table("test"))
print(seed_runs.verdict("ReLU + He", "sigmoid"))
print(seed_runs.verdict("std 0.3 + clip", "std 0.3"))

# %% [markdown]
# ## Summary
#
# - `GradientRecorder` records the per-layer gradients the optimizer applies, at every step,
#   from a plain `fit`; `gradient_table` / `gradient_ratios` give the course's table, and
#   `plot_gradient_flow` / `plot_gradient_heatmap` draw it.
# - In deep sigmoid networks trained with SGD the first layer's gradient is orders of
#   magnitude smaller than the output layer's, and the gap grows geometrically with depth:
#   the course's 625 is one point on that curve, measured above next to ours.
# - Compare layers like with like: a whole-layer norm grows with the layer's parameter
#   count, so the ratios here divide per-parameter RMS gradients.
# - ReLU + He, batch normalization and residual connections each change that ratio; the
#   final table shows by how much, and the paired comparison over seeds whether ReLU + He
#   changed the test accuracy.
# - Too-large weights make gradients explode; `clipnorm` bounds every update, and with
#   clipping on the recorder shows both the produced and the applied norms. A too-large
#   learning rate failed differently here: it killed ReLU units (dead ReLUs), whose
#   gradient is exactly zero; clipping from the start can keep units alive, but cannot
#   revive a dead one.
#
# ## Exercises
#
# Each exercise ends with a check, `exercises.check("07.k", ...)`. It judges your answer by
# the property the question is about, never by one exact number (your run differs from ours
# by seed, machine and library version), says what your result shows or what is missing, and
# gives a hint. A worked solution is folded under each exercise: try first, then open it.
#
# ### Exercise 1: Adam on the sigmoid network
#
# Repeat the 8-layer sigmoid run with `optimizer=keras.optimizers.Adam(1e-3)` (`epochs=1` is
# enough: the ratio is read at the first step). Does the recorded `hidden_1/output` ratio
# change? Then look at what the optimizer *does* with the gradient: rebuild the network with
# seed 0, apply one update on one batch with SGD and with Adam, and divide hidden_1's
# per-parameter RMS weight change by the output layer's (the *step ratio*). Check with
# `exercises.check("07.1", sgd_ratio=..., adam_ratio=..., sgd_step_ratio=..., adam_step_ratio=...)`.

# %% tags=["solution"]
adam = run("sigmoid + Adam (exercise 1)", optimizer=keras.optimizers.Adam(1e-3), epochs=1)


def step_ratio(optimizer):
    """hidden_1's per-parameter RMS weight change over the output layer's, after one update."""
    keras.utils.set_random_seed(0)
    model = models.deep_mlp(data.input_shape, data.num_outputs, depth=DEPTH, width=WIDTH,
                            activation="sigmoid", kernel_initializer="glorot_uniform")
    training.compile_for(model, optimizer=optimizer, run_eagerly=True)  # one step: no tracing
    layers = ("hidden_1", "output")
    weights = lambda n: [keras.ops.convert_to_numpy(w) for w in model.get_layer(n).weights]
    before = {n: weights(n) for n in layers}
    model.train_on_batch(data.x_train[:32], data.y_train[:32])
    change = {n: np.concatenate([(w - b).ravel() for w, b in zip(weights(n), before[n])])
              for n in layers}
    return float(np.sqrt(np.mean(change["hidden_1"] ** 2) / np.mean(change["output"] ** 2)))


steps = {"SGD": step_ratio(keras.optimizers.SGD(LEARNING_RATE)),
         "Adam": step_ratio(keras.optimizers.Adam(1e-3))}
print(f"first-step gradient ratio: SGD {sigmoid['ratio']:.3g}, Adam {adam['ratio']:.3g}")
print(f"first-step *step* ratio:   SGD {steps['SGD']:.3g}, Adam {steps['Adam']:.3g}")
print(exercises.check("07.1", sgd_ratio=sigmoid["ratio"], adam_ratio=adam["ratio"],
                      sgd_step_ratio=steps["SGD"], adam_step_ratio=steps["Adam"]).require())

# %% [markdown] tags=["solution"]
# The recorder reads the gradient before the optimizer sees it, so the ratio cannot depend
# on the optimizer at step 0: same weights, same batch, same gradient. What changes is the
# step. SGD moves each weight by the learning rate times its gradient, so the first layer's
# steps are as tiny as its gradients. Adam divides each gradient by the root of its own
# running mean square, so on the first update nearly every weight moves by about the
# learning rate, in any layer (weights whose gradient is exactly 0, such as those of
# always-blank pixels, do not move). That is why Adam trains deep sigmoid networks that SGD
# cannot: the gradient still vanishes, but the step no longer does.

# %% [markdown]
# ### Exercise 2: Depth and the ratio
#
# Run the sigmoid network with `depth` 2, 6 and 12 (one epoch is enough: the ratio is read
# at the first step) and plot the `hidden_1/output` ratio against depth on a log scale. Is
# it a straight line? What per-layer factor does its slope give? Check with
# `exercises.check("07.2", ratios={depth: ratio, ...})`.

# %% tags=["solution"]
DEPTHS = (2, 6, 12)
ratios = {}
for d in DEPTHS:
    ratios[d] = run(f"sigmoid, {d} layers (ex. 2)", depth=d, epochs=1)["ratio"]
slope = np.polyfit(DEPTHS, np.log(list(ratios.values())), 1)[0]
fig, ax = plt.subplots(figsize=(5, 3))
ax.semilogy(DEPTHS, list(ratios.values()), "o-")
ax.set_xlabel("hidden layers")
ax.set_ylabel("hidden_1 / output (first step)")
plt.show()
print(f"slope of log(ratio): {slope:.3f} per layer, "
      f"a factor of {np.exp(slope):.3f} per extra layer")
print(exercises.check("07.2", ratios=ratios).require())

# %% [markdown]
# ### Exercise 3: tanh
#
# Use `activation="tanh"` instead of sigmoid (slope up to 1, zero-centred), 8 layers,
# `epochs=1`. Where does its first-step ratio land between the sigmoid network and ReLU + He?
# Check with
# `exercises.check("07.3", sigmoid_ratio=..., tanh_ratio=..., relu_ratio=..., depth=DEPTH)`.

# %% tags=["solution"]
tanh = run("tanh, 8 layers (exercise 3)", activation="tanh", epochs=1)
for name, r in (("sigmoid", sigmoid), ("tanh", tanh), ("ReLU + He", relu)):
    factor = r["ratio"] ** (1 / DEPTH)
    print(f"{name:10s} hidden_1/output {r['ratio']:.3g}, per-layer factor {factor:.3f}")
print(exercises.check("07.3", sigmoid_ratio=sigmoid["ratio"], tanh_ratio=tanh["ratio"],
                      relu_ratio=relu["ratio"], depth=DEPTH).require())

# %% [markdown]
# ### Exercise 4: One norm for all variables
#
# Train the std 0.3 ReLU network with `keras.optimizers.SGD(LEARNING_RATE, global_clipnorm=1.0)`
# (one norm over all variables together; two epochs are enough) and compare the applied
# gradient with the `clipnorm=1.0` run above. For each run, combine the after-clipping
# norms of all layers into one norm per step (`grads.get(layer, stat="l2_clipped")`, root of
# the summed squares over layers) and check with
# `exercises.check("07.4", clipnorm=..., global_clipnorm=...)` (one array each).

# %% tags=["solution"]
global_clip = run("ReLU, std 0.3 init + global clip (ex. 4)", activation="relu",
                  kernel_initializer=BIG,
                  optimizer=keras.optimizers.SGD(LEARNING_RATE, global_clipnorm=1.0), epochs=2)


def applied_norm(grads):
    """The whole network's applied gradient norm per step: all layers' clipped norms combined."""
    return np.sqrt(sum(grads.get(layer, stat="l2_clipped") ** 2 for layer in grads.layers))


applied = {"clipnorm": applied_norm(big_clip["grads"]),
           "global_clipnorm": applied_norm(global_clip["grads"])}
for name, values in applied.items():
    print(f"{name:16s} whole-network norm after clipping: median {np.nanmedian(values):.3g}, "
          f"largest {np.nanmax(values):.3g}")
print(exercises.check("07.4", **applied).require())

# %% [markdown] tags=["solution"]
# `clipnorm` caps each of the 18 variables (9 kernels, 9 biases) at norm 1 on its own, so
# when every one of them is huge the whole update has norm up to $\sqrt{18} \approx 4.2$ and
# every layer gets a step of the same size, whatever its share of the gradient was.
# `global_clipnorm` rescales all gradients by one common factor: the whole update has norm
# at most 1 and keeps its direction, so the layers keep their relative sizes.

# %% [markdown]
# ### Exercise 5: A larger start
#
# Raise the initialization's standard deviation to 0.5 and train with `clipnorm=1.0` for the
# same `EPOCHS` as the std 0.3 run. How much larger are the first-step gradients, layer by
# layer, and does clipping still keep the network trainable? Check with
# `exercises.check("07.5", norms_03=..., norms_05=..., clipped_accuracy=..., weights_finite=...)`:
# two dicts {layer: gradient norm at step 0}, the clipped run's validation accuracy, and
# whether all its weights are finite.

# %% tags=["solution"]
big5 = run("ReLU, std 0.5 init + clip (exercise 5)", activation="relu",
           kernel_initializer=keras.initializers.RandomNormal(stddev=0.5),
           optimizer=keras.optimizers.SGD(LEARNING_RATE, clipnorm=1.0))
norms = {std: {layer: float(r["grads"].get(layer)[0]) for layer in r["grads"].layers}
         for std, r in ((0.3, big), (0.5, big5))}
print("first-step gradient norm, std 0.5 / std 0.3: "
      + ", ".join(f"{layer} {norms[0.5][layer] / norms[0.3][layer]:.3g}x" for layer in norms[0.3]))
finite = all(np.isfinite(w).all() for w in big5["model"].get_weights())
print(f"clipped std 0.5: weights finite {finite}, val accuracy {big5['accuracy']:.3f}; "
      f"clipped std 0.3: {big_clip['accuracy']:.3f}; unclipped std 0.3: {big['accuracy']:.3f} "
      "(one seed)")
print(exercises.check("07.5", norms_03=norms[0.3], norms_05=norms[0.5],
                      clipped_accuracy=big5["accuracy"], weights_finite=finite).require())

# %% [markdown] tags=["solution"]
# Every layer's first gradient grows by the same large factor: in a ReLU network with zero
# biases, scaling every weight by 5/3 scales each layer's activations by another 5/3, so the
# factors compound over the depth. Clipping does not care how large the gradient is: it
# rescales it to norm 1 per variable, so the first steps are as large as with std 0.3 and
# the weights stay finite. Whether the larger start then reaches the same accuracy in the
# same epochs is a question for several seeds (`kerasdl.stats.run_over_seeds`, as in the
# comparison above); one run only shows that clipping kept it trainable.
