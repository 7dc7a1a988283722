"""Two-phase transfer training: the new head first, then the unfrozen top, resumable.

Phase 1 trains only the head (backbone frozen) at a normal learning rate.
Phase 2 unfreezes the top of the backbone (BatchNormalization stays frozen),
recompiles with a much lower learning rate so the pre-trained features are
adjusted rather than destroyed, and continues the epoch count where phase 1
stopped. With `checkpoint_dir`, each epoch is backed up
(`keras.callbacks.BackupAndRestore`), the weights are saved after each phase
and the per-epoch logs are kept in `state.json`: after a crash or Ctrl-C,
calling `fine_tune` again with the same arguments resumes where it stopped.

Example:
    >>> import numpy as np
    >>> from kerasdl.transfer import backbone, build_transfer_model, fine_tune
    >>> model = build_transfer_model(backbone("kerasdl_glyphs"), 2)
    >>> x, y = np.random.rand(16, 8, 8, 1).astype("float32"), np.arange(16) % 2
    >>> result = fine_tune(model, (x, y), head_epochs=1, fine_tune_epochs=1, unfreeze=1)
    >>> result.boundary, len(result.history["loss"])
    (1, 2)
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass, field
from typing import Any

import keras

from kerasdl.files import atomic_write
from kerasdl.transfer.head import find_backbone, parameter_counts, unfreeze as unfreeze_layers
from kerasdl.validation import check_non_negative_int, check_positive_float, check_positive_int

_STATE = "state.json"


@dataclass
class TransferHistory:
    """Both phases' per-epoch logs, and one merged view for plotting.

    Attributes:
        head: Logs of phase 1 (head only), metric -> list per epoch.
        fine_tune: Logs of phase 2 (top unfrozen).
        boundary: Epochs in phase 1; phase 2 starts at epoch index `boundary`.
        unfrozen: Names of the backbone layers trained in phase 2.
        trainable_params: Trainable parameter counts in each phase.

    Example:
        >>> h = TransferHistory({"loss": [1.0, 0.8]}, {"loss": [0.5]})
        >>> h.history, h.boundary
        ({'loss': [1.0, 0.8, 0.5]}, 2)
    """

    head: dict[str, list[float]]
    fine_tune: dict[str, list[float]]
    unfrozen: list[str] = field(default_factory=list)
    trainable_params: dict[str, int] = field(default_factory=dict)

    @property
    def boundary(self) -> int:
        """Number of phase-1 epochs (where a plot draws the phase line)."""
        return len(next(iter(self.head.values()), []))

    @property
    def history(self) -> dict[str, list[float]]:
        """Phase 1 then phase 2, per metric, like `keras.callbacks.History.history`."""
        keys = list(self.head) + [k for k in self.fine_tune if k not in self.head]
        return {k: list(self.head.get(k, [])) + list(self.fine_tune.get(k, [])) for k in keys}

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready), including the merged history and the boundary."""
        return {"head": self.head, "fine_tune": self.fine_tune, "history": self.history,
                "boundary": self.boundary, "unfrozen": self.unfrozen, "trainable_params": self.trainable_params}


class _Checkpoint:
    """The resume state of one `fine_tune` run: `state.json` plus weights in `checkpoint_dir`.

    Without a folder it still collects the per-epoch logs, in memory. The
    state is `{"config", "phase", "epochs": {"head": {}, "fine_tune": {}}}`;
    `phase` is the first phase not yet finished ("head", "fine_tune", "done").
    """

    def __init__(self, folder: str | None, config: dict[str, Any]) -> None:
        self.folder = folder
        self.path = os.path.join(folder, _STATE) if folder is not None else None
        self.state: dict[str, Any] = {"config": config, "phase": "head", "epochs": {"head": {}, "fine_tune": {}}}
        if folder is None:
            return
        os.makedirs(folder, exist_ok=True)
        if os.path.isfile(self.path):
            with open(self.path, encoding="utf-8") as handle:
                saved = json.load(handle)
            if saved.get("config") != json.loads(json.dumps(config)):
                raise ValueError(f"checkpoint_dir={folder!r} holds a run with other settings {saved.get('config')}; "
                                 f"this call has {config}. Use a new checkpoint_dir or delete that one.")
            self.state = saved

    def pending(self, phase: str) -> bool:
        """Whether `phase` still has to be trained (a resumed run skips finished phases)."""
        return self.state["phase"] == phase

    def callbacks(self, phase: str) -> list[keras.callbacks.Callback]:
        log = _EpochLog(self, phase)
        if self.folder is None:
            return [log]
        return [log, keras.callbacks.BackupAndRestore(os.path.join(self.folder, f"{phase}_backup"))]

    def save(self) -> None:
        if self.path is not None:
            with atomic_write(self.path) as handle:
                handle.write(json.dumps(self.state, indent=1).encode("utf-8"))

    def save_weights(self, model: keras.Model, name: str) -> None:
        if self.folder is not None:
            model.save_weights(os.path.join(self.folder, f"{name}.weights.h5"))

    def load_weights(self, model: keras.Model, name: str) -> None:
        if self.folder is None:
            return
        with warnings.catch_warnings():
            # The file also holds the optimizer of the phase that saved it; only the weights matter here.
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            model.load_weights(os.path.join(self.folder, f"{name}.weights.h5"))

    def history(self, phase: str) -> dict[str, list[float]]:
        return _as_history(self.state["epochs"][phase])


class _EpochLog(keras.callbacks.Callback):
    """Write each finished epoch's logs to the state file before the backup is taken."""

    def __init__(self, checkpoint: _Checkpoint, phase: str) -> None:
        super().__init__()
        self.checkpoint, self.phase = checkpoint, phase

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.checkpoint.state["epochs"][self.phase][str(epoch)] = {k: float(v) for k, v in (logs or {}).items()}
        self.checkpoint.save()


def _as_history(epochs: dict[str, dict[str, float]]) -> dict[str, list[float]]:
    ordered = [epochs[k] for k in sorted(epochs, key=int)]
    keys = list(ordered[0]) if ordered else []
    return {k: [logs[k] for logs in ordered] for k in keys}


def _compile(model: keras.Model, learning_rate: float, compile_kwargs: dict) -> None:
    from kerasdl.training import compile_for

    compile_for(model, learning_rate=learning_rate, **compile_kwargs)


def _fit(model, train, validation, batch_size, epochs, initial_epoch, callbacks, verbose):
    kwargs: dict[str, Any] = {"epochs": epochs, "initial_epoch": initial_epoch, "callbacks": callbacks,
                              "verbose": verbose, "validation_data": validation}
    if isinstance(train, tuple):
        kwargs.update(x=train[0], y=train[1], batch_size=batch_size)
    else:
        kwargs["x"] = train
    try:
        model.fit(**kwargs)
    finally:
        # BackupAndRestore leaves its resume epoch on the model; a later fit must not inherit it.
        model._initial_epoch = None


def fine_tune(
    model: keras.Model,
    train: Any,
    validation: Any = None,
    head_epochs: int = 5,
    fine_tune_epochs: int = 5,
    unfreeze: Any = "all",
    head_learning_rate: float = 1e-3,
    fine_tune_learning_rate: float = 1e-5,
    batch_size: int = 32,
    checkpoint_dir: str | os.PathLike | None = None,
    callbacks: list[keras.callbacks.Callback] | None = None,
    verbose: int = 0,
    **compile_kwargs: Any,
) -> TransferHistory:
    """Train the new head, then fine-tune the unfrozen top of the backbone.

    Args:
        model: A model from `build_transfer_model` (its backbone is frozen here
            for phase 1 whatever its current state).
        train: `(x, y)` arrays or a `tf.data.Dataset` of batches (e.g.
            `image_folder(...).train`).
        validation: The same kinds, or None.
        head_epochs: Phase 1 epochs (>= 1).
        fine_tune_epochs: Phase 2 epochs (0 skips phase 2).
        unfreeze: What phase 2 trains: "all", the top k weighted layers, or a
            layer name to unfreeze from (see `kerasdl.transfer.unfreeze`).
        head_learning_rate: Adam learning rate of phase 1.
        fine_tune_learning_rate: Adam learning rate of phase 2 (keep it much
            lower, ~10-100x, or the pre-trained features are wrecked).
        batch_size: Used when `train` is an array pair.
        checkpoint_dir: Folder for backups, per-phase weights and logs; a
            rerun with the same folder resumes (None: no checkpoints).
        callbacks: Extra Keras callbacks, used in both phases.
        verbose: Keras `fit` verbosity; >= 1 also prints the parameter counts.
        **compile_kwargs: Passed to `kerasdl.training.compile_for` (e.g. `task=`).

    Returns:
        A `TransferHistory` (per-phase logs, merged `history`, `boundary`).

    Example:
        >>> import numpy as np
        >>> from kerasdl.transfer import backbone, build_transfer_model
        >>> model = build_transfer_model(backbone("kerasdl_glyphs"), 2)
        >>> x, y = np.random.rand(8, 8, 8, 1).astype("float32"), np.arange(8) % 2
        >>> fine_tune(model, (x, y), head_epochs=1, fine_tune_epochs=0).fine_tune
        {}
    """
    head_epochs, fine_tune_epochs, head_learning_rate, fine_tune_learning_rate, batch_size, train = _check_arguments(
        model, train, head_epochs, fine_tune_epochs, head_learning_rate, fine_tune_learning_rate, batch_size,
        callbacks, unfreeze)
    config = {"model": model.name, "weights": len(model.weights), "head_epochs": head_epochs,
              "fine_tune_epochs": fine_tune_epochs, "unfreeze": unfreeze}
    run = _Checkpoint(os.fspath(checkpoint_dir) if checkpoint_dir is not None else None, config)
    trainable: dict[str, int] = dict(run.state.get("trainable_params", {}))
    data = (train, validation, batch_size, list(callbacks or []), verbose)

    # Phase 1: the head alone (the backbone is frozen).
    trainable["head"] = _head_phase(model, run, head_epochs, head_learning_rate, compile_kwargs, data)
    # Phase 2: unfreeze the top, BatchNormalization stays frozen, much lower learning rate.
    unfrozen: list[str] = []
    if fine_tune_epochs:
        unfrozen, trainable["fine_tune"] = _fine_tune_phase(
            model, run, unfreeze, head_epochs, fine_tune_epochs, fine_tune_learning_rate, compile_kwargs, data)
    # Done: the final weights and the whole state, for a rerun to return at once.
    run.state["phase"] = "done"
    run.state["trainable_params"] = trainable
    run.save_weights(model, "final")
    run.save()
    return TransferHistory(run.history("head"), run.history("fine_tune"), unfrozen, trainable)


def _check_arguments(model, train, head_epochs, fine_tune_epochs, head_learning_rate, fine_tune_learning_rate,
                     batch_size, callbacks, unfreeze) -> tuple:
    """Every argument of `fine_tune` checked before any training; returns the normalised values."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model from build_transfer_model; got {type(model).__name__}.")
    if isinstance(train, list):
        train = tuple(train)
    if isinstance(train, tuple) and len(train) != 2:
        raise ValueError(f"train must be (x, y) or a tf.data.Dataset; got a tuple of {len(train)} items.")
    if train is None:
        raise ValueError("train must be (x, y) arrays or a tf.data.Dataset; got None.")
    values = (check_positive_int("head_epochs", head_epochs),
              check_non_negative_int("fine_tune_epochs", fine_tune_epochs),
              check_positive_float("head_learning_rate", head_learning_rate),
              check_positive_float("fine_tune_learning_rate", fine_tune_learning_rate),
              check_positive_int("batch_size", batch_size), train)
    if callbacks is not None and not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"callbacks must be a list of keras callbacks or None; got {type(callbacks).__name__}.")
    features = find_backbone(model)
    # Validate `unfreeze` now, so a typo fails before phase 1 rather than after it.
    features.trainable = True
    unfreeze_layers(model, unfreeze)
    features.trainable = False
    return values


def _head_phase(model: keras.Model, run: _Checkpoint, epochs: int, learning_rate: float,
                compile_kwargs: dict, data: tuple) -> int:
    """Phase 1: train the head; on a resumed run that finished it, load its weights instead."""
    train, validation, batch_size, extra, verbose = data
    _compile(model, learning_rate, compile_kwargs)
    trainable = parameter_counts(model)["trainable"]
    if verbose:
        print(f"phase 1 (head only): {trainable:,} trainable parameters")
    if run.pending("head"):
        _fit(model, train, validation, batch_size, epochs, 0, extra + run.callbacks("head"), verbose)
        run.state["phase"] = "fine_tune"
        run.save_weights(model, "head")
        run.save()
    else:
        run.load_weights(model, "head")
    return trainable


def _fine_tune_phase(model: keras.Model, run: _Checkpoint, unfreeze: Any, head_epochs: int, epochs: int,
                     learning_rate: float, compile_kwargs: dict, data: tuple) -> tuple[list[str], int]:
    """Phase 2: unfreeze, recompile at the low rate, continue the epoch count after phase 1."""
    train, validation, batch_size, extra, verbose = data
    unfrozen = unfreeze_layers(model, unfreeze)
    _compile(model, learning_rate, compile_kwargs)
    trainable = parameter_counts(model)["trainable"]
    if verbose:
        print(f"phase 2 (fine-tuning {len(unfrozen)} backbone layers): {trainable:,} trainable parameters")
    if run.pending("fine_tune"):
        _fit(model, train, validation, batch_size, head_epochs + epochs, head_epochs,
             extra + run.callbacks("fine_tune"), verbose)
    else:
        run.load_weights(model, "final")
    return unfrozen, trainable
