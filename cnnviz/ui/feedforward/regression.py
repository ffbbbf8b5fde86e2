"""The Neurons playground's linear-regression section: LearnOpenCV's 14-parameter model.

Which data it is (Keras's Boston housing when its file is in the Keras cache, else the
offline diabetes table) is said on the page, with its number of weights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cnnviz.codegen.regression_code import RegressionCode
from cnnviz.feedforward import RegressionData, errors, fit_linear, housing_data
from cnnviz.feedforward.regression import BOSTON_FILE, LinearFit, boston_file
from cnnviz.ui.common.code_export import code_expander
from cnnviz.ui.common.text import plain, plain_html


@st.cache_data(show_spinner=False)
def _fitted(where: str, mtime: float) -> tuple[RegressionData, LinearFit]:
    """The data and its fit, once per data file (``where`` and ``mtime`` key the cache)."""
    data = housing_data()
    return data, fit_linear(data.x_train, data.y_train)


def fitted() -> tuple[RegressionData, LinearFit]:
    """The section's data and fit (refitted when the Boston file appears or changes)."""
    path = boston_file()
    return _fitted(str(path or ""), path.stat().st_mtime if path else 0.0)


def weights_figure(data: RegressionData, fit: LinearFit) -> go.Figure:
    """One horizontal bar per feature: its weight on the scaled feature."""
    order = np.argsort(np.abs(fit.weights))
    names = [plain_html(data.feature_names[i]) for i in order]
    values = fit.weights[order]
    fig = go.Figure(
        go.Bar(x=values, y=names, orientation="h",
               marker={"color": ["#0877bd" if v > 0 else "#f59322" for v in values]})
    )  # fmt: skip
    fig.update_layout(
        height=max(240, 26 * len(names)), margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"title": "weight"},
    )  # fmt: skip
    return fig


def regression_section() -> None:
    """Data, weights and errors of the linear model, with the predict-the-mean baseline."""
    data, fit = fitted()
    n = len(data.feature_names)
    st.markdown(
        f"**{plain(data.title)}**: {plain(data.about)} The model predicts the "
        f"{plain(data.target)} as a weighted sum of the **{n} features** plus a bias: "
        f"**{data.parameter_count} parameters**, one `Dense(1)` unit, trained by gradient "
        f"descent on the squared error ({len(fit.loss)} steps, features scaled to mean 0 "
        f"and standard deviation 1)."
    )
    if data.key != "boston_housing":
        st.info(
            f"LearnOpenCV's lesson uses Keras's Boston housing data (13 features + bias = 14 "
            f"parameters). Its file is not in the Keras cache, so this is scikit-learn's "
            f"offline table instead: {n} features + bias = {data.parameter_count} "
            f"parameters. Place `{BOSTON_FILE}` in the Keras `datasets` folder (or run "
            "`keras.datasets.boston_housing.load_data()` once online) to see the lesson's.",
            icon=":material/cloud_off:",
        )
    left, right = st.columns([3, 2])
    with left:
        st.caption(f"The training data ({len(data.x_train)} rows; {len(data.x_test)} kept "
                   "for the test), the target in the last column:")  # fmt: skip
        table = pd.DataFrame(data.x_train, columns=list(data.feature_names))
        table[data.target] = data.y_train
        st.dataframe(table, height=300, key="ff_reg_data")
    with right:
        st.caption(f"The fitted weights ({n}; bias {fit.bias:.2f}): how much the prediction "
                   "moves when a feature grows by one standard deviation.")  # fmt: skip
        st.plotly_chart(weights_figure(data, fit), key="ff_reg_weights")
    mae = errors(fit, data)
    st.dataframe(
        pd.DataFrame(
            {
                "model": ["linear model (weighted sum)", "baseline: always the mean"],
                "training error": [mae["model"]["train"], mae["baseline"]["train"]],
                "test error": [mae["model"]["test"], mae["baseline"]["test"]],
            }
        ),
        hide_index=True,
        column_config={
            k: st.column_config.NumberColumn(k, format="%.2f")
            for k in ("training error", "test error")
        },
        key="ff_reg_errors",
    )
    st.markdown(
        f"Mean absolute error, in the target's units: on the test rows the model is off by "
        f"**{mae['model']['test']:.2f}** on average, the mean by **{mae['baseline']['test']:.2f}**."
    )
    code_expander(RegressionCode(data.key), key="ff_reg", label="The code of this fit")
