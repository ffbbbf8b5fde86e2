"""Gradients and compilation, one implementation per Keras backend.

This is the only module in the core with backend-specific code. Everything else builds
tensors with ``keras.ops`` and asks this module for gradients, so attribution and feature
visualization run unchanged with ``KERAS_BACKEND=tensorflow`` (default), ``jax`` or ``torch``.

Two functions:

* :func:`value_and_grad` — the value of ``fn(*args)`` and its gradient with respect to one
  argument. Usable eagerly and inside a compiled function.
* :func:`compile_function` — turn a tensor function into a compiled one (``tf.function``,
  ``jax.jit``; torch stays eager), for loops that call the same computation many times.

Example:
    >>> def loss(x):
    ...     return keras.ops.sum(x**2)
    >>> value, grad = value_and_grad(loss, np.ones((2, 3), "float32"))  # grad == 2 * x
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import numpy as np


def backend() -> str:
    """Name of the active Keras backend (``"tensorflow"``, ``"jax"`` or ``"torch"``)."""
    return keras.backend.backend()


def _to_tensors(args: tuple) -> list:
    """Convert numpy arrays among ``args`` to backend tensors; leave other values alone."""
    return [keras.ops.convert_to_tensor(a) if isinstance(a, np.ndarray) else a for a in args]


def _split(out: Any, has_aux: bool) -> tuple[Any, Any]:
    """Separate ``fn``'s result into (value, aux)."""
    if not has_aux:
        return out, None
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise ValueError("With has_aux=True, fn must return a pair (value, aux).")
    return out[0], out[1]


def value_and_grad(
    fn: Callable[..., Any], *args: Any, argnum: int = 0, has_aux: bool = False
) -> tuple[Any, Any]:
    """Evaluate ``fn(*args)`` and its gradient with respect to ``args[argnum]``.

    Args:
        fn: maps backend tensors to a scalar tensor. A tensor of per-sample values is
            accepted and summed first (so each sample's gradient is its own when samples are
            independent). With ``has_aux=True`` it returns ``(value, aux)`` where ``aux`` is
            any structure of tensors computed alongside (e.g. feature maps and logits from
            the same forward pass); ``aux`` is not differentiated.
        *args: positional arguments for ``fn``; numpy arrays are converted to float tensors.
            The argument at ``argnum`` must be floating point.
        argnum: which argument to differentiate with respect to.
        has_aux: see ``fn``.

    Returns:
        ``(value, grad)``, or ``((value, aux), grad)`` with ``has_aux=True`` — the JAX
        convention. ``value`` is a scalar tensor; ``grad`` has the shape of ``args[argnum]``.
        All are backend tensors (use ``keras.ops.convert_to_numpy`` to read them).
    """
    args = _to_tensors(args)
    name = backend()
    if name == "tensorflow":
        return _value_and_grad_tf(fn, args, argnum, has_aux)
    if name == "jax":
        return _value_and_grad_jax(fn, args, argnum, has_aux)
    if name == "torch":
        return _value_and_grad_torch(fn, args, argnum, has_aux)
    raise RuntimeError(f"Gradients are not implemented for the Keras backend {name!r}.")


def _value_and_grad_tf(fn, args, argnum, has_aux):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        tape.watch(args[argnum])
        value, aux = _split(fn(*args), has_aux)
        value = tf.reduce_sum(value)
    grad = tape.gradient(value, args[argnum])
    if grad is None:  # fn does not depend on the argument
        grad = tf.zeros_like(args[argnum])
    return ((value, aux), grad) if has_aux else (value, grad)


def _value_and_grad_jax(fn, args, argnum, has_aux):
    import jax
    import jax.numpy as jnp

    def wrt(x):
        call_args = list(args)
        call_args[argnum] = x
        value, aux = _split(fn(*call_args), has_aux)
        return jnp.sum(value), aux

    (value, aux), grad = jax.value_and_grad(wrt, has_aux=True)(args[argnum])
    return ((value, aux), grad) if has_aux else (value, grad)


def _value_and_grad_torch(fn, args, argnum, has_aux):
    import torch

    call_args = list(args)
    x = call_args[argnum].detach().requires_grad_(True)
    call_args[argnum] = x
    with torch.enable_grad():
        value, aux = _split(fn(*call_args), has_aux)
        value = torch.sum(value)
        (grad,) = torch.autograd.grad(value, x, allow_unused=True)
    if grad is None:
        grad = torch.zeros_like(x)
    value = value.detach()
    if aux is not None:
        aux = keras.tree.map_structure(
            lambda t: t.detach() if isinstance(t, torch.Tensor) else t, aux
        )
    return ((value, aux), grad) if has_aux else (value, grad)


def compile_function(fn: Callable[..., Any], *, xla: bool = False) -> Callable[..., Any]:
    """Compile a function of backend tensors for repeated calls.

    TensorFlow: ``tf.function`` (with ``reduce_retracing`` so a new batch size does not
    rebuild the graph each time; ``xla=True`` adds ``jit_compile``). JAX: ``jax.jit`` (always
    XLA). Torch: returned unchanged (eager autograd is already fast enough here).

    Arguments of the compiled function must be tensors or numpy arrays (never Python
    numbers that change between calls: each new value would trigger a recompile). Call
    :func:`value_and_grad` inside ``fn`` to compile a gradient step.

    Args:
        fn: function of backend tensors returning a structure of tensors.
        xla: ask TensorFlow for XLA compilation.

    Returns:
        A callable with the same signature as ``fn``; numpy arguments are converted to
        tensors first.
    """
    name = backend()
    if name == "tensorflow":
        import tensorflow as tf

        compiled = tf.function(fn, reduce_retracing=True, jit_compile=bool(xla))
    elif name == "jax":
        import jax

        compiled = jax.jit(fn)
    else:
        compiled = fn

    def call(*args: Any) -> Any:
        return compiled(*_to_tensors(args))

    call.__doc__ = fn.__doc__
    call.__wrapped__ = fn
    return call
