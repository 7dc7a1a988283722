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
# # Hierarchical features
#
# *Topic 2 of the course: what each block of a small CNN responds to, from edges to
# digits.*
#
# **Data used:** scikit-learn's handwritten digits (8x8 images); patches of 11 real
# photographs shipped by scikit-learn and scikit-image; 200 real face and non-face crops
# (25x25) from Labeled Faces in the Wild, shipped by scikit-image.
#
# **Prerequisites:** tutorial 1.
#
# The course says a deep network "builds understanding in stages": edges first, then
# shapes, then object parts, then whole objects. You will train a small convolutional
# network on real handwritten digits and look inside it.
#
# **What you will learn**
#
# - the first-layer filters (do they look like edge detectors?),
# - the feature maps every block produces for one digit,
# - the inputs that excite a deep unit most,
# - a measured test of "deeper = more abstract": how class-specific each block's units are,
#   compared with the same network before training,
# - where oriented edge detectors come from: filters learned from real photographs, probed
#   with stripes, against the same model trained on noise;
# - which parts of a real face a face / non-face CNN relies on (occlusion maps).
#
# The images are only 8x8 pixels and the network has three blocks, so we also measure how
# far such a tiny model can show the edges -> shapes -> parts story, and say where it stops.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

import kerasdl
from kerasdl import datasets, exercises, models, plots, stats, training

SMOKE = kerasdl.smoke_mode()
keras.utils.set_random_seed(0)

data = datasets.load("digits")
if SMOKE:
    data = data.subset(400)
print(data)
print(data.description)

# %% [markdown]
# ## A three-block CNN
#
# `kerasdl.models.cnn` stacks named conv blocks: `Conv2D -> ReLU -> 2x2 max pooling`.
# The activation layer of block *i* is called `conv_block_i`; its output is that block's
# feature maps. An 8x8 image can be halved three times, so three blocks is the most it allows.
# We keep a copy of the untrained network to compare against later.

# %%
FILTERS = (16, 32, 64)
model = models.cnn(data.input_shape, data.num_outputs, filters=FILTERS)
untrained = keras.models.clone_model(model)
untrained.set_weights(model.get_weights())
training.compile_for(model)
model.summary()

EPOCHS = 2 if SMOKE else 20
history = model.fit(data.x_train, data.y_train, validation_data=data.validation,
                    epochs=EPOCHS, batch_size=64, verbose=0)
test_loss, test_acc = model.evaluate(*data.test, verbose=0)
print(f"After {EPOCHS} epochs: train accuracy {history.history['accuracy'][-1]:.3f}, "
      f"validation accuracy {history.history['val_accuracy'][-1]:.3f}, test accuracy {test_acc:.3f}")

# %% [markdown]
# ## How much of the image does each block see?
#
# A unit's *receptive field* is the patch of input pixels that can influence it. Each 3x3
# convolution widens it by two steps of the current stride and each pooling doubles the
# stride, so deeper blocks see more of the image. On a photo of a face that is how block 1
# can only see an edge while block 4 can see an eye. Here the image is tiny:

# %%
side = data.input_shape[0]
rows, field, stride = [], 1, 1
for index, count in enumerate(FILTERS, start=1):
    field += (3 - 1) * stride  # the block's 3x3 convolution
    shape = model.get_layer(f"conv_block_{index}").output.shape[1:]
    seen = min(field, side)
    rows.append({"block": f"conv_block_{index}", "feature_maps": "x".join(map(str, shape)),
                 "receptive_field": f"{field}x{field}", "image_covered": (seen / side) ** 2})
    field += (2 - 1) * stride  # the 2x2 pooling after it
    stride *= 2
print(training.format_table(rows, digits=2))
whole = next((r["block"] for r in rows if r["image_covered"] >= 1.0), None)
print(f"From {whole} on, every unit can see the whole {side}x{side} digit." if whole
      else f"No block sees the whole {side}x{side} image.")

# %% [markdown]
# ## Block 1: the filters
#
# A first-layer filter is a 3x3 pattern of weights slid over the image. Red weights excite
# the unit where the input is bright, blue ones inhibit it: a red row above a blue row
# responds to a horizontal edge.

# %%
kernel = model.get_layer("conv_block_1_conv").get_weights()[0]
kernel_before = untrained.get_layer("conv_block_1_conv").get_weights()[0]
fig = plots.plot_filters(kernel, ncols=8, title="conv_block_1 filters after training")
plt.show()

# %% [markdown]
# Do these look more like edge detectors than the random filters the network started from?
# We compare each filter (minus its mean) with nine hand-made 3x3 templates: horizontal,
# vertical and diagonal edges and bars, and a centre spot. The score is the best absolute
# cosine similarity (1 = exactly a template, up to sign and scale).

# %%
edge = np.array([[1, 1, 1], [0, 0, 0], [-1, -1, -1]], float)
diag_edge = np.array([[0, 1, 1], [-1, 0, 1], [-1, -1, 0]], float)
bar = np.array([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]], float)
diag_bar = 3 * np.eye(3) - 1
spot = -np.ones((3, 3))
spot[1, 1] = 8
templates = [edge, edge.T, diag_edge, diag_edge[::-1], bar, bar.T, diag_bar, diag_bar[::-1], spot]
bank = np.stack([(t - t.mean()).ravel() / np.linalg.norm(t - t.mean()) for t in templates])


def template_match(k):
    flat = k[:, :, 0, :].reshape(9, -1).T
    flat = flat - flat.mean(axis=1, keepdims=True)
    flat /= np.linalg.norm(flat, axis=1, keepdims=True)
    return np.abs(flat @ bank.T).max(axis=1)


random_filters = np.random.default_rng(0).normal(size=(3, 3, 1, 2000))
match_after, match_before = template_match(kernel), template_match(kernel_before)
match_random = template_match(random_filters)
change = np.linalg.norm(kernel - kernel_before) / np.linalg.norm(kernel_before)
print(f"Mean template match: trained {match_after.mean():.3f}, same filters before training "
      f"{match_before.mean():.3f}, 2,000 random Gaussian filters {match_random.mean():.3f}")
print(f"Training moved the block-1 weights by {100 * change:.0f}% of their initial norm.")
print("Whether these differences are more than one network's luck is judged over several seeds "
      "at the end of the page.")

# %% [markdown]
# ## Feature maps of every block for one digit
#
# `kerasdl.models.feature_extractor(model)` returns a model whose outputs are the
# `conv_block_i` activations. Bright pixels are where a channel fires.

# %%
extractor = models.feature_extractor(model)
sample = data.x_test[:1]
maps = extractor.predict(sample, verbose=0)
names = [f"conv_block_{i}" for i in range(1, len(FILTERS) + 1)]
fig = plots.plot_feature_maps(maps, names=names, image=sample[0], max_channels=8)
fig.suptitle(f"Feature maps for a test digit (label {data.y_test[0]})", y=1.02)
plt.show()
for name, fmap in zip(names, maps):
    active = (fmap[0] > 0).mean()
    print(f"{name}: {fmap.shape[1]}x{fmap.shape[2]} maps, {fmap.shape[-1]} channels, "
          f"{100 * active:.0f}% of values > 0 for this digit")

# %% [markdown]
# Block-1 maps are still recognisably the digit: each is the image filtered for one local
# pattern (a stroke's top edge, a left edge, a blob). Deeper maps are smaller and no longer
# look like the digit; to learn what they encode, we look at which inputs drive them.
#
# ## What do deeper units respond to?
#
# For each unit we take its strongest response anywhere in the map, over all test images,
# and show the inputs with the highest responses (the number above each is its label).

# %%
test_maps = extractor.predict(data.x_test, verbose=0)
fig = plots.plot_top_inputs(data.x_test, test_maps[0], k=8, units=range(6), labels=data.y_test,
                            title="conv_block_1: top-8 test inputs of units 0-5")
plt.show()
fig = plots.plot_top_inputs(data.x_test, test_maps[-1], k=8, units=range(6), labels=data.y_test,
                            title=f"{names[-1]}: top-8 test inputs of units 0-5")
plt.show()

# %% [markdown]
# What to look for: a block-1 unit sees only 3x3 pixels, so its top inputs can share a local
# stroke (a thick vertical bar, a curve's end) while belonging to different digits. A unit of
# the last block sees the whole digit, so its top inputs may all be one digit class.
#
# To turn "looks more abstract" into a number, we measure **class purity**: for each unit,
# the share of its top-20 test inputs that carry the unit's most common label. A unit that
# detects a stroke found in many digits scores low; a unit tuned to one digit class scores
# high. We compare the trained network with the same network before training.
#
# What does a unit with no class preference score? Its top-20 inputs are then 20 random
# draws, and the most common label among 20 draws over 10 classes is rarely just 2 of them.
# The expected share is computed below, exactly for 10 equally likely classes (counting the
# ways 20 draws can fall into 10 classes with no class above `m`), and by simulation for
# 20 images drawn from this test split's own labels.

# %%
def expected_top_share(k=20, classes=10):
    """Expected share of the most common class among k uniform draws over `classes` classes."""
    from fractions import Fraction
    from math import factorial

    def at_most(m):  # P(no class drawn more than m times) = k! [x^k] (sum_{j<=m} x^j/j!)^classes / classes^k
        poly = [Fraction(1)] + [Fraction(0)] * k
        term = [Fraction(1, factorial(j)) for j in range(min(m, k) + 1)]
        for _ in range(classes):
            poly = [sum(poly[i - j] * term[j] for j in range(min(i, m) + 1)) for i in range(k + 1)]
        return poly[k] * factorial(k) / Fraction(classes) ** k

    expected_max = sum(1 - at_most(m) for m in range(k))  # E[max] = sum over m of P(max > m)
    return float(expected_max / k)


chance_exact = expected_top_share(20, data.num_outputs)
draws = np.random.default_rng(0).permuted(np.tile(data.y_test, (10000, 1)), axis=1)[:, :20]
chance_sim = float(np.mean([np.bincount(d).max() / 20 for d in draws]))
print(f"Chance-level purity of 20 inputs: {chance_exact:.4f} (exact, 10 balanced classes), "
      f"{chance_sim:.4f} (simulated, 10,000 draws of 20 test images without replacement)")


def purity(activations, labels, k=20):
    scores = activations.max(axis=(1, 2))
    tops = plots.top_inputs(scores, k=k)
    return float(np.mean([np.bincount(labels[t]).max() / k for t in tops]))


untrained_maps = models.feature_extractor(untrained).predict(data.x_test, verbose=0)
purity_rows = []
for index, name in enumerate(names):
    after = model.get_layer(f"{name}_conv").get_weights()[0]
    before = untrained.get_layer(f"{name}_conv").get_weights()[0]
    dead = float((test_maps[index].max(axis=(0, 1, 2)) <= 0).mean())
    purity_rows.append({"block": name, "purity_trained": purity(test_maps[index], data.y_test),
                        "purity_untrained": purity(untrained_maps[index], data.y_test),
                        "weight_change": float(np.linalg.norm(after - before) / np.linalg.norm(before)),
                        "silent_units": dead})
print(training.format_table(purity_rows, digits=3))
print(f"(A unit without class preference scores about {chance_exact:.2f}.)")


# %% [markdown]
# ## One network or a pattern? The same measurements over several seeds
#
# Everything above is one trained network. We train the same CNN with other seeds (other
# initial weights and batch order) and repeat the filter and purity measurements. Each
# comparison is paired within a network (trained vs the same network before training,
# block 3 vs block 1 of the same network), then summarised over the seeds with a 95%
# interval by `kerasdl.stats.paired_difference`.

# %%
SEEDS = 2 if SMOKE else 5


def measurements(net, before):
    """Template match and per-block purity of a trained network and of its initial copy."""
    maps_after = models.feature_extractor(net).predict(data.x_test, verbose=0)
    maps_before = models.feature_extractor(before).predict(data.x_test, verbose=0)
    return {"match": template_match(net.get_layer("conv_block_1_conv").get_weights()[0]).mean(),
            "match_before": template_match(before.get_layer("conv_block_1_conv").get_weights()[0]).mean(),
            "purity": [purity(m, data.y_test) for m in maps_after],
            "purity_before": [purity(m, data.y_test) for m in maps_before]}


per_seed = [{"match": match_after.mean(), "match_before": match_before.mean(),
             "purity": [r["purity_trained"] for r in purity_rows],
             "purity_before": [r["purity_untrained"] for r in purity_rows]}]  # seed 0: the network above
for seed in range(1, SEEDS):
    keras.utils.set_random_seed(seed)
    net = models.cnn(data.input_shape, data.num_outputs, filters=FILTERS)
    start = keras.models.clone_model(net)
    start.set_weights(net.get_weights())
    training.compile_for(net).fit(data.x_train, data.y_train, validation_data=data.validation,
                                  epochs=EPOCHS, batch_size=64, verbose=0)
    per_seed.append(measurements(net, start))
col = lambda key, i=None: [m[key] if i is None else m[key][i] for m in per_seed]  # noqa: E731
print(f"{SEEDS} trained networks{' (smoke run: 2 seeds)' if SMOKE else ''}:")
checks = [
    ("filters' template match", col("match"), col("match_before"), ("trained", "before training")),
    ("filters' template match", col("match"), [match_random.mean()] * SEEDS, ("trained", "random Gaussian")),
    ("trained purity", col("purity", -1), col("purity", 0), (names[-1], names[0])),
    (f"{names[-1]} purity", col("purity", -1), col("purity_before", -1), ("trained", "untrained")),
    ("purity gain from training", np.subtract(col("purity", -1), col("purity_before", -1)),
     np.subtract(col("purity", 0), col("purity_before", 0)), (names[-1], names[0])),
]
for what, a, b, pair in checks:
    print(f"{what}: {stats.paired_difference(a, b, names=pair).verdict()}")
if SMOKE:
    print("(Smoke run: little data and few epochs, so these numbers say nothing about the claims.)")

# %% [markdown]
# ## How far does the edges -> shapes -> parts story go here?
#
# What the measurements above support, and what they do not:
#
# - **Block 1 = local patterns.** Its units see 3x3 pixels, so they *can* only respond to
#   local contrast (edges, stroke ends, blobs); their feature maps are filtered copies of
#   the digit. Whether training made the filters *cleaner* edge detectors is what the
#   template test measured: compare the trained score with the untrained and random ones
#   printed above. A random 3x3 filter is already a rough local-contrast detector, and 8x8
#   images have no fine edges to refine it on. The clean, oriented edge detectors of
#   textbook figures come from training on photographs: the next section tests that.
# - **Is deeper more class-specific?** The purity table is the measured version of "each
#   layer learns increasingly abstract concepts": compare trained with untrained in each
#   block to see how much of it comes from learning rather than from the architecture.
# - **No room for "parts".** The receptive-field table shows block 2 already covers the
#   whole digit. With three blocks on 8x8 pixels there is one step between "local stroke"
#   and "whole digit", so the course's four-stage face example cannot appear; it needs
#   more layers and larger images (try the exercises).

# %% [markdown]
# ## Where edge detectors come from: patches of real photographs
#
# The course's first stage, "edges", is what networks trained on photographs show in their
# first layer. We test where it comes from with the smallest model that can show it:
# `kerasdl.models.sparse_coder`, 64 linear filters of 8x8 pixels, trained to rebuild a patch
# from its filter responses while an L1 penalty keeps few responses active per patch. The
# patches are cut from 11 real photographs and ZCA-whitened (`datasets.zca_whiten`):
# neighbouring pixels of a photo are nearly copies of each other, and whitening removes
# that redundancy so the model spends itself on edges rather than on brightness.
#
# Each filter is then probed as visual neuroscience probes a neuron: with stripes
# (`datasets.orientation_tuning`). Its **orientation selectivity** is 0 when stripes of every
# angle excite it alike and 1 when only one angle does. The control is the same model
# trained on Gaussian noise of the same size and spread: noise whitened like the patches is
# plain white noise, so it keeps nothing of a photo's structure. If the model alone made
# edge detectors, it would make them from the noise as well.

# %%
PATCHES = 6_000 if SMOKE else 30_000
PATCH_EPOCHS = 3 if SMOKE else 10
raw = datasets.photo_patches(PATCHES, size=8, whiten=False)
white = datasets.zca_whiten(raw)
noise = np.random.default_rng(0).normal(size=white.shape).astype("float32")
neighbours = lambda x: np.corrcoef(x[:, 3, 3, 0], x[:, 3, 4, 0])[0, 1]  # noqa: E731
print(f"{PATCHES:,} grey 8x8 patches from {len(datasets.photos())} photographs; correlation "
      f"of two neighbouring pixels: {neighbours(raw):.2f} raw, {neighbours(white):.2f} whitened")


def learned_filters(patches, seed):
    """Filters of a sparse coder before and after training on `patches`, as 8x8 images."""
    keras.utils.set_random_seed(seed)
    coder = models.sparse_coder((8, 8, 1), filters=64, sparsity=0.03)
    before = coder.get_layer("filters").get_weights()[0]
    coder.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    cut = int(0.8 * len(patches))  # the last fifth only reports the validation loss
    coder.fit(patches[:cut], patches[:cut], validation_data=(patches[cut:], patches[cut:]),
              epochs=PATCH_EPOCHS, batch_size=128, verbose=0)
    after = coder.get_layer("filters").get_weights()[0]
    return before.T.reshape(-1, 8, 8), after.T.reshape(-1, 8, 8)


def selectivity(filters):
    return datasets.orientation_tuning(filters).selectivity  # one value per filter


tuning_rows, shown = [], {}  # shown: seed 0's filters and their scores, for the figures
for seed in range(SEEDS):
    start, from_photos = learned_filters(white, seed)
    _, from_noise = learned_filters(noise, seed)
    row = {"seed": seed}
    for key, filters in (("before_training", start), ("trained_on_photos", from_photos),
                         ("trained_on_noise", from_noise)):
        scores = selectivity(filters)
        shown.setdefault(key, (filters, scores))
        row[key] = float(scores.mean())
    tuning_rows.append(row)
print(training.format_table(tuning_rows, digits=3))
stripes = np.stack([datasets.grating(8, 0.25, a) for a in (0, np.pi / 4)])
print("For scale: pure stripes at 0 and 45 degrees score "
      + " and ".join(f"{v:.2f}" for v in datasets.orientation_tuning(stripes).selectivity))

# %% [markdown]
# All 64 filters of seed 0 for each source, sorted by their selectivity (printed above each).

# %%
for source in ("photos", "noise"):
    filters, scores = shown[f"trained_on_{source}"]
    order = np.argsort(-scores)
    fig = plots.plot_image_grid(filters[order], titles=[f"{v:.2f}" for v in scores[order]],
                                ncols=16, cmap="RdBu_r", symmetric=True, cell_size=0.75,
                                title=f"Sparse coder trained on {source}, seed 0")
    plt.show()

# %%
column = lambda key: [row[key] for row in tuning_rows]  # noqa: E731
print(f"Mean orientation selectivity of the 64 filters, {SEEDS} seeds"
      f"{' (smoke run: 2 seeds, few patches and epochs)' if SMOKE else ''}:")
for a, b in (("trained_on_photos", "before_training"), ("trained_on_photos", "trained_on_noise"),
             ("trained_on_noise", "before_training")):
    print(stats.paired_difference(column(a), column(b), names=(a, b)).verdict())

# %% [markdown]
# What to look for: edge detectors show as stripes or a light-dark border of one direction,
# sometimes in part of the patch only; a filter without a preferred direction looks
# speckled. The verdicts put numbers on it, paired by seed (each seed starts both models
# from the same random filters). If training on photos raises the selectivity far more than
# training on noise does, the oriented edges come from the statistics of photographs (with
# the pressure to use few units at a time), not from the model. Olshausen and Field reported
# this for sparse coding of natural images in 1996, and the first layer of CNNs trained on
# large photo collections looks alike. A caveat: this is one linear layer, not a deep CNN;
# training such a CNN on a million photos is not something this page can run offline.

# %% [markdown]
# ## The course's own example: faces
#
# The course's staircase ends at faces: edges, then eyes and noses, then whole faces.
# scikit-image ships 200 real 25x25 grey crops from Labeled Faces in the Wild, 100 faces and
# 100 non-faces cut from the same photographs (`datasets.load("faces")`). What 200 images
# cannot show: they have no identities and are far too few to learn a person, so
# "identifies the person" is out of reach. What they can show is which parts of a face a
# small CNN's face / non-face decision rests on. The probe is an *occlusion map*
# (`models.occlusion_map`, the test Zeiler and Fergus ran on ImageNet networks in 2014):
# hide a 5x5 square with the mean grey, run the network again and record how much its face
# score drops; a pixel's value is the mean drop over the squares that covered it. The score
# is the *logit*, the output unit's value before its sigmoid (`score="logit"`): a network
# that is sure of a face outputs a probability a hair below 1, which hiding a small square
# barely moves even where the evidence lies, while the logit keeps moving.
#
# The same three-block `cnn` is trained on the faces' training split (its best epoch on
# validation) once per seed, tested once, and probed on the test faces. Before looking, we
# fix the question: does hiding the middle 13x13 pixels (where a centred face has its eyes,
# nose and mouth) lower the face score more than hiding the border around them?

# %%
faces = datasets.load("faces")
print(faces)
FACE_EPOCHS = 3 if SMOKE else 40
test_faces = faces.x_test[faces.y_test == 1]
side = faces.input_shape[0]
centre = np.zeros((side, side), bool)
centre[6:19, 6:19] = True


def face_network(seed):
    """A three-block CNN for face (1) vs non-face (0), its best validation epoch kept."""
    keras.utils.set_random_seed(seed)
    net = training.compile_for(models.cnn(faces.input_shape, 1, filters=(8, 16, 32)))
    net.fit(faces.x_train, faces.y_train, validation_data=faces.validation, epochs=FACE_EPOCHS,
            batch_size=16, verbose=0, callbacks=[training.BestEpoch("val_loss")])
    return net


face_rows, face_maps = [], []
for seed in range(SEEDS):
    net = face_network(seed)
    if seed == 0:
        face_net = net  # kept for the figures
    drop = models.occlusion_map(net, test_faces, patch=5, score="logit")
    face_maps.append(drop)
    accuracy = net.evaluate(*faces.test, verbose=0, return_dict=True)["accuracy"]
    face_rows.append({"seed": seed, "test_accuracy": accuracy,
                      "drop_centre": float(drop[:, centre].mean()),
                      "drop_border": float(drop[:, ~centre].mean())})
print(training.format_table(face_rows, digits=3))
d = stats.paired_difference([r["drop_centre"] for r in face_rows], [r["drop_border"] for r in face_rows])
print(f"centre - border: {d.mean:+.3f} logit units, 95% CI [{d.ci_low:+.3f}, {d.ci_high:+.3f}], "
      f"paired over {d.n} seeds: " + ("hiding the " + ("centre" if d.mean > 0 else "border")
                                      + " lowers the face score more" if d.detected else
                                      "no detectable difference"))

# %%
shown_faces = test_faces[:6]
plots.plot_image_grid(shown_faces, ncols=6, title="Test faces")
plt.show()
plots.plot_image_grid(face_maps[0][:6], ncols=6, cmap="RdBu_r", symmetric=True,
                      title="Occlusion maps, seed 0 (red: hiding it lowers the face score)")
plt.show()
face_blocks = models.feature_extractor(face_net).predict(shown_faces[:1], verbose=0)
fig = plots.plot_feature_maps(face_blocks, names=[f"conv_block_{i}" for i in (1, 2, 3)],
                              image=shown_faces[0], max_channels=8)
fig.suptitle("Feature maps of the face network for the first test face", y=1.02)
plt.show()

# %% [markdown]
# Read the maps with the verdict line: red where hiding a region costs the face score,
# blue where hiding it *raises* the score (that region looked less face-like to the
# network than mean grey). The table's means average red and blue over a region, so a
# small mean can hide strong evidence of both signs; the maps show where each lies.
# Block 1's maps are filtered copies of the face (edges of eyes, nose and hairline);
# blocks 2 and 3 are coarse maps whose units see 8x8 and 18x18 pixels (the receptive
# fields in the table near the top of this page, same architecture), about an eye and
# most of the face. That is as far as 200 images go: the decision leans on a region,
# shown above, but a unit that stands for "eye" or "person" would need many more images
# and labels than this set has.

# %% [markdown]
# ## Summary
#
# - `kerasdl.models.cnn` names its blocks, and `kerasdl.models.feature_extractor` reads
#   every block's feature maps in one `predict` call.
# - `kerasdl.plots.plot_filters`, `plot_feature_maps` and `plot_top_inputs` take plain
#   arrays, so they work for any Keras model whose weights and activations you read.
# - Receptive fields grow block by block; the inputs that drive a unit show what it detects.
# - Class purity of a unit's top inputs gives a number for "deeper layers are more
#   abstract"; comparing with the untrained network separates learning from architecture.
# - On 8x8 digits a unit's view jumps from 3x3 pixels to the whole digit in one block, so
#   there is room for at most two stages (local patterns, then whole digits), not the
#   course's edges -> shapes -> parts -> objects.
# - `models.sparse_coder` learns filters from whitened photo patches, and
#   `datasets.orientation_tuning` probes them with stripes; trained on noise as a control,
#   the same model tells whether oriented edges come from the data or from the model.
# - `models.occlusion_map` hides one square at a time and records the score's drop: on 200
#   real face crops it shows which region a face / non-face network relies on, which is
#   what so few images without identities can show.
#
# ## Exercises
#
# Each exercise ends with a check, `exercises.check("02.k", ...)`. It judges your answer by
# the property the question is about, never by one exact number (your run differs from ours
# by seed, machine and library version), says what your result shows or what is missing, and
# gives a hint. A worked solution is folded under each exercise: try first, then open it.
#
# ### Exercise 1: A narrower network
#
# Retrain with a quarter of the filters, `filters=(4, 8, 16)`, the same epochs, batch size
# and validation split (seed 0). How do test accuracy and the purity table change? Check with
# `exercises.check("02.1", model=narrow, test_accuracy=...)`.

# %% tags=["solution"]
keras.utils.set_random_seed(0)
narrow = training.compile_for(models.cnn(data.input_shape, data.num_outputs, filters=(4, 8, 16)))
narrow.fit(data.x_train, data.y_train, validation_data=data.validation, epochs=EPOCHS,
           batch_size=64, verbose=0)
# Direct calls (no `evaluate`, no `predict`) spare compiling two more functions for one use.
scores = keras.ops.convert_to_numpy(narrow(data.x_test, training=False))
narrow_acc = float(np.mean(scores.argmax(axis=1) == data.y_test))
narrow_maps = [keras.ops.convert_to_numpy(m)
               for m in models.feature_extractor(narrow)(data.x_test, training=False)]
print(f"test accuracy (seed 0): {FILTERS} filters {test_acc:.3f}, "
      f"(4, 8, 16) filters {narrow_acc:.3f}")
print(training.format_table([{"block": name, "purity_wide": row["purity_trained"],
                              "purity_narrow": purity(maps_, data.y_test)}
                             for name, row, maps_ in zip(names, purity_rows, narrow_maps)],
                            digits=3))
print(exercises.check("02.1", model=narrow, test_accuracy=narrow_acc).require())

# %% [markdown]
# ### Exercise 2: Average instead of peak
#
# Write `purity_mean`, a copy of `purity` that scores each image by a unit's *average*
# response over its feature map instead of the peak. Which blocks change most, and why?
# Check with `exercises.check("02.2", purity_fn=purity_mean)`.

# %% tags=["solution"]
def purity_mean(activations, labels, k=20):
    """Like `purity`, but an image's score is the unit's mean response over the map."""
    tops = plots.top_inputs(activations.mean(axis=(1, 2)), k=k)
    return float(np.mean([np.bincount(labels[t]).max() / k for t in tops]))


rows = []
for name, row, maps_ in zip(names, purity_rows, test_maps):
    mean_score = purity_mean(maps_, data.y_test)
    rows.append({"block": name, "map": "x".join(map(str, maps_.shape[1:3])),
                 "purity_peak": row["purity_trained"], "purity_mean": mean_score,
                 "change": mean_score - row["purity_trained"]})
print(training.format_table(rows, digits=3))
print(exercises.check("02.2", purity_fn=purity_mean).require())

# %% [markdown] tags=["solution"]
# The peak asks "does the pattern appear anywhere?", the mean "how much of the map has it?".
# The more positions a map has, the more the two can disagree: block 1's 8x8 maps have 64
# positions, block 3's only 4, where peak and mean rank the images almost alike. Read the
# `change` column against the `map` column. On a block-1 unit the mean can favour digits with
# much ink where the unit looks (thick or large digits), a property shared across classes.

# %% [markdown]
# ### Exercise 3: Activation maximisation
#
# Starting from a grey image (every pixel 0.5), use `tf.GradientTape` to take gradient steps
# on the *input* so that one `conv_block_3` unit fires as strongly as possible, clipping the
# pixels to 0..1 after every step. Compare the result with that unit's top inputs. Check with
# `exercises.check("02.3", model=model, unit=..., image=..., inputs=data.x_test)`.

# %% tags=["solution"]
import tensorflow as tf  # the gradient with respect to the input (this page runs on TensorFlow)

unit = int(test_maps[-1].max(axis=(0, 1, 2)).argmax())  # the unit firing most on a test digit
# Climb the unit's value before the ReLU: its gradient is never zero, even where the ReLU is off.
pre_relu = keras.Model(model.input, model.get_layer("conv_block_3_conv").output)
image = tf.Variable(np.full((1, *data.input_shape), 0.5, dtype="float32"))
for _ in range(100):
    with tf.GradientTape() as tape:
        response = tf.reduce_max(pre_relu(image)[..., unit])
    step = tf.math.l2_normalize(tape.gradient(response, image))
    image.assign(tf.clip_by_value(image + 0.1 * step, 0.0, 1.0))
top8 = plots.top_inputs(test_maps[-1][..., unit:unit + 1], k=8)[0]
fig, axes = plt.subplots(1, 9, figsize=(10, 1.6))
for ax, picture, title in zip(axes, [image.numpy()[0], *data.x_test[top8]],
                              ["optimised", *(f"label {y}" for y in data.y_test[top8])]):
    ax.imshow(picture[..., 0], cmap="gray", vmin=0, vmax=1)
    ax.set_title(title, fontsize=8)
    ax.axis("off")
plt.show()
print(exercises.check("02.3", model=model, unit=unit, image=image.numpy(),
                      inputs=data.x_test).require())

# %% [markdown]
# ### Exercise 4: Room for parts
#
# Upsampled to 32x32 (`np.kron(x, np.ones((1, 4, 4, 1)))`), the digits allow five blocks.
# Build `models.cnn` for 32x32 images with five blocks (no need to train it) and compute its
# receptive fields as the page did. Does the table now leave room for "parts"? What does
# "upsampling adds pixels, not detail" predict for the block-1 filters? Check with
# `exercises.check("02.4", model=big, fields=[side of block 1, ..., side of block 5])`.

# %% tags=["solution"]
big = models.cnn((32, 32, 1), data.num_outputs, filters=(8, 16, 32, 64, 64))
big_fields, field, stride = [], 1, 1
for _ in range(5):
    field += (3 - 1) * stride  # the 3x3 convolution
    big_fields.append(field)
    field += (2 - 1) * stride  # the 2x2 pooling
    stride *= 2
print(f"receptive fields of the five blocks on 32x32 images: {big_fields}")


def distinct_values(images):
    """Mean number of distinct pixel values in the 3x3 windows that hold any ink."""
    windows = np.lib.stride_tricks.sliding_window_view(images[..., 0], (3, 3), axis=(1, 2))
    windows = np.sort(windows.reshape(-1, 9), axis=1)
    inked = windows[:, -1] > 0
    return float((1 + (np.diff(windows[inked], axis=1) > 0).sum(axis=1)).mean())


upsampled = np.kron(data.x_test, np.ones((1, 4, 4, 1)))
print(f"distinct values per inked 3x3 window: {distinct_values(data.x_test):.1f} on the 8x8 "
      f"digits, {distinct_values(upsampled):.1f} upsampled to 32x32")
print(exercises.check("02.4", model=big, fields=big_fields).require())

# %% [markdown] tags=["solution"]
# Blocks 2 and 3 now see more than a stroke and less than the whole digit, so the table
# leaves room for intermediate stages. But a 3x3 window of an upsampled digit spans at most
# two original pixels in each direction (see the count of distinct values above): block 1
# can only find flat areas and straight steps between blocks of equal pixels. The filters
# should turn into coarse step detectors, and the "parts" stages have nothing new to work
# on, since every upsampled image holds exactly the 64 numbers of its 8x8 original.
