"""Batch grading speed: ``dlgrade grade --jobs J`` against N sequential ``dlgrade check`` runs.

Builds N synthetic submissions for a lesson (a mix of correct, unfinished and buggy files made from
the course's solutions, stubs and mutants), grades them both ways, checks that both agree on every
score, and prints the wall times, their ratio and the peak memory of the whole process tree.

    python benchmarks/grade_speed.py --n 100 --jobs 2
    python benchmarks/grade_speed.py --n 4 --check-ratio 0   # a smoke run
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.course.curriculum import load_course  # noqa: E402
from grader.course.mutants import load_mutants, mutate  # noqa: E402


def build_submissions(course_root: Path, lesson: str, n: int, dest: Path, seed: int = 0) -> list[str]:
    course = load_course(course_root)
    _, refs = course.select(lesson)
    rng = random.Random(seed)
    kinds = []
    for i in range(n):
        sub = dest / f"learner{i:03d}"
        shutil.copytree(course.root / course.data.paths.solutions / refs[0].lesson.id, sub / refs[0].lesson.id)
        roll = rng.random()
        for ref in refs:
            target = sub / ref.filename
            r = rng.random()
            if roll < 0.4 or r < 0.3:
                continue  # correct
            if r < 0.6:
                shutil.copy(ref.stub_path, target)
            else:
                mutants = load_mutants(ref)
                if mutants:
                    target.write_text(mutate(ref, rng.choice(mutants)))
        kinds.append(sub.name)
    return kinds


class PeakMemory:
    """Samples the summed RSS of this process's descendants."""

    def __init__(self) -> None:
        self.peak = 0
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _children(self) -> dict[int, list[int]]:
        tree: dict[int, list[int]] = {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            tree.setdefault(ppid, []).append(int(d))
        return tree

    def _rss(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        me = os.getpid()
        while not self.stop:
            tree = self._children()
            total, todo = 0, list(tree.get(me, []))
            while todo:
                p = todo.pop()
                total += self._rss(p)
                todo += tree.get(p, [])
            self.peak = max(self.peak, total)
            time.sleep(0.1)

    def __enter__(self) -> PeakMemory:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop = True
        self.thread.join()


def dlgrade(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, cwd=ROOT)


def grade_versus_checks(
    root: Path, lesson: str, n: int, jobs: int, sandbox: str, check_ratio: float = 0.0, max_peak_gib: float = 0.0
) -> bool:
    """Grade ``n`` synthetic submissions with ``grade --jobs`` and with ``n`` sequential checks; print the figures."""
    with tempfile.TemporaryDirectory(prefix="dlgrade-bench-") as tmp_s:
        tmp = Path(tmp_s)
        subs = tmp / "subs"
        subs.mkdir()
        names = build_submissions(root, lesson, n, subs)

        with PeakMemory() as mem_grade:
            t0 = time.monotonic()
            res = dlgrade(
                "--quiet", "grade", str(subs), "--lesson", lesson, "--jobs", str(jobs),
                "--out", str(tmp / "grades"), "--sandbox", sandbox,
            )  # fmt: skip
            grade_s = time.monotonic() - t0
        if res.returncode not in (0, 1):
            print(res.stdout, res.stderr, file=sys.stderr)
            return False
        book = {r["learner"]: float(r["total"]) for r in csv.DictReader((tmp / "grades" / "gradebook.csv").open())}

        with PeakMemory() as mem_seq:
            t0 = time.monotonic()
            seq: dict[str, float] = {}
            for name in names:
                r = dlgrade("check", lesson, "--workspace", str(subs / name), "--format", "json", "--sandbox", sandbox)
                seq[name] = json.loads(r.stdout)["score"]
            seq_s = time.monotonic() - t0

    agree = all(abs(book[x] - seq[x]) < 1e-6 for x in names)
    ratio = seq_s / grade_s
    print(f"submissions:                 {n} ({lesson}, sandbox {sandbox})")
    print(f"dlgrade grade --jobs {jobs}:      {grade_s:8.1f} s   peak memory {mem_grade.peak / 2**30:.2f} GiB")
    print(f"{n} sequential dlgrade check: {seq_s:8.1f} s   peak memory {mem_seq.peak / 2**30:.2f} GiB")
    print(f"ratio:                       {ratio:8.1f}x")
    print(f"scores agree:                {agree}")
    ok = agree
    if check_ratio and ratio < check_ratio:
        print(f"FAIL: grade is {ratio:.1f}x faster, below the required {check_ratio}x")
        ok = False
    if max_peak_gib and mem_grade.peak / 2**30 > max_peak_gib:
        print(f"FAIL: peak memory above {max_peak_gib} GiB")
        ok = False
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--lesson", default="lesson7")
    ap.add_argument("--sandbox", default="strict", choices=["strict", "portable"])
    ap.add_argument("--check-ratio", type=float, default=0.0, help="exit 1 if grade is not this many times faster")
    ap.add_argument("--max-peak-gib", type=float, default=0.0, help="exit 1 if peak memory exceeds this")
    args = ap.parse_args()
    ok = grade_versus_checks(ROOT, args.lesson, args.n, args.jobs, args.sandbox, args.check_ratio, args.max_peak_gib)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
