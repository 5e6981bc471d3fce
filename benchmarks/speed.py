"""How fast dlgrade answers, side by side in one run (the figures the README quotes).

    python benchmarks/speed.py                      # everything: startup, cold check, watch, grade
    python benchmarks/speed.py --only watch --saves 20
    python benchmarks/speed.py --only grade --n 100 --jobs 2

Sections:
- startup: ``dlgrade --help`` and ``dlgrade list`` (median of --repeat runs);
- cold: ``dlgrade check lesson7 --solutions`` against ``python -c "import torch"``, interleaved, median of --repeat;
- watch: the real ``dlgrade watch lesson7`` in a terminal; each save of ``lesson7/softmax_ce.py`` (alternately a
  correct and a buggy version) timed from the write to the line that says passed / not passed (median, p95);
- grade: ``dlgrade grade`` of --n synthetic lesson 7 submissions with --jobs against --n sequential ``dlgrade check``
  runs: wall times, their ratio, whether every score agrees, and the peak memory of the whole process tree.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from grade_speed import PeakMemory, grade_versus_checks  # noqa: E402


def timed(cmd: list[str], cwd: Path = ROOT) -> float:
    t0 = time.monotonic()
    subprocess.run(cmd, cwd=cwd, capture_output=True, check=False)
    return time.monotonic() - t0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def startup(repeat: int) -> None:
    dl = [sys.executable, "-m", "grader"]
    helps = [timed([*dl, "--help"]) for _ in range(repeat)]
    lists = [timed([*dl, "list"]) for _ in range(repeat)]
    print(f"dlgrade --help:                      median {statistics.median(helps):6.2f} s")
    print(f"dlgrade list:                        median {statistics.median(lists):6.2f} s")


def cold(repeat: int) -> None:
    torch_s, check_s = [], []
    for _ in range(repeat):  # interleaved, so both see the same machine
        torch_s.append(timed([sys.executable, "-c", "import torch"]))
        check_s.append(timed([sys.executable, "-m", "grader", "check", "lesson7", "--solutions"]))
    t, c = statistics.median(torch_s), statistics.median(check_s)
    print(f'python -c "import torch":            median {t:6.2f} s   ({", ".join(f"{x:.2f}" for x in torch_s)})')
    print(f"dlgrade check lesson7 --solutions:   median {c:6.2f} s   ({', '.join(f'{x:.2f}' for x in check_s)})")
    print(f"cold check / import torch:           {c / t:6.2f}x")


def watch(saves: int) -> None:
    import pexpect

    with tempfile.TemporaryDirectory(prefix="dlgrade-bench-watch-") as tmp_s:
        ws = Path(tmp_s) / "ws"
        subprocess.run([sys.executable, "-m", "grader", "init", str(ws)], cwd=ROOT, check=True, capture_output=True)
        good = (ROOT / "solutions" / "lesson7" / "softmax_ce.py").read_text()
        bad = good.replace("losses.mean()", "losses.sum()") if "losses.mean()" in good else good + "\nBROKEN = 1/0\n"
        target = ws / "lesson7" / "softmax_ce.py"
        env = dict(os.environ, NO_COLOR="1", COLUMNS="160")
        child = pexpect.spawn(
            sys.executable, ["-m", "grader", "watch", "lesson7"], cwd=str(ws), env=env, encoding="utf-8", timeout=120
        )
        child.expect("ready:")
        times: list[float] = []
        with PeakMemory() as mem:
            for i in range(saves):
                text = (good if i % 2 == 0 else bad) + f"\n# save {i}\n"
                time.sleep(0.3)  # a learner does not save twice in a third of a second
                t0 = time.monotonic()
                target.write_text(text)
                child.expect(r"lesson7\.softmax_ce (passed|not passed yet)")
                times.append(time.monotonic() - t0)
        child.send("q")
        child.expect(pexpect.EOF)
    print(f"watch: save to result ({saves} saves):  median {statistics.median(times):6.3f} s   p95 {p95(times):6.3f} s")
    print(f"       first save {times[0]:.3f} s, slowest {max(times):.3f} s; peak memory {mem.peak / 2**30:.2f} GiB")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=["startup", "cold", "watch", "grade"], action="append")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--saves", type=int, default=20)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--sandbox", default="strict", choices=["strict", "portable"])
    args = ap.parse_args()
    sections = args.only or ["startup", "cold", "watch", "grade"]
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    if "startup" in sections:
        startup(args.repeat)
    if "cold" in sections:
        cold(args.repeat)
    if "watch" in sections:
        watch(args.saves)
    if "grade" in sections:
        ok = grade_versus_checks(ROOT, "lesson7", args.n, args.jobs, args.sandbox)
        if not ok:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
