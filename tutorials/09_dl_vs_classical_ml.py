# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Deep learning vs classical machine learning
#
# *Topic 9 of the course: when a neural network beats gradient-boosted trees, and when
# it does not.*
#
# **Data used:** scikit-learn's breast cancer and digits sets; generated spirals.
#
# **Prerequisites:** tutorials 1 and 8.
#
# The course compares the two camps in a table. Four of its rows are claims we can test here:
#
# | Aspect | Classical ML | Deep learning |
# |---|---|---|
# | Small dataset accuracy | often better | often worse |
# | Large dataset accuracy | often plateaus | keeps improving |
# | Training time | minutes-hours | hours-days |
# | Interpretability | often explainable | black box |
#
# **What you will learn**
#
# - how to run a fair, repeated comparison: same splits, several seeds, mean +- standard deviation;
# - how a multi-layer perceptron from `kerasdl.models` compares with gradient-boosted trees
#   (`HistGradientBoostingClassifier`) and a random forest on two tabular data sets and on images;
# - how to draw a learning curve over *training-set size* and read it;
# - how to explain *any* model's reliance on its inputs with permutation importance.
#
# Every verdict below is computed from the measurements, so it may agree or disagree with the course.

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import spearmanr
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from threadpoolctl import threadpool_limits

import kerasdl
from kerasdl import datasets, models, plots, training

SMOKE = kerasdl.smoke_mode()
keras.utils.set_random_seed(0)
SEEDS = [0] if SMOKE else [0, 1, 2]
# Training-set sizes per data set; None means the whole training split.
SIZES = {"breast_cancer": [25, 100, None], "wine": [15, None], "digits_flat": [30, 150, None]}
if SMOKE:
    SIZES = {"breast_cancer": [25, None], "wine": [15, None], "digits_flat": [30, 300]}
EPOCHS, MIN_ROWS = (2, 128) if SMOKE else (15, 512)
MODELS = ("MLP", "HistGradientBoosting", "RandomForest")

# %% [markdown]
# ## The contestants
#
# - **MLP**: `deep_mlp` with two hidden layers of 64 ReLU units, Adam, 15 epochs, batch 32.
#   Training sets smaller than 512 rows are repeated up to 512 rows per epoch, so a run on 25
#   examples still gets a few hundred gradient steps (the same examples, seen more often).
# - **HistGradientBoosting** and **RandomForest** from scikit-learn with their default settings.
#
# Nobody is tuned: these are the recipes a practitioner would try first. The MLP validates
# on the test split only at the end of training (`validation_freq`), which keeps the many runs cheap.
# scikit-learn's OpenMP pool is limited to one thread: on a small machine it otherwise
# competes with TensorFlow's threads and its timings become erratic.
#
# Keras turns the training step into a TensorFlow graph on the first call to `fit`; on data
# this small that one-off cost is a large share of the MLP's fit time.
#
# Each seed draws a different train/test split, a different stratified subset
# (`Dataset.subset(n, seed)`) and different initial weights.


# %%
def fit_mlp(data, seed):
    keras.utils.set_random_seed(seed)
    # steps_per_execution runs 16 batches per call into TensorFlow: less Python overhead for a tiny model.
    model = training.compile_for(models.deep_mlp(data.input_shape, data.num_outputs, depth=2, width=64),
                                 steps_per_execution=16)
    rows = np.resize(np.arange(len(data.x_train)), max(len(data.x_train), MIN_ROWS))
    start = time.perf_counter()
    history = model.fit(data.x_train[rows], data.y_train[rows], validation_data=data.validation,
                        validation_freq=EPOCHS, epochs=EPOCHS, batch_size=32, verbose=0)
    return model, history.history["val_accuracy"][-1], time.perf_counter() - start


def fit_classical(name, data, seed):
    cls = HistGradientBoostingClassifier if name == "HistGradientBoosting" else RandomForestClassifier
    model = cls(random_state=seed)
    with threadpool_limits(1, user_api="openmp"):
        start = time.perf_counter()
        model.fit(data.x_train, data.y_train)
        seconds = time.perf_counter() - start
    return model, model.score(*data.validation), seconds


records, kept = [], {}
clock = time.perf_counter()
for name, sizes in SIZES.items():
    for seed in SEEDS:
        full = datasets.load(name, seed=seed)
        for n in sizes:
            data = full if n is None else full.subset(n, seed=seed)
            for model_name in MODELS:
                if model_name == "MLP":
                    model, accuracy, seconds = fit_mlp(data, seed)
                else:
                    model, accuracy, seconds = fit_classical(model_name, data, seed)
                records.append({"dataset": name, "n": len(data.x_train), "seed": seed, "model": model_name,
                                "accuracy": accuracy, "seconds": seconds, "full": n == sizes[-1]})
                if name == "breast_cancer" and n == sizes[-1] and seed == SEEDS[0]:
                    kept[model_name] = (model, data)
print(f"{len(records)} trainings in {time.perf_counter() - clock:.0f} s")


def runs(dataset, model, n=None, key="accuracy"):
    """One value per seed, for the given size (default: the full training split)."""
    return np.array([r[key] for r in records if r["dataset"] == dataset and r["model"] == model
                     and (r["full"] if n is None else r["n"] == n)])


def pm(values, digits=3):
    return f"{values.mean():.{digits}f} +- {values.std():.{digits}f}"


# %% [markdown]
# ## Accuracy and training time on the full training splits

# %%
rows = []
for name in SIZES:
    for model_name in MODELS:
        rows.append({"dataset": name, "train n": int(runs(name, model_name, key="n")[0]), "model": model_name,
                     "test accuracy": pm(runs(name, model_name)), "fit seconds": pm(runs(name, model_name,
                     key="seconds"), 2)})
print(training.format_table(rows))

# %% [markdown]
# ## Learning curves over training-set size
#
# A learning curve trains each model on growing subsets and scores it on the same test split.
# The bands span one standard deviation over the seeds: where two bands overlap, the data
# cannot tell the models apart. One default matters at the smallest sizes:
# `HistGradientBoostingClassifier` needs at least 20 examples in every leaf
# (`min_samples_leaf=20`), so with fewer than 40 examples it cannot make a single split and
# predicts the most frequent class; the random forest has no such floor.

# %%
fig, axes = plt.subplots(1, len(SIZES), figsize=(5 * len(SIZES), 3.8))
curve_sizes = {}
for ax, name in zip(axes, SIZES):
    curve_sizes[name] = sorted({r["n"] for r in records if r["dataset"] == name})
    scores = {m: np.array([runs(name, m, n) for n in curve_sizes[name]]) for m in MODELS}
    plots.plot_learning_curve(curve_sizes[name], scores, title=name, ax=ax)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Confronting the course's claims
#
# A difference counts only if it is larger than its seed-to-seed spread (the standard
# deviation of the paired differences, seed by seed); otherwise we call it a tie.


# %%
def duel(dataset, n):
    """MLP minus the better classical model (by mean), paired by seed, in accuracy points."""
    best = max(MODELS[1:], key=lambda m: runs(dataset, m, n).mean())
    diff = 100 * (runs(dataset, "MLP", n) - runs(dataset, best, n))
    spread = diff.std(ddof=1) if len(diff) > 1 else 0.0
    if abs(diff.mean()) <= spread:
        return best, diff.mean(), "tie"
    return best, diff.mean(), "MLP" if diff.mean() > 0 else "classical"


print("Claim 1 - small data: classical ML is often more accurate.")
small_wins = 0
for name in SIZES:
    n = curve_sizes[name][0]
    best, d, winner = duel(name, n)
    small_wins += winner == "classical"
    print(f"  {name:13s} n={n:3d}: MLP {pm(runs(name, 'MLP', n))} vs {best} {pm(runs(name, best, n))}"
          f" -> MLP {d:+.1f} points, winner: {winner}")
print(f"  Verdict: classical ML won at the smallest size on {small_wins} of {len(SIZES)} data sets; "
      + ("the claim holds here." if small_wins > len(SIZES) / 2 else "the claim does not hold here."))

print("\nClaim 2 - large data: deep learning keeps improving, classical ML plateaus.")
big = max(SIZES, key=lambda name: curve_sizes[name][-1])
n_prev, n_last = curve_sizes[big][-2:]
doublings = np.log2(n_last / n_prev)
gain = {m: 100 * (runs(big, m).mean() - runs(big, m, n_prev).mean()) / doublings for m in MODELS}
for m in MODELS:
    print(f"  {big}: {m:20s} gains {gain[m]:+.1f} points per doubling from n={n_prev} to n={n_last}")
first_gap, last_gap = duel(big, curve_sizes[big][0])[1], duel(big, None)[1]
keeps = gain["MLP"] > max(gain[m] for m in MODELS[1:])
print(f"  MLP minus best classical: {first_gap:+.1f} points at n={curve_sizes[big][0]}, {last_gap:+.1f} at n={n_last}.")
print(f"  Verdict: at the top of the curve the MLP improves {'faster' if keeps else 'no faster'} than the "
      f"trees, so the claim {'is supported' if keeps else 'is not supported'} up to {n_last} examples "
      "(the course means tens of thousands or more, which this data set cannot test).")

print("\nClaim 3 - training time: classical takes minutes-hours, deep learning hours-days.")
ratios = {name: runs(name, "MLP", key="seconds").mean()
          / min(runs(name, m, key="seconds").mean() for m in MODELS[1:]) for name in SIZES}
for name, ratio in ratios.items():
    print(f"  {name:13s}: MLP fit {runs(name, 'MLP', key='seconds').mean():.2f} s, {ratio:.1f}x the faster "
          "classical model")
slowest = max(r["seconds"] for r in records if r["full"])
geo = float(np.exp(np.mean(np.log(list(ratios.values())))))
print(f"  Verdict: every full-size fit took at most {slowest:.1f} s, so neither 'hours' nor 'days' applies "
      f"at this scale; "
      f"the MLP was {geo:.1f}x {'slower' if geo > 1 else 'faster'} than the faster classical model "
      f"(geometric mean), so the direction of the claim {'holds' if geo > 1 else 'does not hold'}.")

# %% [markdown]
# ### Claim 4: interpretability
#
# A random forest reports *impurity importances* as a by-product of training. For any model,
# including a neural network, **permutation importance** asks the same question from the
# outside: shuffle one feature's column in the test set and measure how much worse the
# predictions get (here, the rise of the Brier score, the mean squared error of the predicted
# probability). We compare the full-data breast-cancer MLP and forest of the first seed.


# %%
def permutation_importance(predict_proba, x, y, repeats=5, seed=0):
    """Mean rise of the Brier score when each feature is shuffled; one batched prediction."""
    rng = np.random.default_rng(seed)
    base = np.mean((predict_proba(x) - y) ** 2)
    shuffled = []
    for j in range(x.shape[1]):
        for _ in range(repeats):
            copy = x.copy()
            copy[:, j] = rng.permutation(copy[:, j])
            shuffled.append(copy)
    probs = predict_proba(np.concatenate(shuffled)).reshape(x.shape[1], repeats, len(x))
    return ((probs - y) ** 2).mean(axis=2).mean(axis=1) - base


feature_names = load_breast_cancer().feature_names
mlp, data = kept["MLP"]
forest = kept["RandomForest"][0]
probes = {"MLP": lambda x: mlp.predict(x, batch_size=4096, verbose=0)[:, 0],
          "RandomForest": lambda x: forest.predict_proba(x)[:, 1]}
importance, probe_seconds = {}, {}
for name, probe in probes.items():
    start = time.perf_counter()
    importance[name] = permutation_importance(probe, data.x_test, data.y_test)
    probe_seconds[name] = time.perf_counter() - start
top = {name: list(np.argsort(values)[::-1][:5]) for name, values in importance.items()}
top["impurity"] = list(np.argsort(forest.feature_importances_)[::-1][:5])
for name, index in top.items():
    print(f"top 5 by {name:12s}: {', '.join(feature_names[i] for i in index)}")
shared = len(set(top["MLP"]) & set(top["RandomForest"]))
rho = spearmanr(importance["MLP"], importance["RandomForest"]).statistic
print(f"Permutation importance took {probe_seconds['MLP']:.2f} s for the MLP and "
      f"{probe_seconds['RandomForest']:.2f} s for the forest; the impurity importances cost nothing extra.")
print(f"The MLP and the forest share {shared} of their top-5 features (Spearman rank correlation over all "
      f"{len(feature_names)} features: {rho:.2f}).")
print("Verdict: the forest explains itself for free, but the MLP is not a black box to a model-agnostic "
      + ("probe: it leans on largely the same features as the forest." if shared >= 3 else
         "probe, though here it leans on different features than the forest does."))

# %%
fig, ax = plt.subplots(figsize=(6, 4.5))
ax.scatter(importance["RandomForest"], importance["MLP"], s=14)
for i in set(top["MLP"]) | set(top["RandomForest"]):
    ax.annotate(feature_names[i], (importance["RandomForest"][i], importance["MLP"][i]), fontsize=7)
ax.set_xlim(right=1.4 * importance["RandomForest"].max())  # room for the labels
ax.set_xlabel("forest: rise of Brier score when shuffled")
ax.set_ylabel("MLP: rise of Brier score when shuffled")
ax.set_title("Permutation importance, breast cancer (test split)")
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## Summary
#
# - A fair comparison fixes the splits, repeats over seeds and reports mean +- standard
#   deviation; differences smaller than the seed-to-seed spread are ties.
# - On data sets of this size every contestant trains in seconds; the verdicts printed above
#   say which of the course's claims the measurements support and which they contradict.
# - A learning curve over training-set size shows how much each model gains from more data;
#   the claim "deep learning keeps improving" is about far larger data than ships with
#   scikit-learn, so a curve this short can only hint at it.
# - "Black box" describes the absence of built-in explanations, not the impossibility of
#   explaining: permutation importance applies to any model that makes predictions.

# %% [markdown]
# ## Exercises
#
# 1. Replace the MLP with a `cnn` on `load("digits")` (8x8 images). Does keeping the 2-D layout
#    change the digits verdicts?
# 2. Add `dropout=0.3` to the MLP and rerun the learning curves. Which sizes benefit?
# 3. Time `predict` on the test split for all three models. Which is fastest at inference?
# 4. Use `load("spirals", n_samples=...)` with 200, 2,000 and 20,000 points to extend the
#    learning curve far beyond 1,347 examples. Does the gap between MLP and trees change?
# 5. Permutation importance suffers when features are strongly correlated (breast cancer has
#    radius, perimeter and area). Shuffle correlated groups together and compare the rankings.
