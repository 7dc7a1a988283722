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
# # Transfer learning
#
# *Topic 10 of the course: reusing a pre-trained network: freeze, new head, fine-tune.*
#
# **Data used:** scikit-learn's handwritten digits; printed glyphs kerasdl generates.
#
# **Prerequisites:** tutorials 2 and 8.
#
# The course's recipe: take a network already trained on a large dataset (ResNet50 on
# ImageNet), freeze it, replace its last layer by a new one for your task (2 neurons:
# normal vs pneumonia), train only that layer on your 500 X-rays, then optionally unfreeze
# the upper layers and fine-tune. Its promise: high accuracy from few labelled images.
#
# ImageNet weights need a download, and the pages of this site are built offline, so the
# measured part uses a backbone that ships with kerasdl: a small CNN pre-trained on tens of
# thousands of printed letters and symbols (no digits) rendered from matplotlib's fonts (the *source*
# task). The *target* task is different data: real handwritten digits, with only a handful
# of labels per class.
#
# **What you will learn**
#
# - load the pre-trained backbone, freeze it and count what still trains;
# - put a new classification head on it and train only the head;
# - unfreeze the upper layers and fine-tune at a much lower learning rate (two phases,
#   checkpointed, with the phase boundary in the training curves);
# - measure, over several seeds, whether transfer beats training from scratch at 5 to 100
#   labels per class, and where it stops helping;
# - see the same code with MobileNetV2 and ImageNet weights on a folder of images
#   (flowers, or the course's X-rays), which runs wherever the weights and data are available.

# %%
import json
import string
import tempfile
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

import kerasdl
from kerasdl import datasets, exercises, plots, stats, transfer
from kerasdl.transfer.backbones import GLYPHS_PATH
from kerasdl.transfer.experiment import UNFREEZE, digits_transfer_comparison
from kerasdl.transfer.glyphs import DIGIT_LOOKALIKES, GLYPH_CLASSES, glyph_dataset
from kerasdl.transfer.pretrain import metadata_path

SMOKE = kerasdl.smoke_mode()
keras.utils.set_random_seed(0)
START = time.perf_counter()

data = datasets.load("digits")
print(data)
source_x, source_y = glyph_dataset(1, seed=0)  # one rendering of each source class
shown = "AEKRbh#%&?" + "".join(DIGIT_LOOKALIKES)[:6]
images = np.concatenate([source_x[[list(source_y).index(GLYPH_CLASSES.index(c)) for c in shown]],
                         data.x_train[:16]])
titles = list(shown) + [f"hand {d}" for d in data.y_train[:16]]
fig = plots.plot_image_grid(images, titles=titles, ncols=16, title="Source: printed glyphs (top). "
                            "Target: handwritten digits (bottom).")
plt.show()
print(f"source classes ({len(GLYPH_CLASSES)}): {''.join(GLYPH_CLASSES)}")
print(f"digits among them: {sorted(set(GLYPH_CLASSES) & set(string.digits)) or 'none'}")

# %% [markdown]
# Both are 8x8 grids of ink counts, made the same way. The source has 47 classes of printed
# letters and symbols in many fonts and **no digit classes**, so the backbone has never
# been told what a digit is; the target has 10 classes of handwriting. Some letters do
# look like digits (O and 0, S and 5, Z and 2, B and 8, g and 9: the right half of the top
# row), which is part of what makes the source useful, and a reason to measure rather
# than assume.
#
# ## Step 1: load the pre-trained backbone
#
# `transfer.backbone(name)` returns a network *without* its classification top: images in,
# feature maps out. Its first layer after the input applies the preprocessing the weights
# were trained with (here the source data's mean and standard deviation), so you cannot
# forget it. The file was made by `python -m kerasdl.transfer.pretrain`, which writes a
# record of how next to it.

# %%
features = transfer.backbone(transfer.GLYPHS)
print(f"backbone {transfer.GLYPHS!r}: input {features.input.shape}, output {features.output.shape}")
print("layers:", [layer.name for layer in features.layers])
print(f"parameters: {transfer.parameter_counts(features)['total']:,}")
with open(metadata_path(GLYPHS_PATH), encoding="utf-8") as handle:
    record = json.load(handle)
print(f"made by `{record['made_by']}`: {record['train_images']:,} source images, {record['epochs']} epochs; "
      f"accuracy on fresh source renderings: {record['source_test_accuracy']:.3f} "
      f"(chance {1 / record['classes']:.3f})")

# %% [markdown]
# ## Step 2: freeze it and put a new head on top
#
# `build_transfer_model` freezes the backbone, pools its feature maps and adds a new
# softmax layer for the target's classes; `verbose=True` prints how little of the model
# will train. (BatchNormalization layers keep their pre-trained statistics, see the note
# in `kerasdl.transfer.head`.)

# %%
model = transfer.build_transfer_model(features, data.num_outputs, dropout=0.2, verbose=True)
counts = transfer.parameter_counts(model)
print(f"frozen: {counts['non_trainable']:,} parameters; new head: {counts['trainable']:,} "
      f"(= 128 features x 10 classes + 10 biases: {128 * 10 + 10:,})")

# %% [markdown]
# ## Steps 3 and 4: train the head, then unfreeze the upper layers and fine-tune
#
# We give the network only `PER_CLASS` labelled handwritten digits per class. `fine_tune`
# runs both phases: first the head alone, then it unfreezes the top of the backbone (from
# `UNFREEZE` up; BatchNormalization stays frozen) and continues with a learning rate 30
# times lower, so the pre-trained filters are adjusted rather than overwritten. The
# comparison further down uses the very same `UNFREEZE`. `transfer.unfreeze` is the
# function `fine_tune` uses; here is what it would unfreeze:

# %%
PER_CLASS = 10
rng = np.random.default_rng(0)
picked = np.concatenate([rng.choice(np.flatnonzero(data.y_train == c), PER_CLASS, replace=False)
                         for c in range(10)])
x_few, y_few = data.x_train[picked], data.y_train[picked]
print(f"labelled training images: {len(x_few)} ({PER_CLASS} per class)")
print(f"unfreeze(model, {UNFREEZE!r}) ->", transfer.unfreeze(model, UNFREEZE))
print(f"trainable while fine-tuning: {transfer.parameter_counts(model)['trainable']:,} parameters")

# %% [markdown]
# `fine_tune` freezes the backbone again for phase 1 whatever its state. The curves are
# drawn on the validation split (carved from the digits' training images; the test split
# is not touched here). With `checkpoint_dir`, every epoch is backed up: an interrupted
# run resumes where it stopped, and a finished one is just reloaded.

# %%
HEAD_EPOCHS, TUNE_EPOCHS = (3, 3) if SMOKE else (20, 20)
run_dir = tempfile.mkdtemp(prefix="transfer_run_")
settings = dict(head_epochs=HEAD_EPOCHS, fine_tune_epochs=TUNE_EPOCHS, unfreeze=UNFREEZE,
                head_learning_rate=3e-3, fine_tune_learning_rate=1e-4, batch_size=16,
                checkpoint_dir=run_dir)
keras.utils.set_random_seed(0)
result = transfer.fine_tune(model, (x_few, y_few), data.validation, **settings)
print("trainable parameters per phase:", result.trainable_params)
print("unfrozen in phase 2:", result.unfrozen)
head_acc = result.history["val_accuracy"][result.boundary - 1]
tuned_acc = result.history["val_accuracy"][-1]
print(f"validation accuracy after phase 1 (head only): {head_acc:.3f}; after phase 2 "
      f"(fine-tuned): {tuned_acc:.3f} ({tuned_acc - head_acc:+.3f}, one run)")
fig = plots.plot_transfer_history(
    result, title=f"Glyph backbone on handwritten digits, {PER_CLASS} labels per class")
plt.show()

# Calling it again with the same folder trains nothing: the checkpoint holds the finished run.
again = transfer.fine_tune(
    transfer.build_transfer_model(transfer.backbone(transfer.GLYPHS), 10, dropout=0.2),
    (x_few, y_few), data.validation, **settings)
print(f"second call: same history {again.history == result.history}, "
      f"same validation accuracy {np.isclose(again.history['val_accuracy'][-1], tuned_acc)}")

# %% [markdown]
# In the figure the dotted line marks where phase 2 begins. One run with 100 images says
# little (which images were drawn matters), so the change printed above is not a verdict.
#
# ## How much does transfer buy? Scratch vs frozen vs fine-tuned
#
# `kerasdl.transfer.experiment.digits_transfer_comparison` repeats the recipe over seeds (a
# different labelled sample and initialization each time) and several label counts:
#
# - `scratch`: the same convolutional body (`kerasdl.models.cnn`), random weights, all
#   trained, with as many gradient steps as both transfer phases together;
# - `frozen`: the glyph backbone frozen, only a new head trained (phase 1);
# - `fine_tuned`: the same model after phase 2, unfreezing from the same `UNFREEZE`;
# - `pixels_logreg`: a logistic regression on the 64 raw pixels, the classical reference.
#
# Every network keeps the epoch with the lowest validation loss (in each phase), and is
# then scored once on the test split. The validation split is large (a fifth of the
# digits' training images, all labelled): a generous luxury when labels are scarce, and the
# same for every method. Methods are paired by seed (same labelled images), and every
# verdict below comes from `kerasdl.stats`: the mean paired difference on the test split
# with its 95% t interval over the seeds.

# %%
LABELS = (5,) if SMOKE else (5, 10, 50)
SEEDS = (0, 1) if SMOKE else (0, 1, 2, 3, 4)
STEPS = 20 if SMOKE else 100  # gradient steps per phase, batches of 16
tic = time.perf_counter()
curve = digits_transfer_comparison(LABELS, SEEDS, steps=STEPS, head_learning_rate=3e-3,
                                   fine_tune_learning_rate=1e-4, unfreeze=UNFREEZE)
print(f"{len(LABELS) * len(SEEDS)} runs of 4 models in {time.perf_counter() - tic:.0f} s"
      + (f" (smoke run: {len(SEEDS)} seeds)" if SMOKE else f" ({len(SEEDS)} seeds)"))
print("test accuracy per labelled-set size (n_train), mean and 95% interval over seeds:")
print(curve.table("test"))
fig = plots.plot_curve_intervals(curve, split="test",
                                 title=f"Handwritten digits: test accuracy, {len(SEEDS)} seeds")
plt.show()

# %% [markdown]
# Which transfer variant to use at a given label count is a choice, so it is made on the
# validation split (the higher mean validation accuracy of `frozen` and `fine_tuned`),
# and only then is the chosen one compared with scratch on the test split.

# %%
verdicts = {}
for n in curve.sizes:
    runs = curve.runs[n]
    chosen = max(("frozen", "fine_tuned"), key=lambda m: runs.scores(m, "val").mean())
    verdicts[n] = chosen, runs.paired(chosen, "scratch")
    print(f"{n // 10:>3} labels per class: chose {chosen} on validation; "
          f"{runs.verdict(chosen, 'scratch')}")
    print(f"{'':21s}fine-tuning vs frozen: {runs.verdict('fine_tuned', 'frozen')}")
helped = [n // 10 for n, (_, d) in verdicts.items() if d.detected and d.mean > 0]
hurt = [n // 10 for n, (_, d) in verdicts.items() if d.detected and d.mean < 0]
print(f"Transfer beat scratch (interval above 0) at: {helped or 'no label count'}; "
      f"scratch beat transfer at: {hurt or 'no label count'}; "
      f"no detectable difference at the others ({len(SEEDS)} seeds).")
if 500 in curve.sizes:
    chosen, d = verdicts[500]
    print(f"The course's '500 images' (50 per class): {chosen} minus scratch = {d.mean:+.1f} points, "
          f"95% CI [{d.ci_low:+.1f}, {d.ci_high:+.1f}].")
if SMOKE:
    print(f"(Smoke run: {len(SEEDS)} seeds and few steps, so these verdicts say nothing about the claims.)")

# %% [markdown]
# Read the verdicts against the course's promise. Where transfer helps, it should help
# most when labels are scarce: the pre-trained filters already respond to strokes, corners
# and loops, so a few examples are enough to learn how to combine them. As labels grow, a
# network trained from scratch learns filters tuned to *this* data, and a backbone shaped
# by another task (printed letters and symbols, not handwritten digits) can end up level or
# behind. Whether and where that crossover happens here is what the printed lines report;
# "no detectable difference" means the interval over these seeds includes 0, not that the
# methods are equal. How far a source task carries depends on how close it is to the
# target: ImageNet photos are far from X-rays, which is why the course keeps fine-tuning
# optional and a measurement like this one decides.
#
# ## The same recipe with ImageNet weights
#
# With a real ImageNet backbone the code is identical; only the backbone and the data change.
# Point `IMAGE_FOLDER` at a folder with one sub-folder per class, for example the course's
# chest X-rays:
#
# ```
# chest_xray/train/
#     normal/      IM-0115-0001.jpeg ...
#     pneumonia/   person1_bacteria_1.jpeg ...
# ```
#
# `datasets.image_folder` reads it (grey X-rays loaded as RGB, since ImageNet backbones want
# 3 channels), or, without a folder, the TFDS `tf_flowers` dataset is used. MobileNetV2's
# preprocessing (pixels 0..255 to -1..1) is inside the backbone. On a machine without the
# weights in the Keras cache and without internet, `backbone` fails within seconds with a
# `WeightsUnavailableError` that explains how to fetch them; the cell prints it and moves
# on. Training is capped at a few batches per epoch here, to keep the page quick to build.

# %%
IMAGE_FOLDER = None  # e.g. "chest_xray/train" with normal/ and pneumonia/ sub-folders
SIZE, BATCHES = 160, (2 if SMOKE else 20)
try:
    mobilenet = transfer.backbone("mobilenetv2", weights="imagenet", input_shape=(SIZE, SIZE, 3))
    if IMAGE_FOLDER:
        photos = datasets.image_folder(IMAGE_FOLDER, image_size=SIZE, validation_split=0.2, color_mode="rgb")
    else:  # download=False: the 220 MB of photos must already be prepared (see the message if not)
        photos = datasets.load("tfds:tf_flowers", splits=("train[:80%]", "train[80%:]"), image_size=(SIZE, SIZE),
                               download=False)
    classes = photos.class_names
    photo_model = transfer.build_transfer_model(mobilenet, len(classes), verbose=True)
    photo_result = transfer.fine_tune(photo_model, photos.train.take(BATCHES), photos.validation.take(BATCHES),
                                      head_epochs=2, fine_tune_epochs=2, unfreeze="block_13_expand",
                                      checkpoint_dir=tempfile.mkdtemp(prefix="mobilenet_run_"))
    curve = photo_result.history["val_accuracy"]
    print(f"classes {classes}: validation accuracy after the head {curve[photo_result.boundary - 1]:.3f}, "
          f"after fine-tuning {curve[-1]:.3f}")
    fig = plots.plot_transfer_history(photo_result, title="MobileNetV2 (ImageNet) on a folder of photos")
    plt.show()
except (transfer.WeightsUnavailableError, ConnectionError, FileNotFoundError, ImportError) as error:
    print(f"Skipped the ImageNet example ({type(error).__name__}):\n{error}")

print(f"\nWhole tutorial: {time.perf_counter() - START:.0f} s on the machine that built this page")

# %% [markdown]
# ## Summary
#
# - Transfer learning reuses the layers of a network trained on a large source task:
#   `transfer.backbone` loads it without its top (preprocessing included),
#   `build_transfer_model` freezes it and adds a new head, so only a small fraction of the
#   parameters trains.
# - `fine_tune` runs the course's two steps: the head alone, then the upper layers unfrozen
#   at a much lower learning rate, with BatchNormalization kept frozen, checkpointed so an
#   interrupted run resumes.
# - The measured table compares scratch, frozen and fine-tuned networks over seeds. Transfer
#   is a bet that the source task's features suit the target; the gap to scratch depends on
#   how many labels you have, and the printed lines show where it holds on this data.
# - The ImageNet version (MobileNetV2, a folder of X-rays or flowers) is the same few calls.
#
# ## Exercises
#
# Each exercise ends with a check, `exercises.check("10.k", ...)`. It judges your answer by
# the property the question is about, never by one exact number, says what your result
# shows or what is missing, and gives a hint. A worked solution is folded under each
# exercise: try first, then open it. They reuse the backbone, the labelled sample and the
# fine-tuned `model` of steps 1-4 (whose backbone is `features`, fine-tuned in place).
#
# ### Exercise 1: A fine-tuning rate as high as the head's
#
# Run steps 3 and 4 again with `fine_tune_learning_rate=3e-3` (the head's rate) instead of
# `1e-4`; a quarter of the epochs in each phase is enough (it only makes the test harder).
# How far do the backbone's convolution kernels move from their pre-trained values,
# $\lVert W - W_0 \rVert / \lVert W_0 \rVert$ per conv layer, in each run? Check with
# `exercises.check("10.1", low={layer: change}, high={layer: change}, unfrozen=...)`, where
# `unfrozen` is `result.unfrozen`.

# %% tags=["solution"]
CONVS = [f"conv_block_{i}_conv" for i in (1, 2, 3)]
pretrained = transfer.backbone(transfer.GLYPHS)  # fresh: `features` was tuned inside `model`
pretrained_kernels = {n: keras.ops.convert_to_numpy(pretrained.get_layer(n).kernel) for n in CONVS}


def kernel_change(tuned):
    """Relative change of each conv kernel of a tuned model's backbone from the pre-trained one."""
    inner = transfer.find_backbone(tuned)
    kernel = lambda n: keras.ops.convert_to_numpy(inner.get_layer(n).kernel)  # noqa: E731
    return {n: float(np.linalg.norm(kernel(n) - w0) / np.linalg.norm(w0))
            for n, w0 in pretrained_kernels.items()}


keras.utils.set_random_seed(0)
fast = transfer.build_transfer_model(transfer.backbone(transfer.GLYPHS), 10, dropout=0.2)
QUICK = max(3, HEAD_EPOCHS // 4)  # a quarter of the epochs: enough to see how far kernels go
fast_settings = {**settings, "fine_tune_learning_rate": 3e-3, "checkpoint_dir": None,
                 "head_epochs": QUICK, "fine_tune_epochs": QUICK}
fast_result = transfer.fine_tune(fast, (x_few, y_few), data.validation, **fast_settings)
change = {"1e-4": kernel_change(model), "3e-3": kernel_change(fast)}
for rate, values in change.items():
    print(f"fine-tuning rate {rate}: " + ", ".join(f"{n} {v:.3g}" for n, v in values.items()))
for rate, r in (("1e-4", result), ("3e-3", fast_result)):
    acc = r.history["val_accuracy"]
    print(f"rate {rate}: validation accuracy at the boundary {acc[r.boundary - 1]:.3f}, one epoch "
          f"later {acc[r.boundary]:.3f}, at the end {acc[-1]:.3f} (one run)")
print(exercises.check("10.1", low=change["1e-4"], high=change["3e-3"],
                      unfrozen=result.unfrozen).require())

# %% [markdown] tags=["solution"]
# Adam moves every weight by roughly its learning rate per step, so at 3e-3 the unfrozen
# kernels travel many times farther from their pre-trained values than at 1e-4, even in a
# quarter of the steps: the filters are rewritten rather than adjusted, and less of what
# the source task taught them survives. What that does to accuracy is a separate question:
# the lines above show one run at each rate, of different lengths (the faster rate may even
# look better); a verdict would need several seeds and the test split, as in the
# comparison above.

# %% [markdown]
# ### Exercise 2: How much does unfreezing train?
#
# Compare `unfreeze=1` (only the top convolution), `unfreeze=UNFREEZE` (the page's choice)
# and `unfreeze="all"`: how many parameters train in phase 2 with each, against the head
# alone in phase 1? Check with
# `exercises.check("10.2", counts={setting: trainable, ...}, head=..., total=...)`, the
# settings in that order.

# %% tags=["solution"]
counts = {}
for setting in (1, UNFREEZE, "all"):
    fresh = transfer.build_transfer_model(transfer.backbone(transfer.GLYPHS), 10, dropout=0.2)
    transfer.unfreeze(fresh, setting)
    counts[str(setting)] = transfer.parameter_counts(fresh)["trainable"]
head_only = transfer.parameter_counts(
    transfer.build_transfer_model(transfer.backbone(transfer.GLYPHS), 10))
print(f"head only: {head_only['trainable']:,}; phase 2 with unfreeze = "
      + ", ".join(f"{k}: {v:,}" for k, v in counts.items()) + f" (of {head_only['total']:,})")
print(exercises.check("10.2", counts=counts, head=head_only["trainable"],
                      total=head_only["total"]).require())

# %% [markdown] tags=["solution"]
# The top convolution holds most of the backbone's weights (it has the most filters), so
# `unfreeze=1` already trains most of what `"all"` does; the lower blocks add little in
# parameters but change the most generic features, the strokes and edges every task
# shares. BatchNormalization stays frozen in every setting. Which setting works best at 10
# and at 100 labels per class is a question for `digits_transfer_comparison(...,
# unfreeze=...)` over seeds, one run per setting and label count, with `kerasdl.stats`
# verdicts like those above.

# %% [markdown]
# ### Exercise 3: Pre-trained or just the architecture?
#
# Build `transfer.backbone(transfer.GLYPHS, weights=None)`: the same layers with random
# weights. Extract features of the 100 labelled images and of the test split with both
# backbones, fit the same logistic regression on each (a *linear probe*: only a linear head
# learns, as in phase 1), and compare the test accuracies. Check with
# `exercises.check("10.3", pretrained=..., random=..., pretrained_accuracy=...,
# random_accuracy=...)`.

# %% tags=["solution"]
from sklearn.linear_model import LogisticRegression  # noqa: E402

keras.utils.set_random_seed(0)
random_features = transfer.backbone(transfer.GLYPHS, weights=None)
x_test, y_test = data.test
right = {}
for name, net in (("pre-trained", pretrained), ("random", random_features)):
    embed = lambda x: net.predict(x, verbose=0).reshape(len(x), -1)  # noqa: E731
    probe = LogisticRegression(max_iter=2000).fit(embed(x_few), y_few)
    right[name] = probe.predict(embed(x_test)) == y_test
    print(f"{name:11s} backbone + logistic regression on {len(x_few)} labels: test accuracy "
          f"{right[name].mean():.3f}")
print(stats.mcnemar_exact(right["pre-trained"], right["random"],
                          names=("pre-trained", "random")).verdict())
print(exercises.check("10.3", pretrained=pretrained, random=random_features,
                      pretrained_accuracy=right["pre-trained"].mean(),
                      random_accuracy=right["random"].mean()).require())

# %% [markdown] tags=["solution"]
# Random convolutions followed by ReLU and pooling are already a usable, if crude, feature
# extractor: the architecture alone (local filters, pooling) gives the linear probe
# something to work with, which is the architecture's share. The difference between the
# two lines is what pre-training on printed glyphs added; McNemar's test says whether it is
# larger than the luck of this test set for this one sample of 100 labels.
