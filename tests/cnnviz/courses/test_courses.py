"""The courses' experiments: every entry resolves, every printed count is rebuilt."""

import pytest

from cnnviz import architectures, courses, datasets, training, transfer
from cnnviz.errors import InputError
from cnnviz.ui.common.navigation import PAGES

EXPERIMENTS = courses.available()
KEYS = [e.key for e in EXPERIMENTS]
TRANSFER = [e for e in EXPERIMENTS if e.transfer is not None]
COUNTED = [e for e in EXPERIMENTS if e.printed_params()]


def test_at_least_thirty_experiments_from_the_five_courses():
    assert len(EXPERIMENTS) >= 30
    assert len(set(KEYS)) == len(KEYS)
    assert {e.course for e in EXPERIMENTS} == set(courses.COURSES)
    assert len(courses.COURSES) == 5


def test_get_of_an_unknown_key_lists_the_choices():
    assert courses.get(KEYS[0]) is EXPERIMENTS[0]
    with pytest.raises(InputError) as err:
        courses.get("no_such_experiment")
    assert KEYS[0] in str(err.value) and KEYS[-1] in str(err.value)


@pytest.mark.parametrize("exp", EXPERIMENTS, ids=KEYS)
def test_every_experiment_resolves(exp):
    assert exp.title and exp.source and exp.course in courses.COURSES
    assert exp.page in PAGES
    if exp.dataset is not None:
        assert exp.dataset == courses.ZIP or exp.dataset in datasets.REGISTRY
        if exp.dataset == courses.ZIP:
            assert exp.archive, "a zip experiment names the course's archive"
        else:
            allowed = {o.name for o in datasets.get(exp.dataset).options}
            assert set(exp.dataset_options) <= allowed
    if exp.network is not None:
        assert exp.network == courses.AUTOENCODER or exp.network in architectures.available()
        assert set(exp.network_options) <= set(architectures.HYPERPARAMETERS)
    if exp.training:
        # A transfer experiment's TransferConfig is checked below.
        config = courses.training_config(exp, run_kind=exp.transfer is None)
        assert isinstance(config, training.TrainingConfig)
        assert config.batch_size == exp.training["batch_size"]
    if exp.transfer is not None:
        assert exp.page == "transfer" and exp.transfer["base"] in transfer.BASES
    for figure in exp.figures:
        assert figure.name in courses.FIGURES and figure.value > 0
    if not exp.figures:
        assert "no figure" in exp.source.lower()


def test_the_five_from_scratch_counts_the_app_matches():
    printed = {f.value for e in COUNTED for f in e.figures if f.name == "params_total"}
    assert {93_322, 3_453_121, 243_786, 276_138, 356_234, 37_601} <= printed


@pytest.mark.parametrize("exp", COUNTED, ids=[e.key for e in COUNTED])
def test_every_printed_parameter_count_equals_the_build(exp):
    counts = courses.counts(exp)
    assert courses.count_params(exp) == counts.total
    for name, value in exp.printed_params().items():
        assert getattr(counts, name) == value, name


@pytest.mark.parametrize("exp", TRANSFER, ids=[e.key for e in TRANSFER])
def test_every_transfer_experiment_gives_a_transfer_config(exp):
    config = courses.training_config(exp)
    assert config.transfer == transfer.TransferConfig(**exp.transfer)
    assert config.transfer.base == exp.transfer["base"]


@pytest.mark.parametrize(
    ("key", "printed", "settings"),
    [
        ("vs_vgg16_features", {"total": 16_812_353, "trainable": 2_097_665},
         {"base": "vgg16", "input_size": 150, "pooling": "flatten", "head_units": 256,
          "head_dropout": 0.5}),
        ("lo_vgg16_finetune",
         {"total": 40_408_899, "trainable": 32_773_635, "non_trainable": 7_635_264},
         {"base": "vgg16", "mode": "finetune", "fine_tune_layers": 4, "input_size": 224,
          "pooling": "flatten", "head_units": 1024, "head_dropout": 0.5}),
        ("tf_inception_transfer", {"trainable": 38_537_217},
         {"base": "inception_v3", "input_size": 150, "cut_layer": "mixed7",
          "pooling": "flatten", "head_units": 1024, "head_dropout": 0.2}),
    ],
)  # fmt: skip
def test_the_three_transfer_counts_of_the_issue(key, printed, settings):
    exp = courses.get(key)
    assert exp.printed_params() == printed
    assert {k: exp.transfer[k] for k in settings} == settings
    counts = courses.counts(exp)
    assert {name: getattr(counts, name) for name in printed} == printed


def test_transfer_counts_build_once_per_distinct_config(monkeypatch):
    """VGG16 and InceptionV3 take seconds to build: the same settings are built once."""
    calls = []
    real = transfer.describe

    def counting(config, num_classes):
        calls.append((config, num_classes))
        return real(config, num_classes)

    monkeypatch.setattr(transfer, "describe", counting)
    settings = {"base": "mobilenet_v2", "input_size": 96, "head_units": 7}
    same = [
        courses.Experiment(key=f"made_up_{i}", title="t", help="h", course="flowers",
                           page="transfer", source="No figure.", transfer=settings)
        for i in range(2)
    ]  # fmt: skip
    first = courses.counts(same[0])
    assert courses.count_params(same[0]) == first.total and courses.counts(same[1]) == first
    assert len(calls) == 1


def test_a_transfer_experiment_with_an_unknown_field_says_so():
    exp = courses.Experiment(
        key="made_up", title="t", help="h", course="tensorflow", page="transfer",
        source="No figure.", transfer={"base": "vgg16", "no_such_field": 1},
    )  # fmt: skip
    with pytest.raises(InputError, match="TransferConfig"):
        courses.count_params(exp)


def test_the_autoencoder_experiment_is_the_course_run_the_page_knows():
    from cnnviz import autoencoder

    exp = courses.get("lo_denoising_autoencoder")
    course = autoencoder.COURSE
    assert exp.printed_params() == {"total": course.params}
    assert {(f.name, f.value, f.epoch) for f in exp.printed_results()} == {
        ("loss", course.loss, course.epochs),
        ("val_loss", course.val_loss, course.epochs),
    }
    assert (exp.training["epochs"], exp.training["batch_size"]) == (course.epochs, 64)


def test_the_registry_loads_without_tensorflow():
    """Home lists the experiments and must not wait for TensorFlow."""
    import subprocess
    import sys

    code = (
        "import sys, cnnviz.courses; print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_our_figures_beside_the_course_at_the_same_epoch_and_why_they_differ():
    from cnnviz.courses.compare import beside, why_they_differ

    exp = courses.get("lo_denoising_autoencoder")
    rows = beside(exp, {"params_total": 37_601, "loss": 0.2}, {"loss": [0.3, 0.2]})
    assert [r.course for r in rows] == ["37,601", "0.1196", "0.1171"]
    assert rows[0].ours == "37,601" and rows[1].ours == "0.2000"
    assert "this run: epoch 2" in rows[1].what and rows[2].ours == "—"
    sentence = why_they_differ(exp, "digits", 1438, 2)
    assert "digits instead of the course's data" in sentence
    assert "2 of the course's 25 epochs" in sentence and "random" in sentence
    assert "60" not in why_they_differ(exp, "mnist", 600, 25).split("images")[1]


def test_why_they_differ_names_another_network_or_base():
    from cnnviz.courses.compare import why_they_differ

    transfer = courses.get("lo_vgg16_finetune")
    swapped = why_they_differ(transfer, "zip", 300, 1, network="efficientnet_lite0")
    assert "with efficientnet_lite0 instead of the course's vgg16" in swapped
    assert "instead of the course's vgg16" not in why_they_differ(
        transfer, "zip", 300, 1, network="vgg16"
    )
    scratch = courses.get("vs_mnist_cnn")
    assert "with mlp instead of the course's" in why_they_differ(
        scratch, "mnist", 60, 1, network="mlp"
    )
    assert "instead of the course's" not in why_they_differ(scratch, "mnist", 60, 5)
