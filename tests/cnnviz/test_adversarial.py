import keras
import numpy as np
import pytest

from cnnviz import adversarial
from cnnviz.errors import InputError
from cnnviz.models import ImageModel
from cnnviz.models.preprocessing import unit


def linear_model(w, b=(0.0, 0.0)):
    """Two-class softmax on flattened 2x2x1 pixels: logits = x·W + b."""
    inputs = keras.Input((2, 2, 1))
    x = keras.layers.Flatten()(inputs)
    dense = keras.layers.Dense(2, activation="softmax")
    out = dense(x)
    dense.set_weights([np.asarray(w, np.float32), np.asarray(b, np.float32)])
    return keras.Model(inputs, out)


def test_linear_model_step_is_the_sign_of_the_weight_difference():
    w = np.array([[1.0, -1.0], [-2.0, 0.5], [0.3, 0.1], [0.0, 1.0]], np.float32)
    model = linear_model(w)
    x = np.full((1, 2, 2, 1), 0.5, np.float32)
    adv = adversarial.fgsm(model, x, 0.1, class_index=0)
    # d(-log p0)/dx = -(1 - p0) (w0 - w1): FGSM moves by ε·sign(w1 - w0).
    expected = 0.5 + 0.1 * np.sign(w[:, 1] - w[:, 0]).reshape(1, 2, 2, 1)
    np.testing.assert_allclose(adv, expected, atol=1e-6)


@pytest.fixture(scope="module")
def tiny():
    rng = np.random.default_rng(0)
    n = 120
    y = rng.integers(0, 3, n)
    x = rng.random((n, 6, 6, 1)).astype(np.float32) * 0.3
    for i, label in enumerate(y):
        x[i, label * 2 : label * 2 + 2] += 0.6  # a bright band per class
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((6, 6, 1)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=30, verbose=0)
    return model, np.clip(x, 0, 1), y


def test_accuracy_at_zero_epsilon_is_clean_accuracy_and_loss_rises(tiny):
    model, x, y = tiny
    clean = float(np.mean(np.argmax(model.predict(x, verbose=0), -1) == y))
    curve = adversarial.accuracy_curve(model, x, y, [0.0, 0.01, 0.02, 0.04, 0.08])
    assert curve.accuracy[0] == pytest.approx(clean)
    assert np.all(np.diff(curve.loss) > 0)
    assert curve.accuracy[-1] <= curve.accuracy[0]


def test_input_not_modified_and_bounded(tiny):
    model, x, y = tiny
    before = x.copy()
    adv = adversarial.fgsm(model, x, 0.05, class_index=y)
    np.testing.assert_array_equal(x, before)
    assert adv.shape == x.shape and adv.dtype == np.float32
    assert np.abs(adv - x).max() <= 0.05 + 1e-6
    assert adv.min() >= 0 and adv.max() <= 1


def test_image_model_gives_uint8_moved_by_at_most_epsilon():
    inputs = keras.Input((4, 4, 1))
    x = keras.layers.Flatten()(inputs)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))
    im = ImageModel("tiny", model, (4, 4), unit(grayscale=True), ["a", "b", "c"])
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (2, 4, 4, 3), dtype=np.uint8)
    img = np.repeat(img[..., :1], 3, axis=-1)
    before = img.copy()
    adv = adversarial.fgsm(im, img, 10 / 255)
    np.testing.assert_array_equal(img, before)
    assert adv.dtype == np.uint8 and adv.shape == img.shape
    assert np.abs(adv.astype(int) - img.astype(int)).max() <= 10
    assert np.abs(adv.astype(int) - img.astype(int)).max() > 0
    # The step lowers the predicted class's probability.
    p0 = im.predict_proba(img)
    p1 = im.predict_proba(adv)
    top = p0.argmax(-1)
    assert np.all(p1[np.arange(2), top] < p0[np.arange(2), top])


@pytest.mark.parametrize("eps", [-0.1, 1.5, float("nan")])
def test_bad_epsilon(eps, tiny):
    model, x, _ = tiny
    with pytest.raises(InputError):
        adversarial.fgsm(model, x[:1], eps)


@pytest.mark.parametrize(
    ("before", "after", "truth", "label", "tone", "words"),
    [
        # The student drew a 7 and the model read it right.
        ("7", "7", "7", "still right", "good", "reads your 7 right, before and after"),
        ("7", "3", "7", "fooled", "bad", "read your 7 right, and after the attack it reads 3"),
        # The model already misread the 7 as 3: never "fooled".
        ("3", "7", "7", "now right", "neutral", "already misreads your 7 as 3"),
        ("3", "3", "7", "still wrong", "neutral", "already misreads your 7 as 3"),
        ("3", "5", "7", "still wrong", "neutral", "the attack turns it into 5, still wrong"),
        # Nothing said: compared with the first answer, and the sentence says so.
        ("3", "3", None, "same answer", "neutral", "compares with the model's own first answer"),
        ("3", "7", None, "answer changed", "neutral", "from 3 to 7"),
    ],
)
def test_attack_verdict_judges_against_the_truth(before, after, truth, label, tone, words):
    verdict = adversarial.attack_verdict(before, after, truth)
    assert (verdict.label, verdict.tone) == (label, tone)
    assert words in verdict.sentence
    if truth is not None and before != truth:
        assert "fool" not in verdict.label
        assert "already misreads" in verdict.sentence


def test_attack_verdict_says_when_the_attack_undoes_a_mistake():
    verdict = adversarial.attack_verdict("3", "7", "7", whose="this")
    assert "already misreads this 7 as 3" in verdict.sentence
    assert "happens to turn it into 7, the true answer" in verdict.sentence
    assert "fooled" not in verdict.sentence.lower().replace("not fooling", "")


def test_attack_verdict_without_truth_names_what_it_compares_against():
    verdict = adversarial.attack_verdict("3", "7", None)
    assert "fool" not in verdict.label
    assert "not with the truth" in verdict.sentence
