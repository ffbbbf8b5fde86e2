"""Where does the network look? Class attribution heatmaps sharing one structure.

Methods (:data:`REGISTRY`, by key; each entry carries its title and help text):

=============  ==========================  =====================================================
key            class                       what it weights
=============  ==========================  =====================================================
gradcam        :class:`GradCAM`            feature maps by their mean gradient (Selvaraju 2017)
gradcam++      :class:`GradCAMPlusPlus`    feature maps by positive gradients with alpha weights
saliency       :class:`Saliency`           pixels by |d score / d pixel| (Simonyan 2014)
smoothgrad     :class:`SmoothGrad`         saliency averaged over noisy copies (Smilkov 2017)
occlusion      :class:`Occlusion`          pixels by the score drop when a grey patch covers them
=============  ==========================  =====================================================

Modules: ``base`` (the shared pipeline and the registry), ``inputs`` (batch, classes,
logits), ``maps`` (normalise, upsample), one module per family (``cam`` + ``grad_cam``,
``gradients`` + ``saliency``, ``occlusion``), ``display`` (colour maps, overlay),
``metrics`` (pointing game against boxes), ``sanity`` (cascading randomisation) and
``verdict`` (the two checks' thresholds and one verdict from both).
A new CAM method is a frozen dataclass over :class:`CAMMethod` with its key, title, help
and ``channel_weights``, then :func:`register`.

Known faults of other tools are fixed here: gradients are of the **logits**; channel
weights are pooled **per sample**; normalisation divides by ``max + eps`` (no NaN); the
default layer is the last 4-D output with height and width above 1
(:func:`cnnviz.models.default_cam_layer`).

Inputs: an ``ImageModel`` takes RGB uint8 images of any size (resized to its input size;
gradients flow through its preprocessing), a bare ``keras.Model`` takes its preprocessed
(N, H, W, C) float input. Heatmaps are (N, h, w) float32 in [0, 1] at the model's INPUT
size, so they overlay directly on ``ImageModel.resize(images)`` (or, through
:func:`overlay`, on an image of any size).
"""

from __future__ import annotations

import numpy as np

from cnnviz import models
from cnnviz.attribution.base import (
    METHODS,
    REGISTRY,
    Attribution,
    AttributionMethod,
    attribute,
    register,
)
from cnnviz.attribution.cam import CAMMethod
from cnnviz.attribution.display import COLORMAPS, colorize, heatmap_panels, overlay
from cnnviz.attribution.grad_cam import GradCAM, GradCAMPlusPlus, grad_cam, grad_cam_plus_plus
from cnnviz.attribution.gradients import GradientMethod
from cnnviz.attribution.maps import EPSILON, normalize, upsample
from cnnviz.attribution.metrics import (
    SCORES,
    energy_inside,
    localisation,
    pointing_game,
    scale_boxes,
    score_maps,
)
from cnnviz.attribution.saliency import Saliency, SmoothGrad, saliency, smoothgrad

# isort: split
# The methods register as their modules are imported: Grad-CAM family, gradients, then
# occlusion (the slowest) is the order the page lists them in.
from cnnviz.attribution.occlusion import Occlusion, occlusion
from cnnviz.attribution.sanity import CascadeStep, cascade, spearman
from cnnviz.attribution.verdict import (
    FAILS,
    PARTLY,
    PASSES,
    POINTING_CLEAR,
    POINTING_QUESTION,
    POINTING_READING,
    POINTING_SOME,
    RANDOMISATION_QUESTION,
    RANDOMISATION_READING,
    RHO_DEPENDS,
    RHO_IGNORES,
    Verdict,
    pointing_result,
    pointing_thresholds,
    randomisation_result,
    randomisation_thresholds,
    trust_verdict,
)
from cnnviz.errors import InputError
from cnnviz.models import ImageModel


def predict_proba(model: models.ModelLike, images) -> np.ndarray:
    """Class probabilities: :meth:`cnnviz.models.ImageModel.predict_proba`, kept here.

    Raises:
        InputError: ``model`` is not an ``ImageModel``.
    """
    if not isinstance(model, ImageModel):
        raise InputError("predict_proba needs an ImageModel (it knows its preprocessing).")
    return model.predict_proba(images)


__all__ = [
    "COLORMAPS",
    "EPSILON",
    "FAILS",
    "METHODS",
    "PARTLY",
    "PASSES",
    "POINTING_CLEAR",
    "POINTING_QUESTION",
    "POINTING_READING",
    "POINTING_SOME",
    "RANDOMISATION_QUESTION",
    "RANDOMISATION_READING",
    "REGISTRY",
    "RHO_DEPENDS",
    "RHO_IGNORES",
    "SCORES",
    "Attribution",
    "AttributionMethod",
    "CAMMethod",
    "CascadeStep",
    "GradCAM",
    "GradCAMPlusPlus",
    "GradientMethod",
    "Occlusion",
    "Saliency",
    "SmoothGrad",
    "Verdict",
    "attribute",
    "cascade",
    "colorize",
    "energy_inside",
    "grad_cam",
    "grad_cam_plus_plus",
    "heatmap_panels",
    "localisation",
    "normalize",
    "occlusion",
    "overlay",
    "pointing_game",
    "pointing_result",
    "pointing_thresholds",
    "predict_proba",
    "randomisation_result",
    "randomisation_thresholds",
    "register",
    "saliency",
    "scale_boxes",
    "score_maps",
    "smoothgrad",
    "spearman",
    "trust_verdict",
    "upsample",
]
