"""Vanschoren's lecture on convolutional neural networks (after Chollet's examples).

(Its three ways to use a pretrained VGG16 are in
:mod:`cnnviz.courses.transfer_experiments`.)
"""

from cnnviz.courses.experiment import ZIP, Experiment, Figure, register
from cnnviz.courses.settings import COURSE_AUGMENTATION, NO_FIGURE

_CATS_DOGS = "the cats-vs-dogs subset (2,000 training, 1,000 validation, 1,000 test images)"

for _exp in (
    Experiment(
        key="vs_filter_banks",
        title="Image convolution: filter banks",
        help="A bank of Gabor filters at several angles and frequencies, slid over a photo: "
        "each lights up the edges and stripes of its own orientation.",
        course="vanschoren",
        page="filters",
        source="The lecture's opening part on convolution as a filter bank. " + NO_FIGURE,
    ),
    Experiment(
        key="vs_mnist_cnn",
        title="A simple convnet on MNIST",
        help="Three 3×3 convolutions (32, 64, 64) with max pooling and a 64-unit dense layer "
        "read handwritten digits.",
        course="vanschoren",
        page="train",
        source="The lecture's first Keras convnet: RMSprop, batch 64, 5 epochs; the summary "
        "prints 93,322 parameters.",
        dataset="mnist",
        network="mnist_cnn",
        training={
            "epochs": 5,
            "batch_size": 64,
            "optimizer": "rmsprop",
            "learning_rate": 1e-3,
            "schedule": "constant",
        },
        figures=(Figure("params_total", 93_322),),
    ),
    Experiment(
        key="vs_mnist_activations",
        title="What the MNIST convnet sees",
        help="The feature maps of every layer of the trained MNIST convnet for one digit.",
        course="vanschoren",
        page="activations",
        source="The lecture's activation maps of the MNIST model. " + NO_FIGURE,
        dataset="mnist",
        network="mnist_cnn",
    ),
    Experiment(
        key="vs_cats_dogs_scratch",
        title="Cats vs dogs from scratch",
        help="A convnet trained from scratch on 2,000 photos overfits after a few epochs.",
        course="vanschoren",
        page="train",
        source="The lecture's small-data convnet: 150 × 150 inputs, Conv2D 32/64/128/128, "
        "Dense(512), RMSprop 1e-4, batch 20, 30 epochs; 3,453,121 parameters.",
        dataset=ZIP,
        dataset_options={"size": 150},
        archive=_CATS_DOGS,
        network="cats_vs_dogs_cnn",
        input_shape=(150, 150, 3),
        num_classes=2,
        training={
            "epochs": 30,
            "batch_size": 20,
            "optimizer": "rmsprop",
            "learning_rate": 1e-4,
            "schedule": "constant",
            "dropout": 0.0,
        },
        figures=(Figure("params_total", 3_453_121),),
    ),
    Experiment(
        key="vs_cats_dogs_dropout",
        title="Cats vs dogs with augmentation and dropout",
        help="The same convnet with dropout 0.5 before the dense layer and the courses' "
        "augmentation: it overfits far less.",
        course="vanschoren",
        page="train",
        source="The lecture's regularised convnet: Dropout(0.5), the courses' "
        "ImageDataGenerator, RMSprop 1e-4, batch 32, 100 epochs. " + NO_FIGURE,
        dataset=ZIP,
        dataset_options={"size": 150},
        archive=_CATS_DOGS,
        network="cats_vs_dogs_cnn",
        input_shape=(150, 150, 3),
        num_classes=2,
        training={
            "epochs": 100,
            "batch_size": 32,
            "optimizer": "rmsprop",
            "learning_rate": 1e-4,
            "schedule": "constant",
            "dropout": 0.5,
            "augmentation": COURSE_AUGMENTATION,
        },
    ),
    Experiment(
        key="vs_cats_dogs_activations",
        title="Visualizing intermediate activations",
        help="Every channel of every layer of the cats-vs-dogs convnet for one cat picture.",
        course="vanschoren",
        page="activations",
        source="The lecture's intermediate activations of the regularised convnet. " + NO_FIGURE,
        dataset=ZIP,
        archive=_CATS_DOGS,
        network="cats_vs_dogs_cnn",
        input_shape=(150, 150, 3),
        num_classes=2,
    ),
    Experiment(
        key="vs_filter_visualization",
        title="Visualizing the filters of VGG16",
        help="Gradient ascent paints the pattern each VGG16 filter answers most: colours and "
        "edges early, textures deeper.",
        course="vanschoren",
        page="featureviz",
        source="The lecture's filter visualization of VGG16's block convolutions. " + NO_FIGURE,
    ),
    Experiment(
        key="vs_class_activation_maps",
        title="Class activation maps on VGG16",
        help="Where VGG16 looked before it named the photo's class: a Grad-CAM heatmap "
        "over the photo.",
        course="vanschoren",
        page="gradcam",
        source="The lecture's class activation map of VGG16's last convolution layer. " + NO_FIGURE,
    ),
):
    register(_exp)
