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
    if exp.transfer is not None:
        pytest.skip(
            "transfer experiments are counted once transfer.describe builds without weight "
            "files and TransferConfig takes input_size / cut_layer (issue 17, part 2)"
        )
    counts = courses.counts(exp)
    assert courses.count_params(exp) == counts.total
    for name, value in exp.printed_params().items():
        assert getattr(counts, name) == value, name


@pytest.mark.parametrize("exp", TRANSFER, ids=[e.key for e in TRANSFER])
def test_every_transfer_experiment_gives_a_transfer_config(exp):
    try:
        transfer.TransferConfig(**exp.transfer)
    except TypeError as err:
        pytest.skip(f"TransferConfig lacks the courses' fields until issue 17 part 2: {err}")
    config = courses.training_config(exp)
    assert config.transfer is not None and config.transfer.base == exp.transfer["base"]


def test_a_transfer_experiment_without_the_course_fields_says_so():
    exp = next(e for e in TRANSFER if "input_size" in e.transfer)
    try:
        transfer.TransferConfig(**exp.transfer)
    except TypeError:
        with pytest.raises(InputError, match="TransferConfig"):
            courses.count_params(exp)
    else:
        pytest.skip("TransferConfig has the course fields: counted by the test above")


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
