import ctypes
import os
import signal
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for sig in range(1, signal.NSIG):
            try:
                signal.signal(sig, signal.SIG_IGN)
            except (OSError, ValueError):
                pass
        ctypes.CDLL(None).prctl(15, b"dlgrade-escape", 0, 0, 0)  # PR_SET_NAME: findable by the test
        time.sleep(3600)
    os._exit(0)


def act(*args, **kwargs):
    os._exit(3)  # every call ends its worker: each check starts (and imports) a new one, another escape
