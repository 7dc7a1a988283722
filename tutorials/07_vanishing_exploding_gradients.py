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
# # Vanishing and exploding gradients: watching them layer by layer
#
# **Author:** kerasdl
#
# Backpropagation multiplies one factor per layer on its way from the loss back to the first
# layer. The course's example multiplies by 0.2 at each of four layers, so that "layer 1
# receives a gradient 625 times smaller than the output layer" and learns almost nothing;
# with sigmoid activations such small factors are the rule, because the sigmoid's slope is
# never above 0.25. Factors above 1 do the opposite and the gradient explodes.
# In this tutorial you will:
#
# - record the gradients the optimizer really applies, per layer and per step, with
#   `kerasdl.recorders.GradientRecorder` (a Keras callback: no change to `fit`);
# - measure the first-layer / output-layer ratio of a deep sigmoid network and compare it
#   with the course's 625;
# - measure the three fixes the course names (ReLU + He initialization, batch
#   normalization, residual connections) with the same recorder;
# - make gradients explode and tame them with gradient clipping, reading pre- and post-clip
#   norms.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

import kerasdl
from kerasdl import datasets, models, plots, recorders, training

SMOKE = kerasdl.smoke_mode()
keras.utils.set_random_seed(0)

data = datasets.load("digits_flat")  # real 8x8 handwritten digits, 64 pixels per image
if SMOKE:
    data = data.subset(300)
print(data)

DEPTH, WIDTH = 8, 64
EPOCHS = 2 if SMOKE else 30
LEARNING_RATE = 0.1

# %% [markdown]
# ## The course's arithmetic
#
# The sigmoid $\sigma(z) = 1/(1+e^{-z})$ has slope $\sigma(z)(1-\sigma(z))$, largest at
# $z = 0$. Chaining $n$ sigmoid layers multiplies $n$ such slopes (and the weights) into
# the gradient of the first layer.

# %%
z = np.linspace(-6, 6, 1201)
slope = 1 / (1 + np.exp(-z)) * (1 - 1 / (1 + np.exp(-z)))
print(f"largest sigmoid slope: {slope.max():.4f} (at z = {z[slope.argmax()]:.1f})")
for n in (2, 4, DEPTH):
    print(f"0.25 ** {n} = {0.25 ** n:.2e}  ->  at least {1 / 0.25 ** n:,.0f} times smaller if the weights were 1")
print(f"The course's example multiplies by 0.2 at each of 4 layers: 0.2 ** 4 = {0.2 ** 4:.2e}, "
      f"a gradient {1 / 0.2 ** 4:,.0f} times smaller at layer 1.")

# %% [markdown]
# ## A deep sigmoid network, recorded
#
# `deep_mlp` with `activation="sigmoid"` initializes with Glorot (the right choice for
# sigmoid/tanh). We train with plain SGD on purpose: Adam rescales every parameter's step
# by its own gradient size, which hides much of the vanishing (try it in the exercises).
# `GradientRecorder(every=1)` keeps the L2 norm of every layer's gradient at every step.


# %%
def run(name, activation="sigmoid", optimizer=None, **builder_args):
    keras.utils.set_random_seed(0)
    model = models.deep_mlp(data.input_shape, data.num_outputs, depth=DEPTH, width=WIDTH,
                            activation=activation, **builder_args)
    training.compile_for(model, optimizer=optimizer or keras.optimizers.SGD(LEARNING_RATE))
    recorder = recorders.GradientRecorder(every=1)
    history = model.fit(data.x_train, data.y_train, validation_data=data.validation, epochs=EPOCHS,
                        batch_size=32, verbose=0, callbacks=[recorder, keras.callbacks.TerminateOnNaN()])
    grads = recorder.history
    first_step_ratio = grads.get("hidden_1")[0] / grads.get("output")[0]
    accuracy = history.history["val_accuracy"][-1]
    print(f"{name:24s} first/output gradient at step 0: {first_step_ratio:.2e}; "
          f"final validation accuracy {accuracy:.3f} after {len(history.history['loss'])} epoch(s)")
    return {"grads": grads, "history": history, "ratio": first_step_ratio, "accuracy": accuracy}


runs = {"sigmoid (Glorot)": run("sigmoid (Glorot)")}
print(recorders.gradient_table(runs["sigmoid (Glorot)"]["grads"], step="first"))

# %% [markdown]
# The table reads like the course's: the output layer first, then each layer further from the
# loss. `times_smaller` is how many times smaller than the output layer's gradient each
# layer's gradient is, measured on the very first update.

# %%
times = 1 / runs["sigmoid (Glorot)"]["ratio"]
per_layer = (1 / times) ** (1 / DEPTH)
print(f"Measured: hidden_1's gradient is {times:,.0f} times smaller than the output layer's "
      f"({DEPTH} sigmoid layers): on average each layer multiplied it by {per_layer:.2f} "
      f"(the course's example uses 0.2 per layer and 4 layers, hence its 625).")
fig = plots.plot_gradient_heatmap(runs["sigmoid (Glorot)"]["grads"],
                                  title="sigmoid network: gradient norm per layer and step")
plt.show()

# %% [markdown]
# The heatmap has one row per layer and one column per step (log colour scale): the bottom
# layers stay dark for the whole run, not only at the start.
#
# ## The fixes, measured with the same recorder
#
# - **ReLU + He initialization**: ReLU's slope is exactly 1 for positive inputs, and He's
#   variance $2/\text{fan\_in}$ keeps the signal's scale from layer to layer
#   (`deep_mlp` picks He for ReLU when `kernel_initializer="auto"`).
# - **Batch normalization** (`batch_norm=True`): re-centres and re-scales each layer's
#   inputs, so the sigmoid works near its steepest point.
# - **Residual connections** (`residual=True`): each block adds its input to its output,
#   so the gradient has a path that skips the sigmoid's slope.

# %%
runs["ReLU + He"] = run("ReLU + He", activation="relu")
runs["sigmoid + batch norm"] = run("sigmoid + batch norm", batch_norm=True)
runs["sigmoid + residual"] = run("sigmoid + residual", residual=True)

fig = plots.plot_gradient_flow({name: r["grads"] for name, r in runs.items()}, step="first",
                               title="gradient norm per layer at the first step (output on the left)")
plt.show()

# %%
print(f"{'setup':24s} {'first/output':>13s} {'median over training':>21s} {'val accuracy':>13s}")
for name, r in runs.items():
    grads = r["grads"]
    median = np.median(grads.get("hidden_1") / grads.get("output"))
    print(f"{name:24s} {r['ratio']:13.2e} {median:21.2e} {r['accuracy']:13.3f}")
best = max(runs, key=lambda k: runs[k]["accuracy"])
base = runs["sigmoid (Glorot)"]
print(f"Best final accuracy: {best}. Every fix raised hidden_1's share of the gradient "
      + ("above the plain sigmoid network's." if all(r["ratio"] > base["ratio"] for k, r in runs.items()
                                                       if k != "sigmoid (Glorot)")
         else "- except where the table shows otherwise."))
fig = plots.plot_history({name: r["history"] for name, r in runs.items()}, metrics=["accuracy"],
                         title=f"{DEPTH} hidden layers, SGD lr {LEARNING_RATE}")
plt.show()

# %% [markdown]
# ## Exploding gradients and clipping
#
# Now the opposite problem. The ReLU + He network above trains well at learning rate 0.1;
# at 0.5 each update is large enough to push the weights into a region where the next
# gradients are larger still, and the loss can blow up. We train it twice at 0.5: as it is,
# and with `clipnorm=1.0`, which rescales each variable's gradient to norm at most 1 before
# the update. With clipping on, the recorder keeps both norms: `l2` (what backpropagation
# produced) and `l2_clipped` (what was applied).

# %%
HIGH_LR = 0.5
explode = {
    f"lr {HIGH_LR}": run(f"ReLU + He, lr {HIGH_LR}", activation="relu",
                         optimizer=keras.optimizers.SGD(HIGH_LR)),
    f"lr {HIGH_LR} + clipnorm": run(f"ReLU + He, lr {HIGH_LR}, clip", activation="relu",
                                    optimizer=keras.optimizers.SGD(HIGH_LR, clipnorm=1.0)),
}
clipped = explode[f"lr {HIGH_LR} + clipnorm"]["grads"]
print("Kernel and bias are clipped separately, so a layer's combined norm after clipping can reach sqrt(2).")
print(f"{'layer':10s} {'largest before clipping':>24s} {'largest after clipping':>23s}   (over all steps)")
for layer in reversed(clipped.layers):
    print(f"{layer:10s} {np.nanmax(clipped.get(layer)):24.3g} {np.nanmax(clipped.get(layer, stat='l2_clipped')):23.3g}")
for name, r in explode.items():
    loss = r["history"].history["loss"]
    state = "diverged (NaN loss)" if not np.isfinite(loss[-1]) else f"final training loss {loss[-1]:.3g}"
    largest = np.nanmax(r["grads"].get("output"))
    print(f"{name:18s} largest output-layer gradient {largest:.3g}; {state}; "
          f"validation accuracy {r['accuracy']:.3f}")
gain = explode[f"lr {HIGH_LR} + clipnorm"]["accuracy"] - explode[f"lr {HIGH_LR}"]["accuracy"]
print(f"Clipping changed the final validation accuracy by {gain:+.3f} at learning rate {HIGH_LR}.")

# %%
fig, ax = plt.subplots(figsize=(7, 3.4))
steps = clipped.steps
ax.plot(steps, clipped.get("hidden_1"), label="hidden_1 before clipping")
ax.plot(steps, clipped.get("hidden_1", stat="l2_clipped"), label="hidden_1 after clipping")
ax.set_yscale("log")
ax.set_xlabel("step")
ax.set_ylabel("gradient L2 norm")
ax.set_title("clipnorm=1.0: what backpropagation produced vs what was applied")
ax.legend()
plt.show()

# %% [markdown]
# Clipping caps each update's size while leaving its direction alone. It is a safety net
# that keeps one huge gradient from throwing the weights far away, which is why it is
# standard practice for recurrent networks, where the same weights are multiplied once per
# time step. It does not fix a badly scaled network: try the exercises with a too-large
# initialization instead of a high learning rate.
#
# ## Summary
#
# - `GradientRecorder` records the per-layer gradients the optimizer applies, at every step,
#   from a plain `fit`; `gradient_table` prints the course's kind of table and
#   `plot_gradient_flow` / `plot_gradient_heatmap` draw it.
# - In a deep sigmoid network trained with SGD the first layer's gradient is orders of
#   magnitude smaller than the output layer's: the vanishing gradient, measured.
# - ReLU + He, batch normalization and residual connections each change that ratio; the
#   table above shows by how much, and what it did to accuracy.
# - Too large a learning rate (or initialization) makes gradients explode; `clipnorm`
#   bounds every update, and the recorder shows both the raw and the clipped norms.
#
# ## Exercises
#
# 1. Repeat the sigmoid run with `optimizer=keras.optimizers.Adam(1e-3)`. Does the accuracy
#    gap to ReLU close? Does the recorded ratio change? (Adam rescales steps, not gradients.)
# 2. Change `DEPTH` to 4 and 16. How does the first/output ratio of the sigmoid network scale
#    with depth: roughly geometric, as the 0.25-per-layer argument predicts?
# 3. Use `tanh` instead of sigmoid (slope up to 1, zero-centred). Where does it land in the
#    table?
# 4. Replace `clipnorm=1.0` with `global_clipnorm=1.0` (one norm over all variables) and
#    compare the after-clipping column.
# 5. Make the gradients explode through the initialization instead:
#    `kernel_initializer=keras.initializers.RandomNormal(stddev=0.5)` with ReLU. Does
#    clipping rescue that network too?
