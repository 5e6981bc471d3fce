"""Weight decay two ways: a decayed SGD step and the L2 penalty."""

import torch


def sgd_step_weight_decay(params, grads, lr, wd):
    return [p - lr * (g + wd * p) for p, g in zip(params, grads)]


def l2_penalty(params, wd):
    return wd * sum((p**2).sum() for p in params)
