import builtins
builtins.PWNED = True
