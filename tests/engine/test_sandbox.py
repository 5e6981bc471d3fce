"""grader/engine/untrusted/sandbox.py, proved from inside a real worker.

A learner module's scenario looks around (who it is, what it can write, see, reach and start) and returns what it
saw as plain data; each test checks one promise of one layer. The worker is forked by the real zygote and reached
through the real client, as root (what CI runs as) and as an unprivileged user (what learners run as: a forked
process that drops to uid 65534 first). The course is this repository, as it is for `dlgrade check`.
"""

from __future__ import annotations

import atexit
import ctypes
import functools
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
NOBODY = 65534
# What a real run hides: the runner's hidden_trees for the built-in course.
SECRETS = {
    "solution": REPO / "solutions" / "lesson7" / "softmax_ce.py",
    "suite": REPO / "grader" / "suites" / "lesson7" / "test_softmax_ce.py",
    "mutants": REPO / "mutants" / "lesson7" / "softmax_ce.yaml",
}
OUTSIDE = ("root", "course", "course_exercises", "python", "tmp", "home")  # write targets outside the copy
HIDDEN_TREES = [str(REPO / "solutions"), str(REPO / "mutants"), str(REPO / "grader" / "suites")]

LEARNER = """
import torch

def double(x):
    return x * 2
"""

# Runs inside the worker, after the sandbox: every answer is plain data.
OBSERVE = r"""
def observe(module, cfg):
    import ctypes, errno, os, signal, socket, time

    libc = ctypes.CDLL(None, use_errno=True)

    def err(exc):
        return errno.errorcode.get(exc.errno, str(exc.errno))

    def write(path):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            os.write(fd, b"written from the sandbox")
            os.close(fd)
            return "written"
        except OSError as exc:
            return err(exc)

    def read(path):
        try:
            with open(path, "rb") as fh:
                fh.read(1)
            return "read"
        except OSError as exc:
            return err(exc)

    out = {"uid": os.getuid(), "pid": os.getpid(), "cwd": os.getcwd()}
    out["namespaces"] = {n: os.readlink(f"/proc/self/ns/{n}") for n in ("ipc", "uts", "net", "mnt", "pid", "user")}
    # Everything under /tmp but inside the run's copy (it lives there, as the runner's copies do), the Python
    # installation and the course with the grader (bound back read-only when they live there, as a checkout in /tmp).
    import sys
    kept = {cfg["workdir"], cfg["course_root"]}
    kept |= {os.path.realpath(p) for p in [sys.prefix, sys.base_prefix, *sys.path] if p}
    out["kept"] = sorted(kept)
    out["tmp"] = []
    for dirpath, dirnames, filenames in os.walk("/tmp"):
        out["tmp"] += sorted(os.path.join(dirpath, n) for n in dirnames + filenames)
        dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) not in kept]
    out["writes"] = {k: write(p) for k, p in cfg["writes"].items()}
    out["reads"] = {k: read(p) for k, p in cfg["reads"].items()}
    try:
        libc.msgget.restype = ctypes.c_int
        qid = libc.msgget(ctypes.c_int(cfg["msg_key"]), 0)
        out["grader_queue"] = "found" if qid >= 0 else errno.errorcode[ctypes.get_errno()]
    except AttributeError:
        out["grader_queue"] = "no msgget"
    out["proc_pids"] = sorted(int(d) for d in os.listdir("/proc") if d.isdigit())
    out["grader_environ"] = {str(p): read(f"/proc/{p}/environ") for p in cfg["grader_pids"]}

    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", cfg["port"]))
        out["loopback"] = "connected"
    except OSError as exc:
        out["loopback"] = err(exc)
    finally:
        s.close()

    # Undoing the layers: as it is, and after entering a user and mount namespace of its own.
    def undo():
        res = {}
        res["umount_tmp"] = "ok" if libc.umount2(b"/tmp", 2) == 0 else errno.errorcode[ctypes.get_errno()]
        r = libc.mount(None, b"/", None, ctypes.c_ulong(32 | 4096), None)  # MS_REMOUNT | MS_BIND: read-write
        res["remount_root_rw"] = "ok" if r == 0 else errno.errorcode[ctypes.get_errno()]
        hidden = cfg["hidden"].encode()
        res["umount_hidden"] = "ok" if libc.umount2(hidden, 2) == 0 else errno.errorcode[ctypes.get_errno()]
        return res

    out["undo"] = undo()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            import json
            if libc.unshare(0x10000000 | 0x00020000) != 0:  # CLONE_NEWUSER | CLONE_NEWNS
                res = {"unshare": errno.errorcode[ctypes.get_errno()]}
            else:
                res = dict(undo(), unshare="ok")
                res["hidden_visible_after"] = os.path.exists(cfg["reads"]["solution"])
            os.write(w, json.dumps(res).encode())
        finally:
            os._exit(0)
    os.close(w)
    import json
    out["undo_nested"] = json.loads(os.read(r, 65536) or b"{}")
    os.close(r)
    os.waitpid(pid, 0)

    # The process cap: fork sleepers until the kernel says no (at most 100), then end them.
    kids, refused = [], None
    for _ in range(100):
        try:
            k = os.fork()
        except OSError as exc:
            refused = err(exc)
            break
        if k == 0:
            time.sleep(60)
            os._exit(0)
        kids.append(k)
    for k in kids:
        os.kill(k, signal.SIGKILL)
        os.waitpid(k, 0)
    out["forks"] = {"started": len(kids), "refused": refused}

    # An escape: a grandchild in a new session that ignores signals, named so the test can find it.
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                signal.signal(sig, signal.SIG_IGN)
            libc.prctl(15, cfg["token"].encode(), 0, 0, 0)  # PR_SET_NAME
            time.sleep(300)
        os._exit(0)
    time.sleep(0.3)
    return out
"""


def _observe(cfg: dict[str, Any]) -> dict[str, Any]:
    """Start a real zygote and worker, run OBSERVE in it, stop the worker, look for the escaped grandchild."""
    import socket

    from grader.engine.trusted.client import Worker, Zygote

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    # A System V message queue of the grader's: a worker with IPC of its own must not find it.
    libc = ctypes.CDLL(None, use_errno=True)
    msg_key = 0x5D000000 + os.getpid() % 0xFFFF
    queue = libc.msgget(ctypes.c_int(msg_key), 0o1000 | 0o666)  # IPC_CREAT
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": cfg["pythonpath"], "OMP_NUM_THREADS": "1"}
    zygote = Zygote(env)
    spec = {
        "workdir": cfg["workdir"],
        "module_path": os.path.join(cfg["workdir"], "lesson7", "softmax_ce.py"),
        "module_name": "softmax_ce",
        "tmpdir": cfg["workdir"],
        "env": {"PATH": "/usr/bin:/bin"},
        "memory_bytes": 2 * 1024**3,
        "cpu_seconds": 60,
        "file_bytes": 1 << 20,
        "max_files": 64,
        "max_procs": 64,
        "device": "cpu",
        "sandbox": cfg["mode"],
        "hidden_trees": cfg["hidden_trees"],
        "hidden_exact": [str(REPO)],
    }
    worker = Worker(zygote, spec, 30, 60)
    try:
        reply = worker.start()
        assert reply["ok"], reply
        scenario_cfg = {
            "writes": cfg["writes"],
            "reads": cfg["reads"],
            "hidden": cfg["hidden_trees"][0],
            "port": listener.getsockname()[1],
            "grader_pids": [os.getpid(), zygote.proc.pid],
            "token": cfg["token"],
            "msg_key": msg_key,
            "workdir": os.path.realpath(cfg["workdir"]),
            "course_root": cfg["course_root"],
        }
        got = worker.request({"op": "scenario", "source": OBSERVE, "function": "observe", "args": [scenario_cfg]}, "")
        assert got["ok"], got
        seen = dict(got["value"], layers=reply["value"]["sandbox"], workdir=scenario_cfg["workdir"])
    finally:
        worker.stop()
        zygote.close()
        listener.close()
        if queue >= 0:
            libc.msgctl(queue, 0, None)  # IPC_RMID
    seen["escaped_alive"] = _named(cfg["token"], wait=3.0)
    for pid in seen["escaped_alive"]:  # never leave it behind, whatever the outcome
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    return seen


def _named(token: str, wait: float) -> list[int]:
    """Processes whose name is ``token``, after up to ``wait`` seconds for them to go."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for d in Path("/proc").iterdir():
            try:
                if d.name.isdigit() and (d / "comm").read_text().strip() == token:
                    found.append(int(d.name))
            except OSError:
                continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


@functools.lru_cache(maxsize=2)
def _python_for(uid: int) -> tuple[str, str] | None:
    """An interpreter ``uid`` can run that imports torch and this checkout, and the PYTHONPATH it needs.

    This interpreter when ``uid`` can run it; else (root's Python living in root's 0700 home) a virtual environment
    of the system Python of the same version whose ``.pth`` file lists this environment's packages: what a learner
    has, an interpreter of their own that finds torch without PYTHONPATH (the grader sets its own).
    """
    site = sysconfig.get_paths()["purelib"]
    if _runs_as(uid, sys.executable, str(REPO)):
        return sys.executable, str(REPO)
    ver = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = shutil.which(ver, path="/usr/local/bin:/usr/bin:/bin")
    if system is None:
        return None
    venv = Path(tempfile.mkdtemp(prefix="dlgrade-test-python-"))
    atexit.register(shutil.rmtree, venv, True)
    made = subprocess.run([system, "-m", "venv", "--without-pip", str(venv)], capture_output=True, timeout=120)
    if made.returncode != 0:
        return None
    (Path(venv_site(venv)) / "dlgrade-test.pth").write_text(site + "\n")
    os.chmod(venv, 0o755)
    exe = str(venv / "bin" / "python")
    return (exe, str(REPO)) if _runs_as(uid, exe, str(REPO)) else None


def venv_site(venv: Path) -> str:
    return sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"]


def _runs_as(uid: int, exe: str, path: str) -> bool:
    try:
        ok = subprocess.run(
            [exe, "-c", "import torch, grader"],
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": path},
            user=uid if os.geteuid() == 0 else None,
            group=uid if os.geteuid() == 0 else None,
            extra_groups=[] if os.geteuid() == 0 else None,
            capture_output=True,
            timeout=120,
            cwd="/",
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return ok.returncode == 0


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason}; CI=true, so this sandbox test must run")
    pytest.skip(f"{reason} (a failure under CI=true)")


@pytest.fixture(scope="module", params=["portable-root", "strict-root", "portable-user", "strict-user"])
def seen(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """What a worker saw, per (mode, who runs the grader)."""
    mode, who = request.param.split("-")
    if not sys.platform.startswith("linux"):
        pytest.skip("the namespaces are Linux's")
    if who == "root" and os.geteuid() != 0:
        pytest.skip("runs as root only (CI does)")
    base = Path(tempfile.mkdtemp(prefix="dlgrade-sandbox-test-"))
    token = f"dlg{os.getpid() % 100000}{request.param[:1]}{who[:1]}"
    outside = REPO / f".sandbox-probe-{token}"  # a folder no cover hides: must stay unwritten
    try:
        work = base / "run"
        (work / "lesson7").mkdir(parents=True)
        (work / "lesson7" / "softmax_ce.py").write_text(LEARNER)
        home = base / "home"
        home.mkdir()
        cfg: dict[str, Any] = {
            "mode": mode,
            "workdir": str(work),
            "course_root": os.path.realpath(REPO),
            "hidden_trees": HIDDEN_TREES,
            "token": token,
            "writes": {
                "copy": str(work / "lesson7" / "out.txt"),
                "root": f"/{token}",
                "course": str(outside),
                "course_exercises": str(REPO / "exercises" / "lesson7" / token),
                "python": os.path.join(sysconfig.get_paths()["purelib"], token),
                "tmp": f"/tmp/{token}",
                "home": str(Path(os.path.expanduser("~")) / token),
            },
            "reads": {k: str(v) for k, v in SECRETS.items()} | {"curriculum": str(REPO / "curriculum.yaml")},
        }
        if who == "root":
            cfg["pythonpath"] = str(REPO)
            seen = _observe(cfg)
        else:
            uid = os.getuid() if os.geteuid() != 0 else NOBODY
            found = _python_for(uid)
            if found is None:
                _unavailable(f"no Python with torch that uid {uid} can run")
            assert found is not None
            exe, cfg["pythonpath"] = found
            if os.geteuid() == 0:
                for p in [base, *base.rglob("*")]:
                    os.chown(p, uid, uid)
            proc = subprocess.run(
                [exe, __file__, json.dumps(cfg)],
                env={"PATH": "/usr/bin:/bin", "PYTHONPATH": cfg["pythonpath"]},
                user=uid if os.geteuid() == 0 else None,
                group=uid if os.geteuid() == 0 else None,
                extra_groups=[] if os.geteuid() == 0 else None,
                capture_output=True,
                text=True,
                timeout=240,
                cwd="/",
            )
            assert proc.returncode == 0, proc.stderr[-3000:]
            seen = json.loads(proc.stdout.strip().splitlines()[-1])
            seen["runner_uid"] = uid
        seen.setdefault("runner_uid", os.getuid())
        seen["mode"], seen["who"] = mode, who
        seen["left_outside"] = sorted(
            k
            for k in ("root", "course", "course_exercises", "python", "tmp", "home")
            if Path(cfg["writes"][k]).exists()
        )
        seen["copy_written"] = (work / "lesson7" / "out.txt").exists()
        yield seen
    finally:
        for k in OUTSIDE:
            Path(cfg["writes"][k]).unlink(missing_ok=True)
        outside.unlink(missing_ok=True)
        shutil.rmtree(base, ignore_errors=True)


def _layer(seen: dict[str, Any], name: str) -> str:
    state = str(seen["layers"].get(name, ""))
    if not state.startswith("active"):
        from grader.engine.untrusted.sandbox import userns_blocker

        if seen["who"] == "user" and userns_blocker() is not None:
            _unavailable(f"this machine offers no {name} layer without root: {state}")
        pytest.fail(f"the {name} layer is not active: {state}")
    return state


# ---------------------------------------------------------------------- both modes


def test_the_copy_is_writable_and_nothing_else(seen: dict[str, Any]) -> None:
    _layer(seen, "filesystem")
    assert seen["writes"]["copy"] == "written" and seen["copy_written"]
    # Outside the private covers the system is read-only for root too (EROFS, not a permission error).
    for where in ("root", "course", "course_exercises", "python"):
        assert seen["writes"][where] == "EROFS", (where, seen["writes"])
    # /tmp and the home folder are private and thrown away: nothing lands on the machine.
    assert seen["left_outside"] == []


def test_tmp_starts_empty(seen: dict[str, Any]) -> None:
    _layer(seen, "filesystem")
    # Nothing but the run's copy, the Python installation when it lives there, and the folders leading to them.
    assert str(Path(seen["workdir"])) in seen["tmp"]
    for entry in seen["tmp"]:
        assert any(k == entry or Path(k).is_relative_to(entry) for k in seen["kept"]), entry
    assert seen["writes"]["tmp"] == "written"  # and it is usable


def test_solutions_suites_and_mutants_are_absent(seen: dict[str, Any]) -> None:
    _layer(seen, "filesystem")
    assert seen["reads"]["curriculum"] == "read"  # the course is there, read-only
    for what in SECRETS:
        assert seen["reads"][what] == "ENOENT", (what, seen["reads"])


def test_the_graders_processes_are_out_of_sight(seen: dict[str, Any]) -> None:
    _layer(seen, "pid")
    assert seen["pid"] == 1  # process 1 of a tree of its own
    for pid, got in seen["grader_environ"].items():
        assert got == "ENOENT", (pid, got)
    assert max(seen["proc_pids"]) < 50, seen["proc_pids"]  # only the worker's own few processes


def test_a_detached_grandchild_ends_with_the_worker(seen: dict[str, Any]) -> None:
    _layer(seen, "pid")
    assert seen["escaped_alive"] == []


def test_the_layers_cannot_be_undone(seen: dict[str, Any]) -> None:
    _layer(seen, "filesystem")
    assert seen["undo"] == {"umount_tmp": "EPERM", "remount_root_rw": "EPERM", "umount_hidden": "EPERM"}
    nested = seen["undo_nested"]
    if nested.get("unshare") == "ok":
        # In a namespace of its own the mounts it inherited are locked together.
        assert nested["umount_tmp"] == "EINVAL" and nested["umount_hidden"] == "EINVAL", nested
        assert nested["remount_root_rw"] == "EPERM", nested
        assert nested["hidden_visible_after"] is False
    else:
        assert nested["unshare"] in ("EPERM", "ENOSPC", "EUSERS"), nested


def test_the_process_cap_holds(seen: dict[str, Any]) -> None:
    if seen["mode"] == "portable" and seen["runner_uid"] == 0:
        assert seen["layers"]["processes"].startswith("not limited")  # said honestly: root ignores RLIMIT_NPROC
        return
    assert seen["forks"]["refused"] == "EAGAIN", seen["forks"]
    assert seen["forks"]["started"] < 64


# ---------------------------------------------------------------------- strict only


def test_strict_runs_under_a_uid_of_its_own(seen: dict[str, Any]) -> None:
    if seen["mode"] != "strict":
        assert seen["uid"] == seen["runner_uid"]  # portable keeps the user's uid, never root for a user
        return
    if seen["runner_uid"] != 0:
        assert seen["layers"]["user"].startswith("not running as root")
        assert seen["uid"] == seen["runner_uid"]
        return
    _layer(seen, "user")
    from grader.engine.untrusted.sandbox import UID_BASE

    assert seen["uid"] >= UID_BASE and seen["uid"] != seen["runner_uid"]


def test_strict_has_no_network_not_even_loopback(seen: dict[str, Any]) -> None:
    if seen["mode"] != "strict":
        assert seen["loopback"] == "connected"  # the portable layer does not promise this
        return
    _layer(seen, "network")
    assert seen["loopback"] in ("ENETUNREACH", "ECONNREFUSED", "EADDRNOTAVAIL"), seen["loopback"]


def test_each_namespace_is_its_own(seen: dict[str, Any]) -> None:
    ours = {n: os.readlink(f"/proc/self/ns/{n}") for n in seen["namespaces"]}
    differ = {n for n in ours if seen["namespaces"][n] != ours[n]}
    expected = {"mnt", "pid"} | ({"net", "ipc", "uts"} if seen["mode"] == "strict" else set())
    if not (seen["mode"] == "strict" and seen["runner_uid"] == 0):
        expected.add("user")  # without an own uid, the user namespace is what makes the others possible
    _layer(seen, "filesystem")
    assert differ == expected


def test_strict_private_ipc(seen: dict[str, Any]) -> None:
    if seen["mode"] != "strict":
        assert seen["grader_queue"] == "found"  # not promised by the portable layer
        return
    _layer(seen, "ipc")
    assert seen["grader_queue"] == "ENOENT"


def test_the_plan_keeps_the_python_installation_and_hides_the_course(tmp_path: Path) -> None:
    from grader.engine.untrusted.sandbox import plan

    site = os.path.realpath(sysconfig.get_paths()["purelib"])
    p = plan(
        {
            "workdir": str(tmp_path / "runs" / "r0"),
            "hidden_trees": HIDDEN_TREES,
            # The grader's parent may be the very site-packages torch lives in (a non-editable install).
            "hidden_exact": [str(REPO), site],
        }
    )
    assert "/tmp" in p.covers and str(tmp_path / "runs") not in p.covers  # already under /tmp's cover
    for needed in (os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix), site):
        assert any(needed == k or needed.startswith(k + "/") for k in p.keep) or not any(
            needed.startswith(c + "/") for c in p.covers
        ), (needed, p.keep)
    assert p.hidden == sorted(HIDDEN_TREES, key=len)


def test_mount_points_with_spaces_and_backslashes_are_read_back(tmp_path: Path) -> None:
    from grader.engine.untrusted import sandbox

    if not _active(sandbox.probe("portable"), "filesystem"):
        _unavailable("needs a mount namespace (user namespaces or root)")
    odd = tmp_path / "a b\\c\td✓"
    odd.mkdir()
    pid = os.fork()
    if pid == 0:
        try:
            if os.geteuid() == 0:
                sandbox._unshare(sandbox.CLONE_NEWNS)
            else:
                sandbox._enter_userns(sandbox.CLONE_NEWNS)
            sandbox._mount(None, "/", None, sandbox.MS_REC | sandbox.MS_PRIVATE)
            sandbox._mount("tmpfs", str(odd), "tmpfs", 0, "size=4k")
            os._exit(0 if str(odd) in sandbox._mount_points() else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def _active(layers: dict[str, str], name: str) -> bool:
    return str(layers.get(name, "")).startswith("active")


def _doctor_rows(stdout: str) -> dict[str, str]:
    return {line.split("│")[1].strip(): line for line in stdout.splitlines() if line.count("│") >= 3}


def test_doctor_lists_every_layer_of_both_modes() -> None:
    from tests.conftest import run_cli

    res = run_cli("doctor", env={"COLUMNS": "250"})
    assert res.code == 0, res.stderr
    rows = _doctor_rows(res.stdout)
    for name in ("process", "replies", "limits", "copy", "filesystem", "pid", "processes"):
        assert f"portable: {name}" in rows, sorted(rows)
    for name in ("user", "network", "filesystem", "ipc", "pid"):
        assert f"strict: {name}" in rows, sorted(rows)
    if sys.platform.startswith("linux") and os.geteuid() == 0:
        # As root every layer is there (CI's case); the doctor probed them, it did not assume them.
        for name in ("portable: filesystem", "portable: pid", "strict: user", "strict: network", "strict: filesystem"):
            assert "│ active" in rows[name], rows[name]
        assert "hidden" in rows["strict: filesystem"]


# ---------------------------------------------------------------------- a machine without user namespaces

# Runs as root: starts a user namespace that may hold no further one (user.max_user_namespaces = 0, as some
# distributions set it), becomes uid 65534 inside it and runs the command: a learner on such a machine.
NO_USERNS = r"""
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
go_r, go_w = os.pipe()
ready_r, ready_w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(go_w)
    os.close(ready_r)
    if libc.unshare(0x10000000) != 0:  # CLONE_NEWUSER
        os._exit(97)
    os.write(ready_w, b"1")
    os.read(go_r, 1)
    with open("/proc/sys/user/max_user_namespaces", "w") as fh:
        fh.write("0")
    os.setgroups([])
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)
    os.execve(sys.argv[1], sys.argv[1:], dict(os.environ))
os.close(go_r)
os.close(ready_w)
if os.read(ready_r, 1) != b"1":
    sys.exit(97)
for name in ("uid_map", "gid_map"):
    with open(f"/proc/{pid}/{name}", "w") as fh:
        fh.write("0 0 1\n65534 65534 1\n")
os.write(go_w, b"1")
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _without_userns(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    found = _python_for(NOBODY)
    if found is None:
        _unavailable(f"no Python with torch that uid {NOBODY} can run")
    assert found is not None
    exe, path = found
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": path, "NO_COLOR": "1", "COLUMNS": "250"}
    cmd = [sys.executable, "-c", NO_USERNS, exe, "-m", "grader", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.fixture
def as_root() -> None:
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("builds its user namespace as root (CI does)")


def test_without_user_namespaces_doctor_says_so(as_root: None) -> None:
    res = _without_userns("doctor", cwd=Path("/"))
    assert res.returncode == 0, res.stderr[-2000:]
    rows = _doctor_rows(res.stdout)
    assert "inactive" in rows["portable: filesystem"]
    assert "user.max_user_namespaces = 0" in rows["portable: filesystem"]
    assert "inactive" in rows["portable: pid"] and "inactive" in rows["strict: network"]
    assert "active" in rows["portable: limits"]  # what still holds is said too
    assert "read the course's solutions" in rows["portable: consequence"]


def test_without_user_namespaces_the_report_says_so_in_one_line(as_root: None) -> None:
    base = Path(tempfile.mkdtemp(prefix="dlgrade-nouserns-"))
    try:
        from tests.conftest import make_course

        course = make_course(base / "course", ["lesson7.softmax_ce"])
        shutil.copytree(course / "solutions", base / "ws")
        for p in [base, *base.rglob("*")]:
            os.chown(p, NOBODY, NOBODY)
        res = _without_userns(
            "check", "lesson7.softmax_ce", "--course", str(course), "--workspace", str(base / "ws"), "--format",
            "json", cwd=base,
        )  # fmt: skip
        assert res.returncode == 0, res.stderr[-2000:]
        line = json.loads(res.stdout)["sandbox"]
        assert "\n" not in line
        assert "no user namespace" in line and "user.max_user_namespaces = 0" in line
        assert "read the course's solutions" in line
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":  # the unprivileged run: this file, executed as the dropped user
    print(json.dumps(_observe(json.loads(sys.argv[1]))))
