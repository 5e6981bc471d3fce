import os


def log_softmax(x, dim=-1):
    while True:
        os.write(2, b'e' * 65536)


softmax_cross_entropy = log_softmax
