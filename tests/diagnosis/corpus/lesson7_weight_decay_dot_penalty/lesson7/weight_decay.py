"""Weight decay two ways.

The step is written as a decay factor on the weight plus a gradient step (torch.add with
alpha); the penalty is a dot product of each flattened parameter with itself, stacked and
summed.
"""

import torch


def sgd_step_weight_decay(params, grads, lr, wd):
    out = []
    for p, g in zip(params, grads):
        out.append(torch.add(p * (1 - lr * wd), g, alpha=-lr))
    return out


def l2_penalty(params, wd):
    squares = torch.stack([torch.dot(p.reshape(-1), p.reshape(-1)) for p in params])
    return 0.5 * wd * squares.sum()
