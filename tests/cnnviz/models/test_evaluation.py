import keras
import numpy as np
import pytest

from cnnviz.errors import InputError
from cnnviz.models.evaluation import Evaluation, evaluate, predict_proba, to_model_input

NAMES = ["cat", "dog", "fox"]
Y_TRUE = np.array([0, 0, 1, 1, 2, 2])
PROBS = np.array(
    [
        [0.9, 0.05, 0.05],  # correct, confident
        [0.4, 0.5, 0.1],  # wrong: predicted dog
        [0.1, 0.8, 0.1],  # correct
        [0.2, 0.7, 0.1],  # correct
        [0.3, 0.1, 0.6],  # correct
        [0.6, 0.1, 0.3],  # wrong: predicted cat
    ],
    dtype=np.float32,
)


@pytest.fixture
def ev():
    return Evaluation(Y_TRUE, PROBS, NAMES)


def test_accuracy_predictions_and_confidence(ev):
    np.testing.assert_array_equal(ev.y_pred, [0, 1, 1, 1, 2, 0])
    np.testing.assert_array_equal(ev.correct, [True, False, True, True, True, False])
    assert ev.accuracy == pytest.approx(4 / 6)
    np.testing.assert_allclose(ev.confidence, [0.9, 0.5, 0.8, 0.7, 0.6, 0.6])


def test_loss_is_mean_negative_log_probability_of_true_class(ev):
    p_true = np.array([0.9, 0.4, 0.8, 0.7, 0.6, 0.3])
    assert ev.loss == pytest.approx(float(-np.log(p_true).mean()), rel=1e-5)


def test_loss_is_finite_for_zero_probability():
    e = Evaluation(np.array([0]), np.array([[0.0, 1.0]]), ["a", "b"])
    assert np.isfinite(e.loss) and e.loss > 10


def test_confusion_matrix_rows_are_true_classes(ev):
    expected = np.array([[1, 1, 0], [0, 2, 0], [1, 0, 1]])
    np.testing.assert_array_equal(ev.confusion_matrix(), expected)
    assert ev.confusion_matrix().sum() == len(Y_TRUE)


def test_confusion_matrix_keeps_classes_never_seen():
    e = Evaluation(np.array([0, 0]), np.array([[1.0, 0, 0], [1.0, 0, 0]]), NAMES)
    assert e.confusion_matrix().shape == (3, 3)


def test_report_rows(ev):
    rows = {r["class"]: r for r in ev.report_rows()}
    assert list(rows) == ["cat", "dog", "fox", "macro avg", "weighted avg"]
    assert rows["dog"]["recall"] == pytest.approx(1.0)
    assert rows["dog"]["precision"] == pytest.approx(2 / 3)
    assert rows["fox"]["recall"] == pytest.approx(0.5)
    assert rows["cat"]["support"] == 2
    assert ev.metrics()["accuracy"] == pytest.approx(4 / 6)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, [0, 2, 3, 4, 5, 1]),
        ({"correct": True}, [0, 2, 3, 4]),
        ({"correct": False}, [5, 1]),
        ({"correct": False, "most_confident": False}, [1, 5]),
        ({"true_class": 2}, [4, 5]),
        ({"true_class": 2, "predicted_class": 0}, [5]),
        ({"predicted_class": 1, "limit": 2}, [2, 3]),
        ({"true_class": 1, "predicted_class": 0}, []),
    ],
)
def test_examples_filter_and_order(ev, kwargs, expected):
    np.testing.assert_array_equal(ev.examples(**kwargs), expected)


@pytest.mark.parametrize(
    ("y", "probs", "names"),
    [
        (np.array([0, 1]), np.ones((3, 2)) / 2, ["a", "b"]),  # lengths differ
        (np.array([0, 1]), np.ones((2, 3)) / 3, ["a", "b"]),  # classes differ
        (np.array([0, 1]), np.ones(2), ["a", "b"]),  # not 2-D
    ],
)
def test_bad_shapes_raise_input_error(y, probs, names):
    with pytest.raises(InputError):
        Evaluation(y, probs, names)


def _tiny_softmax_model(channels=1, classes=3):
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((8, 8, channels)),
            keras.layers.Conv2D(2, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(classes, activation="softmax", name="predictions"),
        ]
    )


def test_predict_proba_scales_pixels_and_does_not_change_input():
    model = _tiny_softmax_model()
    images = np.random.default_rng(0).integers(0, 256, (5, 8, 8, 1), dtype=np.uint8)
    before = images.copy()
    probs = predict_proba(model, images, batch_size=2)
    np.testing.assert_array_equal(images, before)
    assert probs.shape == (5, 3) and probs.dtype == np.float32
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-5)
    direct = np.asarray(model(images.astype(np.float32) / 255))
    np.testing.assert_allclose(probs, direct, atol=1e-5)


def test_predict_proba_single_sigmoid_unit_gives_two_columns():
    model = keras.Sequential(
        [
            keras.Input((4, 4, 3)),
            keras.layers.Flatten(),
            keras.layers.Dense(1, activation="sigmoid", name="predictions"),
        ]
    )
    images = np.full((3, 4, 4, 3), 200, np.uint8)
    probs = predict_proba(model, images)
    p1 = np.asarray(model(to_model_input(images)))[:, 0]
    np.testing.assert_allclose(probs[:, 1], p1, atol=1e-6)
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-6)


def test_evaluate_wraps_predictions():
    model = _tiny_softmax_model(channels=3, classes=2)
    images = np.zeros((4, 8, 8, 3), np.uint8)
    ev = evaluate(model, images, np.array([0, 1, 0, 1]), ["a", "b"])
    assert ev.probabilities.shape == (4, 2)
    assert ev.accuracy == pytest.approx(0.5)  # identical inputs: one class for all


def test_predict_proba_rejects_non_batches():
    with pytest.raises(InputError):
        predict_proba(_tiny_softmax_model(), np.zeros((8, 8), np.uint8))


# --- one softmax and top-k --------------------------------------------------------------------


def test_probabilities_softmax_and_top_k_are_the_ones_image_model_uses():
    from cnnviz.models import ImageModel, predictions
    from cnnviz.models.preprocessing import unit

    logits = np.array([[1.0, 3.0, 2.0], [0.0, 0.0, 0.0]], dtype=np.float32)
    probs = predictions.softmax(logits)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-6)
    assert probs[0].argmax() == 1 and np.allclose(probs[1], 1 / 3)
    model = ImageModel("m", None, (2, 2), unit(), NAMES, outputs_logits=True)
    np.testing.assert_array_equal(model.probabilities(logits), probs)
    single = predictions.probabilities(np.array([[0.0]]), logits=True)
    np.testing.assert_allclose(single, [[0.5, 0.5]])
    top = predictions.top_k(probs, NAMES, k=2)
    assert [i for i, _, _ in top[0]] == [1, 2] and top[0][0][1] == "dog"
    assert len(predictions.top_k(probs, NAMES, k=99)[0]) == 3


def test_top_indices_for_one_row_and_a_batch():
    from cnnviz.models import top_indices

    row = np.array([0.1, 0.5, 0.15, 0.25])
    assert top_indices(row, 2).tolist() == [1, 3]
    assert top_indices(np.stack([row, row[::-1]]), 1).tolist() == [[1], [2]]
    assert top_indices(row, 0).shape == (1,) and top_indices(row, 99).shape == (4,)
