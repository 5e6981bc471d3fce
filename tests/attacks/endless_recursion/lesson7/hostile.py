import sys

sys.setrecursionlimit(10**9)


def down(n):
    return down(n + 1) + 1


def act(*args, **kwargs):
    return down(0)
