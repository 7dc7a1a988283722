"""Mechanism only: put functions in place of methods on one object, and take them off again.

Why the instance and not a wrapper: Keras's `LossScaleOptimizer` intercepts
`apply` by wrapping the optimizer in a new one that delegates. A wrapper
would have to be installed by `compile` (the recorder only arrives with
`fit`, after the model holds its optimizer), it would replace
`model.optimizer` (what the user passed, saved in `.keras` files and
checkpoints, would change class), and it would need its own variables
mirrored for JAX's stateless step. Patching the instance leaves the class,
the config, the saved file and `model.optimizer` exactly as they were; the
price is this small, explicit mechanism, which restores the instance to
its plain state on removal.

Example:
    >>> class Greeter:
    ...     def hello(self):
    ...         return "hello"
    >>> g = Greeter()
    >>> with InstancePatch(g, {"hello": lambda: "patched"}):
    ...     g.hello()
    'patched'
    >>> g.hello()
    'hello'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class InstancePatch:
    """Functions stored in one object's `__dict__`, shadowing its class's methods.

    `apply()` and `remove()` are idempotent: applying twice patches once,
    removing twice (or removing what was never applied) does nothing, and
    `remove()` only takes off what this patch put there, so a method someone
    else patched in the meantime is left alone. Also a context manager.

    Args:
        obj: The object to patch (e.g. one optimizer instance).
        functions: Method name -> plain function, called with the method's
            arguments (no `self`; close over what you need).
    """

    def __init__(self, obj: Any, functions: Mapping[str, Callable[..., Any]]) -> None:
        self.obj = obj
        self.functions = dict(functions)
        self.applied = False

    def apply(self) -> InstancePatch:
        # Straight into __dict__: Keras's attribute tracking has no business with these.
        for name, func in self.functions.items():
            self.obj.__dict__[name] = func
        self.applied = True
        return self

    def remove(self) -> None:
        for name, func in self.functions.items():
            if self.obj.__dict__.get(name) is func:
                del self.obj.__dict__[name]
        self.applied = False

    def __enter__(self) -> InstancePatch:
        return self.apply()

    def __exit__(self, *exc: object) -> None:
        self.remove()
