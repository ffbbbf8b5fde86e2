"""The Neurons playground's code: the page's points and features, its network's size."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

from cnnviz import codegen
from cnnviz.codegen.feedforward_code import PlaygroundCode
from cnnviz.feedforward import FEATURES, POINT_SETS, Playground, PlaygroundConfig, make_points


def _run_steps(program, titles: set[str]) -> dict:
    """Run the program's numpy-only steps here and return their variables."""
    names: dict = {}
    for step in program.steps:
        if step.title in titles:
            exec(step.code, names)  # our own generated code
    return names


@pytest.mark.parametrize("dataset", POINT_SETS.keys())
def test_the_code_makes_the_pages_points(dataset):
    config = PlaygroundConfig(dataset=dataset, noise=20, train_percent=70, seed=3)
    names = _run_steps(PlaygroundCode(config).program(), {"Make the points"})
    points = make_points(dataset, n=500, noise=0.4, train_ratio=0.7, seed=3)
    np.testing.assert_array_equal(names["train_points"], points.x_train)
    np.testing.assert_array_equal(names["y_test"], points.y_test)


def test_the_code_computes_the_pages_features():
    config = PlaygroundConfig(features=tuple(FEATURES.keys()))
    program = PlaygroundCode(config).program()
    names = _run_steps(program, {"Make the points", "Compute the features"})
    run = Playground(config)
    np.testing.assert_allclose(names["x_train"], run._x_train)
    assert len(program.steps) == 5 and program.notebook()["cells"]


def test_the_script_runs_and_builds_the_pages_network(tmp_path):
    config = PlaygroundConfig(dataset="xor", hidden=(4, 3), l2=0.001, activation="relu")
    script = codegen.script(PlaygroundCode(config, epochs=40), epochs=1, max_images=40)
    assert "cnnviz" not in script and "epochs=1," in script
    path = tmp_path / "playground.py"
    path.write_text(script)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=300, env=env,
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    total = re.search(r"Total params: ([\d,]+)", done.stdout)
    assert total, done.stdout[-2000:]
    assert int(total.group(1).replace(",", "")) == Playground(config).network.parameter_count
    assert "test accuracy" in done.stdout and "20 training points" in done.stdout
    assert (tmp_path / "decision_boundary.html").is_file()
