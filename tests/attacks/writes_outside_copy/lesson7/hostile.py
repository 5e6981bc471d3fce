import os

# /tmp and the home folder first (a sandbox may give private ones), then the workspace and the course. No try:
# a refusal ends the import, and the feedback should name it.
for path in ["{TMP_MARK}", "{HOME_MARK}", "{WORKSPACE}/lesson7/written_by_learner.txt", "{COURSE}/written_by_learner.txt"]:
    with open(path, "a") as fh:
        fh.write(f"written by pid {os.getpid()}\n")


def act(*args, **kwargs):
    os._exit(3)  # whatever was written, earn nothing from the functions themselves
