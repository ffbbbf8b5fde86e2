"""A training job leaves a core to the app: TensorFlow's pools are capped at cores - 1
and run at a lower priority."""

import os
import subprocess
import sys
from pathlib import Path

import keras
import pytest

from cnnviz.training import device

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("cores", "env", "expected"),
    [(1, "", 1), (2, "", 1), (16, "", 15), (2, "3", 3), (2, "nonsense", 1), (4, "0", 1)],
)
def test_training_threads_leave_one_core(monkeypatch, cores, env, expected):
    monkeypatch.setattr(device, "cpu_cores", lambda: cores)
    monkeypatch.setenv("CNNVIZ_TRAINING_THREADS", env)
    assert device.training_threads() == expected


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's pools")
def test_limit_threads_caps_tensorflow_before_its_first_op():
    # A fresh interpreter: the pools are fixed when TensorFlow's context is created.
    code = (
        "from cnnviz.training import device\n"
        "applied = device.limit_threads(1, nice=7)\n"
        "import tensorflow as tf\n"
        "x = tf.reduce_sum(tf.ones((64, 64)) @ tf.ones((64, 64)))\n"
        "late = device.limit_threads(2)\n"
        "t = tf.config.threading\n"
        "import os\n"
        "nice = set()\n"
        "for tid in os.listdir('/proc/self/task'):\n"
        "    if open(f'/proc/self/task/{tid}/comm').read().startswith('tf_Compute'):\n"
        "        nice.add(open(f'/proc/self/task/{tid}/stat').read().rsplit(')')[1].split()[16])\n"
        "print(applied, late, t.get_intra_op_parallelism_threads(),"
        " t.get_inter_op_parallelism_threads(), ','.join(sorted(nice)) or 'none')\n"
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    applied, late, intra, inter, nice = out.stdout.split()[-5:]
    assert (applied, intra, inter) == ("1", "1", "1")
    # The compute pools run at the lower priority; without privileges a process already
    # nicer than that keeps its own niceness (it cannot be lowered).
    base = os.getpriority(os.PRIO_PROCESS, 0)
    assert int(nice) == (7 if os.geteuid() == 0 or base <= 7 else base)
    assert late == "0"  # too late once TensorFlow runs: reported, not silently ignored
