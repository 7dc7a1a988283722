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
# # Why deep learning became practical
#
# *Topic 3 of the course: data, compute and algorithms, each measured on a small scale.*
#
# **Data used:** scikit-learn's handwritten digits; this machine's own speed.
#
# **Prerequisites:** tutorials 1 and 2.
#
# The course says deep learning existed as a theory since the 1980s but became practical
# only after 2012, thanks to three factors: **big data**, **GPU computing** and
# **algorithmic improvements**. History cannot be re-run, but each factor leaves a trace we
# can measure on a small scale.
#
# **What you will learn**
#
# - draw the course's timeline;
# - train the same convolutional network on more and more handwritten digits and watch
#   test accuracy grow with the amount of data;
# - measure how fast the machine that built this page multiplies matrices and trains a
#   network, and see what is (and is not) known about a GPU here;
# - time three of the course's "better algorithms" (ReLU, Adam, He initialization with
#   batch normalization) as *epochs needed to reach a target accuracy*.

# %%
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np

import kerasdl
from kerasdl import datasets, device, exercises, models, plots, stats, training

SMOKE = kerasdl.smoke_mode()
keras.utils.set_random_seed(0)

info = device.describe()
print("This page was built on:")
print(device.format_description(info))

# %% [markdown]
# ## The timeline
#
# The dates below are the ones the course gives. The shaded band is the period the course
# calls practical deep learning, when the three factors came together.

# %%
TIMELINE = [(1958, "First perceptron"), (1986, "Backpropagation introduced"),
            (2012, "AlexNet wins ImageNet:\ndeep learning revolution begins"),
            (2017, "Transformers introduced\n(foundation of ChatGPT)"), (2020, "large language\nmodels dominate AI")]
fig, ax = plt.subplots(figsize=(9, 2.8))
ax.axhline(0, color="grey", linewidth=1)
for i, (year, event) in enumerate(TIMELINE):
    height = 1 if i % 2 == 0 else -1
    align = {2012: "right", 2020: "left"}.get(year, "center")  # keep the crowded labels apart
    ax.plot([year, year], [0, 0.8 * height], color="tab:blue", linewidth=1)
    ax.plot(year, 0, "o", color="tab:red" if year == 2012 else "tab:blue")
    ax.annotate(f"{year}{'+' if year == 2020 else ''}\n{event}", (year, 0.85 * height), ha=align,
                va="bottom" if height > 0 else "top", fontsize=8)
ax.axvspan(2012, 2026, color="tab:orange", alpha=0.12, label="data + GPUs + better algorithms")
ax.set(ylim=(-2.2, 2.2), xlim=(1950, 2040), yticks=[])
ax.spines[["left", "right", "top"]].set_visible(False)
ax.legend(loc="lower left", fontsize=8, frameon=False)
ax.set_title("The course's timeline of deep learning")
plt.show()

# %% [markdown]
# ## Factor 1: data
#
# The course: "deep networks need large data to learn well", and deep learning's accuracy
# "keeps improving" with more data. It quotes ImageNet's "14 million labelled images across
# 1000 categories"; those are two different sets. The full ImageNet has about 14 million
# images in about 21,000 categories; the 1000-category subset of the ILSVRC-2012
# competition, the one AlexNet won, has about 1.28 million training images. We have the
# 1,797 8x8 digits bundled with scikit-learn, so we can only watch the *start* of such a
# curve. We train `kerasdl.models.cnn` on stratified subsets of the training split, from a
# few dozen images to all of them; every run keeps its best epoch on the same validation
# split and is then tested once on the same held-out test images.
#
# So that a run on 50 images is not simply a run with fewer gradient steps, a small subset
# is cycled through until an epoch has as many rows as the whole training split: every run
# gets the same number of updates, and only the number of *distinct* examples changes. Each
# size is repeated with several seeds (another subset and initialization); a seed's runs at
# different sizes share their validation and test images, so each step of the curve can be
# judged paired by seed.

# %%
SIZES = [50, 200] if SMOKE else [50, 100, 200, 400, None]  # None: the whole training split
SEEDS = [0, 1] if SMOKE else [0, 1, 2, 3, 4]
CNN_EPOCHS = 2 if SMOKE else 6
digits = datasets.load("digits")


def cnn_run(n_train, seed):
    """One CNN on `n_train` images (None: all); its best validation epoch scored on test."""
    data = digits if n_train is None else digits.subset(n_train, seed=seed)
    rows = 256 if SMOKE else len(digits.x_train)  # rows per epoch: the same for every size
    repeat = np.arange(rows) % len(data.x_train)  # a small subset is cycled through to fill the epoch
    keras.utils.set_random_seed(seed)
    model = training.compile_for(models.cnn(data.input_shape, data.num_outputs, filters=(16, 32)))
    model.fit(data.x_train[repeat], data.y_train[repeat], validation_data=data.validation,
              epochs=CNN_EPOCHS, batch_size=32, verbose=0, callbacks=[training.BestEpoch("val_loss")])
    scores = {split: model.evaluate(x, y, verbose=0, return_dict=True)["accuracy"]
              for split, (x, y) in (("val", data.validation), ("test", data.test))}
    return {"model": "cnn", "seed": seed, "val_accuracy": scores["val"], "test_accuracy": scores["test"]}


start = time.perf_counter()
sizes = [len(digits.x_train) if n is None else n for n in SIZES]
curve = stats.LearningCurve({size: stats.SeedRuns([cnn_run(n, seed) for seed in SEEDS])
                             for size, n in zip(sizes, SIZES)})
print(f"{len(sizes) * len(SEEDS)} CNN runs in {time.perf_counter() - start:.0f} s"
      f"{' (smoke run: 2 seeds)' if SMOKE else ''}")
print(curve.table("test"))
plots.plot_curve_intervals(curve, title="More data, better CNN (mean, 95% interval over seeds)")
plt.show()

# %% [markdown]
# Is the curve still rising at the right-hand end, or has it flattened? Each step compares
# the larger training set with the smaller one, seed by seed, with a 95% interval.

# %%
steps = [stats.paired_difference(curve.runs[n1].scores("cnn"), curve.runs[n0].scores("cnn"),
                                 names=(f"{n1} images", f"{n0} images"), scale=100, unit="points")
         for n0, n1 in zip(sizes, sizes[1:])]
for step in steps:
    print(f"test accuracy: {step.verdict()}")
last = steps[-1]
print(f"The last step of data ({last.names[1]} -> {last.names[0]}) "
      + ("still raised test accuracy detectably." if last.detected and last.mean > 0 else
         "lowered test accuracy detectably." if last.detected else
         f"made no detectable difference at {last.n} seeds: on this small task the curve is flattening, "
         "or the seeds are too few to see the remaining gain."))
if SMOKE:
    print("(Smoke run: few sizes, 2 seeds and two epochs, so these numbers say nothing about the claim.)")

# %% [markdown]
# Read a flattening curve with care: the course speaks of millions of examples, while here
# a small network meets a small task. Once it is near the best it can do on 8x8 digits,
# more of the same data has little left to teach it; a larger model might keep using more
# data for longer (exercise 1).

# %% [markdown]
# ## Factor 2: compute
#
# Training a network is mostly matrix multiplication: every Dense layer multiplies a batch
# of activations by a weight matrix, and convolutions are turned into matrix products too.
# The course credits GPUs, which "compute millions of matrix operations simultaneously".
# Let us multiply two 64x64 matrices with three nested Python loops (one multiply-add at a
# time), then with `keras.ops.matmul`, which hands the whole product to an optimised
# library. Two things separate them: the library's compiled inner loops and vector
# instructions (no Python interpreter between one multiply-add and the next), and its use
# of several cores at once. To tell them apart, we also run the library on **one thread**.

# %%
n = 32 if SMOKE else 64
a, b = np.random.default_rng(0).random((2, n, n), dtype=np.float32)
start = time.perf_counter()
c = [[sum(a[i, k] * b[k, j] for k in range(n)) for j in range(n)] for i in range(n)]
loop_seconds = time.perf_counter() - start
assert np.allclose(c, a @ b, rtol=1e-4)
loop_gflops = 2 * n**3 / loop_seconds / 1e9
print(f"Python loops, {n}x{n}: {loop_seconds:.2f} s, {loop_gflops:.4f} GFLOP/s")

MATMUL_SIZES = [64, 128] if SMOKE else [64, 128, 256, 512, 1024]
MIN_SECONDS = 0.05 if SMOKE else 0.3
matmul = [device.matmul_gflops(size, "float32", min_seconds=MIN_SECONDS, repeats=2) for size in MATMUL_SIZES]
print(training.format_table([{k: row[k] for k in ("size", "reps", "seconds", "gflops")} for row in matmul]))
best = max(matmul, key=lambda row: row["gflops"])
print(f"keras.ops.matmul peaks at {best['gflops']:.1f} GFLOP/s (size {best['size']}): "
      f"{best['gflops'] / loop_gflops:,.0f} times the Python loops.")
growth = matmul[-1]["gflops"] / matmul[0]["gflops"]
print(f"From size {matmul[0]['size']} to {matmul[-1]['size']} the rate " +
      (f"grew {growth:.1f} times." if growth > 1 else f"did not grow (x{growth:.2f})."))

# %% [markdown]
# How much of that is parallelism? On the TensorFlow backend, `keras.ops.matmul` runs on
# TensorFlow's *intra-op* thread pool, whose size can only be set before TensorFlow starts.
# So each measurement below runs in a fresh Python process, with one thread or with the
# default (one per core), alternating twice; the fastest of each is kept.

# %%
CHILD = """
import json, sys
import tensorflow as tf
tf.config.threading.set_intra_op_parallelism_threads(int(sys.argv[1]))  # 0: TensorFlow's default
from kerasdl import device
print(json.dumps([device.matmul_gflops(n, "float32", min_seconds=float(sys.argv[2]), repeats=2)
                  for n in json.loads(sys.argv[3])]))
"""


def threaded_gflops(threads, sizes):
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3",
           "PYTHONPATH": os.pathsep.join([str(Path(kerasdl.__file__).resolve().parents[1]),
                                          os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", CHILD, str(threads), str(MIN_SECONDS), json.dumps(sizes)],
                         capture_output=True, text=True, env=env, check=True).stdout
    return {row["size"]: row["gflops"] for row in json.loads(out.strip().splitlines()[-1])}


THREAD_SIZES = [MATMUL_SIZES[-1]] if SMOKE else [256, 1024]
if keras.backend.backend() == "tensorflow":
    sweeps = {1: [], 0: []}
    for _ in range(1 if SMOKE else 2):  # interleaved, so a busy moment hits both settings
        for threads in sweeps:
            sweeps[threads].append(threaded_gflops(threads, THREAD_SIZES))
    fastest = {t: {s: max(run[s] for run in runs) for s in THREAD_SIZES} for t, runs in sweeps.items()}
    print(training.format_table([{"size": s, "gflops_1_thread": fastest[1][s],
                                  f"gflops_{os.cpu_count()}_cores": fastest[0][s],
                                  "threads_speedup": fastest[0][s] / fastest[1][s]} for s in THREAD_SIZES]))
    size = THREAD_SIZES[-1]
    single, full = fastest[1][size], fastest[0][size]
    print(f"At size {size}: one thread is already {single / loop_gflops:,.0f} times the Python loops; "
          f"all {os.cpu_count()} cores add a further x{full / single:.1f}.")
    share = np.log(single / loop_gflops) / np.log(full / loop_gflops)
    print(f"On a log scale, {100 * share:.0f}% of the loop-vs-library gap is there on one thread "
          "(compiled, vectorised code instead of one Python operation per multiply-add) and "
          f"{100 * (1 - share):.0f}% comes from the extra threads.")
else:
    print(f"The thread comparison is written for the TensorFlow backend; this page runs on "
          f"{keras.backend.backend()}.")

# %% [markdown]
# `device.matmul_gflops` is the measuring function `benchmarks/throughput.py` uses: it
# counts `2 n^3` floating-point operations per product and keeps the fastest of repeated
# timings. Small matrices cannot keep all the arithmetic units busy, so the rate should grow
# with the size (the line under the first table checks); a GPU, with thousands of units,
# needs even larger products, or larger batches, before it pulls ahead. The thread table
# shows how little of the loop-vs-library gap comes from using more cores on a machine with
# few of them: a GPU's advantage is many more arithmetic units, not the removal of Python.
#
# Now a whole training step: examples per second for the digits CNN of the previous
# section, measured with `device.fit_throughput` (a warm-up fit first, which pays for
# turning the training step into a graph, then the fastest of a few timed epochs).

# %%
keras.utils.set_random_seed(0)
cnn = training.compile_for(models.cnn(digits.input_shape, digits.num_outputs, filters=(16, 32)))
fit = device.fit_throughput(cnn, digits.x_train, digits.y_train, batch_size=32, repeats=2 if SMOKE else 3)
print(f"Training the digits CNN on {info['gpus'][0]['name'] if info['gpus'] else info['cpu']['name']}: "
      f"{fit['examples_per_s']:,.0f} examples/s (batch 32; warm-up {fit['warmup_seconds']:.1f} s)")

# %% [markdown]
# ### And on a GPU?
#
# A GPU number belongs on this page only if it comes from a real GPU run: either the page
# was built on a GPU (the live numbers above are then GPU numbers), or
# `python benchmarks/throughput.py` ran on a GPU machine and its JSON recording was
# committed to `benchmarks/results/`. The next cell looks for both.

# %%
FOLDERS = [Path(kerasdl.__file__).resolve().parents[1] / "benchmarks" / "results", Path("benchmarks", "results")]
recordings = device.load_recordings(FOLDERS)
print(f"Benchmark recordings found: {len(recordings)}")
for rec in recordings:
    print(f"  {Path(rec['path']).name}: {rec['device']}, {rec['backend']}, {rec['date']}")
gpu_recordings = [rec for rec in recordings if device.is_accelerated(rec)]
live = device.is_accelerated(info)
if live:
    print("This page was built on an accelerator: the measurements above are live accelerator numbers.")
if not gpu_recordings:
    print(f"No GPU recording is committed{'' if live else ', so this page shows no GPU numbers'}. "
          "Run `python benchmarks/throughput.py` on a GPU machine to produce one.")
for rec in gpu_recordings[:1]:
    gpu = rec["describe"]["gpus"][0]["name"] if rec["describe"]["gpus"] else f"{rec['describe']['tpus']} TPU(s)"
    print(f"\nRECORDING (not measured while building this page): {gpu}, backend {rec['backend']}, "
          f"recorded {rec['date']}{', quick mode' if rec.get('quick') else ''}")
    rows = []
    for row in rec["matmul"]:
        if row.get("dtype") == "float32" and "gflops" in row:
            here = next((m["gflops"] for m in matmul if m["size"] == row["size"]), None)
            rows.append({"size": row["size"], "recorded_gpu_gflops": row["gflops"], "this_machine_gflops": here,
                         "ratio": None if here is None else row["gflops"] / here})
    print(training.format_table(rows, digits=1))
    print("Recorded training throughput (the benchmark's own models and random inputs, see its config):")
    print(training.format_table([{k: r.get(k) for k in ("model", "policy", "jit_compile", "examples_per_s")}
                                 for r in rec.get("train", []) if "examples_per_s" in r], digits=0))

# %% [markdown]
# The course's own claim, "training that took months on CPUs takes hours on GPUs", means a
# speed-up of two orders of magnitude or more (a month has 720 hours). Only a GPU
# measurement, live or recorded, can test it; the `ratio` column above does that, size by
# size, when a recording exists.
#
# ## Factor 3: better algorithms
#
# The course lists better activations (ReLU instead of sigmoid), better optimizers (Adam),
# better initialization (He) and better normalization (batch normalization). We measure
# each as *epochs until the validation accuracy first reaches a target* on the flattened
# digits (the validation split, carved from the training data), with a deep network
# (`deep_mlp`, 6 hidden layers of 64 units), and report each run's best validation
# accuracy. The reference recipe is ReLU + He initialization + Adam; each comparison
# changes one thing:
#
# - **activation**: sigmoid instead of ReLU (with Glorot initialization, the usual choice
#   for sigmoid: `kernel_initializer="auto"` picks it);
# - **optimizer**: plain SGD (learning rate 0.01, Keras' default) instead of Adam (0.001);
# - **initialization and normalization**: small random weights (`"random_normal"`, standard
#   deviation 0.05), without and with batch norm, against He with batch norm.
#
# Every variant runs with the same seeds; a seed gives the variants the same batch order
# (and the same initial weights where their shapes and initializers agree).

# %%
flat = datasets.load("digits_flat")
if SMOKE:
    flat = flat.subset(400)
TARGET, ALGO_EPOCHS = 0.9, (3 if SMOKE else 10)
VARIANTS = {  # name: (comparison, builder keyword arguments, optimizer, learning rate)
    "ReLU + He + Adam": ("reference", {}, "adam", 1e-3),
    "sigmoid": ("activation", {"activation": "sigmoid"}, "adam", 1e-3),
    "SGD": ("optimizer", {}, "sgd", 1e-2),
    "small init": ("init + BN", {"kernel_initializer": "random_normal"}, "adam", 1e-3),
    "small init + BN": ("init + BN", {"kernel_initializer": "random_normal", "batch_norm": True}, "adam", 1e-3),
    "He + BN": ("init + BN", {"batch_norm": True}, "adam", 1e-3),
}
algo_rows, curves = [], {name: [] for name in VARIANTS}
for seed in SEEDS:
    for name, (group, kwargs, optimizer, lr) in VARIANTS.items():
        keras.utils.set_random_seed(seed)
        model = models.deep_mlp(flat.input_shape, flat.num_outputs, depth=6, width=64, **kwargs)
        training.compile_for(model, optimizer=optimizer, learning_rate=lr)
        start = time.perf_counter()
        history = model.fit(flat.x_train, flat.y_train, validation_data=flat.validation,
                            epochs=ALGO_EPOCHS, batch_size=32, verbose=0)
        val = np.array(history.history["val_accuracy"])
        curves[name].append(val)
        reached = int(np.argmax(val >= TARGET)) + 1 if (val >= TARGET).any() else None
        algo_rows.append({"comparison": group, "variant": name, "seed": seed, "optimizer": optimizer,
                          "epochs_to_target": reached, "best_val_accuracy": float(val.max()),
                          "seconds": time.perf_counter() - start})
print(f"Target: validation accuracy >= {TARGET}; {len(SEEDS)} seeds{' (smoke run)' if SMOKE else ''}")


def per_seed(name, column):
    return [r[column] for r in algo_rows if r["variant"] == name]


print(training.format_table([
    {"comparison": VARIANTS[name][0], "variant": name,
     "epochs_to_target": "/".join(str(e or "-") for e in per_seed(name, "epochs_to_target")),
     "best_val_accuracy": stats.mean_interval(per_seed(name, "best_val_accuracy"))[0],
     "seconds": float(np.mean(per_seed(name, "seconds")))} for name in VARIANTS], digits=3))
print(f"(epochs_to_target per seed, '-' = not within {ALGO_EPOCHS}; best_val_accuracy and seconds: "
      "means over seeds)")

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), sharey=True)
for ax, (title, names) in zip(axes, [("activation", ["ReLU + He + Adam", "sigmoid"]),
                                     ("optimizer", ["ReLU + He + Adam", "SGD"]),
                                     ("init + BN", ["small init", "small init + BN", "He + BN",
                                                    "ReLU + He + Adam"])]):
    for name in names:
        mean_curve = np.mean(curves[name], axis=0)
        ax.plot(np.arange(1, len(mean_curve) + 1), mean_curve, label=name)
    ax.axhline(TARGET, color="black", linestyle=":", linewidth=1)
    ax.set(title=title, xlabel="epoch")
    ax.legend(fontsize="small")
axes[0].set_ylabel(f"validation accuracy (mean of {len(SEEDS)} seeds)")
plt.show()

# %% [markdown]
# What did the course predict, and what happened? Each pair below is judged seed by seed
# (`kerasdl.stats.paired_difference`, 95% interval). A run that never reached the target is
# counted as `ALGO_EPOCHS + 1` epochs, so when one variant never gets there the true gap
# is at least the one printed; the count of such runs is printed too.

# %%
PAIRS = [("ReLU + He + Adam", "sigmoid"), ("ReLU + He + Adam", "SGD"), ("He + BN", "small init"),
         ("small init + BN", "small init"), ("He + BN", "ReLU + He + Adam")]
for new, old in PAIRS:
    epochs = {k: [e or ALGO_EPOCHS + 1 for e in per_seed(k, "epochs_to_target")] for k in (new, old)}
    missed = {k: v.count(ALGO_EPOCHS + 1) for k, v in epochs.items()}
    speed = stats.paired_difference(epochs[new], epochs[old], names=(new, old), unit="epochs",
                                    higher_is_better=False)
    best = stats.paired_difference(per_seed(new, "best_val_accuracy"), per_seed(old, "best_val_accuracy"),
                                   names=(new, old), scale=100, unit="points")
    print(f"{new} vs {old} (missed the target: {missed[new]} and {missed[old]} of {len(SEEDS)} runs)")
    print(f"  epochs to {TARGET}: {speed.verdict()}")
    print(f"  best validation accuracy: {best.verdict()}")
if SMOKE:
    print("(Smoke run: 2 seeds, a few epochs on a subset, so these numbers say nothing about the claims.)")

# %% [markdown]
# The first two pairs change one thing each against the reference. The next two ask
# whether good initial weights and batch norm matter: with small random weights the signal
# shrinks layer after layer, and batch norm re-standardises each layer's outputs, so it can
# undo a bad scale. The last pair asks whether batch norm adds anything once the weights
# are already He-initialized. The course lists all of these as improvements; the verdicts
# above say which of them paid off detectably on this task, at this number of seeds.
#
# ## Run this notebook on a GPU
#
# Nothing in this tutorial names a device: Keras places the work on a GPU when its backend
# sees one, and `device.describe()` at the top will list it. On your own NVIDIA GPU (Linux):
#
# ```bash
# pip install "kerasdl[gpu]"    # TensorFlow with its CUDA libraries
# kerasdl info                  # the "GPUs" line must name your card
# ```
#
# Then download this tutorial as a notebook with the link at the top of this page and run
# it. To try another backend, set it before Keras is imported, e.g.
# `KERAS_BACKEND=jax jupyter lab` after `pip install "jax[cuda12]"`. To add your GPU's
# numbers to this page for everyone, run `python benchmarks/throughput.py` there and
# commit the JSON file it writes to `benchmarks/results/`.
#
# ## Summary
#
# - Deep learning's ideas are decades old (perceptron 1958, backpropagation 1986); they
#   became practical after 2012 when data, compute and algorithms came together.
# - **Data:** a learning curve measures test accuracy against the number of training
#   images; judge each step paired by seed, with an interval, to tell a real gain from noise.
# - **Compute:** a library matmul is orders of magnitude faster than one multiply-add at a
#   time; timing it on one thread separates compiled, vectorised code from parallelism;
#   `device.matmul_gflops` and `device.fit_throughput` measure it on any device, and
#   GPU numbers belong on a page only when they come from a real GPU run.
# - **Algorithms:** "epochs to a target accuracy" turns the course's list of improvements
#   into numbers you can compare, including the runs that never get there.
#
# ## Exercises
#
# Each exercise ends with a check, `exercises.check("03.k", ...)`, that judges your answer by
# the property the question is about (never one exact number), says what it shows or what is
# missing, and gives a hint. A worked solution is folded under each exercise.
#
# ### Exercise 1: Half precision on this CPU
#
# Time `device.matmul_gflops` at size 256 in `"float32"`, `"bfloat16"` and `"float16"`. Is
# half precision faster on this CPU? (`device.describe()` says whether it has bfloat16 matrix
# units.) Check with `exercises.check("03.1", rows=[the three rows], cpu=info["cpu"])`.

# %% tags=["solution"]
half = [device.matmul_gflops(256, dtype, min_seconds=MIN_SECONDS, repeats=2)
        for dtype in ("float32", "bfloat16", "float16")]
print(training.format_table(half))
print(exercises.check("03.1", rows=half, cpu=info["cpu"]).require())

# %% [markdown]
# ### Exercise 2: A stricter target
#
# Count the epochs to a validation accuracy of 0.95 as well as 0.9, from the curves recorded
# above (`curves`: no new training). Which verdicts change? Check with
# `exercises.check("03.2", epochs_to_target={0.9: {variant: [...]}, 0.95: {...}}, curves=curves)`.

# %% tags=["solution"]
reached = {t: {name: [int(np.argmax(c >= t)) + 1 if (c >= t).any() else None for c in runs]
               for name, runs in curves.items()} for t in (TARGET, 0.95)}


def speed(target, new, old):
    epochs = [[e or ALGO_EPOCHS + 1 for e in reached[target][k]] for k in (new, old)]
    return stats.paired_difference(*epochs, names=(new, old), unit="epochs", higher_is_better=False)


for new, old in PAIRS:
    before, after = speed(TARGET, new, old), speed(0.95, new, old)
    changed = np.sign(before.mean) * before.detected != np.sign(after.mean) * after.detected
    print(f"{'CHANGED' if changed else 'same'} - epochs to 0.95: {after.verdict()}")
print(exercises.check("03.2", epochs_to_target=reached, curves=curves).require())

# %% [markdown]
# ### Exercise 3: SGD with momentum
#
# Give SGD momentum (`optimizer=keras.optimizers.SGD(0.01, momentum=0.9)`) and train the same
# network for each seed, for at most 5 epochs. Compare each run's best validation accuracy
# with the first as many epochs of the page's SGD and Adam runs (same seeds). How much of the
# gap to Adam does momentum close? Check with
# `exercises.check("03.3", best={"sgd": [...], "momentum": [...], "adam": [...]})`.

# %% tags=["solution"]
SHORT = min(ALGO_EPOCHS, 5)
best = {"sgd": [float(c[:SHORT].max()) for c in curves["SGD"]], "momentum": [],
        "adam": [float(c[:SHORT].max()) for c in curves["ReLU + He + Adam"]]}
for seed in SEEDS:  # the page's seeds, in its order: the same initial weights and batches
    keras.utils.set_random_seed(seed)
    model = models.deep_mlp(flat.input_shape, flat.num_outputs, depth=6, width=64)
    training.compile_for(model, optimizer=keras.optimizers.SGD(0.01, momentum=0.9))
    history = model.fit(flat.x_train, flat.y_train, validation_data=flat.validation, epochs=SHORT,
                        batch_size=32, verbose=0)
    best["momentum"].append(max(history.history["val_accuracy"]))
print(f"best validation accuracy in {SHORT} epochs: " +
      stats.paired_difference(best["momentum"], best["sgd"], names=("SGD + momentum", "SGD"),
                              scale=100, unit="points").verdict())
print(exercises.check("03.3", best=best).require())
