"""The trusted pytest process: runs the hidden suites with the dlgrade plugin and writes the record of every check.

``main`` (the process), ``plugin`` (parametrizes suites over runs, fixtures, the record), ``client`` (the trusted
handle of the zygote and of each worker: start, call, time out, kill). Never imports learner code.
"""
