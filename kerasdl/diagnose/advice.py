"""What each finding tells the learner: why it happens, what to try, and which page teaches it.

The rules (`gradient_rules`, `activation_rules`, `curve_rules`, `model_rules`)
measure; this table holds the words. Keeping them apart means a rule is only
its measurement, and the advice for every kind can be read (and reviewed)
in one place. `Finding.of(kind, ...)` fills a finding's explanation, fix and
tutorial link from here.

Example:
    >>> ADVICE["dead_relu"].tutorial
    'tutorials/06_weight_initialization/'
    >>> ADVICE["lr_too_low"].fix.startswith("Raise the learning rate")
    True
"""

from __future__ import annotations

from dataclasses import dataclass

from kerasdl.diagnose import thresholds as T


@dataclass(frozen=True)
class Advice:
    """The fixed text of one kind of finding.

    Attributes:
        tutorial: Docs page (relative to the site root) that teaches the problem.
        explanation: Why it happens, in one sentence.
        fix: What to try first.

    Example:
        >>> Advice("tutorials/04_dropout/", "It memorises.", "Add dropout.").fix
        'Add dropout.'
    """

    tutorial: str
    explanation: str
    fix: str


_GRADIENTS = "tutorials/07_vanishing_exploding_gradients/"
_INIT = "tutorials/06_weight_initialization/"
_RATE = "tutorials/05_batch_normalization/"
_DROPOUT = "tutorials/04_dropout/"

ADVICE: dict[str, Advice] = {
    "vanishing_gradients": Advice(
        _GRADIENTS,
        "Each layer multiplies the gradient by its activation's slope and its weights; with many "
        "saturating layers (sigmoid's slope is at most 0.25) the product shrinks towards zero, so the "
        "first layers barely learn.",
        "Use ReLU-family activations with He initialisation, add batch normalization or residual "
        "connections, or make the network shallower."),
    "exploding_gradients": Advice(
        _GRADIENTS,
        "When weights are large, each layer multiplies the gradient by more than one, so it grows "
        "exponentially with depth and the updates throw the weights far away.",
        "Use a variance-preserving initialisation (He for ReLU, Glorot for tanh), lower the learning "
        "rate, add batch normalization, or clip the gradient norm (clipnorm=1.0)."),
    "nonfinite_gradients": Advice(
        _GRADIENTS,
        "A gradient overflowed float32 (or the loss was NaN), and once one update is NaN every "
        "weight it touches is NaN too.",
        "Lower the learning rate tenfold, clip gradients (clipnorm=1.0), check the inputs for "
        "NaN/inf, and use a numerically safe loss (from_logits=True)."),
    "clipping_always_on": Advice(
        _GRADIENTS,
        "Clipping is meant to catch rare spikes; when it acts on nearly every step it rescales every "
        "update, which is just a smaller learning rate with the gradient's size thrown away.",
        "Raise the clipping threshold above the typical gradient norm (or remove it) and fix the cause "
        "of large gradients: initialisation, learning rate, normalization."),
    "dead_relu": Advice(
        _INIT,
        "A ReLU unit whose input is negative for every example outputs 0 and gets a zero gradient, "
        "so nothing can bring it back: the layer has lost those units for good.",
        "Use He initialisation with zero biases, a lower learning rate, or a leaky activation "
        "(leaky_relu, elu, gelu) that keeps a gradient below zero."),
    "saturated_units": Advice(
        _INIT,
        "In the tails the sigmoid/tanh curve is flat, its slope is nearly 0, so almost no gradient "
        "passes through these units and the layers below them stop learning.",
        "Scale the initial weights to the layer (Glorot for sigmoid/tanh), standardise the inputs, "
        "add batch normalization before the activation, or switch to ReLU."),
    "lr_too_high": Advice(
        _RATE,
        "Steps that are too long jump across the valley of the loss instead of down into it, so the "
        "loss oscillates, climbs or overflows to NaN.",
        "Divide the learning rate by 10 (and keep dividing until the loss falls smoothly), or add "
        "batch normalization, which tolerates larger rates."),
    "lr_too_low": Advice(
        _RATE,
        "Either each step is too short to make visible progress, or the gradient never reaches the "
        "weights (a vanishing-gradient finding, if listed, is the cause to fix first).",
        "Raise the learning rate tenfold (Adam's 1e-3 is a good start), and check the gradient flow "
        "with a GradientRecorder."),
    "overfitting": Advice(
        _DROPOUT,
        "The network keeps fitting the training examples, noise included, after it stopped learning "
        "anything that carries over to new data.",
        f"Stop at the best epoch (keras.callbacks.EarlyStopping(patience={T.OVERFIT_PATIENCE}, "
        "restore_best_weights=True)), add dropout or weight decay, or get more training data."),
    "underfitting": Advice(
        "tutorials/01_shallow_vs_deep/",
        "The network cannot fit even its training data: it is too small or too constrained for the "
        "task, or training stopped (or stalled) long before it could.",
        "Make the network wider or deeper, reduce regularisation (dropout, weight decay), train "
        "longer, or tune the learning rate."),
    "val_below_train": Advice(
        _DROPOUT,
        # The rule replaces this with the causes it found in the model, most likely first.
        "Something makes the validation data look easier than the training data.",
        "Usually nothing: when dropout, a weight penalty or the epoch averaging explains it, "
        "model.evaluate() on the training split (dropout off, final weights) gives the comparable loss."),
    "batchnorm_in_frozen_backbone": Advice(
        "tutorials/10_transfer_learning/",
        "A trainable BatchNormalization layer runs in training mode during fit, so it replaces the "
        "statistics learnt on the large pretraining set with those of your small batches, and "
        "the frozen layers after it see inputs they were never trained on.",
        "Keep BatchNormalization frozen while fine-tuning (set bn.trainable = False, or use "
        "kerasdl.transfer.unfreeze, which never unfreezes it), or call the backbone with "
        "training=False."),
}
"""Finding kind -> its `Advice` (one entry per rule)."""
