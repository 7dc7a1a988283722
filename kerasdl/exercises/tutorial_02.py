"""Checks for the exercises of tutorial 02 (hierarchical features).

02.1 judges a narrower CNN by its structure and its test accuracy (a band
measured over seeds), 02.2 a purity function on activations built so that
peak and average responses disagree, 02.3 an input optimised to excite one
unit, 02.4 the receptive fields of a five-block CNN on upsampled digits.

Example:
    >>> import numpy as np
    >>> from kerasdl import exercises, plots
    >>> def mean_purity(activations, labels, k=20):
    ...     tops = plots.top_inputs(activations.mean(axis=(1, 2)), k=k)
    ...     return float(np.mean([np.bincount(labels[t]).max() / k for t in tops]))
    >>> exercises.check("02.2", purity_fn=mean_purity).passed
    True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from kerasdl.exercises.measure import measured
from kerasdl.exercises.registry import exercise, expect

NARROW = (4, 8, 16)


def _conv_layers(model: Any) -> list[Any]:
    import keras

    expect(isinstance(model, keras.Model), f"a Keras model; got a {type(model).__name__}")
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]


def _narrow_data() -> Any:
    import kerasdl
    from kerasdl import datasets

    data = datasets.load("digits")
    return data.subset(400) if kerasdl.smoke_mode() else data


@measured("02.1", floor=0.03)
def _narrow_reference(seed: int) -> dict[str, float]:
    """The reference solution of 02.1: the (4, 8, 16) CNN trained like the page's network."""
    import keras

    import kerasdl
    from kerasdl import models, training

    data = _narrow_data()
    model = training.compile_for(models.cnn(data.input_shape, data.num_outputs, filters=NARROW))
    model.fit(data.x_train, data.y_train, validation_data=data.validation,
              epochs=2 if kerasdl.smoke_mode() else 20, batch_size=64, verbose=0)
    scores = keras.ops.convert_to_numpy(model(data.x_test, training=False))
    return {"test_accuracy": float(np.mean(scores.argmax(axis=1) == data.y_test))}


@exercise(
    "02.1",
    "A narrower network",
    hint="Build models.cnn with filters=(4, 8, 16), train it exactly like the page's network (same epochs, "
    "batch size and validation split), and pass the trained model and its test accuracy.",
)
def _narrow(model: Any, test_accuracy: float) -> str:
    from kerasdl import models
    from kerasdl.exercises.bands import band

    filters = [int(layer.filters) for layer in _conv_layers(model)]
    expect(filters == list(NARROW), f"conv blocks with {list(NARROW)} filters; your model has {filters}")
    accuracy = float(test_accuracy)
    expect(0.0 <= accuracy <= 1.0, f"a test accuracy between 0 and 1; got {accuracy}")
    expected = band("02.1/test_accuracy")
    expect(expected.contains(accuracy),
           f"a test accuracy in {expected.describe()}, where the reference run lands over seeds; got "
           f"{accuracy:.3f}. Far below: was it trained (as many epochs as the page's network)?")
    page = models.cnn(model.input_shape[1:], model.output_shape[-1], filters=(16, 32, 64)).count_params()
    return (f"{model.count_params():,} parameters instead of {page:,} (the page's (16, 32, 64) network), and a "
            f"test accuracy of {accuracy:.3f}, inside the band of the reference run ({expected.describe()}). "
            "Compare it with the page's network and the purity tables side by side.")


def _case(peaked_pure: bool) -> tuple[np.ndarray, np.ndarray]:
    """Activations of one unit over 200 images where the peak and the average pick different images."""
    labels = np.arange(200) % 10
    acts = np.full((200, 4, 4, 1), 0.05)
    pure = np.flatnonzero(labels == 0)  # 20 images of class 0
    mixed = np.flatnonzero(labels != 0)[:20]  # 20 images spread over classes 1-9 (at most 3 of one)
    peaked, flat = (pure, mixed) if peaked_pure else (mixed, pure)
    acts[flat] = 1.0  # fires a little almost everywhere: average 0.94, peak 1 ...
    acts[flat, 0, 0, 0] = 0.0  # ... weakest 0 (so the weakest response ranks these last)
    acts[peaked, 1, 2, 0] = 5.0  # fires strongly at one spot: peak 5, average 0.36
    return acts.astype("float32"), labels


@exercise(
    "02.2",
    "Average instead of peak",
    hint="Copy `purity`, change only how each image's response map becomes one score per unit "
    "(the mean over the two spatial axes instead of the maximum), and pass the function itself.",
)
def _mean_purity(purity_fn: Callable[..., float]) -> str:
    expect(callable(purity_fn), "`purity_fn` as a function (activations, labels) -> purity")
    flat_pure = float(purity_fn(*_case(peaked_pure=False)))
    peak_pure = float(purity_fn(*_case(peaked_pure=True)))
    for value in (flat_pure, peak_pure):
        expect(0.0 <= value <= 1.0, f"a purity between 0 and 1 (a share, not a percentage); got {value}")
    expect(flat_pure > 0.9 and peak_pure < 0.5,
           "a purity that ranks images by their average response: on a unit whose 20 evenly active images are "
           "all one digit and whose 20 single-spot images are mixed, about 1.0 (got "
           f"{flat_pure:.2f}); with the roles swapped, low (got {peak_pure:.2f})"
           + (". Yours follows the peak response, as the page's `purity` does" if peak_pure > 0.9 else ""))
    return ("Your function ranks each unit's inputs by its average response over the map: it rewards images "
            "that excite the unit over a large area, not at one spot. On 2x2 maps (block 3) the two scores "
            "differ little; on 8x8 maps (block 1) a stroke at one place and a texture all over part ways.")


def _unit_response(model: Any, unit: int, x: np.ndarray) -> np.ndarray:
    import keras

    block = keras.Model(model.input, model.get_layer("conv_block_3").output)
    maps = keras.ops.convert_to_numpy(block(x.astype("float32"), training=False))
    return maps[..., unit].reshape(len(x), -1).max(axis=1)


@exercise(
    "02.3",
    "Activation maximisation",
    hint="Take gradient steps that increase the unit's strongest response, starting from a grey image "
    "(every pixel 0.5), and clip the pixels to 0..1 after each step; pick a unit that fires on real digits.",
)
def _activation_maximisation(model: Any, unit: int, image: Any, inputs: Any) -> str:
    import keras

    expect(isinstance(model, keras.Model), f"`model` as the trained Keras CNN; got a {type(model).__name__}")
    names = [layer.name for layer in model.layers]
    expect("conv_block_3" in names, "a model with a conv_block_3 layer (the page's three-block CNN)")
    channels = int(model.get_layer("conv_block_3").output.shape[-1])
    expect(isinstance(unit, (int, np.integer)) and 0 <= int(unit) < channels,
           f"`unit` as a channel number of conv_block_3, 0 .. {channels - 1}; got {unit!r}")
    inputs = np.asarray(inputs, dtype="float32")
    image = np.asarray(image, dtype="float32").reshape(1, *inputs.shape[1:])
    low, high = min(float(inputs.min()), 0.0), max(float(inputs.max()), 1.0)  # pixels 0..1, or wider data
    expect(image.min() >= low - 1e-4 and image.max() <= high + 1e-4,
           f"an image in the pixel range of the digits ({low:g} .. {high:g}); yours spans "
           f"{image.min():.3g} .. {image.max():.3g}. Without that limit any unit can be driven arbitrarily high")
    real = _unit_response(model, int(unit), inputs)
    grey = float(_unit_response(model, int(unit), np.full_like(image, 0.5))[0])
    found = float(_unit_response(model, int(unit), image)[0])
    expect(real.max() > 0, f"a unit that fires on some real digit; unit {unit} is silent on all {len(real)}")
    expect(found > grey + 1e-6, f"the optimised image to excite unit {unit} more than the grey start: "
           f"response {found:.4g}, grey image {grey:.4g}")
    typical = float(np.percentile(real, 90))
    expect(found >= typical, f"a response at least as strong as on 90% of the real digits ({typical:.4g}); got "
           f"{found:.4g}. Take more or larger steps")
    top = inputs[np.argsort(-real)[:8]].reshape(8, -1).mean(axis=0)
    a, b = image.ravel() - image.mean(), top - top.mean()
    similarity = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))
    return (f"Unit {unit} responds {found:.3g} to your image, {found / real.max():.2f} times its strongest real "
            f"digit ({real.max():.3g}) and above the grey start ({grey:.3g}). The image's correlation "
            f"with the average of the unit's top-8 real digits is {similarity:+.2f}: an optimised input shows "
            "what excites the unit, often an exaggerated mix of strokes rather than one clean digit.")


def _fields(model: Any) -> list[int]:
    """Receptive-field side after each convolution, from the kernel and pooling sizes in layer order."""
    import keras

    field, jump, out = 1, 1, []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            field += (layer.kernel_size[0] - 1) * jump
            jump *= layer.strides[0]
            out.append(field)
        elif isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
            field += (layer.pool_size[0] - 1) * jump
            jump *= layer.strides[0]
    return out


@exercise(
    "02.4",
    "Room for parts",
    hint="Each 3x3 convolution widens the receptive field by 2 x the current stride and each 2x2 pooling "
    "by 1 x the stride, then doubles the stride; the page's loop computes it for three blocks.",
)
def _room_for_parts(model: Any, fields: Sequence[int]) -> str:
    convs = _conv_layers(model)
    side = model.input_shape[1]
    expect(tuple(model.input_shape[1:3]) == (32, 32), f"a model for 32x32 images; got input {model.input_shape}")
    expect(len(convs) == 5, f"five conv blocks; your model has {len(convs)}")
    right = _fields(model)
    given = [int(f) for f in fields]
    expect(len(given) == len(right), f"one receptive-field side per block ({len(right)}); got {len(given)}")
    wrong = [i + 1 for i, (g, r) in enumerate(zip(given, right)) if g != r]
    expect(not wrong, f"the receptive fields of your model; block(s) {wrong} differ ({given} given)")
    middle = [(i + 1, f) for i, f in enumerate(right) if 3 < f < side]
    expect(len(middle) >= 2, f"at least two blocks whose view lies between 3x3 and the whole {side}x{side} "
           f"image; got {middle}")
    whole = next((i + 1 for i, f in enumerate(right) if f >= side), None)
    return (f"Receptive fields {right}: block 1 sees 3x3 pixels, "
            + " and ".join(f"block {i} {f}x{f}" for i, f in middle)
            + " lie between a local view and the whole image"
            + (f", and from block {whole} on a unit sees all of it." if whole else ".")
            + f" That leaves {len(middle)} stages where the 8x8 page had none: room for shapes and parts, "
            "if the images held any detail at that scale.")
