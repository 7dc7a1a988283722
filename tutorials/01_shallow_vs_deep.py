# %% [markdown]
# # Shallow vs deep networks
#
# *Topic 1 of the course: what makes a network deep, and when depth pays off.*
#
# **Data used:** scikit-learn's handwritten digits, breast cancer and wine sets;
# generated spirals.
#
# **Prerequisites:** none (start here).
#
# A **shallow** network has one hidden layer between input and output; a
# **deep** one stacks many (the course calls three or more "deep"). The course
# claims depth pays off on complex, raw inputs and adds little on structured
# tabular data. Here we test that claim on three kinds of data, comparing
# networks with the **same number of parameters**, so that any difference comes
# from how the parameters are arranged (wide and flat, or narrow and stacked),
# not from one network simply being bigger.
#
# **What you will learn**
#
# - how to build parameter-matched shallow and deep networks with
#   `kerasdl.models.shallow_mlp` and `kerasdl.models.deep_mlp`;
# - how to train them side by side with `kerasdl.training.compare` and read
#   their learning curves with `kerasdl.plots.plot_history`;
# - how to tell a real difference between two models from noise, using the
#   test examples one model gets right and the other gets wrong;
# - where depth helps (a folded decision boundary) and where it does not
#   (small images, tabular data), measured rather than assumed.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

import kerasdl
from kerasdl import datasets, models, plots, training

keras.utils.set_random_seed(0)
SMOKE = kerasdl.smoke_mode()  # KERASDL_SMOKE=1: a quick run on shrunk data
print(f"Keras {keras.__version__}, backend {keras.backend.backend()}, smoke mode: {SMOKE}")

# %% [markdown]
# ## Matching the parameter count
#
# A dense layer from `d` inputs to `h` units has `d*h + h` parameters (weights
# plus biases). So a shallow network with `h` hidden units and `o` outputs has
# `h*(d + o + 1) + o` parameters, and we can solve for the `h` that matches
# any deep network. The helper below builds the deep network first, counts its
# parameters, and sizes the shallow one to match.

# %%
def matched_pair(data, depth, width):
    """Builders for a deep MLP and a shallow MLP with (nearly) as many parameters."""
    inputs = int(np.prod(data.input_shape))
    outputs = data.num_outputs
    target = models.count_params(models.deep_mlp(data.input_shape, outputs, depth=depth, width=width))
    hidden = max(1, round((target - outputs) / (inputs + outputs + 1)))
    builders = {
        "shallow": lambda: models.shallow_mlp(data.input_shape, outputs, hidden_units=hidden),
        f"deep ({depth}x{width})": lambda: models.deep_mlp(data.input_shape, outputs, depth=depth, width=width),
    }
    counts = {name: models.count_params(build()) for name, build in builders.items()}
    print(f"{data.name}: shallow = 1 hidden layer of {hidden} units ({counts['shallow']:,} parameters); "
          f"deep = {depth} hidden layers of {width} units ({counts[f'deep ({depth}x{width})']:,} parameters)")
    return builders


def correct(model, data):
    """Boolean array: which test examples the model classifies correctly."""
    # A direct call (no `predict`) avoids compiling a predict function per model.
    scores = keras.ops.convert_to_numpy(model(data.x_test, training=False))
    predicted = (scores[:, 0] > 0.5).astype(int) if data.num_outputs == 1 else scores.argmax(axis=1)
    return predicted == data.y_test


def verdict(result, data):
    """Compare the two models on the same test examples and say whether the gap is real."""
    (shallow_name, deep_name) = result.histories
    right = {name: correct(result.models[name], data) for name in (shallow_name, deep_name)}
    deep_only = int(np.sum(right[deep_name] & ~right[shallow_name]))
    shallow_only = int(np.sum(right[shallow_name] & ~right[deep_name]))
    gap = 100 * (right[deep_name].mean() - right[shallow_name].mean())
    # If the models were equally good, each disagreement would go either way
    # with probability 1/2; a difference beyond ~2 standard deviations
    # (2*sqrt(disagreements)) is unlikely to be luck (McNemar's test, roughly).
    noise = 2 * np.sqrt(deep_only + shallow_only)
    if deep_only - shallow_only > noise:
        outcome = "deep wins"
    elif shallow_only - deep_only > noise:
        outcome = "shallow wins"
    else:
        outcome = "no clear winner"
    text = (f"{data.name}: deep minus shallow test accuracy = {gap:+.1f} points. Of {len(data.y_test)} test "
            f"examples, only deep got {deep_only} right and only shallow {shallow_only}; for two equally good "
            f"models these counts would rarely differ by more than {noise:.0f} -> {outcome}.")
    return {"data": data.name, "gap_points": gap, "deep_only": deep_only, "shallow_only": shallow_only,
            "outcome": outcome, "text": text}


summary = []  # one verdict per dataset, printed together at the end

# %% [markdown]
# ## 1. A task where depth should matter: two spirals
#
# Two interleaved spirals in the plane, each winding twice around the origin.
# The inputs are just the two coordinates, so there is nothing to "engineer";
# the difficulty is the shape of the boundary, which folds back on itself. A
# ReLU network draws boundaries out of straight pieces: one hidden layer adds
# up pieces side by side, while each extra layer can fold what the previous
# layers drew, reusing it. That reuse is the usual argument for depth.

# %%
spirals = datasets.load("spirals", n_samples=400 if SMOKE else 2000)
print(spirals.description)
print(f"train {spirals.x_train.shape}, test {spirals.x_test.shape}")

spiral_models = matched_pair(spirals, depth=4, width=32)
spiral_result = training.compare(spiral_models, spirals, epochs=3 if SMOKE else 40, batch_size=64,
                                 learning_rate=3e-3, verbose=0)
print(spiral_result.table())
summary.append(verdict(spiral_result, spirals))
print(summary[-1]["text"])

# %% [markdown]
# The learning curves show accuracy per epoch on the training data (solid) and
# on the held-out test data used for validation (dashed). Both networks got
# the same number of epochs, mini-batches and learning rate.

# %%
fig = plots.plot_history(spiral_result.histories, metrics=["accuracy"], title="Spirals: same parameter count")
plt.show()

# Were the curves still climbing when training stopped? Then more epochs could change the picture.
for name, history in spiral_result.histories.items():
    curve = history["val_accuracy"]
    back = min(10, len(curve) - 1)
    print(f"{name}: validation accuracy {curve[-1]:.3f} after {len(curve)} epochs, "
          f"{100 * (curve[-1] - curve[-1 - back]):+.1f} points over the last {back} epochs")

# %% [markdown]
# What did each network actually learn? Colouring every point of the plane by
# the network's predicted class draws its decision boundary; the dots are the
# test examples.

# %%
grid = np.linspace(-2.6, 2.6, 200)
xx, yy = np.meshgrid(grid, grid)
plane = np.stack([xx.ravel(), yy.ravel()], axis=1).astype("float32")
fig, axes = plt.subplots(1, 2, figsize=(10, 4.6))
for ax, (name, model) in zip(axes, spiral_result.models.items()):
    probability = keras.ops.convert_to_numpy(model(plane, training=False))[:, 0].reshape(xx.shape)
    ax.contourf(xx, yy, probability, levels=[0, 0.5, 1], colors=["#9ecae1", "#fdae6b"], alpha=0.8)
    ax.scatter(*spirals.x_test.T, c=spirals.y_test, cmap="coolwarm", s=6, edgecolors="none")
    accuracy = next(row["test_accuracy"] for row in spiral_result.rows if row["model"] == name)
    ax.set_title(f"{name}: test accuracy {accuracy:.3f}")
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 2. Real images: handwritten digits
#
# scikit-learn's digits are 8x8 grey-scale images of the digits 0-9 (1,797 in
# all). The networks see the 64 raw pixel values, with no hand-made features,
# the setting in which the course says deep learning shines. Note how small
# these images are: this is a modest test of that claim, and later tutorials
# give images a fairer chance with convolutional networks.

# %%
digits = datasets.load("digits")
if SMOKE:
    digits = digits.subset(200)
print(digits.description)
print(f"train {digits.x_train.shape}, test {digits.x_test.shape}")

digit_models = matched_pair(digits, depth=3, width=64)
digit_result = training.compare(digit_models, digits, epochs=2 if SMOKE else 20, batch_size=64, verbose=0)
print(digit_result.table())
summary.append(verdict(digit_result, digits))
print(summary[-1]["text"])

# %%
fig = plots.plot_history(digit_result.histories, title="Digits (8x8 images): same parameter count")
plt.show()

# %% [markdown]
# ## 3. Tabular data: breast cancer diagnosis
#
# The Wisconsin breast cancer data: 30 measurements of cell nuclei per sample
# (radius, texture, smoothness, ...), already engineered features, and a
# benign/malignant label. The course expects depth to add little on this kind
# of structured data.

# %%
cancer = datasets.load("breast_cancer")
print(cancer.description)
print(f"train {cancer.x_train.shape}, test {cancer.x_test.shape}")

cancer_models = matched_pair(cancer, depth=3, width=32)
cancer_result = training.compare(cancer_models, cancer, epochs=2 if SMOKE else 30, batch_size=32, verbose=0)
print(cancer_result.table())
summary.append(verdict(cancer_result, cancer))
print(summary[-1]["text"])

# %%
fig = plots.plot_history(cancer_result.histories, title="Breast cancer (tabular): same parameter count")
plt.show()

# %% [markdown]
# ## What we measured
#
# The table collects the three comparisons. "deep only" and "shallow only"
# count the test examples that one network got right and the other got wrong;
# only when that difference is larger than chance would explain does the last
# column name a winner.

# %%
print(training.format_table([
    {"data": row["data"], "deep - shallow": f"{row['gap_points']:+.1f} points", "deep only": row["deep_only"],
     "shallow only": row["shallow_only"], "outcome": row["outcome"]}
    for row in summary
]))
outcomes = {row["data"]: row["outcome"] for row in summary}
print()
def against(claim_holds):
    return "consistent with the course" if claim_holds else "not what the course leads us to expect"


print(f"Depth pays off on a complex boundary (spirals): {outcomes['spirals']} - "
      f"{against(outcomes['spirals'] == 'deep wins')}.")
print(f"Depth pays off on raw images (8x8 digits): {outcomes['digits']} - "
      f"{against(outcomes['digits'] == 'deep wins')}"
      + ("; with 64 pixels a wide single layer is enough, convolutional networks (later tutorials) "
         "are the stronger test." if outcomes["digits"] != "deep wins" else "."))
print(f"Depth adds little on tabular data (breast cancer): {outcomes['breast_cancer']} - "
      f"{against(outcomes['breast_cancer'] != 'deep wins')}.")
if SMOKE:
    print("(Smoke run: tiny data and a few epochs, so these outcomes say nothing about the claims.)")

# %% [markdown]
# ## Summary
#
# - "Deep" means many hidden layers. Comparing networks with the same number
#   of parameters separates the effect of depth from the effect of size; the
#   shallow network then needs a very wide hidden layer.
# - `training.compare` trains several models on the same data with the same
#   seed and budget and tabulates train/test metrics; `plots.plot_history`
#   draws their learning curves on shared axes.
# - A difference in test accuracy is only evidence if it is larger than
#   chance: count the test examples on which the two models disagree.
# - The table above is the result of this run. Read the outcome column against
#   the course's claims: on the folded spiral boundary, on small raw images and
#   on engineered tabular features, did stacking layers beat one wide layer?
#
# ## Exercises
#
# 1. **Depth at a fixed budget.** On the spirals, keep the parameter count
#    near 3,300 and try depths 2, 3, 6 and 8 (adjust the width so the count
#    stays close). Where does adding layers stop helping?
# 2. **A longer budget for the shallow net.** Train the shallow spiral model
#    for five times as many epochs. Does it catch up, or does its boundary stay
#    coarse? What does its learning curve say?
# 3. **Harder spirals.** Load `datasets.load("spirals", turns=3)`. How do both
#    networks cope as the boundary folds more often?
# 4. **Another table.** Repeat section 3 with `datasets.load("wine")`
#    (13 chemical measurements, 3 grape cultivars).
# 5. **Seeds.** Rerun all three comparisons with `seed=1..4` in
#    `training.compare` and `datasets.load`. How often does each outcome
#    repeat? Which conclusions survive?
