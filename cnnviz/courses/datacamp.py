"""DataCamp's Fashion-MNIST CNN tutorial: overfitting, dropout, leaky ReLU."""

from cnnviz.courses.experiment import Experiment, Figure, register

for _exp in (
    Experiment(
        key="dc_fashion_overfitting",
        title="Fashion-MNIST CNN: the model overfits",
        help="Three 'same' convolutions (32, 64, 128) with leaky ReLU 0.1 and max pooling: "
        "training accuracy nears 100% while validation loss climbs.",
        course="datacamp",
        page="train",
        source="The tutorial's first model, without dropout: Adam, batch 64, 20 epochs, 20% "
        "of the training images held out; the summary prints 356,234 parameters.",
        dataset="fashion_mnist",
        network="fashion_cnn_leaky",
        training={
            "epochs": 20,
            "batch_size": 64,
            "optimizer": "adam",
            "learning_rate": 1e-3,
            "schedule": "constant",
            "validation_split": 0.2,
            "dropout": 0.0,
        },
        figures=(Figure("params_total", 356_234),),
    ),
    Experiment(
        key="dc_fashion_dropout",
        title="Fashion-MNIST CNN: adding dropout",
        help="Dropout after every block (0.25, 0.25, 0.4) and before the output (0.3): "
        "validation follows training.",
        course="datacamp",
        page="train",
        source="The tutorial's second model, with dropout: the same settings; 356,234 "
        "parameters (dropout adds none).",
        dataset="fashion_mnist",
        network="fashion_cnn_leaky",
        training={
            "epochs": 20,
            "batch_size": 64,
            "optimizer": "adam",
            "learning_rate": 1e-3,
            "schedule": "constant",
            "validation_split": 0.2,
        },
        figures=(Figure("params_total", 356_234),),
    ),
):
    register(_exp)
