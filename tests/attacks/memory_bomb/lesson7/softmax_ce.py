def log_softmax(x, dim=-1):
    hog = []
    while True:
        hog.append(bytearray(64 * 1024 * 1024))


def softmax_cross_entropy(logits, target, reduction='mean'):
    import torch
    return torch.empty(1 << 40)
