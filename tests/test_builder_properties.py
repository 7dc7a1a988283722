"""Property tests: any argument combination gives a working model or a clear ValueError/TypeError.

Each example draws its arguments either all from valid pools (so a good share
of the examples really builds a model, whose output shape is then checked) or
from pools that mix valid values with wrong types, zero, negative and
out-of-range values and unknown names (so the argument checks see every kind
of bad input, alone and in combination). A builder may still refuse a valid-
looking combination (an image too small for its pooling, say), but only with
a ValueError/TypeError that says why: never a Keras traceback. Hypothesis runs
derandomised, so the suite is deterministic.
"""

from __future__ import annotations

import keras
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kerasdl import models

pytestmark = [pytest.mark.backend_neutral, pytest.mark.slow]

EXAMPLES = 500
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))

junk = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=True), st.text(max_size=4),
                 st.lists(st.integers(-2, 3), max_size=2))


def mixed(valid: st.SearchStrategy, *invalid: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(valid, *invalid, junk)


# Valid pools. Layer counts stay small: building layers is the slow part, and the
# checks run before any layer exists, so depth 3 takes the same paths as depth 30.
V_SHAPE = st.lists(st.integers(1, 9), min_size=1, max_size=3).map(tuple)
V_OUTPUTS = st.integers(1, 6)
V_COUNT = st.integers(1, 3)
V_UNITS = st.integers(1, 12)
V_RATE = st.floats(0.0, 0.9)
V_ACT = st.sampled_from(["relu", "sigmoid", "tanh", "gelu", "linear", "selu"])
V_INIT = st.sampled_from(["auto", "zeros", "glorot_uniform", "he_normal", "ones"])
V_TASK = st.one_of(st.none(), st.sampled_from(["multiclass", "binary", "regression"]))
V_FLAG = st.booleans()
V_LAYERS = st.lists(st.integers(1, 8), min_size=1, max_size=3).map(tuple)

# Mixed pools: the valid values plus what a learner might mistype.
M_SHAPE = mixed(V_SHAPE, st.lists(st.integers(-1, 9), min_size=0, max_size=4).map(tuple), st.integers(-2, 9))
M_OUTPUTS = mixed(V_OUTPUTS, st.integers(-3, 0))
M_COUNT = mixed(V_COUNT, st.integers(-3, 0))
M_UNITS = mixed(V_UNITS, st.integers(-3, 0))
M_RATE = mixed(V_RATE, st.floats(-1.0, 2.0), st.just(1.0))
M_ACT = mixed(V_ACT, st.sampled_from(["relux", "Sigmoid!", ""]))
M_INIT = mixed(V_INIT, st.sampled_from(["xavier", "he"]))
M_TASK = mixed(V_TASK, st.just("ranking"))
M_FLAG = mixed(V_FLAG)
M_LAYERS = mixed(V_LAYERS, st.lists(st.integers(-1, 8), max_size=4).map(tuple))


def arguments(*pairs: tuple[st.SearchStrategy, st.SearchStrategy]) -> st.SearchStrategy:
    """Half the examples from the valid pools only, half from the mixed pools."""
    return st.one_of(st.tuples(*(valid for valid, _ in pairs)), st.tuples(*(bad for _, bad in pairs)))


SHAPE, OUTPUTS, COUNT, UNITS = (V_SHAPE, M_SHAPE), (V_OUTPUTS, M_OUTPUTS), (V_COUNT, M_COUNT), (V_UNITS, M_UNITS)
RATE, ACT, INIT, TASK = (V_RATE, M_RATE), (V_ACT, M_ACT), (V_INIT, M_INIT), (V_TASK, M_TASK)
FLAG, LAYERS = (V_FLAG, M_FLAG), (V_LAYERS, M_LAYERS)


def _check(build, num_outputs=None) -> None:
    # No garbage-collector pass (~0.2 s each): resetting the name counters is all we need.
    keras.backend.clear_session(free_memory=False)
    try:
        model = build()
    except (ValueError, TypeError) as error:
        assert str(error), "errors must explain themselves"
        return
    built = model[0] if isinstance(model, tuple) else model
    assert isinstance(built, keras.Model)
    if num_outputs is not None:
        assert built.output_shape[-1] == num_outputs


@SETTINGS
@given(arguments(SHAPE, OUTPUTS, COUNT, UNITS, ACT, INIT, FLAG, RATE, FLAG, TASK))
def test_mlp_builders(args):
    input_shape, num_outputs, depth, width, act, init, bn, dropout, residual, task = args
    _check(lambda: models.deep_mlp(input_shape, num_outputs, depth=depth, width=width, activation=act,
                                   kernel_initializer=init, batch_norm=bn, dropout=dropout, residual=residual,
                                   task=task), num_outputs)
    _check(lambda: models.shallow_mlp(input_shape, num_outputs, hidden_units=width, activation=act, task=task),
           num_outputs)


IMAGE_SHAPE = st.one_of(st.tuples(st.integers(4, 12), st.integers(4, 12)),
                        st.tuples(st.integers(4, 12), st.integers(4, 12), st.integers(1, 3)))


@SETTINGS
@given(arguments((IMAGE_SHAPE, M_SHAPE), OUTPUTS, LAYERS, (st.integers(1, 3), M_UNITS), ACT, FLAG, RATE,
                 (st.integers(0, 8), M_UNITS), TASK))
def test_cnn_builder(args):
    input_shape, num_outputs, filters, kernel_size, act, bn, dropout, dense_units, task = args
    _check(lambda: models.cnn(input_shape, num_outputs, filters=filters, kernel_size=kernel_size, activation=act,
                              batch_norm=bn, dropout=dropout, dense_units=dense_units, task=task), num_outputs)


CELL = (st.sampled_from(["simple", "lstm", "gru"]), mixed(st.sampled_from(["simple", "lstm", "gru"]),
                                                          st.sampled_from(["GRU", "cnn"])))
VOCAB = (st.one_of(st.none(), st.integers(2, 20)), mixed(st.one_of(st.none(), st.integers(2, 20)),
                                                         st.integers(-3, 1)))


@SETTINGS
@given(arguments((st.lists(st.integers(1, 6), min_size=1, max_size=2).map(tuple), M_SHAPE), OUTPUTS, CELL, UNITS,
                 COUNT, VOCAB, FLAG, RATE, TASK))
def test_rnn_builder(args):
    input_shape, num_outputs, cell, units, num_layers, vocab, bidir, dropout, task = args
    _check(lambda: models.rnn(input_shape, num_outputs, cell=cell, units=units, num_layers=num_layers,
                              vocab_size=vocab, bidirectional=bidir, dropout=dropout, task=task), num_outputs)


@SETTINGS
@given(arguments((st.integers(2, 30), M_UNITS), UNITS, OUTPUTS, (st.sampled_from([4, 8, 12]), M_UNITS),
                 (st.sampled_from([1, 2, 4]), M_UNITS), UNITS, COUNT, RATE, TASK))
def test_transformer_builder(args):
    vocab, length, num_outputs, embed_dim, heads, ff_dim, blocks, dropout, task = args
    _check(lambda: models.transformer_classifier(vocab, length, num_outputs, embed_dim=embed_dim, num_heads=heads,
                                                 ff_dim=ff_dim, num_blocks=blocks, dropout=dropout, task=task),
           num_outputs)


@SETTINGS
@given(arguments(SHAPE, UNITS, LAYERS, ACT, (st.sampled_from(["sigmoid", "linear"]), M_ACT),
                 (st.floats(0.0, 1.0), mixed(st.floats(0.0, 1.0), st.floats(-1.0, 1.0)))))
def test_autoencoder_builder(args):
    input_shape, latent, hidden, act, out_act, noise = args
    _check(lambda: models.autoencoder(input_shape, latent, hidden_units=hidden, activation=act,
                                      output_activation=out_act, noise_stddev=noise))


@SETTINGS
@given(arguments(SHAPE, UNITS, LAYERS, LAYERS, ACT))
def test_gan_builder(args):
    data_shape, latent, gen_units, disc_units, out_act = args
    _check(lambda: models.gan(data_shape, latent_dim=latent, generator_units=gen_units,
                              discriminator_units=disc_units, output_activation=out_act))
