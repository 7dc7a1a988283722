"""Training helpers: the right loss per task, comparisons, tables."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kerasdl import datasets, models, training

pytestmark = pytest.mark.backend_neutral


@pytest.mark.parametrize("builder,task,loss", [
    (lambda: models.deep_mlp((4,), 3), "multiclass", "sparse_categorical_crossentropy"),
    (lambda: models.deep_mlp((4,), 1), "binary", "binary_crossentropy"),
    (lambda: models.deep_mlp((4,), 1, task="regression"), "regression", "mean_squared_error"),
])
def test_compile_for_infers_task_and_loss(builder, task, loss):
    model = builder()
    assert training.infer_task(model) == task
    training.compile_for(model)
    assert model.loss == loss == training.loss_for(task)


def test_compile_for_errors():
    with pytest.raises(ValueError, match="optimizer"):
        training.compile_for(models.deep_mlp((4,), 3), optimizer="adamx")
    with pytest.raises(ValueError, match="learning_rate"):
        training.compile_for(models.deep_mlp((4,), 3), learning_rate=-1.0)
    with pytest.raises(TypeError, match="keras.Model"):
        training.compile_for("model")
    relu_head = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="relu")])
    with pytest.raises(ValueError, match="task"):
        training.compile_for(relu_head)


def test_compare_rows_histories_and_reproducibility():
    data = datasets.load("wine")
    builders = {
        "shallow": lambda: models.shallow_mlp(data.input_shape, 3, hidden_units=8),
        "deep": lambda: models.deep_mlp(data.input_shape, 3, depth=3, width=8),
    }
    first = training.compare(builders, data, epochs=3, batch_size=32, verbose=0, seed=5)
    second = training.compare(builders, data, epochs=3, batch_size=32, verbose=0, seed=5)
    assert [row["model"] for row in first.rows] == ["shallow", "deep"]
    assert list(first.rows[0]) == ["model", "params", "best_epoch", "train_accuracy", "val_accuracy",
                                   "test_accuracy", "train_loss", "val_loss", "test_loss", "seconds"]
    assert first.rows[0]["params"] == 13 * 8 + 8 + 8 * 3 + 3
    assert len(first.histories["deep"]["val_loss"]) == 3
    for a, b in zip(first.rows, second.rows):
        assert a["test_accuracy"] == b["test_accuracy"] and a["train_loss"] == b["train_loss"]
    assert first.best("val_accuracy") in first.rows
    assert "shallow" in first.table()


def test_compare_input_errors():
    data = datasets.load("wine")
    with pytest.raises(TypeError, match="models"):
        training.compare({}, data)
    with pytest.raises(TypeError, match="Dataset"):
        training.compare({"m": models.deep_mlp((13,), 3)}, (np.zeros(3), np.zeros(3)))
    with pytest.raises(ValueError, match="epochs"):
        training.compare({"m": models.deep_mlp((13,), 3)}, data, epochs=0)


def test_format_table_alignment():
    text = training.format_table([{"model": "a", "params": 1200, "test_accuracy": 0.5, "seconds": 2.25},
                                  {"model": "bb", "params": 7, "test_accuracy": 0.75, "seconds": 10.0}])
    lines = text.splitlines()
    assert lines[0].split() == ["model", "params", "test_accuracy", "seconds"]
    assert "1,200" in lines[1] and "0.7500" in lines[2]
    assert len({len(line) for line in lines}) == 1


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="the pipeline is TensorFlow's")
def test_fit_inputs_give_one_full_pass_per_epoch_in_a_seeded_order():
    # compare's TensorFlow pipeline must train on exactly what fit on arrays would: every
    # training row once per epoch, a new order each epoch, the same orders for the same seed.
    from kerasdl.training import _fit_inputs

    x = np.arange(10, dtype="float32").reshape(10, 1)
    y = np.arange(10)

    def epochs_seen(seed):
        keras.utils.set_random_seed(seed)
        inputs = _fit_inputs(x, y, x[:3], y[:3], batch_size=4, epochs=3)
        assert inputs["steps_per_epoch"] == 3 and inputs["validation_steps"] == 1
        batches = [yb.numpy().tolist() for _, yb in inputs["x"]]
        assert [len(b) for b in batches] == [4, 4, 2] * 3  # batches never straddle two epochs
        return [sum(batches[i:i + 3], []) for i in (0, 3, 6)]

    orders = epochs_seen(0)
    assert all(sorted(order) == list(range(10)) for order in orders)
    assert len({tuple(order) for order in orders}) == 3
    assert epochs_seen(0) == orders and epochs_seen(1) != orders
    with pytest.MonkeyPatch.context() as patch:  # too large to copy: the arrays, as before
        patch.setattr("kerasdl.training._PIPELINE_MAX_BYTES", 10)
        assert _fit_inputs(x, y, x, y, batch_size=4, epochs=3)["x"] is x
    # Blocks of batches (steps_per_execution) would run across epoch boundaries: arrays.
    assert _fit_inputs(x, y, x, y, batch_size=4, epochs=3, steps_per_execution=2)["x"] is x


@pytest.mark.skipif(keras.backend.backend() == "torch",
                    reason="Keras's PyTorch trainer runs steps_per_execution=1 only")
def test_compare_trains_every_epoch_of_a_model_run_in_blocks_of_steps(recwarn):
    # 13 rows in batches of 4 are 4 batches an epoch, not a multiple of 3 steps per execution.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    data = datasets.Dataset("toy", x[:13], y[:13], x[13:], y[13:], task="binary", num_outputs=1,
                            x_val=x[13:], y_val=y[13:])
    model = models.deep_mlp(3, 1, depth=1, width=4)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"], steps_per_execution=3)
    result = training.compare({"blocks": model}, data, epochs=4, batch_size=4, verbose=0, select_epoch=None)
    assert len(result.histories["blocks"]["loss"]) == 4
    assert not [w for w in recwarn if "ran out of data" in str(w.message)]
