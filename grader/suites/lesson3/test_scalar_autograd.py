"""Hidden suite: lesson3.scalar_autograd.

Expressions are written as small programs: a list of steps, each making one node from
earlier nodes (by index) and numbers. The same program is built with the learner's Value in
the worker and with float64 torch tensors here, and the values and leaf gradients compared.
"""

import pytest
import torch

from grader.testing import expect_close

RTOL, ATOL = 1e-9, 1e-12

# One program per operation. ("leaf", x) makes Value(x); other steps name their operands.
SINGLE_OPS = {
    "add": [("leaf", 1.5), ("leaf", -2.0), ("add", 0, 1)],
    "sub": [("leaf", 1.5), ("leaf", -2.0), ("sub", 0, 1)],
    "mul": [("leaf", 1.5), ("leaf", -2.0), ("mul", 0, 1)],
    "div": [("leaf", 1.5), ("leaf", -2.0), ("div", 0, 1)],
    "pow_3": [("leaf", 1.7), ("pow", 0, 3)],
    "pow_minus_half": [("leaf", 1.7), ("pow", 0, -0.5)],
    "neg": [("leaf", 1.7), ("neg", 0)],
    "tanh": [("leaf", 0.8), ("tanh", 0)],
    "relu_positive": [("leaf", 0.8), ("relu", 0)],
    "relu_negative": [("leaf", -0.8), ("relu", 0)],
    "exp": [("leaf", 0.8), ("exp", 0)],
    "value_plus_number": [("leaf", 0.8), ("add_c", 0, 2.5)],
    "number_plus_value": [("leaf", 0.8), ("c_add", 2.5, 0)],
    "value_minus_number": [("leaf", 0.8), ("sub_c", 0, 2.5)],
    "number_minus_value": [("leaf", 0.8), ("c_sub", 2.5, 0)],
    "value_times_number": [("leaf", 0.8), ("mul_c", 0, -3.0)],
    "number_times_value": [("leaf", 0.8), ("c_mul", -3.0, 0)],
    "value_over_number": [("leaf", 0.8), ("div_c", 0, 4.0)],
    "number_over_value": [("leaf", 0.8), ("c_div", 4.0, 0)],
}

# The neuron of the classic micrograd example: tanh(x1*w1 + x2*w2 + b).
NEURON = [
    ("leaf", 2.0),
    ("leaf", 0.0),
    ("leaf", -3.0),
    ("leaf", 1.0),
    ("leaf", 6.8813735870195432),
    ("mul", 0, 2),
    ("mul", 1, 3),
    ("add", 5, 6),
    ("add", 7, 4),
    ("tanh", 8),
]

# Everything at once: c = a*b + 1.5; d = tanh(c**2) - a/b; e = relu(d) + exp(2*a); 0.5 + -(c * 3/(1 - e)).
EXPRESSION = [
    ("leaf", 0.6),
    ("leaf", -1.3),  # 0 a, 1 b
    ("mul", 0, 1),
    ("add_c", 2, 1.5),  # 2 a*b, 3 c = a*b + 1.5
    ("pow", 3, 2),
    ("tanh", 4),
    ("div", 0, 1),  # 4 c**2, 5 tanh(c**2), 6 a/b
    ("sub", 5, 6),
    ("relu", 7),  # 7 d, 8 relu(d)
    ("c_mul", 2.0, 0),
    ("exp", 9),
    ("add", 8, 10),  # 9 2*a, 10 exp(2a), 11 e
    ("c_sub", 1.0, 11),
    ("c_div", 3.0, 12),  # 12 1 - e, 13 3 / (1 - e)
    ("mul", 13, 3),
    ("neg", 14),
    ("c_add", 0.5, 15),  # 14 .. * c, 15 -(..), 16 0.5 + ..
]

# A Value used by several later nodes: gradients from every use must add up.
REUSED = [("leaf", 3.0), ("mul", 0, 0), ("add", 1, 0), ("mul", 2, 1)]  # b = a*a; c = b + a; d = c*b
DIAMOND = [
    ("leaf", 0.5),
    ("tanh", 0),
    ("mul_c", 1, 3.0),
    ("exp", 1),  # 1 b = tanh(a); 2 3b; 3 exp(b)
    ("mul", 2, 3),
    ("add", 4, 1),
    ("add", 5, 1),  # 4 3b*exp(b); 5 .. + b; 6 .. + b
]
# Two outputs sharing c = a*b: y1 = tanh(c) (node 3), y2 = 3c + a (node 5).
TWO_OUTPUTS = [("leaf", 0.4), ("leaf", -1.1), ("mul", 0, 1), ("tanh", 2), ("mul_c", 2, 3.0), ("add", 4, 0)]


def _evaluate(mod, program, backward_on=(-1,), zero_between=False):
    """Build ``program`` with the learner's Value, call backward() on the given nodes in turn,
    and return every node's data and the leaves' gradients after each backward()."""
    binary = {
        "add": lambda x, y: x + y,
        "sub": lambda x, y: x - y,
        "mul": lambda x, y: x * y,
        "div": lambda x, y: x / y,
    }
    with_number = {
        "add_c": lambda x, c: x + c,
        "sub_c": lambda x, c: x - c,
        "mul_c": lambda x, c: x * c,
        "div_c": lambda x, c: x / c,
        "pow": lambda x, c: x**c,
        "c_add": lambda c, x: c + x,
        "c_sub": lambda c, x: c - x,
        "c_mul": lambda c, x: c * x,
        "c_div": lambda c, x: c / x,
    }
    nodes, leaves = [], []
    for op, *args in program:
        if op == "leaf":
            node = mod.Value(args[0])
            leaves.append(node)
        elif op in binary:
            node = binary[op](nodes[args[0]], nodes[args[1]])
        elif op.startswith("c_"):
            node = with_number[op](args[0], nodes[args[1]])
        elif op in with_number:
            node = with_number[op](nodes[args[0]], args[1])
        elif op == "neg":
            node = -nodes[args[0]]
        else:
            node = getattr(nodes[args[0]], op)()
        if not isinstance(node, mod.Value):
            shown = "Value(...)" if op == "leaf" else f"the {op} step"
            raise TypeError(f"{shown} returned a {type(node).__name__}, not a Value")
        nodes.append(node)
    grads = []
    for index in backward_on:
        nodes[index].backward()
        grads.append([float(leaf.grad) for leaf in leaves])
        if zero_between:
            for leaf in leaves:
                leaf.grad = 0.0
    return {"data": [float(node.data) for node in nodes], "grads": grads}


def _apply_torch(op, args, nodes):
    ops = {
        "add": lambda x, y: x + y,
        "sub": lambda x, y: x - y,
        "mul": lambda x, y: x * y,
        "div": lambda x, y: x / y,
    }
    if op in ops:
        return ops[op](nodes[args[0]], nodes[args[1]])
    if op.startswith("c_"):
        c, x = args[0], nodes[args[1]]
        return {"c_add": c + x, "c_sub": c - x, "c_mul": c * x, "c_div": c / x}[op]
    x = nodes[args[0]]
    if op in ("add_c", "sub_c", "mul_c", "div_c", "pow"):
        c = args[1]
        return {"add_c": x + c, "sub_c": x - c, "mul_c": x * c, "div_c": x / c, "pow": x**c}[op]
    if op == "neg":
        return -x
    return getattr(x, op)()


def _reference(program, backward_on=(-1,), zero_between=False):
    nodes, leaves = [], []
    for op, *args in program:
        if op == "leaf":
            node = torch.tensor(float(args[0]), dtype=torch.float64, requires_grad=True)
            leaves.append(node)
        else:
            node = _apply_torch(op, args, nodes)
        nodes.append(node)
    grads = []
    for index in backward_on:
        nodes[index].backward(retain_graph=True)
        grads.append([0.0 if leaf.grad is None else float(leaf.grad) for leaf in leaves])
        if zero_between:
            for leaf in leaves:
                leaf.grad = None
    return {"data": [float(node.detach()) for node in nodes], "grads": grads}


def _compare(learner, program, what, backward_on=(-1,), zero_between=False, pass_names=None):
    got = learner.run(
        _evaluate,
        program,
        backward_on=backward_on,
        zero_between=zero_between,
        label="building expressions with Value, then backward()",
    )
    ref = _reference(program, backward_on, zero_between)
    for k, (g, r) in enumerate(zip(got["data"], ref["data"], strict=False)):
        op = program[k][0]
        expect_close(g, r, rtol=RTOL, atol=ATOL, name=f"{what}: .data of node {k} ({op})")
    pass_names = pass_names or ["after backward()", "after the second backward()"]
    for p, (gp, rp) in enumerate(zip(got["grads"], ref["grads"], strict=False)):
        for i, (g, r) in enumerate(zip(gp, rp, strict=False)):
            expect_close(
                g, r, rtol=RTOL, atol=ATOL, kind="wrong_gradient", name=f"{what}: .grad of leaf {i} {pass_names[p]}"
            )


@pytest.mark.parametrize("op", list(SINGLE_OPS))
def test_each_operation(learner, op):
    """each operation gives the right value and gradients"""
    _compare(learner, SINGLE_OPS[op], f"the {op} expression")


def test_neuron(learner):
    """the gradients of a tanh neuron match torch"""
    _compare(learner, NEURON, "tanh(x1*w1 + x2*w2 + b)")


def test_mixed_expression(learner):
    """a long expression mixing every operation matches torch"""
    _compare(learner, EXPRESSION, "the mixed expression")


def test_reused_value_accumulates(learner):
    """a Value used several times receives the sum of its gradients"""
    _compare(learner, REUSED, "b = a*a; c = b + a; d = c*b")
    _compare(learner, DIAMOND, "b = tanh(a); d = 3b*exp(b) + b + b")


def test_zero_then_backward_again(learner):
    """zeroing the leaves' grads and calling backward() again gives the same gradients"""
    _compare(
        learner,
        EXPRESSION,
        "the mixed expression",
        backward_on=(-1, -1),
        zero_between=True,
        pass_names=["after backward()", "after setting the leaves' grad to 0 and calling backward() again"],
    )


def test_leaf_gradients_accumulate(learner):
    """without zeroing, a second backward() adds to the leaves' grads (as in torch)"""
    _compare(learner, NEURON, "tanh(x1*w1 + x2*w2 + b)", backward_on=(-1, -1))


def test_two_outputs_share_a_subexpression(learner):
    """backward() on two outputs in turn adds both gradients into the shared leaves"""
    _compare(
        learner,
        TWO_OUTPUTS,
        "y1 = tanh(a*b) then y2 = 3*(a*b) + a",
        backward_on=(3, 5),
        pass_names=["after y1.backward()", "after y1.backward() then y2.backward()"],
    )


RELU_AT_ZERO = {
    "2 * relu(a) at a = 0": [("leaf", 0.0), ("relu", 0), ("mul_c", 1, 2.0)],
    "relu(a - b) at a = b = 1.5": [("leaf", 1.5), ("leaf", 1.5), ("sub", 0, 1), ("relu", 2)],
}


@pytest.mark.parametrize("what", list(RELU_AT_ZERO), ids=["relu(a)", "relu(a-b)"])
def test_relu_at_zero(learner, what):
    """relu's gradient at exactly 0 is 0, as in torch"""
    _compare(learner, RELU_AT_ZERO[what], what)


LARGE_TANH = {
    "tanh(a) at a = 400": [("leaf", 400.0), ("tanh", 0)],
    "tanh(50 * a) at a = 8": [("leaf", 8.0), ("mul_c", 0, 50.0), ("tanh", 1)],
    "tanh(50 * a) at a = -8": [("leaf", -8.0), ("mul_c", 0, 50.0), ("tanh", 1)],
}


@pytest.mark.parametrize("what", list(LARGE_TANH), ids=["tanh(400)", "tanh(50*8)", "tanh(-400)"])
def test_tanh_of_large_inputs(learner, what):
    """tanh works (and has slope 0) for inputs like 400 and -400"""
    _compare(learner, LARGE_TANH[what], what)


def test_does_not_use_builtin(learner):
    """does not call torch's autograd"""
    learner.check_forbidden()
