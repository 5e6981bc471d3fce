"""The vocabulary of check failures: every kind the feedback tells apart, with the words it shows.

A leaf module (imports nothing): the course (mutants' ``expect:``), the engine and the reports all speak it.
"""

# Every kind of failure the feedback tells apart.
KINDS = {
    "not_implemented": "not implemented yet",
    "missing_name": "missing name",
    "syntax_error": "syntax error",
    "import_error": "import error",
    "wrong_type": "wrong type",
    "wrong_shape": "wrong shape",
    "wrong_dtype": "wrong dtype",
    "wrong_device": "wrong device",
    "nan_inf": "NaN or inf",
    "wrong_values": "wrong values",
    "wrong_gradient": "wrong gradient",
    "modified_input": "input modified",
    "forbidden_api": "forbidden API used",
    "exception": "raised an exception",
    "timeout": "timeout",
    "crash": "crash",
    "exit": "exited early",
    "resource": "resource limit",
    "output_flood": "output flood",
    "protocol": "invalid reply",
    "internal": "grader error",
}
