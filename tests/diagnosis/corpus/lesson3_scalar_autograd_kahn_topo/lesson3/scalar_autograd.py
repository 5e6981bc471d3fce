"""A tiny scalar autograd engine.

Every operation (subtraction and division included) has its own local derivative instead of
being built from the others, and backward() orders the graph with Kahn's algorithm: a node
is processed once every node that uses it has sent its share.
"""

from __future__ import annotations

import math


def _wrap(v: Value | float) -> Value:
    return v if isinstance(v, Value) else Value(v)


class Value:
    def __init__(self, data: float, _children: tuple[Value, ...] = (), _op: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_children)
        self._op = _op
        self._backward = lambda: None

    def _unary(self, value: float, slope: float, op: str) -> Value:
        out = Value(value, (self,), op)

        def _backward() -> None:
            self.grad += slope * out.grad

        out._backward = _backward
        return out

    def _binary(self, other: Value, value: float, d_self: float, d_other: float, op: str) -> Value:
        out = Value(value, (self, other), op)

        def _backward() -> None:
            self.grad += d_self * out.grad
            other.grad += d_other * out.grad

        out._backward = _backward
        return out

    def __add__(self, other):
        other = _wrap(other)
        return self._binary(other, self.data + other.data, 1.0, 1.0, "+")

    def __radd__(self, other):
        return _wrap(other) + self

    def __sub__(self, other):
        other = _wrap(other)
        return self._binary(other, self.data - other.data, 1.0, -1.0, "-")

    def __rsub__(self, other):
        return _wrap(other) - self

    def __mul__(self, other):
        other = _wrap(other)
        return self._binary(other, self.data * other.data, other.data, self.data, "*")

    def __rmul__(self, other):
        return _wrap(other) * self

    def __truediv__(self, other):
        other = _wrap(other)
        q = self.data / other.data
        return self._binary(other, q, 1.0 / other.data, -q / other.data, "/")

    def __rtruediv__(self, other):
        return _wrap(other) / self

    def __neg__(self):
        return self._unary(-self.data, -1.0, "neg")

    def __pow__(self, k):
        if isinstance(k, Value):
            raise TypeError("only numbers as exponents")
        return self._unary(self.data**k, k * self.data ** (k - 1), f"**{k}")

    def tanh(self):
        t = math.tanh(self.data)
        return self._unary(t, 1.0 - t * t, "tanh")

    def relu(self):
        positive = self.data > 0
        return self._unary(self.data if positive else 0.0, 1.0 if positive else 0.0, "relu")

    def exp(self):
        e = math.exp(self.data)
        return self._unary(e, e, "exp")

    def backward(self) -> None:
        # collect the graph and count, for each node, how many parents (uses) it has
        nodes: dict[int, Value] = {}
        uses: dict[int, int] = {}
        todo = [self]
        while todo:
            node = todo.pop()
            if id(node) in nodes:
                continue
            nodes[id(node)] = node
            uses.setdefault(id(node), 0)
            for child in node._prev:
                uses[id(child)] = uses.get(id(child), 0) + 1
                todo.append(child)
        for node in nodes.values():
            if node._prev:
                node.grad = 0.0
        self.grad += 1.0
        ready = [self]
        while ready:
            node = ready.pop()
            node._backward()
            for child in node._prev:
                uses[id(child)] -= 1
                if uses[id(child)] == 0:
                    ready.append(child)

    def __repr__(self) -> str:
        return f"Value(data={getattr(self, 'data', None)}, grad={getattr(self, 'grad', None)})"
