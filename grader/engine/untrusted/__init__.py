"""Where learner code runs, and nowhere else.

``zygote`` (imports torch once, forks a worker per request), ``worker`` (imports one learner module in a fresh
fork and answers requests with plain data), ``sandbox`` (the strict layers: own uid, namespaces, read-only system),
``tripwires`` (forbidden built-ins noted when called), ``probe`` (the meta-device probe for CPU-made tensors).
May import ``grader.engine.protocol`` only; everything here assumes the code it runs is hostile.
"""
