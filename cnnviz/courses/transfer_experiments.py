"""Every course experiment that keeps a pretrained base (one module, the Transfer page's).

Their transfer settings are ``TransferConfig`` keyword arguments, including the courses'
own fields (``input_size``, ``cut_layer``, ``trainable_batchnorm``, ``preprocessing``);
:func:`cnnviz.courses.counts` rebuilds their printed counts through
``cnnviz.transfer.describe`` without any weight file.
"""

from cnnviz.courses.experiment import ZIP, Experiment, Figure, register
from cnnviz.courses.settings import COURSE_AUGMENTATION, NO_FIGURE

_CATS_DOGS = "cats_and_dogs_filtered.zip (2,000 training and 1,000 validation images)"
_FLOWERS = "flower_photos (3,670 photos of 5 kinds of flowers, one folder each)"


def _vgg16(mode: str, **more) -> dict:
    """Vanschoren's VGG16 at 150 px with Flatten + Dense 256 + Dropout 0.5, pixels / 255."""
    return {"base": "vgg16", "mode": mode, "input_size": 150, "pooling": "flatten",
            "head_units": 256, "head_dropout": 0.5, "preprocessing": "rescale", **more}  # fmt: skip


for _exp in (
    Experiment(
        key="tf_inception_transfer",
        title="Transfer learning with InceptionV3",
        help="Cut a frozen InceptionV3 at mixed7, put Flatten + Dense 1024 + Dropout 0.2 on "
        "top, and reach high accuracy on cats vs dogs within a few epochs.",
        course="tensorflow",
        page="transfer",
        source="The transfer lesson: InceptionV3 without its top at 150 × 150, cut at "
        "'mixed7', all base layers frozen, RMSprop 1e-4, the courses' augmentation, batch 20, "
        "20 epochs; the summary prints 38,537,217 trainable parameters.",
        dataset=ZIP,
        dataset_options={"size": 150},
        archive=_CATS_DOGS,
        num_classes=2,
        training={
            "epochs": 20,
            "batch_size": 20,
            "optimizer": "rmsprop",
            "learning_rate": 1e-4,
            "schedule": "constant",
            "augmentation": COURSE_AUGMENTATION,
        },
        transfer={
            "base": "inception_v3",
            "mode": "frozen",
            "input_size": 150,
            "cut_layer": "mixed7",
            "pooling": "flatten",
            "head_units": 1024,
            "head_dropout": 0.2,
            "preprocessing": "rescale",
        },
        figures=(Figure("params_trainable", 38_537_217),),
    ),
    Experiment(
        key="vs_vgg16_features",
        title="Using a pretrained convnet: feature extraction",
        help="Run VGG16's convolutional base once over every photo and train a small dense "
        "classifier on the features it gives.",
        course="vanschoren",
        page="transfer",
        source="The lecture's first way: VGG16's base at 150 × 150, Flatten + Dense(256) + "
        "Dropout(0.5), RMSprop 2e-5, batch 20, 30 epochs; total 16,812,353 parameters, "
        "2,097,665 trainable.",
        dataset=ZIP,
        dataset_options={"size": 150},
        archive=_CATS_DOGS,
        num_classes=2,
        training={
            "epochs": 30,
            "batch_size": 20,
            "optimizer": "rmsprop",
            "learning_rate": 2e-5,
            "schedule": "constant",
        },
        transfer=_vgg16("features"),
        figures=(Figure("params_total", 16_812_353), Figure("params_trainable", 2_097_665)),
    ),
    Experiment(
        key="vs_vgg16_frozen_augmentation",
        title="Using a pretrained convnet: frozen base with augmentation",
        help="Put the head on the frozen base and train end to end on augmented photos: "
        "slower, but it overfits less.",
        course="vanschoren",
        page="transfer",
        source="The lecture's second way: the same model with the base frozen and the "
        "courses' augmentation, RMSprop 2e-5, batch 20, 30 epochs. " + NO_FIGURE,
        dataset=ZIP,
        dataset_options={"size": 150},
        archive=_CATS_DOGS,
        num_classes=2,
        training={
            "epochs": 30,
            "batch_size": 20,
            "optimizer": "rmsprop",
            "learning_rate": 2e-5,
            "schedule": "constant",
            "augmentation": COURSE_AUGMENTATION,
        },
        transfer=_vgg16("frozen"),
    ),
    Experiment(
        key="vs_vgg16_finetune",
        title="Using a pretrained convnet: fine-tuning block 5",
        help="Unfreeze VGG16's last block (three convolutions and a pooling layer) and train "
        "it with the head at a tiny learning rate.",
        course="vanschoren",
        page="transfer",
        source="The lecture's third way: block5 trainable, RMSprop 1e-5, the courses' "
        "augmentation, batch 20, 100 epochs. " + NO_FIGURE,
        dataset=ZIP,
        dataset_options={"size": 150},
        archive=_CATS_DOGS,
        num_classes=2,
        training={
            "epochs": 100,
            "batch_size": 20,
            "optimizer": "rmsprop",
            "learning_rate": 1e-5,
            "schedule": "constant",
            "augmentation": COURSE_AUGMENTATION,
        },
        transfer=_vgg16("finetune", fine_tune_layers=4),
    ),
    Experiment(
        key="lo_vgg16_features",
        title="Transfer learning using pre-trained models",
        help="Keep all of VGG16's convolutional base frozen and train only a new classifier "
        "on its features.",
        course="learnopencv",
        page="transfer",
        source="The series' transfer-learning lesson: VGG16 at 224 × 224, base frozen, "
        "Flatten + Dense(1024) + Dropout(0.5), RMSprop 1e-4. " + NO_FIGURE,
        dataset=ZIP,
        dataset_options={"size": 224},
        archive="the lesson's three class folders",
        num_classes=3,
        training={
            "epochs": 20,
            "batch_size": 20,
            "optimizer": "rmsprop",
            "learning_rate": 1e-4,
            "schedule": "constant",
        },
        transfer={
            "base": "vgg16",
            "mode": "features",
            "input_size": 224,
            "pooling": "flatten",
            "head_units": 1024,
            "head_dropout": 0.5,
            "preprocessing": "rescale",
        },
    ),
    Experiment(
        key="lo_vgg16_finetune",
        title="Fine-tuning using pre-trained models",
        help="Unfreeze VGG16's last 4 layers, put Flatten + Dense 1024 + Dropout 0.5 on top "
        "and fine-tune on three classes.",
        course="learnopencv",
        page="transfer",
        source="The fine-tuning lesson: VGG16 at 224 × 224, the last 4 layers trainable, "
        "Dense(1024) + Dropout(0.5) + Dense(3), RMSprop 1e-4, batch 100, 30 epochs; total "
        "40,408,899 parameters, 32,773,635 trainable, 7,635,264 non-trainable.",
        dataset=ZIP,
        dataset_options={"size": 224},
        archive="the lesson's three class folders",
        num_classes=3,
        training={
            "epochs": 30,
            "batch_size": 100,
            "optimizer": "rmsprop",
            "learning_rate": 1e-4,
            "schedule": "constant",
        },
        transfer={
            "base": "vgg16",
            "mode": "finetune",
            "fine_tune_layers": 4,
            "input_size": 224,
            "pooling": "flatten",
            "head_units": 1024,
            "head_dropout": 0.5,
            "preprocessing": "rescale",
        },
        figures=(
            Figure("params_total", 40_408_899),
            Figure("params_trainable", 32_773_635),
            Figure("params_non_trainable", 7_635_264),
        ),
    ),
    Experiment(
        key="fl_flowers_features",
        title="Flowers: a new head on a frozen base",
        help="Train only a small head on a frozen ImageNet base to tell five kinds of "
        "flowers apart.",
        course="flowers",
        page="transfer",
        source="The notebook's first step, the head on the frozen base. The base here is "
        "MobileNetV2 (the app's light base; the notebook's own base is not recorded). " + NO_FIGURE,
        dataset=ZIP,
        dataset_options={"size": 224},
        archive=_FLOWERS,
        num_classes=5,
        training={
            "epochs": 10,
            "batch_size": 32,
            "optimizer": "adam",
            "learning_rate": 1e-3,
            "schedule": "constant",
        },
        transfer={
            "base": "mobilenet_v2",
            "mode": "features",
            "pooling": "avg",
            "head_units": 0,
            "head_dropout": 0.2,
        },
    ),
    Experiment(
        key="fl_flowers_finetune",
        title="Flowers: fine-tuning the last 50 layers",
        help="Unfreeze the base's last 50 layers, BatchNorm included, and fine-tune at a low "
        "learning rate.",
        course="flowers",
        page="transfer",
        source="The notebook's second step: the last 50 layers trainable with BatchNorm "
        "trainable, a low learning rate. The base here is MobileNetV2 (as above). " + NO_FIGURE,
        dataset=ZIP,
        dataset_options={"size": 224},
        archive=_FLOWERS,
        num_classes=5,
        training={
            "epochs": 10,
            "batch_size": 32,
            "optimizer": "adam",
            "learning_rate": 1e-5,
            "schedule": "constant",
        },
        transfer={
            "base": "mobilenet_v2",
            "mode": "finetune",
            "fine_tune_layers": 50,
            "pooling": "avg",
            "head_units": 0,
            "head_dropout": 0.2,
            "trainable_batchnorm": True,
        },
    ),
):
    register(_exp)
