"""The linear regression's code: Keras fits the page's weights on the offline table."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

from cnnviz import codegen
from cnnviz.codegen.regression_code import RegressionCode
from cnnviz.errors import InputError
from cnnviz.feedforward import fit_linear
from cnnviz.feedforward.regression import load_diabetes


def test_the_script_fits_the_pages_weights(tmp_path):
    script = codegen.script(RegressionCode("diabetes"), epochs=50)
    assert "cnnviz" not in script and "epochs=50," in script
    path = tmp_path / "regression.py"
    path.write_text(script)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(r"Total params: 11\b", done.stdout), done.stdout[-2000:]
    data = load_diabetes()
    fit = fit_linear(data.x_train, data.y_train, epochs=50)
    printed = dict(re.findall(r"^\s*(\w+)\s+(-?\d+\.\d+)$", done.stdout, re.M))
    for name, weight in zip(data.feature_names, fit.weights, strict=True):
        assert float(printed[name]) == pytest.approx(weight, abs=2e-3), name
    assert float(printed["bias"]) == pytest.approx(fit.bias, abs=2e-3)
    assert "always the mean" in done.stdout


def test_boston_code_loads_as_the_course_does_and_an_unknown_table_is_refused():
    script = RegressionCode("boston_housing").program().script()
    assert "keras.datasets.boston_housing.load_data(" in script and "epochs=2000," in script
    assert np.isclose(0.2, float(re.search(r"test_split=([\d.]+)", script).group(1)))
    with pytest.raises(InputError, match="No regression code for 'iris'"):
        RegressionCode("iris").program()
