# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # The architecture tour
#
# *Topic 8 of the course: MLP, CNN, RNN/LSTM, Transformer, autoencoder and GAN, one
# small task each.*
#
# **Data used:** scikit-learn's digits and breast cancer sets; generated moons,
# waveforms and token sequences.
#
# **Prerequisites:** tutorials 1 and 2.
#
# The course lists six families of deep networks, each with the data it is best at:
#
# | Architecture | Best for |
# |---|---|
# | Feedforward network (MLP) | tabular data, simple classification and regression |
# | Convolutional network (CNN) | images, video, spatial data |
# | Recurrent network (RNN) and LSTM | sequences: text, speech, time series |
# | Transformer | language, token sequences |
# | Autoencoder | dimensionality reduction, anomaly detection, denoising |
# | GAN | image generation, data synthesis |
#
# **What you will learn**
#
# - how to build each family with one `kerasdl.models` call, and what its input looks like;
# - how each one trains on a small real or generated task, and what it achieves in seconds;
# - why a Transformer needs position information (we pit it against a model that cannot see order),
#   and where its attention heads look;
# - how an autoencoder turns *reconstruction error* into an anomaly detector, scored by ROC AUC;
# - how a GAN learns to draw samples from a distribution it never sees as a formula.
#
# Every section trains for only a few epochs; the table at the end gathers parameters, scores and seconds.

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier

import kerasdl
from kerasdl import datasets, exercises, models, plots, stats, training

SMOKE = kerasdl.smoke_mode()
keras.utils.set_random_seed(0)
EPOCHS = {"mlp": 30, "cnn": 15, "rnn": 20, "transformer": 8, "bag": 10, "ae": 20, "gan": 20}
if SMOKE:  # a quick run that only checks the code path
    EPOCHS = {key: 1 for key in EPOCHS}
results, histories = [], {}


def shrink(data, n):
    """In smoke mode keep a stratified subset of n training examples."""
    return data.subset(min(n, len(data.x_train))) if SMOKE else data


def train_classifier(family, build, data, epochs, batch_size=32, learning_rate=1e-3):
    """Seed, build, compile, fit with validation data, then record the test accuracy and time."""
    keras.utils.set_random_seed(0)
    model = training.compile_for(build(), learning_rate=learning_rate)
    start = time.perf_counter()
    history = model.fit(data.x_train, data.y_train, validation_data=data.validation,
                        epochs=epochs, batch_size=batch_size, verbose=0)
    seconds = time.perf_counter() - start
    accuracy = model.evaluate(*data.test, verbose=0, return_dict=True)["accuracy"]
    results.append({"family": family, "dataset": data.name, "params": models.count_params(model),
                    "metric": "test accuracy", "value": accuracy, "seconds": seconds})
    histories[family] = history.history
    print(f"{family}: {models.count_params(model):,} parameters, test accuracy {accuracy:.3f} "
          f"after {epochs} epochs ({seconds:.1f} s)")
    return model


# %% [markdown]
# ## 1. MLP on tabular data
#
# Thirty numeric measurements per tumour (breast cancer, Wisconsin): no spatial or temporal
# structure, so a stack of Dense layers is the natural model. `deep_mlp` builds
# `depth` equal-width hidden layers and a one-unit sigmoid head for this binary task.

# %%
cancer = shrink(datasets.load("breast_cancer"), 100)
print(cancer)
mlp = train_classifier("MLP", lambda: models.deep_mlp(cancer.input_shape, 1, depth=3, width=32),
                       cancer, EPOCHS["mlp"])

# %% [markdown]
# ## 2. CNN on images
#
# The 8x8 handwritten digits keep their 2-D layout. Each convolution slides the same small
# filters over every position, so a stroke is recognised wherever it appears, with far fewer
# weights than a Dense layer over all pixels would need.

# %%
digits = shrink(datasets.load("digits"), 200)
cnn = train_classifier("CNN", lambda: models.cnn(digits.input_shape, 10, filters=(16, 32)),
                       digits, EPOCHS["cnn"])
print([(layer.name, layer.output.shape) for layer in cnn.layers if layer.name.startswith("conv_block")])

# %% [markdown]
# ## 3. LSTM on time series
#
# Each example is 50 noisy steps of a sine, square or sawtooth wave with random frequency,
# phase and amplitude. An LSTM reads the steps one at a time and carries a memory (its cell
# state) forward, so it can judge the *shape* of the wave rather than any single value.

# %%
waves = shrink(datasets.load("waveforms"), 150)
print(waves)
lstm = train_classifier("RNN (LSTM)", lambda: models.rnn(waves.input_shape, 3, cell="lstm", units=32),
                        waves, EPOCHS["rnn"], batch_size=64, learning_rate=5e-3)

# %% [markdown]
# ## 4. Transformer on token sequences, and a model that cannot see order
#
# In `token_order` every sequence of 24 tokens holds exactly one token `1` and one token `2`
# among random filler; the label says whether `1` comes first. Self-attention alone treats its
# input as a *set*; the position embedding added to each token is what lets the Transformer
# tell "1 before 2" from "2 before 1". As a control, an MLP receives only the token counts
# (a "bag of tokens"): the same information minus the order.

# %%
tokens = shrink(datasets.load("token_order"), 300)
vocab, length = tokens.extras["vocab_size"], tokens.input_shape[0]
transformer = train_classifier(
    "Transformer", lambda: models.transformer_classifier(vocab, length, 1, embed_dim=32, num_heads=2, ff_dim=64),
    tokens, EPOCHS["transformer"], learning_rate=2e-3)


def bag_of_tokens(x):
    """Count each token id per sequence: every trace of order is gone."""
    return np.stack([np.bincount(row, minlength=vocab) for row in x]).astype("float32")


bag = datasets.Dataset("token_order (counts)", bag_of_tokens(tokens.x_train), tokens.y_train,
                       bag_of_tokens(tokens.x_test), tokens.y_test, "binary", 1,
                       x_val=bag_of_tokens(tokens.x_val), y_val=tokens.y_val)
counter = train_classifier("MLP on token counts",
                           lambda: models.shallow_mlp(bag.input_shape, 1, hidden_units=32), bag, EPOCHS["bag"])
gap = results[-2]["value"] - results[-1]["value"]
print(f"Transformer minus count-only model: {100 * gap:+.1f} accuracy points on the test split; the "
      f"count-only model scores {results[-1]['value']:.3f} (chance level is 0.5).")
# Both models were trained once and see the same test sequences: McNemar's exact test asks
# whether the gap is larger than the luck of this test set (not of training: one seed each).
right = [model.predict(x, verbose=0)[:, 0] > 0.5 for model, x in ((transformer, tokens.x_test),
                                                                  (counter, bag.x_test))]
print(stats.mcnemar_exact(right[0] == tokens.y_test, right[1] == bag.y_test,
                          names=("Transformer", "MLP on token counts")).verdict())

# %% [markdown]
# ### Where does the Transformer look?
#
# A head turns every position (a *query*) into a weighted average of all positions (the
# *keys*); the weights of one query sum to 1. `models.attention_maps` returns them as the
# trained block computed them. The label depends only on where tokens 1 and 2 sit, so a
# useful head should look at them: if attention were spread evenly, the two keys would get
# 2/24 of it. We measure that share on every test sequence, for the trained model and for
# the same network before training (same seed, so the same initial weights), paired by
# sequence. One training run: the interval is over test sequences, not over seeds.

# %%
maps = models.attention_maps(transformer, tokens.x_test)  # (sequence, head, query, key)
keras.utils.set_random_seed(0)  # train_classifier's seed: the same weights, untrained
untrained = models.transformer_classifier(vocab, length, 1, embed_dim=32, num_heads=2, ff_dim=64)
marked = np.isin(tokens.x_test, (1, 2))[:, None, None, :]  # the keys holding token 1 or 2


def share(weights):
    """Per sequence and head: the attention weight on tokens 1 and 2, averaged over queries."""
    return (weights * marked).sum(axis=-1).mean(axis=2)


looked, before = share(maps), share(models.attention_maps(untrained, tokens.x_test))
print(f"attention on tokens 1 and 2: trained {looked.mean():.1%} (per head: "
      + ", ".join(f"{s:.1%}" for s in looked.mean(axis=0)) + f"), untrained {before.mean():.1%}, "
      f"evenly spread {2 / length:.1%}")
d = stats.paired_difference(looked.mean(axis=1), before.mean(axis=1), scale=100)
print(f"trained - untrained: {d.mean:+.1f} percentage points, 95% CI [{d.ci_low:+.1f}, "
      f"{d.ci_high:+.1f}], paired over {d.n} test sequences: "
      + (("more" if d.mean > 0 else "less") + " attention on the two tokens after training"
         if d.detected else "no detectable difference"))
shown = [int(np.flatnonzero(tokens.y_test == label)[0]) for label in (1, 0)]
fig = plots.plot_attention(maps[shown], tokens=tokens.x_test[shown], mark=(1, 2),
                           titles=[f"1 {'before' if tokens.y_test[k] else 'after'} 2" for k in shown],
                           title="Trained Transformer: attention per head (tokens 1 and 2 in red)")
plt.show()

# %% [markdown]
# In each panel a bright column is a key that many queries read. Columns under the red
# tokens mean the heads found the two tokens that decide the label; the printed share says
# how much of all attention they drew, against the untrained network's. Attention weights
# show where information is *gathered*, not what the model does with it: the position
# embedding of each token rides along with it, and the layers after attention compare them.

# %%
fig = plots.plot_history(histories, metrics=["accuracy"], title="Supervised families: accuracy per epoch")
plt.show()

# %% [markdown]
# ## 5. Autoencoder: reconstruction and anomaly detection
#
# An autoencoder squeezes each image through a small code (here 8 numbers) and rebuilds it;
# it is trained to reproduce its own input, with no labels. It learns to rebuild what it has
# seen, so inputs unlike the training data come back worse. We train on the digits **0-7**
# only and then score, by reconstruction error, (a) test digits 8 and 9, which the model never
# saw, and (b) test digits 0-7 with a 3x3 patch of full ink (value 1.0, drawn black in the
# figure below) pasted on them. ROC AUC measures how
# well the error ranks anomalies above normal test images (1.0 = perfectly, 0.5 = chance).

# %%
full_digits = datasets.load("digits")
NOVEL = (8, 9)
normal_train = ~np.isin(full_digits.y_train, NOVEL)
normal_test = ~np.isin(full_digits.y_test, NOVEL)
x_normal = full_digits.x_train[normal_train][: 200 if SMOKE else None]
x_normal_test = full_digits.x_test[normal_test]

keras.utils.set_random_seed(0)
ae, encoder, decoder = models.autoencoder(full_digits.input_shape, latent_dim=8, hidden_units=(64, 32))
training.compile_for(ae, task="regression")  # mean squared error between image and reconstruction
start = time.perf_counter()
x_normal_val = full_digits.x_val[~np.isin(full_digits.y_val, NOVEL)]
ae_history = ae.fit(x_normal, x_normal, validation_data=(x_normal_val, x_normal_val),
                    epochs=EPOCHS["ae"], batch_size=32, verbose=0)
ae_seconds = time.perf_counter() - start

rng = np.random.default_rng(0)
x_corrupt = x_normal_test.copy()
for image in x_corrupt:
    row, col = rng.integers(0, 6, size=2)
    image[row:row + 3, col:col + 3, 0] = 1.0

err_test = models.reconstruction_error(ae, full_digits.x_test)
err_normal = err_test[normal_test]
err_corrupt = models.reconstruction_error(ae, x_corrupt)
auc_novel = roc_auc_score(~normal_test, err_test)
auc_corrupt = roc_auc_score(np.r_[np.zeros(len(err_normal)), np.ones(len(err_corrupt))],
                            np.r_[err_normal, err_corrupt])
ae_params = models.count_params(ae)
results.append({"family": "Autoencoder", "dataset": "digits", "params": ae_params,
                "metric": f"AUC unseen {NOVEL}", "value": auc_novel, "seconds": ae_seconds})
results.append({"family": "Autoencoder", "dataset": "digits", "params": ae_params,
                "metric": "AUC corrupted", "value": auc_corrupt, "seconds": None})
print(f"mean reconstruction error: seen digits {err_normal.mean():.4f}, unseen {NOVEL} "
      f"{err_test[~normal_test].mean():.4f}, corrupted {err_corrupt.mean():.4f}")
print(f"ROC AUC, unseen digits vs normal: {auc_novel:.3f}; corrupted vs normal: {auc_corrupt:.3f} "
      f"({ae_seconds:.1f} s of training)")

# %%
novel_images = full_digits.x_test[~normal_test]
rows = [("seen digit", x_normal_test[:6]), (f"unseen {NOVEL}", novel_images[:6]), ("corrupted", x_corrupt[:6])]
fig = plt.figure(figsize=(14, 4.2))
left, right = fig.subfigures(1, 2, width_ratios=[3, 1])
axes = left.subplots(3, 12)
for r, (label, images) in enumerate(rows):
    recon = ae.predict(images, verbose=0)
    for c in range(6):
        for k, picture in enumerate((images[c], recon[c])):
            ax = axes[r, 2 * c + k]
            ax.imshow(picture[..., 0], cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([]), ax.set_yticks([])
            if r == 0:
                ax.set_title("input" if k == 0 else "rebuilt", fontsize=7)
    axes[r, 0].set_ylabel(label, fontsize=8)
ax = right.subplots()
bins = np.linspace(0, np.quantile(np.r_[err_test, err_corrupt], 0.99), 30)
for values, label in ((err_normal, "seen"), (err_test[~normal_test], "unseen"), (err_corrupt, "corrupted")):
    ax.hist(values, bins=bins, alpha=0.5, density=True, label=label)
ax.set_xlabel("reconstruction error (MSE)")
ax.set_ylabel("density")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# ## 6. GAN: learning to sample a distribution
#
# A generator turns random noise into points; a discriminator tries to tell them from real
# ones; each improves against the other. We train on 2-D points from two interleaving moons.
# To score the result we run a *classifier two-sample test*: a 10-nearest-neighbour
# classifier tries to separate held-out real points from generated ones (cross-validated
# accuracy; 0.5 = indistinguishable, 1.0 = trivially told apart). Baselines: the untrained
# generator, and a Gaussian with the real data's mean and covariance.

# %%
moons = datasets.load("moons", n_samples=600 if SMOKE else 3000, noise=0.05)


def two_sample_accuracy(real, fake):
    x = np.concatenate([real, fake])
    y = np.r_[np.zeros(len(real)), np.ones(len(fake))]
    return cross_val_score(KNeighborsClassifier(10), x, y, cv=5).mean()


keras.utils.set_random_seed(0)
gan = models.gan((2,), latent_dim=2, seed=0)
gan.compile(d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5), g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5))
n_eval = len(moons.x_test)
before = gan.sample(n_eval, seed=1)
start = time.perf_counter()
gan_history = gan.fit(moons.x_train, epochs=EPOCHS["gan"], batch_size=32, verbose=0)
gan_seconds = time.perf_counter() - start
after = gan.sample(n_eval, seed=1)
gaussian = rng.multivariate_normal(moons.x_train.mean(0), np.cov(moons.x_train.T), n_eval)
scores = {name: two_sample_accuracy(moons.x_test, fake)
          for name, fake in (("untrained generator", before), ("Gaussian fit", gaussian), ("trained GAN", after))}
for name, score in scores.items():
    print(f"two-sample test accuracy, {name:20s}: {score:.3f}")
print(f"{gan_seconds:.1f} s of training, one run: these scores describe this GAN, not GANs in general. "
      "Which of it and the Gaussian fit is closer to the moons is a question for several seeds "
      "and kerasdl.stats.paired_difference.")
results.append({"family": "GAN", "dataset": "moons", "params": models.count_params(gan),
                "metric": "2-sample acc (0.5 best)", "value": scores["trained GAN"], "seconds": gan_seconds})

fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), sharex=True, sharey=True)
for ax, (title, points) in zip(axes, (("real (held out)", moons.x_test), ("untrained generator", before),
                                     ("trained GAN", after))):
    ax.scatter(points[:, 0], points[:, 1], s=3)
    ax.set_title(title)
plt.show()

# %% [markdown]
# ## The tour in one table

# %%
print(training.format_table(results, digits=3))
print(f"Total training time: {sum(row['seconds'] or 0 for row in results):.1f} s")

# %% [markdown]
# ## Summary
#
# - One builder per family: `deep_mlp`, `cnn`, `rnn`, `transformer_classifier`,
#   `autoencoder`, `gan`. Their inputs differ (feature vectors, images, time series,
#   token ids, unlabelled data) and so do their jobs, but all train with `fit()`.
# - The supervised four (MLP, CNN, LSTM, Transformer) trained for seconds on a CPU; the
#   table above shows what each reached in that time.
# - Order matters in language-like data: in `token_order` both classes have identical token
#   counts, so no model of the counts can beat chance; position embeddings give the
#   Transformer the order it needs.
# - An autoencoder needs no labels; its reconstruction error separates unseen or damaged
#   inputs from familiar ones, which is how it serves anomaly detection.
# - A GAN learns to sample a distribution through a two-player game; its quality needs a
#   measurement of its own (here a two-sample test), and short runs are noisy.

# %% [markdown]
# ## Exercises
#
# Each exercise ends with a check, `exercises.check("08.k", ...)`. It judges your answer by
# the property the question is about, never by one exact number, says what your result
# shows or what is missing, and gives a hint. A worked solution is folded under each
# exercise: try first, then open it. None of them needs more training than the tour did.
#
# ### Exercise 1: Parameters of the recurrent cells
#
# Build the waveform classifier of section 3 with `cell="simple"`, `"gru"` and `"lstm"`
# (same `units=32`; no need to train) and compare their parameter counts. How many blocks of
# gate weights does each cell need per step? Check with
# `exercises.check("08.1", counts={"simple": ..., "gru": ..., "lstm": ...})`.

# %% tags=["solution"]
cells = {cell: models.rnn(waves.input_shape, 3, cell=cell, units=32)
         for cell in ("simple", "gru", "lstm")}
counts = {cell: m.count_params() for cell, m in cells.items()}
block = 32 * (32 + 1) + 32  # one gate: input kernel (1 feature), recurrent kernel, bias
print({cell: f"{n:,}" for cell, n in counts.items()}, f"; one gate block = {block:,} weights")
extra = counts["lstm"] - counts["simple"]
print(f"lstm - simple = {extra:,} = {extra / block:g} blocks")
print(exercises.check("08.1", counts=counts).require())

# %% [markdown] tags=["solution"]
# The simple cell has one block: $h_t = \tanh(W x_t + U h_{t-1} + b)$. The LSTM computes
# four such blocks per step (input, forget and output gates, and the candidate cell state),
# the GRU three (update and reset gates and the candidate; Keras keeps a second bias per
# block, hence a few extra). The head on top is the same for all three. Which cell learns
# the waveforms fastest would need several seeds each (`kerasdl.stats.run_over_seeds`);
# the parameter count is the price of the gates, paid whatever the answer.

# %% [markdown]
# ### Exercise 2: Weight sharing in a convolution
#
# The CNN's first convolution (`cnn.get_layer("conv_block_1_conv")`) turns the 8x8x1 image
# into 8x8x16 values. How many parameters would a Dense layer need to produce as many
# values from the same pixels? Check with
# `exercises.check("08.2", conv_layer=..., dense_params=...)`.

# %% tags=["solution"]
conv = cnn.get_layer("conv_block_1_conv")
n_in, n_out = int(np.prod(conv.input.shape[1:])), int(np.prod(conv.output.shape[1:]))
dense_params = n_in * n_out + n_out  # every input to every output, plus one bias per output
print(f"{conv.name}: {n_in} inputs -> {n_out} outputs with {conv.count_params():,} parameters "
      f"(3 x 3 x 1 x 16 + 16); a Dense layer would need {dense_params:,}")
print(exercises.check("08.2", conv_layer=conv, dense_params=dense_params).require())

# %% [markdown]
# ### Exercise 3: How big must an anomaly be?
#
# Paste full-ink square patches of side 1, 3 and 5 on the normal test digits (as in
# section 5) and score each side by ROC AUC against the unchanged images, with the trained
# autoencoder. Check with `exercises.check("08.3", aucs={side: auc, ...})`.

# %% tags=["solution"]
def patched(images, side, seed=0):
    """A copy of `images` with one full-ink side x side square at a random place on each."""
    out, where = images.copy(), np.random.default_rng(seed)
    for image in out:
        row, col = where.integers(0, 8 - side + 1, size=2)
        image[row:row + side, col:col + side, 0] = 1.0
    return out


aucs = {}
for side in (1, 3, 5):
    err = models.reconstruction_error(ae, patched(x_normal_test, side))
    labels = np.r_[np.zeros(len(err_normal)), np.ones(len(err))]
    aucs[side] = roc_auc_score(labels, np.r_[err_normal, err])
print("ROC AUC, patched vs normal, by patch side:", {s: round(a, 3) for s, a in aucs.items()})
print(exercises.check("08.3", aucs=aucs).require())

# %% [markdown]
# ### Exercise 4: Calibrating the two-sample test
#
# What does `two_sample_accuracy` give when both samples come from the real moons? Compare
# the held-out points with as many training points, then put that floor next to the
# Gaussian fit and the untrained generator of section 6. Check with
# `exercises.check("08.4", real_vs_real=..., gaussian=..., untrained=...)`.

# %% tags=["solution"]
real_vs_real = two_sample_accuracy(moons.x_test, moons.x_train[:n_eval])
print(f"two-sample test accuracy, real vs real ({n_eval} + {n_eval} points): {real_vs_real:.3f}")
print(exercises.check("08.4", real_vs_real=real_vs_real, gaussian=scores["Gaussian fit"],
                      untrained=scores["untrained generator"]).require())

# %% [markdown] tags=["solution"]
# Two samples of one distribution cannot be told apart, so the cross-validated classifier
# lands near 0.5 (a little below or above by the luck of the samples). That is the score a
# perfect generator would get, and the yardstick for the trained GAN's score above: its
# distance from this floor, not from 0, says how much of the moons it has not learned yet.

# %% [markdown]
# ### Exercise 5: Tokens shuffled
#
# Shuffle the tokens of each test sequence (`np.random.default_rng(0).permuted(x, axis=1)`)
# and re-evaluate the trained Transformer. What accuracy do you expect, and what do you
# measure? Check with `exercises.check("08.5", correct=..., accuracy=...)`: one boolean per
# test sequence (was the prediction right?) and, optionally, the unshuffled accuracy.

# %% tags=["solution"]
shuffled = np.random.default_rng(0).permuted(tokens.x_test, axis=1)
correct = (transformer.predict(shuffled, verbose=0)[:, 0] > 0.5) == tokens.y_test
unshuffled = next(row["value"] for row in results if row["family"] == "Transformer")
print(f"Transformer on shuffled test sequences: accuracy {correct.mean():.3f} "
      f"(unshuffled: {unshuffled:.3f})")
print(exercises.check("08.5", correct=correct, accuracy=unshuffled).require())

# %% [markdown] tags=["solution"]
# Expect 0.5. The label says whether token 1 comes before token 2; after a shuffle that
# order is a coin flip, independent of the label, so no model, however well trained, can
# beat chance on shuffled sequences. A well-trained Transformer falls from its test accuracy
# to chance; a model of the token counts (section 4) is not affected, because a shuffle
# keeps the counts: it was at chance already.
