"""Figures for the tutorials. Functions take histories, arrays or recordings and return a
matplotlib `Figure`; they never build or train models and never call `plt.show()`.

Example:
    >>> from kerasdl.plots import plot_history
    >>> plot_history({"loss": [1.0, 0.5]}).axes[0].get_title()
    'loss'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kerasdl._lazy import lazy_module_attributes

from kerasdl.plots.attention import plot_attention
from kerasdl.plots.comparison import plot_curve_intervals, plot_seed_runs
from kerasdl.plots.curves import interval_per_size, plot_learning_curve
from kerasdl.plots.features import plot_feature_maps, plot_filters, plot_image_grid, plot_top_inputs, top_inputs
from kerasdl.plots.gradients import plot_activation_stats, plot_gradient_flow, plot_gradient_heatmap
from kerasdl.plots.history import plot_history
from kerasdl.plots.transfer import plot_transfer_history

if TYPE_CHECKING:
    from kerasdl.plots.live import LivePlot, draw_live_figure

# The live-plot callback subclasses keras.callbacks.Callback: it loads Keras on first use only.
_LAZY = {"LivePlot": "kerasdl.plots.live", "draw_live_figure": "kerasdl.plots.live"}

__all__ = [
    "LivePlot",
    "draw_live_figure",
    "interval_per_size",
    "plot_activation_stats",
    "plot_attention",
    "plot_curve_intervals",
    "plot_feature_maps",
    "plot_filters",
    "plot_gradient_flow",
    "plot_gradient_heatmap",
    "plot_history",
    "plot_image_grid",
    "plot_learning_curve",
    "plot_seed_runs",
    "plot_top_inputs",
    "plot_transfer_history",
    "top_inputs",
]


__getattr__, __dir__ = lazy_module_attributes(__name__, _LAZY, __all__, globals())
