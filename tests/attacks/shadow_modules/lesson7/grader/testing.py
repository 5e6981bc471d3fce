def expect_close(*a, **k):
    return None
