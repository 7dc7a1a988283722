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
# thousands of printed digits and letters rendered from matplotlib's fonts (the *source*
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
import os
import tempfile
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

import kerasdl
from kerasdl import datasets, plots, training, transfer
from kerasdl.transfer.experiment import digits_transfer_comparison, summarize
from kerasdl.transfer.glyphs import GLYPH_CLASSES, glyph_dataset

SMOKE = kerasdl.smoke_mode()
keras.utils.set_random_seed(0)
START = time.perf_counter()

data = datasets.load("digits")
print(data)
source_x, source_y = glyph_dataset(1, seed=0)  # one rendering of each source class
images = np.concatenate([source_x[:10], source_x[[GLYPH_CLASSES.index(c) for c in "AEKRbh"]], data.x_test[:16]])
titles = [GLYPH_CLASSES[i] for i in source_y[:10]] + list("AEKRbh") + [f"hand {d}" for d in data.y_test[:16]]
fig = plots.plot_image_grid(images, titles=titles, ncols=16, title="Source: printed glyphs (top). "
                            "Target: handwritten digits (bottom).")
plt.show()

# %% [markdown]
# Both are 8x8 grids of ink counts, made the same way; the source has 47 classes of
# printed characters in many fonts, the target has 10 classes of handwriting.
#
# ## Step 1: load the pre-trained backbone
#
# `transfer.backbone(name)` returns a network *without* its classification top: images in,
# feature maps out. Its first layer after the input applies the preprocessing the weights
# were trained with (here the source data's mean and standard deviation), so you cannot
# forget it.

# %%
features = transfer.backbone(transfer.GLYPHS)
print(f"backbone {transfer.GLYPHS!r}: input {features.input.shape}, output {features.output.shape}")
print("layers:", [layer.name for layer in features.layers])
print(f"parameters: {transfer.parameter_counts(features)['total']:,}")

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
# runs both phases: first the head alone, then it unfreezes the top of the backbone (here
# everything from `conv_block_2_conv` up; BatchNormalization stays frozen) and continues
# with a learning rate 30 times lower, so the pre-trained filters are adjusted rather than
# overwritten. `transfer.unfreeze` is the function it uses; here is what it would unfreeze:

# %%
PER_CLASS = 10
rng = np.random.default_rng(0)
picked = np.concatenate([rng.choice(np.flatnonzero(data.y_train == c), PER_CLASS, replace=False) for c in range(10)])
x_few, y_few = data.x_train[picked], data.y_train[picked]
print(f"labelled training images: {len(x_few)} ({PER_CLASS} per class)")
print("unfreeze(model, 'conv_block_2_conv') ->", transfer.unfreeze(model, "conv_block_2_conv"))
print(f"trainable while fine-tuning: {transfer.parameter_counts(model)['trainable']:,} parameters")

# %% [markdown]
# `fine_tune` freezes the backbone again for phase 1 whatever its state. The test split
# is passed as validation data only to draw the curves: nothing is selected with it. With
# `checkpoint_dir`, every epoch is backed up: an interrupted run resumes where it stopped,
# and a finished one is just reloaded.

# %%
HEAD_EPOCHS, TUNE_EPOCHS = (3, 3) if SMOKE else (40, 40)
run_dir = tempfile.mkdtemp(prefix="transfer_run_")
settings = dict(head_epochs=HEAD_EPOCHS, fine_tune_epochs=TUNE_EPOCHS, unfreeze="conv_block_2_conv",
                head_learning_rate=3e-3, fine_tune_learning_rate=1e-4, batch_size=16, checkpoint_dir=run_dir)
keras.utils.set_random_seed(0)
result = transfer.fine_tune(model, (x_few, y_few), data.validation, **settings)
print("trainable parameters per phase:", result.trainable_params)
print("unfrozen in phase 2:", result.unfrozen)
head_acc = result.history["val_accuracy"][result.boundary - 1]
tuned_acc = result.history["val_accuracy"][-1]
print(f"test accuracy after phase 1 (head only): {head_acc:.3f}; after phase 2 (fine-tuned): {tuned_acc:.3f} "
      f"({tuned_acc - head_acc:+.3f})")
fig = plots.plot_transfer_history(result, title=f"Glyph backbone on handwritten digits, {PER_CLASS} labels per class")
plt.show()

# Calling it again with the same folder trains nothing: the checkpoint holds the finished run.
again = transfer.fine_tune(transfer.build_transfer_model(transfer.backbone(transfer.GLYPHS), 10, dropout=0.2),
                           (x_few, y_few), data.validation, **settings)
print(f"second call: same history {again.history == result.history}, "
      f"same test accuracy {np.isclose(again.history['val_accuracy'][-1], tuned_acc)}")

# %% [markdown]
# In the figure the dotted line marks where phase 2 begins. Whether the curves jump there,
# and in which direction, is the effect of unfreezing; the printed line above gives the
# measured change on the test split.
#
# ## How much does transfer buy? Scratch vs frozen vs fine-tuned
#
# One run says little with 100 training images: which images were drawn matters. So we
# repeat over seeds (a different labelled sample and initialization each time) and several
# label counts, with `kerasdl.transfer.experiment.digits_transfer_comparison`:
#
# - `scratch`: the same convolutional body (`kerasdl.models.cnn`), random weights, all trained,
#   with as many gradient steps as both transfer phases together;
# - `frozen`: the glyph backbone frozen, only a new head trained (phase 1);
# - `fine_tuned`: the same model after phase 2;
# - `pixels_logreg`: a logistic regression on the 64 raw pixels, the classical reference.
#
# Every model is scored once, on the full test split, at the end of training.

# %%
LABELS = (5, 25) if SMOKE else (5, 10, 25, 50, 100)
SEEDS = (0,) if SMOKE else (0, 1, 2, 3, 4)
STEPS = 20 if SMOKE else 150  # gradient steps per phase, batches of 16
tic = time.perf_counter()
rows = digits_transfer_comparison(LABELS, SEEDS, steps=STEPS, head_learning_rate=3e-3, fine_tune_learning_rate=1e-4)
print(f"{len(LABELS) * len(SEEDS)} runs of 4 models in {time.perf_counter() - tic:.0f} s")
METHODS = ("pixels_logreg", "scratch", "frozen", "fine_tuned")
stats = {(s["labels_per_class"], s["method"]): s for s in summarize(rows)}
table = [{"labels_per_class": n, "train_images": 10 * n,
          **{m: f"{stats[n, m]['mean']:.3f} +- {stats[n, m]['std']:.3f}" for m in METHODS}} for n in LABELS]
print(f"test accuracy, mean +- std over {len(SEEDS)} seed(s):")
print(training.format_table(table))

# %%
scores = {m: [[r["test_accuracy"] for r in rows if r["labels_per_class"] == n and r["method"] == m] for n in LABELS]
          for m in METHODS}
fig, ax = plt.subplots(figsize=(6.4, 4.2))
plots.plot_learning_curve([10 * n for n in LABELS], scores, ax=ax,
                          title=f"Handwritten digits: test accuracy ({len(SEEDS)} seed(s), band = 1 std)")
plt.show()

# %% [markdown]
# What do the numbers say? The lines below are computed from the table. The methods saw
# the same labelled images in each seed, so we compare them seed by seed: a difference
# counts as clear when its mean is more than two standard errors away from zero.

# %%
def mean(n, m):
    return stats[n, m]["mean"]


def paired(n, a, b):
    """Per-seed differences a - b: their mean, and whether it is clear of the seed-to-seed noise."""
    diff = np.array([r["test_accuracy"] for r in rows if r["labels_per_class"] == n and r["method"] == a]) \
        - np.array([r["test_accuracy"] for r in rows if r["labels_per_class"] == n and r["method"] == b])
    error = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else np.inf
    return diff.mean(), abs(diff.mean()) > 2 * error, int((diff > 0).sum())


for n in LABELS:
    best = max(METHODS, key=lambda m: mean(n, m))
    gap, is_clear, won = paired(n, "fine_tuned", "scratch")
    noise = "clear" if is_clear else "within the noise" if len(SEEDS) > 1 else "one seed: noise unknown"
    print(f"{n:>3} labels per class: best {best} ({mean(n, best):.3f}); fine-tuned minus scratch {gap:+.3f} "
          f"({noise}; fine-tuned ahead in {won} of {len(SEEDS)} seeds); "
          f"frozen minus scratch {paired(n, 'frozen', 'scratch')[0]:+.3f}")
wins = [n for n in LABELS if paired(n, "fine_tuned", "scratch")[1] and paired(n, "fine_tuned", "scratch")[0] > 0]
losses = [n for n in LABELS if mean(n, "scratch") > mean(n, "fine_tuned")]
print(("Fine-tuned transfer clearly beat scratch at " + ", ".join(map(str, wins)) + " labels per class"
       if wins else "Fine-tuned transfer did not clearly beat scratch at any label count")
      + (f"; scratch was ahead on average at {', '.join(map(str, losses))}." if losses
         else "; scratch was never ahead on average."))
frozen_behind = [n for n in LABELS if mean(n, "fine_tuned") > mean(n, "frozen")]
print(f"Fine-tuning improved on the frozen backbone at {len(frozen_behind)} of {len(LABELS)} label counts.")
if 50 in LABELS:
    print(f"The course's '500 images': at 50 per class (500 images) fine-tuned transfer reached "
          f"{mean(50, 'fine_tuned'):.3f}, scratch {mean(50, 'scratch'):.3f}.")
if SMOKE:
    print("(Smoke run: one seed and few steps, so these numbers say nothing about the claims.)")

# %% [markdown]
# Read the table against the course's promise. Where transfer helps, it should help most
# when labels are scarce: the pre-trained filters already respond to strokes, corners and
# loops, so a few examples are enough to learn how to combine them. As labels grow, a network trained from scratch
# learns filters tuned to *this* data, and a backbone shaped by another task (printed
# characters, not handwriting) can end up behind. Whether and where that crossover happens
# here is what the printed lines report. How far a source task carries depends on how close
# it is to the target: ImageNet photos are far from X-rays, which is why the course keeps
# fine-tuning optional and a measurement like this one decides.
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
# 1. Fine-tune with `fine_tune_learning_rate=3e-3` (the head's rate) instead of `1e-4`.
#    What happens to the test accuracy at the phase boundary, and why?
# 2. Use `unfreeze=1` (only the top convolution) and `unfreeze="all"` in steps 3 and 4.
#    Which works better with 10 labels per class? With 100?
# 3. Replace the pre-trained backbone by `transfer.backbone(transfer.GLYPHS, weights=None)`
#    (same layers, random weights) and run the two phases. How much of the frozen result was
#    due to pre-training, and how much to the architecture?
# 4. Rebuild the backbone with `python -m kerasdl.transfer.pretrain --smoke --out small.keras`
#    (fewer source images and epochs) and pass `"small.keras"` to `transfer.backbone`. Does a
#    weaker source model still help with 5 labels per class?
