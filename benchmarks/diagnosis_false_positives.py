"""How often does the diagnosis cry wolf? Its findings on healthy runs like the tutorials'.

Each configuration is a run the tutorials present as working (the setting they recommend or
reach as the fix), trained on the 8x8 digits with a GradientRecorder and an ActivationRecorder,
over several seeds. Every finding on such a run is counted as a false positive, except
`val_below_train` on a run with dropout (an `info` finding whose cause is real: dropout is on in
training only), which is counted apart.

Usage:
    python benchmarks/diagnosis_false_positives.py              # 3 seeds, 10 epochs
    python benchmarks/diagnosis_false_positives.py --seeds 1 --epochs 4
"""

from __future__ import annotations

import argparse
import collections
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from kerasdl import datasets, models, training  # noqa: E402
from kerasdl.diagnose import diagnose  # noqa: E402
from kerasdl.recorders import ActivationRecorder, GradientRecorder  # noqa: E402

# name: (builder keyword arguments, optimizer, learning rate, batch size); settings of tutorials 01, 04-07.
CONFIGS = {
    "01 deep 4x32 relu, Adam": (dict(depth=4, width=32), "adam", 1e-3, 32),
    "04 3x512 relu + dropout 0.5, Adam": (dict(depth=3, width=512, dropout=0.5), "adam", 1e-3, 32),
    "05 6x64 relu + BN, SGD 0.05": (dict(depth=6, width=64, batch_norm=True), "sgd", 0.05, 64),
    "06 6x64 relu He, SGD 0.05": (dict(depth=6, width=64, kernel_initializer="he_normal"), "sgd", 0.05, 64),
    "06 6x64 tanh Glorot, SGD 0.05": (dict(depth=6, width=64, activation="tanh",
                                          kernel_initializer="glorot_uniform"), "sgd", 0.05, 64),
    "07 8x64 relu He, SGD 0.1": (dict(depth=8, width=64, kernel_initializer="he_normal"), "sgd", 0.1, 32),
    "07 8x64 sigmoid + BN, SGD 0.1": (dict(depth=8, width=64, activation="sigmoid", batch_norm=True),
                                      "sgd", 0.1, 32),
}


def run(name: str, seed: int, epochs: int, data) -> list:
    builder, optimizer, lr, batch = CONFIGS[name]
    keras.utils.set_random_seed(seed)
    model = training.compile_for(models.deep_mlp(data.input_shape, data.num_outputs, **builder),
                                 optimizer=optimizer, learning_rate=lr)
    grads, acts = GradientRecorder(), ActivationRecorder(data.x_test[:128], every=20)
    history = model.fit(data.x_train, data.y_train, validation_data=data.validation, epochs=epochs,
                        batch_size=batch, verbose=0, callbacks=[grads, acts])
    return diagnose(history, grads, acts, model).findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    data = datasets.load("digits_flat")
    false, expected, runs = collections.Counter(), collections.Counter(), 0
    for name, (builder, *_rest) in CONFIGS.items():
        for seed in range(args.seeds):
            findings = run(name, seed, args.epochs, data)
            runs += 1
            for f in findings:
                if f.kind == "val_below_train" and builder.get("dropout"):
                    expected[f.kind] += 1
                else:
                    false[f.kind] += 1
            print(f"{name:38s} seed {seed}: {[f.kind for f in findings] or 'no finding'}", flush=True)
    print(f"\n{runs} healthy runs ({len(CONFIGS)} configurations x {args.seeds} seeds, {args.epochs} epochs)")
    print(f"false positives: {sum(false.values())} {dict(false)}")
    print(f"expected info findings (val_below_train with dropout): {sum(expected.values())}")


if __name__ == "__main__":
    main()
