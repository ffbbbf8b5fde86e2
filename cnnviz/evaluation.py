"""Old home of the test-set evaluation, now :mod:`cnnviz.models.evaluation` (re-exported)."""

from cnnviz.models.evaluation import Evaluation, evaluate, predict_proba, to_model_input

__all__ = ["Evaluation", "evaluate", "predict_proba", "to_model_input"]
