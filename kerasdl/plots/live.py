"""`LivePlot`: loss and metric curves (and the per-layer gradient flow) redrawn during `fit`.

In Jupyter the figure is shown once and then updated in place through a
display handle, at most every `every_s` seconds, and only while the time
spent drawing (the next redraw included, estimated from the last one)
stays within 2% of the time `fit` has run; one last redraw shows the final
curves when `fit` ends. Outside a notebook
(scripts, `nbconvert`-free runs) nothing is drawn during training and one
static figure is written to `path` at the end.

The callback only reads the epoch logs and, when given, a recorder's
history; it never builds, changes or trains a model.

Example:
    >>> from kerasdl.plots.live import LivePlot
    >>> LivePlot(every_s=5.0, path=None).redraws
    0
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any

import keras
import numpy as np

MAX_DRAW_SHARE = 0.02  # drawing during fit may take at most 2% of the time fit has run so far
# Cost assumed for the first redraw, before one has been measured: rendering this figure with
# Agg takes a few tenths of a second on a laptop, more on a loaded machine; after the first
# redraw the measured cost is used. So no redraw happens before 50 s of training.
FIRST_DRAW_ESTIMATE_S = 1.0
_MAX_POINTS = 400  # per gradient line; more points only cost drawing time


def in_notebook() -> bool:
    """True inside a Jupyter (or Colab) kernel, where a display handle can be updated.

    Example:
        >>> in_notebook()
        False
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ in ("ZMQInteractiveShell", "Shell")


def draw_live_figure(logs: dict[str, list[float]], gradients: Any = None, title: str | None = None) -> Any:
    """The figure `LivePlot` shows: one panel per metric, plus gradient norms per layer.

    Args:
        logs: `{metric: [value per epoch]}`; `val_*` curves are drawn dashed
            in the panel of their metric.
        gradients: A `GradientHistory` (or its recorder); adds a panel with
            each layer's gradient norm per recorded step (log scale).
        title: Figure title.

    Returns:
        A matplotlib `Figure` (not registered with pyplot, so it never pops up).

    Example:
        >>> fig = draw_live_figure({"loss": [1.0, 0.5], "val_loss": [1.2, 0.8]})
        >>> [ax.get_title() for ax in fig.axes]
        ['loss']
    """
    from matplotlib.figure import Figure

    metrics = [k for k in logs if not k.startswith("val_")]
    metrics = sorted(metrics, key=lambda k: (k != "loss", k))[:3]
    history = getattr(gradients, "history", gradients)
    panels = len(metrics) + (1 if history is not None and len(history) else 0)
    fig = Figure(figsize=(4.2 * max(panels, 1), 3.3), layout="constrained")
    axes = fig.subplots(1, max(panels, 1), squeeze=False)[0]
    for ax, key in zip(axes, metrics):
        for name, style in ((key, "-"), (f"val_{key}", "--")):
            values = logs.get(name)
            if values:
                ax.plot(np.arange(1, len(values) + 1), values, style, label=name.replace("_", " "))
        ax.set_title(key)
        ax.set_xlabel("epoch")
        ax.legend(fontsize=8)
    if panels > len(metrics):
        ax = axes[-1]
        stride = max(1, len(history) // _MAX_POINTS)
        steps = history.steps[::stride]
        for layer in history.layers:
            values = history.get(layer)[::stride]
            positive = np.where(np.isfinite(values) & (values > 0), values, np.nan)
            ax.plot(steps, positive, label=layer, lw=1)
        ax.set_yscale("log")
        ax.set_title("gradient norm per layer")
        ax.set_xlabel("optimizer step")
        ax.legend(fontsize=7, ncols=2 if len(history.layers) > 6 else 1)
    if title:
        fig.suptitle(title)
    return fig


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


class LivePlot(keras.callbacks.Callback):
    """Redraw the learning curves (and gradient flow) in place while `fit` runs.

    Args:
        gradients: A `GradientRecorder` listed before this callback; its
            per-layer gradient norms get a panel of their own.
        every_s: Least number of seconds between two redraws in a notebook.
        path: Where to write the final static figure when not in a notebook
            (`.png`, `.pdf` or `.svg`); None writes nothing.
        notebook: Force notebook (True) or script (False) behaviour; default
            detects a Jupyter kernel.
        title: Figure title.

    Attributes:
        redraws: Figures drawn so far (in a notebook: shown or updated).
        draw_seconds: Total time spent drawing.
        logs: `{metric: [value per epoch]}` seen so far.

    Example:
        >>> import numpy as np, keras, tempfile, os
        >>> m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> m.compile("sgd", "mse")
        >>> out = os.path.join(tempfile.mkdtemp(), "curves.png")
        >>> live = LivePlot(path=out, notebook=False)
        >>> _ = m.fit(np.ones((8, 2)), np.ones((8, 1)), epochs=2, verbose=0, callbacks=[live])
        >>> live.redraws, os.path.exists(out)
        (1, True)
    """

    def __init__(self, gradients: Any = None, every_s: float = 5.0,
                 path: str | os.PathLike | None = "live_plot.png", notebook: bool | None = None,
                 title: str | None = None) -> None:
        super().__init__()
        if gradients is not None and not hasattr(gradients, "history") and not hasattr(gradients, "layers"):
            raise TypeError(f"gradients must be a GradientRecorder, its history, or None; got {gradients!r}.")
        if isinstance(every_s, bool) or not isinstance(every_s, (int, float)) or not every_s >= 0:
            raise ValueError(f"every_s must be a number of seconds >= 0; got {every_s!r}.")
        if path is not None and Path(path).suffix.lower() not in (".png", ".pdf", ".svg"):
            raise ValueError(f"path must end in .png, .pdf or .svg (or be None); got {str(path)!r}.")
        if notebook is not None and not isinstance(notebook, bool):
            raise TypeError(f"notebook must be True, False or None; got {notebook!r}.")
        self.gradients = gradients
        self.every_s = float(every_s)
        self.path = None if path is None else Path(path)
        self.notebook = notebook
        self.title = title
        self.logs: dict[str, list[float]] = {}
        self.redraws = 0
        self.draw_seconds = 0.0
        self._start = 0.0
        self._last_draw = 0.0
        self._last_cost = 0.0
        self._handle: Any = None
        self._live = False

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._live = in_notebook() if self.notebook is None else self.notebook
        self._start = self._last_draw = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        for key, value in (logs or {}).items():
            try:
                self.logs.setdefault(key, []).append(float(value))
            except (TypeError, ValueError):
                continue
        if not self._live:
            return
        now = time.perf_counter()
        estimate = self._last_cost if self.redraws else FIRST_DRAW_ESTIMATE_S
        within_budget = self.draw_seconds + estimate <= MAX_DRAW_SHARE * (now - self._start)
        if now - self._last_draw >= self.every_s and within_budget:
            self._show()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._live:
            self._show()
        elif self.path is not None:
            start = time.perf_counter()
            fig = draw_live_figure(self.logs, self.gradients, self.title)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(self.path, dpi=110)
            self._count(start)

    def _count(self, start: float) -> None:
        end = time.perf_counter()
        self._last_cost = end - start
        self.draw_seconds += self._last_cost
        self._last_draw = end
        self.redraws += 1

    def _show(self) -> None:
        from IPython.display import Image, display

        start = time.perf_counter()
        image = Image(data=_png(draw_live_figure(self.logs, self.gradients, self.title)))
        if self._handle is None:
            self._handle = display(image, display_id=True)
        else:
            self._handle.update(image)
        self._count(start)
