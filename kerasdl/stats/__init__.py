"""Honest comparisons: models over seeds, paired intervals, McNemar's exact test, learning curves.

Every verdict a kerasdl tutorial prints ("A is better than B", "no
detectable difference") comes from here, with the number of seeds and the
interval behind it. The statistics are checked against scipy and statsmodels
in the test suite.

Example:
    >>> from kerasdl.stats import paired_difference
    >>> paired_difference([0.95, 0.96, 0.94], [0.95, 0.95, 0.95], scale=100, unit="points").detected
    False
"""

from kerasdl.stats.exact import McNemarResult, exact_binomial_two_sided, mcnemar_exact
from kerasdl.stats.paired import PairedDifference, mean_interval, paired_difference, prediction_interval
from kerasdl.stats.seeds import SeedRuns, run_over_seeds
from kerasdl.stats.sizes import LearningCurve, learning_curve

__all__ = [
    "LearningCurve",
    "McNemarResult",
    "PairedDifference",
    "SeedRuns",
    "exact_binomial_two_sided",
    "learning_curve",
    "mcnemar_exact",
    "mean_interval",
    "paired_difference",
    "prediction_interval",
    "run_over_seeds",
]
