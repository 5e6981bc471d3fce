def act(*args, **kwargs):
    while True:
        pass
