"""Pre-train the `kerasdl_glyphs` backbone that ships in `kerasdl/assets`.

Source task: 47 classes of printed letters and symbols, no digits, rendered
with matplotlib's fonts (`kerasdl.datasets.glyphs`), tens of thousands of 8x8
images. Fresh renderings (other seeds) give a validation set, watched during
training, and a test set, scored once at the end. The network is `kerasdl.models.cnn` with batch normalization; the
backbone keeps everything up to the last pooled conv block, with the source
data's mean and standard deviation baked into its "preprocess" layer.

Run `python -m kerasdl.transfer.pretrain` to rebuild the shipped file
(`--smoke` for a quick check, `--out PATH` to write elsewhere); next to the
`.keras` file it writes a `.json` record of how the file was made (classes,
settings, accuracies, seconds). And
`python -m kerasdl.transfer.pretrain --compare` to measure what it buys on
handwritten digits with few labels (`kerasdl.transfer.experiment`).

Example:
    >>> from kerasdl.transfer.pretrain import pretrain_glyph_backbone
    >>> features, info = pretrain_glyph_backbone(per_class=20, epochs=1, verbose=0)
    >>> features.output.shape, info["classes"]
    ((None, 1, 1, 128), 47)
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

import keras
import numpy as np

from kerasdl.models import cnn
from kerasdl.transfer.backbones import GLYPHS, GLYPHS_PATH, PreprocessInput
from kerasdl.datasets.glyphs import GLYPH_CLASSES, glyph_dataset
from kerasdl.validation import check_int_sequence, check_non_negative_int, check_positive_int

#: Settings of the shipped file (`python -m kerasdl.transfer.pretrain`).
FULL = {"per_class": 800, "epochs": 12}
#: Settings of `--smoke` and of the reproduction test.
SMOKE = {"per_class": 80, "epochs": 8}


def pretrain_glyph_backbone(
    per_class: int = FULL["per_class"],
    epochs: int = FULL["epochs"],
    filters: tuple[int, ...] = (32, 64, 128),
    batch_size: int = 128,
    seed: int = 0,
    path: str | None = None,
    verbose: int = 2,
) -> tuple[keras.Model, dict[str, Any]]:
    """Train a small CNN on synthetic glyphs and return its headless backbone.

    Args:
        per_class: Training images per glyph class (47 classes, no digits).
        epochs: Training epochs (Adam, learning rate decayed by cosine).
        filters: Filters of the conv blocks (at most 3 for 8x8 inputs).
        batch_size: Batch size.
        seed: Seed of the data and of the weights.
        path: Where to save the backbone (`.keras`), with its record beside it
            (same name, `.json`); None: not saved.
        verbose: Keras `fit` verbosity.

    Returns:
        `(backbone, info)`: the backbone (8x8x1 images in [0, 1] -> (1, 1, C)
        feature maps for 3 blocks) and a dict with the source accuracy on
        fresh glyphs (`source_val_accuracy`, `source_test_accuracy`), the
        classes, sizes, settings, seconds and file size.

    Example:
        >>> features, info = pretrain_glyph_backbone(per_class=20, epochs=1, verbose=0)
        >>> 0.0 <= info["source_test_accuracy"] <= 1.0
        True
    """
    per_class = check_positive_int("per_class", per_class)
    epochs = check_positive_int("epochs", epochs)
    filters = check_int_sequence("filters", filters)
    batch_size = check_positive_int("batch_size", batch_size)
    seed = check_non_negative_int("seed", seed)
    if path is not None and not str(path).endswith(".keras"):
        raise ValueError(f"path must end with .keras; got {path!r}.")

    start = time.perf_counter()
    x_train, y_train = glyph_dataset(per_class, seed=seed)
    # Fresh renderings (other seeds): one set watched while training, one scored once.
    x_val, y_val = glyph_dataset(max(10, per_class // 8), seed=seed + 10_000)
    x_test, y_test = glyph_dataset(max(10, per_class // 8), seed=seed + 20_000)
    render_seconds = time.perf_counter() - start

    keras.utils.set_random_seed(seed)
    classifier = cnn((8, 8, 1), len(GLYPH_CLASSES), filters=filters, batch_norm=True, dropout=0.3,
                     name="glyph_classifier")
    inputs = keras.Input((8, 8, 1), name="input")
    # The source statistics travel with the weights, as ImageNet's mean/std do.
    x = PreprocessInput("standardize", float(x_train.mean()), float(x_train.std()), name="preprocess")(inputs)
    for layer in classifier.layers[1:]:
        if layer.name == "global_pool":
            break
        x = layer(x)
    features = keras.Model(inputs, x, name=GLYPHS)
    y = classifier.get_layer("global_pool")(features.output)
    y = classifier.get_layer("dropout")(y)
    trainer = keras.Model(inputs, classifier.get_layer("output")(y), name="glyph_pretraining")
    steps = epochs * int(np.ceil(len(x_train) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(3e-3, decay_steps=steps, alpha=0.05)
    trainer.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                    metrics=["accuracy"])
    history = trainer.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=verbose,
                          validation_data=(x_val, y_val))
    _, accuracy = trainer.evaluate(x_test, y_test, verbose=0)
    info: dict[str, Any] = {
        "classes": len(GLYPH_CLASSES),
        "class_names": "".join(GLYPH_CLASSES),
        "train_images": int(len(x_train)),
        "val_images": int(len(x_val)),
        "test_images": int(len(x_test)),
        "per_class": per_class,
        "epochs": epochs,
        "seed": seed,
        "source_train_accuracy": float(history.history["accuracy"][-1]),
        "source_val_accuracy": float(history.history["val_accuracy"][-1]),
        "source_test_accuracy": float(accuracy),
        "backbone_params": int(features.count_params()),
        "render_seconds": render_seconds,
        "seconds": time.perf_counter() - start,
    }
    if path is not None:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        features.save(path)
        info["path"] = str(path)
        info["file_kb"] = os.path.getsize(path) / 1024
        record = {"made_by": "python -m kerasdl.transfer.pretrain", "keras_version": keras.__version__,
                  "description": f"kerasdl_glyphs backbone: a CNN pre-trained on {len(GLYPH_CLASSES)} classes "
                                 "of printed letters and symbols (no digits), 8x8 images in [0, 1]",
                  **{k: v for k, v in info.items() if k != "path"}}
        with open(metadata_path(path), "w", encoding="utf-8") as handle:
            json.dump(record, handle, indent=1)
    return features, info


def metadata_path(path: str) -> str:
    """Return where the record of a pre-trained `.keras` file lives (same name, `.json`).

    Example:
        >>> metadata_path("/tmp/kerasdl_glyphs.keras")
        '/tmp/kerasdl_glyphs.json'
    """
    return str(path)[: -len(".keras")] + ".json" if str(path).endswith(".keras") else f"{path}.json"


def main(argv: list[str] | None = None) -> None:
    """Command line: `python -m kerasdl.transfer.pretrain [--smoke] [--out PATH] [--compare]`.

    Example:
        >>> main(["--smoke", "--out", "/tmp/glyphs_smoke.keras"])  # doctest: +SKIP
    """
    parser = argparse.ArgumentParser(description="Pre-train the kerasdl_glyphs backbone on synthetic glyphs.")
    parser.add_argument("--smoke", action="store_true", help="tiny run to check the script works")
    parser.add_argument("--out", default=None, help=f"output .keras file (default {GLYPHS_PATH}; "
                                                    "with --smoke: not saved unless given)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compare", action="store_true",
                        help="instead of pre-training: compare scratch, frozen and fine-tuned on few digit labels")
    args = parser.parse_args(argv)
    if args.compare:
        from kerasdl.transfer.experiment import digits_transfer_comparison

        labels = (5, 20) if args.smoke else (5, 10, 20, 50)
        seeds = tuple(range(args.seed, args.seed + (2 if args.smoke else 5)))
        curve = digits_transfer_comparison(labels, seeds, steps=100 if args.smoke else 400, verbose=True)
        print(curve.table())
        for images, difference in curve.paired("fine_tuned", "scratch").items():
            print(f"{images} labelled images: {difference.verdict()}")
        return
    settings = SMOKE if args.smoke else FULL
    out = args.out if (args.out or args.smoke) else GLYPHS_PATH
    _, info = pretrain_glyph_backbone(**settings, seed=args.seed, path=out, verbose=2)
    for key, value in info.items():
        print(f"{key}: {value:.4g}" if isinstance(value, float) else f"{key}: {value}")


if __name__ == "__main__":
    main()
