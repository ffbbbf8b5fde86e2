"""TensorFlow's CNN course notes: convolutions on Fashion-MNIST, cats vs dogs, augmentation.

(Its InceptionV3 transfer experiment is in :mod:`cnnviz.courses.transfer_experiments`.)
"""

from cnnviz.courses.experiment import ZIP, Experiment, Figure, register
from cnnviz.courses.settings import COURSE_AUGMENTATION, NO_FIGURE

_CATS_DOGS = "cats_and_dogs_filtered.zip (2,000 training and 1,000 validation images)"

register(
    Experiment(
        key="tf_fashion_convolutions",
        title="Improving computer vision accuracy using convolutions",
        help="Two 3×3 convolutions with 64 filters and max pooling before the dense layer "
        "lift Fashion-MNIST's accuracy above the dense network's.",
        course="tensorflow",
        page="train",
        source="The convolutions lesson on Fashion-MNIST: Conv2D(64) + MaxPooling twice, "
        "Dense(128), Adam, 5 epochs; model.summary() prints 243,786 parameters.",
        dataset="fashion_mnist",
        network="fashion_cnn",
        training={
            "epochs": 5,
            "batch_size": 32,
            "optimizer": "adam",
            "learning_rate": 1e-3,
            "schedule": "constant",
        },
        figures=(Figure("params_total", 243_786),),
    )
)
register(
    Experiment(
        key="tf_visualising_convolutions",
        title="Visualizing the convolutions and pooling",
        help="Look at what each convolution and pooling layer of the Fashion-MNIST network "
        "makes of one picture.",
        course="tensorflow",
        page="activations",
        source="The same lesson's last part: the activations of the first layers for a few "
        "test images. " + NO_FIGURE,
        dataset="fashion_mnist",
        network="fashion_cnn",
    )
)
register(
    Experiment(
        key="tf_cats_vs_dogs",
        title="Cats vs dogs: training with a small dataset",
        help="Four convolutions and 512 dense units on 2,000 photos: training accuracy "
        "climbs while validation stalls, the overfitting augmentation fixes.",
        course="tensorflow",
        page="train",
        source="The cats-vs-dogs lesson before augmentation: 150 × 150 inputs, "
        "Conv2D 32/64/128/128, Dense(512), RMSprop 1e-4, batch 20, 100 epochs; the summary "
        "prints 3,453,121 parameters.",
        dataset=ZIP,
        dataset_options={"size": 150},
        archive=_CATS_DOGS,
        network="cats_vs_dogs_cnn",
        input_shape=(150, 150, 3),
        num_classes=2,
        training={
            "epochs": 100,
            "batch_size": 20,
            "optimizer": "rmsprop",
            "learning_rate": 1e-4,
            "schedule": "constant",
            "dropout": 0.0,
        },
        figures=(Figure("params_total", 3_453_121),),
    )
)
register(
    Experiment(
        key="tf_cats_vs_dogs_augmentation",
        title="Cats vs dogs with image augmentation",
        help="The same network, with the course's ImageDataGenerator (rotation 40°, shifts, "
        "shear, zoom 0.2, horizontal flips): validation accuracy follows training.",
        course="tensorflow",
        page="train",
        source="The augmentation lesson: ImageDataGenerator(rotation_range=40, "
        "width_shift_range=0.2, height_shift_range=0.2, shear_range=0.2, zoom_range=0.2, "
        "horizontal_flip=True, fill_mode='nearest'), RMSprop 1e-4, batch 20, 100 epochs; "
        "3,453,121 parameters.",
        dataset=ZIP,
        dataset_options={"size": 150},
        archive=_CATS_DOGS,
        network="cats_vs_dogs_cnn",
        input_shape=(150, 150, 3),
        num_classes=2,
        training={
            "epochs": 100,
            "batch_size": 20,
            "optimizer": "rmsprop",
            "learning_rate": 1e-4,
            "schedule": "constant",
            "dropout": 0.0,
            "augmentation": COURSE_AUGMENTATION,
        },
        figures=(Figure("params_total", 3_453_121),),
    )
)
register(
    Experiment(
        key="tf_cats_vs_dogs_representations",
        title="Visualizing intermediate representations",
        help="Feed a cat or a dog through the trained network and see every layer's maps get "
        "smaller and more abstract.",
        course="tensorflow",
        page="activations",
        source="The cats-vs-dogs lesson's feature maps of a random training image. " + NO_FIGURE,
        dataset=ZIP,
        archive=_CATS_DOGS,
        network="cats_vs_dogs_cnn",
        input_shape=(150, 150, 3),
        num_classes=2,
    )
)
