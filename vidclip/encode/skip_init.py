"""Build a model whose every weight a checkpoint is about to overwrite, without initialising it.

``open_clip.create_model(name, pretrained=file)`` first builds the network
with its random initialisation (a normal or uniform draw for each of
ViT-B-32's ~150M parameters) and then loads the checkpoint over all of them
(strictly: a parameter the file lacks is an error). The draw is thrown away
and costs about as much as reading the weights, on every start-up.

Inside :func:`weights_from_checkpoint` the ``torch.nn.init`` functions that
module constructors call (found in ``torch.nn.init`` and wherever a
``torch.nn`` module imported them by name) leave their tensor as it is (uninitialised
memory), in the calling thread only: another thread building a model at the
same moment still gets its random weights. The same idea as Hugging Face
``transformers``' ``no_init_weights``. Buffers that constructors compute
(CLIP's causal attention mask) are not drawn from ``torch.nn.init`` and are
built as usual.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: The initialisers of ``torch.nn.init`` that constructors call (in place, returning the tensor).
_INITIALISERS = (
    "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
    "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
    "orthogonal_", "sparse_",
)

_state = threading.local()
_install_lock = threading.Lock()
_installed = False


def _skipping() -> bool:
    return getattr(_state, "depth", 0) > 0


def _wrap(original: Callable[..., Any]) -> Callable[..., Any]:
    def initialiser(tensor, *args, **kwargs):
        if _skipping():
            return tensor
        return original(tensor, *args, **kwargs)

    initialiser.__wrapped__ = original  # type: ignore[attr-defined]
    initialiser.__name__ = original.__name__
    initialiser.__doc__ = original.__doc__
    return initialiser


def _install() -> None:
    """Put the thread-aware initialisers in place, once per process."""
    global _installed
    with _install_lock:
        if _installed:
            return
        import torch.nn.init as init

        wrapped = {}
        for name in _INITIALISERS:
            original = getattr(init, name, None)
            if original is not None:
                wrapped[id(original)] = _wrap(original)
                setattr(init, name, wrapped[id(original)])
        # Some torch modules bound the functions by name at import
        # (``from torch.nn.init import xavier_uniform_`` in MultiheadAttention).
        for module_name, module in list(sys.modules.items()):
            if module is None or not module_name.startswith("torch.nn."):
                continue
            for name in _INITIALISERS:
                bound = getattr(module, name, None)
                if bound is not None and id(bound) in wrapped:
                    setattr(module, name, wrapped[id(bound)])
        _installed = True


@contextmanager
def weights_from_checkpoint() -> Iterator[None]:
    """Within this block, this thread's module constructors skip random initialisation."""
    _install()
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1
