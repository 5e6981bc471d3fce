def log_softmax(x, dim=-1):
    while True:
        pass


def softmax_cross_entropy(logits, target, reduction='mean'):
    while True:
        pass
