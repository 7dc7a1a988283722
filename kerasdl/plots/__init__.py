"""Figures for the tutorials. Functions take histories, arrays or recordings and return a
matplotlib `Figure`; they never build or train models and never call `plt.show()`.

Example:
    >>> from kerasdl.plots import plot_history
    >>> plot_history({"loss": [1.0, 0.5]}).axes[0].get_title()
    'loss'
"""

from kerasdl.plots.history import plot_history
