"""A tiny reverse-mode autograd engine for scalars, in the spirit of micrograd (reference solution)."""

from __future__ import annotations

import math


class Value:
    """One scalar in a computation graph, with its gradient."""

    def __init__(self, data: float, _children: tuple[Value, ...] = (), _op: str = "") -> None:
        """Wrap ``data`` (a float or int); ``_children`` are the Values it was computed from."""
        self.data = float(data)
        self.grad = 0.0
        # A leaf has nothing to send its gradient to; operations replace this closure.
        self._backward = lambda: None
        self._prev = tuple(_children)
        self._op = _op

    def __add__(self, other: Value | float) -> Value:
        """``self + other``: d/dself = 1, d/dother = 1."""
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            # += and not =: the same Value may feed several operations (a + a, or a shared
            # sub-expression) and must receive the sum of every contribution.
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        """``self * other``: d/dself = other, d/dother = self."""
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, k: float) -> Value:
        """``self ** k`` for a plain number ``k``: d/dself = k * self ** (k - 1)."""
        if not isinstance(k, (int, float)):
            raise TypeError("only numbers are supported as exponents")
        out = Value(self.data**k, (self,), f"**{k}")

        def _backward() -> None:
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        """``tanh(self)``: d/dself = 1 - tanh(self) ** 2."""
        # math.tanh saturates cleanly; the textbook (e^2x - 1) / (e^2x + 1) overflows past x ~ 355.
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward() -> None:
            # Expressed through the output t, the slope needs no second exp.
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def relu(self) -> Value:
        """``max(self, 0)``: d/dself = 1 if self > 0 else 0."""
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward() -> None:
            # Strictly positive only: at exactly 0 the slope is taken as 0, as torch does.
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad

        out._backward = _backward
        return out

    def exp(self) -> Value:
        """``exp(self)``: d/dself = exp(self)."""
        e = math.exp(self.data)
        out = Value(e, (self,), "exp")

        def _backward() -> None:
            self.grad += e * out.grad

        out._backward = _backward
        return out

    # The rest are built from the operations above, so they need no backward rule of their own.
    def __neg__(self) -> Value:
        """``-self``."""
        return self * -1

    def __radd__(self, other: float) -> Value:
        """``other + self`` where ``other`` is a number."""
        return self + other

    def __sub__(self, other: Value | float) -> Value:
        """``self - other``."""
        return self + (-other)

    def __rsub__(self, other: float) -> Value:
        """``other - self`` where ``other`` is a number."""
        return (-self) + other

    def __rmul__(self, other: float) -> Value:
        """``other * self`` where ``other`` is a number."""
        return self * other

    def __truediv__(self, other: Value | float) -> Value:
        """``self / other``."""
        other = other if isinstance(other, Value) else Value(other)
        return self * other**-1

    def __rtruediv__(self, other: float) -> Value:
        """``other / self`` where ``other`` is a number."""
        return Value(other) * self**-1

    def backward(self) -> None:
        """Fill ``.grad`` of every Value this one depends on with ``d self / d value``."""
        # Topological order: each node after all of its children, each node exactly once
        # (the visited set). Iterative, so a long chain cannot hit Python's recursion limit.
        topo: list[Value] = []
        visited: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                topo.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            for child in node._prev:
                if id(child) not in visited:
                    stack.append((child, False))
        # Intermediate grads belong to this backward pass only; stale values from an earlier
        # pass would be added in again. Leaves keep accumulating, as torch's leaf tensors do.
        for node in topo:
            if node._prev:
                node.grad = 0.0
        self.grad += 1.0
        # Reversed: a node's _backward runs only once every node that uses it has added its share.
        for node in reversed(topo):
            node._backward()

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"
