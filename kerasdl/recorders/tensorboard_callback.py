"""`TensorBoardRecording`: a recorder's rows written to TensorBoard during `fit`.

Example:
    >>> from kerasdl.recorders import GradientRecorder, TensorBoardRecording
    >>> TensorBoardRecording(GradientRecorder(), "/tmp/tb_example").histograms
    False
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import keras

from kerasdl.recorders.history import StepHistory
from kerasdl.recorders.tensorboard_export import _write_rows


class TensorBoardRecording(keras.callbacks.Callback):
    """Write a recorder's new rows to TensorBoard at the end of every epoch.

    List it after the recorder in `callbacks=[...]`: recorders read their
    rows at the epoch's end, and this callback then writes the new ones.

    Args:
        recorder: A `GradientRecorder` or `ActivationRecorder`.
        logdir: Folder for the event files, e.g. the `log_dir` of Keras'
            `TensorBoard` callback plus "/gradients".
        histograms: Also write a histogram of log10 norms per step.

    Example:
        >>> from kerasdl.recorders import GradientRecorder
        >>> cb = TensorBoardRecording(GradientRecorder(), "/tmp/tb_example")
        >>> cb.written
        0
    """

    def __init__(self, recorder: Any, logdir: str | os.PathLike, histograms: bool = False) -> None:
        super().__init__()
        if not hasattr(recorder, "history") or not isinstance(recorder.history, StepHistory):
            raise TypeError(f"recorder must be a GradientRecorder or ActivationRecorder; got {type(recorder).__name__}.")
        if not isinstance(histograms, bool):
            raise TypeError(f"histograms must be True or False; got {histograms!r}.")
        self.recorder = recorder
        self.logdir = Path(logdir)
        self.histograms = histograms
        self.written = 0
        self._writer: Any = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        import tensorflow as tf

        self.logdir.mkdir(parents=True, exist_ok=True)
        self._writer = tf.summary.create_file_writer(str(self.logdir))

    def _write(self) -> None:
        history = self.recorder.history
        if self._writer is not None and len(history) > self.written:
            self.written += _write_rows(history, self._writer, self.written, self.histograms, None)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._write()

    def on_train_end(self, logs: dict | None = None) -> None:
        self._write()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
