"""A tiny reverse-mode autograd engine for scalars (in the spirit of micrograd).

A ``Value`` wraps one Python float. Every arithmetic operation on Values returns a new Value
that remembers its inputs (its *children*) and how to send a gradient back to them. Calling
``backward()`` on the final Value fills ``.grad`` of every Value it depends on with
``d final / d that value``.

What the grader builds with your class::

    a, b = Value(2.0), Value(-3.0)
    c = a * b + 1.5          # Value + number and number + Value both work
    d = (c ** 2).tanh() - a / b
    e = (-d).relu() + (2 * a).exp()
    e.backward()             # now a.grad == d e / d a, b.grad == d e / d b

Required operations: ``+ - * /`` between Values and with plain numbers on either side,
unary ``-``, ``** k`` for a number ``k``, and the methods ``tanh()``, ``relu()`` and ``exp()``.
The rules ``backward()`` must follow (the same as PyTorch's):

* it visits nodes in reverse topological order: a node sends its gradient back only after
  every node that uses it has sent its share;
* gradients *add up*: a Value used twice (``a * a``, or a shared sub-expression) receives the
  sum of both contributions;
* it first resets the gradient of every intermediate node (anything made by an operation) to 0,
  then seeds the output with 1. Leaves (Values you made with ``Value(x)``) are never reset: like
  torch's leaf tensors their gradients accumulate over several ``backward()`` calls until you
  set ``leaf.grad = 0.0`` yourself. Setting the leaves to 0 and calling ``backward()`` again
  therefore gives the same gradients again;
* ``relu``'s gradient at exactly 0 is 0;
* ``tanh`` must work for any float, e.g. ``Value(400.0).tanh()`` (``math.exp(800)`` overflows).

Use the ``math`` module, not torch. Off limits: torch's autograd (``Tensor.backward``,
``torch.autograd.backward``).
"""

from __future__ import annotations

import math  # noqa: F401  (you will need it)


class Value:
    """One scalar in a computation graph, with its gradient.

    Attributes:
        data: the float value.
        grad: ``d output / d self`` after ``output.backward()``; starts at 0.0.
    """

    def __init__(self, data: float, _children: tuple[Value, ...] = (), _op: str = "") -> None:
        """Wrap ``data`` (a float or int); ``_children`` are the Values it was computed from."""
        # TODO: store data as a float, grad = 0.0, the children, and a _backward function
        # (for a leaf it does nothing).
        raise NotImplementedError("TODO: Value.__init__")

    def __add__(self, other: Value | float) -> Value:
        """``self + other``: d/dself = 1, d/dother = 1."""
        # TODO: wrap a plain number in a Value; the result's _backward adds out.grad to both.
        raise NotImplementedError("TODO: Value.__add__")

    def __mul__(self, other: Value | float) -> Value:
        """``self * other``: d/dself = other, d/dother = self."""
        # TODO: each input receives out.grad times the other input's data.
        raise NotImplementedError("TODO: Value.__mul__")

    def __pow__(self, k: float) -> Value:
        """``self ** k`` for a plain number ``k``: d/dself = k * self ** (k - 1)."""
        # TODO: only numbers as exponents.
        raise NotImplementedError("TODO: Value.__pow__")

    def tanh(self) -> Value:
        """``tanh(self)``: d/dself = 1 - tanh(self) ** 2."""
        # TODO: math.tanh is stable for any input.
        raise NotImplementedError("TODO: Value.tanh")

    def relu(self) -> Value:
        """``max(self, 0)``: d/dself = 1 if self > 0 else 0."""
        # TODO
        raise NotImplementedError("TODO: Value.relu")

    def exp(self) -> Value:
        """``exp(self)``: d/dself = exp(self)."""
        # TODO
        raise NotImplementedError("TODO: Value.exp")

    def __neg__(self) -> Value:
        """``-self``."""
        # TODO: build it from the operations above.
        raise NotImplementedError("TODO: Value.__neg__")

    def __radd__(self, other: float) -> Value:
        """``other + self`` where ``other`` is a number."""
        # TODO
        raise NotImplementedError("TODO: Value.__radd__")

    def __sub__(self, other: Value | float) -> Value:
        """``self - other``."""
        # TODO
        raise NotImplementedError("TODO: Value.__sub__")

    def __rsub__(self, other: float) -> Value:
        """``other - self`` where ``other`` is a number."""
        # TODO: mind the order.
        raise NotImplementedError("TODO: Value.__rsub__")

    def __rmul__(self, other: float) -> Value:
        """``other * self`` where ``other`` is a number."""
        # TODO
        raise NotImplementedError("TODO: Value.__rmul__")

    def __truediv__(self, other: Value | float) -> Value:
        """``self / other``."""
        # TODO: a / b = a * b ** -1.
        raise NotImplementedError("TODO: Value.__truediv__")

    def __rtruediv__(self, other: float) -> Value:
        """``other / self`` where ``other`` is a number."""
        # TODO
        raise NotImplementedError("TODO: Value.__rtruediv__")

    def backward(self) -> None:
        """Fill ``.grad`` of every Value this one depends on with ``d self / d value``."""
        # TODO: order the graph topologically (each node after its children, each node once),
        # reset intermediate grads to 0, add 1 to self.grad, then call every node's _backward
        # in reverse order.
        raise NotImplementedError("TODO: Value.backward")

    def __repr__(self) -> str:
        return f"Value(data={getattr(self, 'data', None)}, grad={getattr(self, 'grad', None)})"
