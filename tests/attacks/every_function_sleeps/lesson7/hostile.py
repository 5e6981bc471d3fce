import time


def act(*args, **kwargs):
    while True:
        time.sleep(3600)
