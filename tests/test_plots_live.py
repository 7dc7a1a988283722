"""LivePlot, headless: the final figure is written, redraws are rate-limited by time and by cost."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kerasdl.plots import LivePlot, draw_live_figure
from kerasdl.plots import live as live_module
from kerasdl.recorders import GradientHistory, GradientRecorder

pytestmark = pytest.mark.backend_neutral


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu", name="hidden_1"),
                              keras.layers.Dense(1, name="output")])
    model.compile("sgd", "mse", metrics=["mae"])
    return model


def _xy():
    rng = np.random.default_rng(0)
    return rng.normal(size=(16, 3)).astype("float32"), rng.normal(size=(16, 1)).astype("float32")


def test_script_mode_writes_one_final_figure_with_gradient_panel(tmp_path):
    rec = GradientRecorder()
    live = LivePlot(gradients=rec, path=tmp_path / "out" / "live.png", notebook=False)
    x, y = _xy()
    _model().fit(x, y, validation_data=(x, y), epochs=3, batch_size=8, verbose=0, callbacks=[rec, live])
    assert live.redraws == 1 and (tmp_path / "out" / "live.png").stat().st_size > 5_000
    assert live.logs["loss"] and len(live.logs["val_loss"]) == 3
    fig = draw_live_figure(live.logs, rec)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "mae", "gradient norm per layer"]
    assert len(fig.axes[-1].lines) == 2 and fig.axes[-1].get_yscale() == "log"


class _Clock:
    """Simulated time: every epoch takes 10 s, every figure 0.2 s."""

    def __init__(self):
        self.t = 0.0

    def perf_counter(self):
        return self.t


class _Handle:
    def __init__(self, clock, shown):
        self.clock, self.shown = clock, shown

    def update(self, image):
        self.clock.t += 0.2
        self.shown.append(self.clock.t)


def test_notebook_mode_redraws_in_place_within_the_time_budget(monkeypatch):
    ipython_display = pytest.importorskip("IPython.display")
    clock, shown = _Clock(), []

    def fake_display(image, display_id=False):
        assert display_id is True and image.data[:4] == b"\x89PNG"
        clock.t += 0.2
        shown.append(clock.t)
        return _Handle(clock, shown)

    monkeypatch.setattr(live_module, "time", clock)
    monkeypatch.setattr(ipython_display, "display", fake_display)

    class Tick(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            clock.t += 10.0

    live = LivePlot(every_s=25.0, path=None, notebook=True)
    x, y = _xy()
    _model().fit(x, y, epochs=20, batch_size=16, verbose=0, callbacks=[Tick(), live])
    # No redraw before the first one's assumed cost (1 s) fits in 2% of the time run (50 s);
    # then at most every 25 s; then one at the end.
    periodic = shown[:-1]
    assert periodic[0] == pytest.approx(50.2)
    assert all(b - a >= 25.0 for a, b in zip(periodic, periodic[1:]))
    assert live.redraws == len(shown) == 7
    assert (live.draw_seconds - 0.2) <= live_module.MAX_DRAW_SHARE * clock.t


def test_bad_arguments():
    with pytest.raises(ValueError, match="every_s must be a number of seconds"):
        LivePlot(every_s=-1)
    with pytest.raises(ValueError, match="path must end in .png"):
        LivePlot(path="curves.jpg")
    with pytest.raises(TypeError, match="gradients must be a GradientRecorder"):
        LivePlot(gradients=3)
    with pytest.raises(TypeError, match="notebook must be True, False or None"):
        LivePlot(notebook="yes")
    h = GradientHistory(columns=[("a", "kernel")])
    assert len(draw_live_figure({"loss": [1.0]}, h).axes) == 1  # an empty recording adds no panel
