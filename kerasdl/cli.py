"""The `kerasdl` command.

`kerasdl demo` trains a shallow and a deep network on real, offline data and
prints a comparison table; `kerasdl info` says what Keras runs on.

Example:
    >>> from kerasdl.cli import build_parser
    >>> build_parser().parse_args(["demo", "--epochs", "3"]).epochs
    3
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path

DEMO_DATASETS = ("digits", "breast_cancer", "wine", "spirals", "moons")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `kerasdl` command.

    Example:
        >>> build_parser().parse_args(["info"]).command
        'info'
    """
    parser = argparse.ArgumentParser(prog="kerasdl", description="Learn deep learning by running it.")
    sub = parser.add_subparsers(dest="command", required=True)
    # Every subcommand takes --verbose (add `parents=[common]` to a new one).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--verbose", action="store_true",
                        help="also show TensorFlow's C++ log lines while it loads (hidden by default)")
    demo = sub.add_parser("demo", parents=[common], help="train a shallow and a deep network side by side and compare them")
    demo.add_argument("--dataset", default="digits", choices=DEMO_DATASETS, help="offline dataset (default: digits)")
    demo.add_argument("--epochs", type=int, default=30, help="training epochs per model (default: 30)")
    demo.add_argument("--out", default="kerasdl_demo.png", help="where to write the learning-curve PNG")
    demo.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same numbers")
    demo.add_argument("--batch-size", type=int, default=32, help="mini-batch size (default: 32)")
    demo.add_argument("--mixed-precision", action="store_true",
                      help="compute in float16/bfloat16 where the hardware makes it pay (refused otherwise)")
    demo.add_argument("--jit", action="store_true", help="compile training steps with XLA (jit_compile=True)")
    sub.add_parser("info", parents=[common], help="show versions, the Keras backend and the devices it can use")
    sub.add_parser("doctor", parents=[common], help="check the setup (versions, backend, GPU, data, disk) and say what to fix")
    return parser


def demo(dataset: str = "digits", epochs: int = 30, out: str = "kerasdl_demo.png", seed: int = 0,
         batch_size: int = 32, mixed_precision: bool = False, jit: bool = False) -> list[dict]:
    """Train a shallow and a deep MLP of similar size on `dataset` and compare them.

    Prints Keras progress (one line per epoch), then a table of parameters,
    the epoch chosen on the validation split, train / validation / test
    accuracy and seconds, says which split each column comes from, runs
    McNemar's exact test on the test split (one run each), and writes the
    learning curves to `out`.

    Args:
        dataset: One of the offline datasets in `DEMO_DATASETS`.
        epochs: Epochs per model.
        out: Path of the PNG to write (folders are created).
        seed: Seed for data split, weights and shuffling.
        batch_size: Mini-batch size.
        mixed_precision: Use `kerasdl.device.enable_mixed_precision()` while
            the models are built and trained (the policy is restored after).
        jit: Compile the training steps with XLA; otherwise Keras decides.

    Returns:
        The comparison rows.

    Example:
        >>> rows = demo("wine", epochs=1, out="/tmp/wine_demo.png")  # doctest: +SKIP
    """
    if epochs < 1:
        raise ValueError(f"--epochs must be a positive integer; got {epochs}.")
    if batch_size < 1:
        raise ValueError(f"--batch-size must be a positive integer; got {batch_size}.")
    out_path = Path(out).expanduser()
    if out_path.suffix.lower() != ".png":
        raise ValueError(f"--out must end in .png; got {out!r}.")

    import keras
    import numpy as np

    from kerasdl import datasets, device, models, training
    from kerasdl.plots import plot_history

    keras.utils.set_random_seed(seed)
    data = datasets.load(dataset, seed=seed)
    print(data)
    # The shallow width is chosen so both networks have about the same number of parameters.
    d, o, depth, width = int(np.prod(data.input_shape)), data.num_outputs, 4, 32
    deep_params = d * width + width + (depth - 1) * (width * width + width) + width * o + o
    hidden = max(1, round((deep_params - o) / (d + 1 + o)))
    compile_kwargs = {"jit_compile": True} if jit else {}
    precision = contextlib.nullcontext("float32")
    if mixed_precision:
        precision = device.mixed_precision()
    try:
        with precision as policy:
            print(f"dtype policy: {policy}; XLA: {'on' if jit else 'Keras default'}")
            result = training.compare(
                {
                    f"shallow (1x{hidden})": lambda: training.compile_for(models.shallow_mlp(
                        data.input_shape, data.num_outputs, hidden_units=hidden, name="shallow"), **compile_kwargs),
                    f"deep ({depth}x{width})": lambda: training.compile_for(models.deep_mlp(
                        data.input_shape, data.num_outputs, depth=depth, width=width, name="deep"),
                        **compile_kwargs),
                },
                data, epochs=epochs, batch_size=batch_size, seed=seed, verbose=2,
            )
    except device.MixedPrecisionUnsupportedError as error:
        raise ValueError(f"--mixed-precision: {error}") from None
    print()
    print(result.table())
    print(f"\ntrain_*: the training split ({len(data.x_train):,} examples); val_*: the validation split "
          f"({len(data.x_val):,}, carved from the training data), which chose best_epoch by val_loss; "
          f"test_*: the test split ({len(data.x_test):,}), read once per model after training.")
    if data.task != "regression":
        from kerasdl.stats import mcnemar_exact

        (name_a, model_a), (name_b, model_b) = result.models.items()
        right = [_correct(m, data.x_test, data.y_test) for m in (model_a, model_b)]
        print(mcnemar_exact(*right, names=(name_a, name_b)).verdict(),
              "Seed-to-seed variation is not in this test: kerasdl.stats.run_over_seeds measures it.")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fig = plot_history(result.histories, title=f"kerasdl demo: shallow vs deep on {dataset}")
    fig.savefig(out_path, dpi=110)
    print(f"\nLearning curves written to {out_path.resolve()}")
    return result.rows


def _correct(model, x, y):
    import numpy as np

    p = np.asarray(model.predict(x, verbose=0, batch_size=512))
    guess = (p[:, 0] > 0.5).astype(int) if p.shape[-1] == 1 else p.argmax(axis=-1)
    return guess == np.asarray(y).reshape(-1)


def info() -> dict:
    """Print versions, the Keras backend and visible devices; return them as a dict.

    Example:
        >>> sorted(info())  # doctest: +SKIP
    """
    from kerasdl import device

    description = device.describe()
    print(device.format_description(description))
    return description


@contextlib.contextmanager
def _native_logs_hidden(hide: bool):
    """Send file descriptor 2 to a temporary file while the backend loads.

    TensorFlow's C++ runtime writes its start-up lines (absl, oneDNN, CUDA
    stubs) straight to fd 2, below Python, and `TF_CPP_MIN_LOG_LEVEL` does not
    silence all of them. If loading fails, the captured text is written back,
    so nothing that explains the failure is lost.
    """
    if not hide:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def _load_backend() -> None:
    # Importing Keras loads the backend; TensorFlow logs again on its first device query.
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.list_physical_devices()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kerasdl` console script.

    Example:
        >>> main(["info"])  # doctest: +SKIP
        0
    """
    args = build_parser().parse_args(argv)
    # The C++ log lines are hidden unless asked for, by --verbose or by setting the level.
    quiet = not getattr(args, "verbose", False) and "TF_CPP_MIN_LOG_LEVEL" not in os.environ
    if quiet:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
        with _native_logs_hidden(True):
            _load_backend()
    try:
        if args.command == "demo":
            demo(args.dataset, args.epochs, args.out, args.seed, args.batch_size, args.mixed_precision, args.jit)
        elif args.command == "info":
            info()
        elif args.command == "doctor":
            from kerasdl.setup_check import doctor

            return doctor()
    except (ValueError, TypeError, OSError) as error:
        print(f"kerasdl {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
