"""Named thresholds of the diagnosis rules, each with the reason for its value.

Every rule compares a measured number with one of these constants, so a
reader can see (and a test can pin) exactly when a finding fires. They are
deliberately far from what healthy runs produce: a diagnosis that cries wolf
teaches the learner to ignore it.

Example:
    >>> from kerasdl.diagnose import thresholds
    >>> thresholds.VANISHING_RATIO
    0.01
"""

from __future__ import annotations

# Gradients -------------------------------------------------------------------------------------

# First-layer / last-layer gradient norm below which gradients "vanish". Healthy ReLU nets with
# He or Glorot initialisation keep this ratio within a factor of ~10 of 1; the course's sigmoid
# chain reaches 1/625. A hundredfold drop is well past healthy and well before the course's case.
VANISHING_RATIO = 0.01

# Fraction of recorded steps on which the ratio must be below VANISHING_RATIO: the problem is a
# property of the run, not of one unlucky batch.
VANISHING_STEP_FRACTION = 0.5

# Gradient L2 norm of one layer above which it "explodes". Cross-entropy and MSE on standardised
# targets give per-layer norms of order 0.01-10; 1000 is two orders of magnitude beyond that.
EXPLODING_NORM = 1e3

# First-layer / last-layer ratio above which gradients grow on their way back to the input: the
# mirror image of VANISHING_RATIO (each layer multiplies the gradient by more than 1).
EXPLODING_RATIO = 100.0

# Relative gap between the norm before and after clipping that counts as "clipping was active"
# (float32 round-off is ~1e-7, so 0.1% is a real change, not noise).
CLIP_ACTIVE_TOLERANCE = 1e-3

# Fraction of recorded steps on which clipping must act to be "almost always on". Clipping is a
# guard against rare spikes; when it acts on nine steps in ten it has become the learning rate.
CLIP_STEP_FRACTION = 0.9

# Activations -----------------------------------------------------------------------------------

# Fraction of a ReLU layer's units that output 0 for every example of the probe batch. A quarter
# of units are occasionally silent in healthy nets; half dead means half the layer is wasted.
DEAD_UNIT_FRACTION = 0.5

# Fraction of sigmoid/tanh outputs in the flat tails (slope below ~0.01). Healthy sigmoid layers
# sit mostly in the middle of the curve; when half the values are in the tails, half the
# gradient signal is multiplied by less than 0.01.
SATURATED_FRACTION = 0.5

# Loss curves -----------------------------------------------------------------------------------

# A rise of the training loss above its best so far, as a fraction of the first epoch's loss,
# that counts as a spike. Mini-batch noise moves an epoch-averaged loss by a few percent; a
# quarter of the starting loss is an optimiser overshooting.
SPIKE_FRACTION = 0.25

# Spikes needed (without divergence) to call the learning rate too high: one can be an unlucky
# epoch, two are a pattern.
MIN_SPIKES = 2

# An epoch whose average loss exceeds this multiple of the loss of guessing uniformly (ln K for
# K classes). A freshly initialised classifier starts near that chance level and training only
# lowers it, so ten times chance means the weights were thrown far from any sensible region.
BLOWUP_FACTOR = 10.0

# Relative fall of the training loss over the whole run below which the loss is "flat". Any run
# that learns at all moves its loss by more than 1% in a few epochs.
FLAT_DECREASE = 0.01

# Fewer epochs than this say nothing about trends (curves, flatness, gaps).
MIN_EPOCHS = 3

# Overfitting: epochs since the best validation loss ...
OVERFIT_PATIENCE = 3
# ... and how far the last validation loss is above that best (10%: beyond epoch-to-epoch noise
# of a validation set of a few hundred examples).
OVERFIT_RISE = 0.10

# Underfitting: relative improvement of the training loss over the last third of the run below
# which it has stopped improving ...
UNDERFIT_PLATEAU = 0.02
# ... while it is still above this fraction of the first epoch's loss (it learnt less than half)
UNDERFIT_LOSS_FRACTION = 0.5
# ... or the training accuracy is below this (a network that cannot fit its own training data to
# 70% on the course's tasks is too small, too constrained or trained too briefly).
UNDERFIT_ACCURACY = 0.7

# Validation loss below training loss by more than this fraction, on at least
# VAL_BELOW_EPOCH_FRACTION of the epochs after the first: a few percent can be sampling noise of
# the split.
VAL_BELOW_MARGIN = 0.05
VAL_BELOW_EPOCH_FRACTION = 0.5

# Transfer learning -----------------------------------------------------------------------------

# Fraction of a backbone's weight-carrying layers that must be frozen for it to count as a
# "frozen backbone" (fine-tuning usually unfreezes only the top few blocks).
FROZEN_FRACTION = 0.5
