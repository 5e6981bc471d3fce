"""Adam, written the way torch.optim.Adam organises the arithmetic.

Instead of forming m_hat and v_hat, the bias corrections are folded into a step size
lr / (1 - beta1^t) and a denominator sqrt(v) / sqrt(1 - beta2^t) + eps, and the update is a
single addcdiv_. State lives in a dict keyed by the parameter's position.
"""

import math
from collections.abc import Iterable

import torch


class Adam:
    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        self.params = [p for p in params]
        self.defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay}
        self.state: dict[int, dict] = {}

    def step(self) -> None:
        lr = self.defaults["lr"]
        beta1, beta2 = self.defaults["betas"]
        eps = self.defaults["eps"]
        wd = self.defaults["weight_decay"]
        with torch.no_grad():
            for idx, p in enumerate(self.params):
                grad = p.grad
                if grad is None:
                    continue
                if wd:
                    grad = grad.add(p, alpha=wd)
                state = self.state.setdefault(
                    idx, {"step": 0, "exp_avg": torch.zeros_like(p), "exp_avg_sq": torch.zeros_like(p)}
                )
                state["step"] += 1
                step = state["step"]
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg.lerp_(grad, 1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                step_size = lr / bias_correction1
                denom = (exp_avg_sq.sqrt() / math.sqrt(bias_correction2)).add_(eps)
                p.addcdiv_(exp_avg, denom, value=-step_size)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None
