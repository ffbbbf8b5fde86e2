"""LearnOpenCV's Keras series: MLPs, CIFAR-10, activations, the autoencoder, pretrained nets.

(Its VGG16 fine-tuning is in :mod:`cnnviz.courses.transfer_experiments`.)
"""

from cnnviz.courses.experiment import AUTOENCODER, Experiment, Figure, register
from cnnviz.courses.settings import NO_FIGURE

_CIFAR_AUGMENTATION = {"width_shift": 0.1, "height_shift": 0.1, "flip": "horizontal"}

for _exp in (
    Experiment(
        key="lo_mlp_mnist",
        title="Image classification using feedforward networks",
        help="Two dense layers of 512 units on MNIST's flattened pixels: a fast start, then "
        "validation loss rises while training loss keeps falling.",
        course="learnopencv",
        page="train",
        source="The feedforward lesson without regularisation: Dense(512) twice, RMSprop, "
        "batch 256, 20 epochs. " + NO_FIGURE,
        dataset="mnist",
        network="mlp",
        training={
            "epochs": 20,
            "batch_size": 256,
            "optimizer": "rmsprop",
            "learning_rate": 1e-3,
            "schedule": "constant",
            "dropout": 0.0,
        },
    ),
    Experiment(
        key="lo_mlp_mnist_dropout",
        title="Feedforward networks with dropout",
        help="The same network with dropout 0.5 after each dense layer: the gap between "
        "training and validation closes.",
        course="learnopencv",
        page="train",
        source="The feedforward lesson's regularised run: Dropout(0.5), RMSprop, batch 256, "
        "20 epochs. " + NO_FIGURE,
        dataset="mnist",
        network="mlp",
        training={
            "epochs": 20,
            "batch_size": 256,
            "optimizer": "rmsprop",
            "learning_rate": 1e-3,
            "schedule": "constant",
            "dropout": 0.5,
        },
    ),
    Experiment(
        key="lo_cifar10_cnn",
        title="Image classification using CNNs: CIFAR-10",
        help="Three blocks of two 3×3 convolutions with max pooling and dropout, then 512 "
        "dense units, on 50,000 small colour photos.",
        course="learnopencv",
        page="train",
        source="The CNN lesson's CIFAR-10 network: RMSprop, batch 256, 50 epochs; 276,138 "
        "parameters.",
        dataset="cifar10",
        network="cifar10_cnn",
        training={
            "epochs": 50,
            "batch_size": 256,
            "optimizer": "rmsprop",
            "learning_rate": 1e-3,
            "schedule": "constant",
        },
        figures=(Figure("params_total", 276_138),),
    ),
    Experiment(
        key="lo_cifar10_augmentation",
        title="CIFAR-10 with data augmentation",
        help="The same network on shifted and flipped copies of the photos: slower to fit, "
        "better on the test set.",
        course="learnopencv",
        page="train",
        source="The CNN lesson's augmented run: shifts of 0.1 and horizontal flips, batch "
        "200; 276,138 parameters.",
        dataset="cifar10",
        network="cifar10_cnn",
        training={
            "epochs": 50,
            "batch_size": 200,
            "optimizer": "rmsprop",
            "learning_rate": 1e-3,
            "schedule": "constant",
            "augmentation": _CIFAR_AUGMENTATION,
        },
        figures=(Figure("params_total", 276_138),),
    ),
    Experiment(
        key="lo_activation_functions",
        title="Understanding activation functions",
        help="Sigmoid, tanh, ReLU and their slopes: why a flat slope lets the learning "
        "signal fade in deep networks.",
        course="learnopencv",
        page="activation_functions",
        source="The activation functions lesson's curves and derivatives. " + NO_FIGURE,
    ),
    Experiment(
        key="lo_denoising_autoencoder",
        title="Understanding autoencoders: denoising MNIST",
        help="The course's convolutional autoencoder learns to wipe Gaussian noise (0.5) off "
        "handwritten digits.",
        course="learnopencv",
        page="autoencoder",
        source="The autoencoder lesson: leaky ReLU 0.1, a 7 × 7 × 32 bottleneck, linear "
        "Conv2DTranspose layers, Adam, binary cross-entropy, batch 64, 25 epochs, validated "
        "on the noisy test set; 37,601 parameters, last losses 0.1196 and 0.1171.",
        dataset="mnist",
        network=AUTOENCODER,
        input_shape=(28, 28, 1),
        training={
            "epochs": 25,
            "batch_size": 64,
            "optimizer": "adam",
            "learning_rate": 1e-3,
            "schedule": "constant",
            "validation_split": 0.0,
        },
        figures=(
            Figure("params_total", 37_601),
            Figure("loss", 0.1196, epoch=25),
            Figure("val_loss", 0.1171, epoch=25),
        ),
    ),
    Experiment(
        key="lo_pretrained_comparison",
        title="Using pre-trained ImageNet models",
        help="VGG16, ResNet50, InceptionV3 and MobileNet each name the same photos: compare "
        "their top guesses and confidence.",
        course="learnopencv",
        page="pretrained",
        source="The pretrained-models lesson's side-by-side predictions. " + NO_FIGURE,
    ),
):
    register(_exp)
