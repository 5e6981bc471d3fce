"""Weight decay two ways: a decayed SGD step and the L2 penalty."""

import torch


def sgd_step_weight_decay(params, grads, lr, wd):
    new_params = []
    with torch.no_grad():
        for p, g in zip(params, grads):
            p.sub_(lr * (g + wd * p))
            new_params.append(p)
    return new_params


def l2_penalty(params, wd):
    return wd / 2 * sum((p**2).sum() for p in params)
