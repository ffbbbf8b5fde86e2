"""The ``"transfer"`` run kind: what a training job does differently for transfer learning.

Registered in :data:`cnnviz.training.RUN_KINDS` when :mod:`cnnviz.transfer` is imported.
In ``"features"`` mode the job trains the head alone on cached features (extracted with
:class:`~cnnviz.training.Extracting` events); in ``"finetune"`` with ``head_epochs`` the
head is first trained quietly on features, then the whole model on images.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import keras
import numpy as np

from cnnviz.errors import InputError
from cnnviz.models.evaluation import Evaluation, evaluate
from cnnviz.models.preprocessing import Preprocessing
from cnnviz.training import RUN_KINDS, Extracting, KindRun, RunKind, TrainingConfig
from cnnviz.transfer.bases import base_name, base_spec
from cnnviz.transfer.config import TransferConfig, transfer_preprocessing
from cnnviz.transfer.features import ExtractProgress, extract_features
from cnnviz.transfer.model import (
    build_model,
    copy_head_weights,
    cut_layer_of,
    head_model,
    is_head_layer,
    model_input_size,
    parameter_counts,
    set_trainable,
    train_head,
)


class TransferRun(KindRun):
    """One job's transfer learning: head on features, frozen base, or fine-tuning.

    Args:
        config: the job's training config (``config.transfer`` says base, head and mode).
        model: the whole transfer model (:func:`~cnnviz.transfer.build_model`).
        preprocessing: the base's preprocessing.
    """

    def __init__(self, config: TrainingConfig, model, preprocessing: Preprocessing) -> None:
        super().__init__(config, model, preprocessing)
        self.settings: TransferConfig = config.transfer
        self.spec = base_spec(self.settings.base)
        set_trainable(model, self.settings)
        self.head = head_model(model) if self.settings.mode == "features" else None
        self.extract_seconds = 0.0
        self.cached: list[bool] = []

    @property
    def input_size(self) -> tuple[int, int]:
        """(h, w) the whole model takes."""
        return model_input_size(self.model)

    def fit_model(self, input_shape: tuple) -> keras.Model:
        """The head alone (``"features"``) or the training wrapper around the whole model."""
        return self.head if self.head is not None else super().fit_model(input_shape)

    def _features(self, job, images, split: str, stoppable: bool = True) -> np.ndarray:
        started = time.perf_counter()

        def progress(p: ExtractProgress) -> None:
            job.emit(Extracting(split, p.done, p.total, p.images_per_sec, p.cached))

        feats, cached = extract_features(
            self.model,
            images,
            preprocessing=self.preprocessing,
            batch_size=int(self.config.batch_size),
            progress=progress,
            should_stop=(lambda: job.stop_requested) if stoppable else None,
        )
        self.extract_seconds += time.perf_counter() - started
        self.cached.append(cached)
        return feats

    def fit_inputs(self, job, x_train, y_train, x_val, y_val):
        """The images, or (``"features"``) their features; the labels stay the targets.

        In ``"finetune"`` with ``head_epochs`` > 0 the head is first trained on cached
        features (quietly, a few seconds), then the images are returned for fine-tuning.
        """
        try:
            if self.settings.mode == "features":
                f_train = self._features(job, x_train, "train")
                f_val = None if x_val is None else self._features(job, x_val, "validation")
                return f_train, y_train, f_val, y_val
            if self.settings.mode == "finetune" and int(self.settings.head_epochs) > 0:
                self._pretrain_head(job, x_train, y_train)
        except InterruptedError:  # stopped: the job sees the request and skips fit
            pass
        return x_train, y_train, x_val, y_val

    def _pretrain_head(self, job, x_train, y_train) -> None:
        feats = self._features(job, x_train, "train")
        train_head(
            self.model,
            feats,
            y_train,
            epochs=int(self.settings.head_epochs),
            batch_size=int(self.config.batch_size),
        )

    def evaluate(self, job) -> Evaluation:
        """Test-set evaluation of the whole model (via cached features in ``"features"``)."""
        ds = job.dataset
        if self.head is not None:
            copy_head_weights(self.head, self.model)
            feats = self._features(job, np.asarray(ds.x_test), "test", stoppable=False)
            probs = np.asarray(self.head.predict(feats, verbose=0), dtype=np.float32)
            if probs.shape[-1] == 1:
                probs = np.concatenate([1 - probs, probs], axis=-1)
            if len(feats) == 0:
                probs = np.zeros((0, len(ds.class_names)), np.float32)
            return Evaluation(np.asarray(ds.y_test), probs, list(ds.class_names))
        return evaluate(
            self.model,
            ds.x_test,
            ds.y_test,
            ds.class_names,
            batch_size=int(self.config.batch_size),
            preprocessing=self.preprocessing,
            input_size=self.input_size,
        )

    def metadata(self) -> dict:
        """What the store keeps about the transfer: mode, base, parameter counts..."""
        trainable, frozen = parameter_counts(self.model)
        info = {
            **self.settings.to_dict(),
            "base_title": self.spec.title,
            "cut_layer": cut_layer_of(self.settings),
            "trainable_params": trainable,
            "non_trainable_params": frozen,
            "extract_seconds": round(self.extract_seconds, 2),
            "features_cached": bool(self.cached) and all(self.cached),
        }
        return {
            "architecture": f"transfer:{self.settings.base}",
            "transfer": info,
            "mode": self.settings.mode,
            "base": self.settings.base,
            "trainable_params": trainable,
            "non_trainable_params": frozen,
        }


@dataclass(frozen=True)
class TransferKind(RunKind):
    """A new head on a pretrained base (``TrainingConfig(transfer=TransferConfig(...))``)."""

    def build(self, config: TrainingConfig, input_shape: tuple, num_classes: int):
        """The whole network, base and head (the base's own input size)."""
        return build_model(config.transfer, int(num_classes), seed=int(config.seed))

    def preprocessing(self, config: TrainingConfig, channels: int) -> Preprocessing:
        """The base's preprocessing, or pixels / 255 with ``preprocessing="rescale"``.

        Grayscale images are repeated to RGB before it.
        """
        return transfer_preprocessing(config.transfer)

    def start(self, config: TrainingConfig, model, preprocessing: Preprocessing) -> TransferRun:
        """A :class:`TransferRun`."""
        return TransferRun(config, model, preprocessing)

    def continue_model(self, config: TrainingConfig, store, model_id: str, owner: str | None):
        """A trainable copy of a stored transfer model, head included (the second step).

        Raises:
            InputError: the stored model is not a transfer model on ``config``'s base, or
                takes other pixels than ``config``'s preprocessing.
        """
        settings = config.transfer
        stored = store.load(model_id, owner)
        if base_name(stored.model) != settings.base or not any(
            is_head_layer(layer) for layer in stored.model.layers
        ):
            raise InputError(
                f"“{stored.name}” is not a transfer model on {base_spec(settings.base).title}: "
                "it cannot be fine-tuned further with these settings."
            )
        wanted = transfer_preprocessing(settings)
        if stored.preprocessing.to_dict() != wanted.to_dict():
            raise InputError(
                f"“{stored.name}” takes pixels as “{stored.preprocessing.mode}”, these settings "
                f"as “{wanted.mode}”: choose the same preprocessing to train it further."
            )
        copy = keras.models.clone_model(stored.model)
        copy.set_weights(stored.model.get_weights())
        return copy


TRANSFER_KIND = RUN_KINDS.register(
    TransferKind(
        key=TransferConfig.kind,
        title="Transfer learning",
        help="A pretrained ImageNet network's base with a new head trained on your images.",
        settings_type=TransferConfig,
    )
)
