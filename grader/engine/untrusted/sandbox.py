"""Isolation for a forked learner worker, applied from inside the fork (no exec needed).

Two modes, each layer detected at run time and reported, so a machine without one still grades:

Portable (``check`` by default; no root needed). Where the kernel lets an ordinary user create a user namespace
(most Linux distributions do), the worker enters one with its own mount and process-id namespaces:
- ``filesystem``: every mount read-only; empty private ``/tmp``, ``/var/tmp``, ``/dev/shm``, ``/run`` and home
  folders; the course's solutions, suites and mutants and the grader's own folders hidden; only the workspace copy
  (writable) and the Python installation (read-only) bound back in.
- ``pid``: the learner module runs as process 1 of a process tree of its own, with its own ``/proc``: the grader's
  processes are out of sight, and when it ends the kernel ends every process it started, escaped sessions included.
- ``processes``: at most ``max_procs`` processes and threads (counted inside the namespace, so for a non-root user
  only; root ignores the limit).
Capabilities are dropped once the mounts are in place, so learner code cannot undo them (the kernel also locks
mounts handed to a less privileged namespace).

Strict (``grade``; ``--sandbox strict``). Everything above, plus:
- ``user``: when running as root, the worker switches to a fresh unprivileged uid of its own, so files with
  owner-only permissions (and other workers) are out of reach; every process of that uid is killed when the worker
  is stopped. Without root the worker keeps the user's uid inside a user namespace.
- ``network``: a new network namespace with no interface up: no connection leaves, not even to 127.0.0.1.
- ``ipc``: private System V IPC and hostname (IPC and UTS namespaces).

This is what bubblewrap does, done with the same kernel calls inside the already-warm fork, because a
bubblewrap launch would cost a fresh interpreter and a torch import per worker.

One cohesive module, though long: the layers, the kernel calls that enter them and the probe that reports them
(``dlgrade doctor``, the report's sandbox line) must agree, and the probe proves them by running ``apply`` itself.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import json
import os
import pwd
import re
import resource
import signal
import socket
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from typing import Any

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
# statvfs's ST_* flags carry the same values as these MS_* flags; a remount must keep the locked ones.
KEEP_FLAGS = MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME
MNT_DETACH = 2
PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
# SECBIT_NOROOT, SECBIT_NOROOT_LOCKED, SECBIT_NO_SETUID_FIXUP(_LOCKED), SECBIT_KEEP_CAPS_LOCKED:
# uid 0 inside the namespace never regains capabilities, not even through execve.
SECUREBITS = 0x01 | 0x02 | 0x04 | 0x08 | 0x20
CAPABILITY_VERSION_3 = 0x20080522
UID_BASE = 200000

PORTABLE_LAYERS = ("filesystem", "pid", "processes")
STRICT_LAYERS = ("user", "network", "filesystem", "ipc", "pid", "processes")
# Folders that may hold other people's files, sockets to services outside the sandbox, or the learner's
# own files: each gets an empty private tmpfs.
COVERED = ("/tmp", "/var/tmp", "/dev/shm", "/run", "/var/run", "/root", "/home")
NEVER_COVERED = {"/", "/usr", "/etc", "/bin", "/sbin", "/lib", "/lib64", "/proc", "/sys", "/dev", "/var"}

_libc: Any = None


def libc() -> Any:
    global _libc
    if _libc is None:
        try:  # glibc's name: no `ldconfig -p` run to look it up
            _libc = ctypes.CDLL("libc.so.6", use_errno=True)
        except OSError:  # musl and others
            _libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    return _libc


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(
        libc().mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def _unshare(flags: int) -> None:
    _check(libc().unshare(flags), "unshare")


def worker_uid(pid: int) -> int:
    return UID_BASE + pid % 100000


def _inside(path: str, roots: list[str] | set[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


# ---------------------------------------------------------------------- what the machine allows


def userns_blocker() -> str | None:
    """The setting that keeps this user from creating user namespaces, or None when no setting says so."""
    if os.geteuid() == 0:
        checks = [("/proc/sys/user/max_user_namespaces", "0", "user.max_user_namespaces = 0")]
    else:
        checks = [
            ("/proc/sys/kernel/unprivileged_userns_clone", "0", "kernel.unprivileged_userns_clone = 0"),
            ("/proc/sys/user/max_user_namespaces", "0", "user.max_user_namespaces = 0"),
            (
                "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
                "1",
                "AppArmor restricts them (kernel.apparmor_restrict_unprivileged_userns = 1)",
            ),
        ]
    for path, bad, words in checks:
        try:
            with open(path, encoding="ascii") as fh:
                if fh.read().strip() == bad:
                    return words
        except OSError:
            continue
    return None


# ---------------------------------------------------------------------- the filesystem plan


@dataclass
class Plan:
    """What the worker's mount namespace looks like."""

    workdir: str
    covers: list[str] = field(default_factory=list)  # empty writable tmpfs
    keep: list[str] = field(default_factory=list)  # bound back read-only when a cover hides them
    hidden: list[str] = field(default_factory=list)  # empty read-only tmpfs, laid last


def plan(spec: dict) -> Plan:
    workdir = os.path.realpath(spec["workdir"])
    hidden = [os.path.realpath(p) for p in spec.get("hidden_trees", [])]
    covers: list[str] = []
    homes = {os.path.expanduser("~")}
    try:
        homes.add(pwd.getpwuid(os.getuid()).pw_dir)
    except KeyError:
        pass
    parent = os.path.dirname(workdir)  # other runs of the same batch sit beside this one
    for c in [*COVERED, *sorted(homes), parent]:
        if not c or not os.path.isabs(c):
            continue
        try:
            real = os.path.realpath(c)
        except OSError:
            continue
        if real in NEVER_COVERED or _inside(real, [workdir]):
            continue
        if os.path.isdir(real) and real not in covers:
            covers.append(real)
    covers.sort(key=len)
    covers = [c for i, c in enumerate(covers) if not _inside(c, covers[:i])]
    keep: set[str] = set()
    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))]
    # The grader's own package: the worker runs its code (an editable install finds it without sys.path, so a
    # checkout under /tmp would be covered); its suites are among the hidden trees, hidden last.
    candidates.append(os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__)))))
    # Packages an import folder holds as links to folders elsewhere (a link farm, a shared install) go with it.
    for p in sys.path:
        try:
            with os.scandir(p) as entries:
                candidates += [os.path.realpath(e.path) for e in entries if e.is_symlink() and e.is_dir()]
        except OSError:
            continue
    for p in [*candidates, *sys.path]:
        if not p or not os.path.isabs(p):
            continue
        real = os.path.realpath(p)
        # ``hidden_exact`` (the course root, the grader's parent) is only kept off the import path: it may be the
        # site-packages torch lives in, and what it must hide is hidden by the covers laid last.
        if _inside(real, hidden) or _inside(real, [workdir]) or not os.path.isdir(real):
            continue
        if _inside(real, covers):
            keep.add(real)
    # A folder kept whole makes its sub-folders redundant.
    kept = sorted(keep, key=len)
    kept = [k for i, k in enumerate(kept) if not _inside(k, kept[:i])]
    return Plan(workdir=workdir, covers=covers, keep=kept, hidden=sorted(set(hidden), key=len))


def _mount_points() -> list[str]:
    points = []
    with open("/proc/self/mountinfo", "rb") as fh:
        for line in fh:
            parts = line.split(b" ")
            if len(parts) > 4:
                # mountinfo escapes space, tab, newline and backslash as three octal digits.
                raw = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), parts[4])
                points.append(os.fsdecode(raw))
    return sorted(set(points), key=lambda p: (p.count("/"), p))


def _remount(target: str, readonly: bool) -> None:
    flags = os.statvfs(target).f_flag & KEEP_FLAGS
    _mount(None, target, None, MS_REMOUNT | MS_BIND | flags | (MS_RDONLY if readonly else 0))


def build_filesystem(p: Plan) -> list[str]:
    """Lay out the mount namespace; return the mounts that could not be made read-only (outside the covers)."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    # Handles taken before anything is hidden (a bind from a handle needs no path that still resolves).
    fds: dict[str, int] = {}
    try:
        for k in [*p.keep, p.workdir]:
            try:
                fds[k] = os.open(k, os.O_PATH | os.O_DIRECTORY)
            except OSError:
                pass
        failed = []
        for point in _mount_points():
            try:
                _remount(point, readonly=True)
            except OSError as exc:
                if not _inside(point, p.covers):
                    failed.append(f"{point} ({os.strerror(exc.errno or 0)})")
        for c in p.covers:
            try:
                _mount("tmpfs", c, "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
            except OSError as exc:
                failed.append(f"{c} not covered ({os.strerror(exc.errno or 0)})")
        for k in p.keep:
            if k in fds:
                _bind(fds[k], k, readonly=True)
        if p.workdir not in fds:
            raise OSError(errno.ENOENT, f"the workspace copy {p.workdir} cannot be opened")
        _bind(fds[p.workdir], p.workdir, readonly=False)
    finally:
        for fd in fds.values():
            os.close(fd)
    for h in p.hidden:
        if os.path.isdir(h) and not _inside(p.workdir, [h]):
            _mount("tmpfs", h, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "size=4k,mode=0555")
    return failed


def _bind(fd: int, target: str, readonly: bool) -> None:
    os.makedirs(target, exist_ok=True)
    _mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC)
    _remount(target, readonly)


# ---------------------------------------------------------------------- privileges


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> None:
    """Give up every capability for good (inside a user namespace the creator holds them all)."""
    try:
        with open("/proc/sys/kernel/cap_last_cap", encoding="ascii") as fh:
            last = int(fh.read())
    except (OSError, ValueError):
        last = 63
    lib = libc()
    lib.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    for cap in range(last + 1):
        lib.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    lib.prctl(PR_SET_SECUREBITS, SECUREBITS, 0, 0, 0)
    header = _CapHeader(CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(lib.capset(ctypes.byref(header), data), "capset")


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as fh:
        fh.write(text)


def _enter_userns(flags: int) -> None:
    uid, gid = os.getuid(), os.getgid()
    _unshare(CLONE_NEWUSER | flags)
    # The same ids inside as outside: learner code sees its own uid, never root (root stays 0).
    try:
        _write("/proc/self/setgroups", "deny")
    except OSError:
        pass
    _write("/proc/self/uid_map", f"{uid} {uid} 1\n")
    _write("/proc/self/gid_map", f"{gid} {gid} 1\n")


# ---------------------------------------------------------------------- the process tree


def _relay(child: int, spec: dict) -> None:
    """The worker's first process, outside the new process-id namespace: end as its only child ends."""
    try:
        os.closerange(0, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    except (OSError, ValueError):
        os.closerange(0, 1024)
    while True:
        try:
            _, status, usage = os.wait4(child, 0)
            break
        except InterruptedError:
            continue
        except ChildProcessError:
            os._exit(70)
    if os.WIFEXITED(status):
        os._exit(os.WEXITSTATUS(status))
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else signal.SIGKILL
    # As process 1 of its namespace the child is spared SIGXCPU (only the hard limit's SIGKILL reaches it):
    # say what the kernel meant.
    cpu = spec.get("cpu_seconds")
    if sig == signal.SIGKILL and cpu and usage.ru_utime + usage.ru_stime >= float(cpu) - 0.5:
        sig = signal.SIGXCPU
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (OSError, ValueError):
        pass
    signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
    os.kill(os.getpid(), sig)
    os._exit(128 + sig)


def _fork_into_pidns(spec: dict) -> None:
    """Fork; the parent relays the child's end and never returns, the child is process 1 of the namespace."""
    pid = os.fork()
    if pid:
        _relay(pid, spec)
    libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _mount_proc() -> str:
    try:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY)
        return "active (process 1 of its own tree, its own /proc)"
    except OSError as exc:
        return f"active (its own process tree; /proc still shows the machine's: {os.strerror(exc.errno or 0)})"


# ---------------------------------------------------------------------- entering the sandbox


def apply(spec: dict) -> dict[str, str]:
    """Enter every layer the mode asks for and the machine allows. Runs in the forked child.

    Returns {layer: "active ..." | reason it is not}. When a process-id namespace is entered the calling process
    forks: the parent stays outside to relay the child's end and never returns from this call.
    """
    mode = spec.get("sandbox", "portable")
    layers = STRICT_LAYERS if mode == "strict" else PORTABLE_LAYERS
    if not sys.platform.startswith("linux"):
        return {k: f"not available on {sys.platform}" for k in layers}
    status: dict[str, str] = {}
    root = os.geteuid() == 0
    own_uid = worker_uid(os.getpid()) if mode == "strict" and root else None
    the_plan = plan(spec)
    if own_uid is not None:
        _give_copy_to(the_plan.workdir, own_uid)
    flags = CLONE_NEWNS | CLONE_NEWPID
    if mode == "strict":
        flags |= CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    userns = own_uid is None
    entered = False
    try:
        if userns:
            _enter_userns(flags)
        else:
            _unshare(flags)
        entered = True
    except OSError as exc:
        why = os.strerror(exc.errno or 0)
        blocker = userns_blocker() if userns else None
        reason = f"unavailable: no user namespace ({why}{'; ' + blocker if blocker else ''})"
        if not userns:
            reason = f"unavailable ({why})"
        for k in layers:
            status[k] = reason
    if entered:
        if mode == "strict":
            status["network"] = "active (no interface up, not even loopback)"
            status["ipc"] = "active (private System V IPC and hostname)"
        _fork_into_pidns(spec)
        try:
            failed = build_filesystem(the_plan)
            hidden = "solutions, suites and mutants hidden" if the_plan.hidden else "nothing to hide"
            status["filesystem"] = f"active (read-only system, private /tmp and home, {hidden})"
            if failed:
                status["filesystem"] += "; still writable: " + ", ".join(failed)
        except OSError as exc:
            status["filesystem"] = f"unavailable ({exc.strerror or exc})"
        status["pid"] = _mount_proc()
    os.chdir(spec.get("cwd", the_plan.workdir))
    if own_uid is not None:
        try:
            os.setgroups([])
            os.setresgid(own_uid, own_uid, own_uid)
            os.setresuid(own_uid, own_uid, own_uid)
            status["user"] = f"active (uid {own_uid})"
            if spec.get("max_procs"):
                status["processes"] = f"active (at most {int(spec['max_procs'])} processes and threads of its uid)"
        except OSError as exc:
            status["user"] = f"unavailable ({exc.strerror})"
    elif mode == "strict":
        status["user"] = "not running as root: no uid of its own" + (
            " (the user's uid, inside a user namespace)" if entered else ""
        )
    if entered and userns:
        max_procs = spec.get("max_procs")
        if root:
            status["processes"] = "not limited (root ignores the process limit)"
        elif max_procs:
            # Counted per user namespace: this caps the worker's own processes, not the user's others.
            resource.setrlimit(resource.RLIMIT_NPROC, (int(max_procs), int(max_procs)))
            status["processes"] = f"active (at most {int(max_procs)} processes and threads)"
        else:
            status["processes"] = "not limited"
        try:
            drop_capabilities()
        except OSError as exc:
            status["filesystem"] = f"unavailable (capabilities could not be dropped: {exc.strerror})"
    elif mode == "portable" and "processes" not in status:
        status["processes"] = "not limited (no user namespace to count them in)"
    libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    return status


def _give_copy_to(workdir: str, uid: int) -> None:
    """The copy becomes the worker's own before privileges go (strict, as root)."""
    for dirpath, dirnames, filenames in os.walk(workdir):
        for name in [*dirnames, *filenames]:
            try:
                os.lchown(os.path.join(dirpath, name), uid, uid)
            except OSError:
                pass
    os.chown(workdir, uid, uid)
    parent = os.path.dirname(workdir)
    while parent and parent != "/":  # let the worker reach its copy through 0700 temp folders
        try:
            st = os.stat(parent)
            if not st.st_mode & 0o001:
                os.chmod(parent, st.st_mode | 0o001)
        except OSError:
            break
        parent = os.path.dirname(parent)


def reap_uid(uid: int) -> None:
    """Kill every process of ``uid`` (a stopped worker's escaped children). Runs in a throwaway fork."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            for _ in range(3):
                try:
                    os.kill(-1, 9)
                except OSError:
                    break
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


# ---------------------------------------------------------------------- reporting


def _self_test(status: dict[str, str], copy: str, secret: str) -> None:
    """Check in the probe that the layers reported active hold."""
    if str(status.get("network", "")).startswith("active"):
        try:
            socket.create_connection(("127.0.0.1", 9), timeout=0.5).close()
            status["network"] = "NOT isolated: a loopback connection succeeded"
        except OSError:
            pass
    if str(status.get("filesystem", "")).startswith("active"):
        target = os.path.join(os.path.realpath(sys.prefix), f".dlgrade-probe-{os.getpid()}")
        try:
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
            os.unlink(target)
            status["filesystem"] = f"NOT isolated: {sys.prefix} is writable"
        except OSError as exc:
            if exc.errno != errno.EROFS:
                status["filesystem"] += f" (a write outside the copy gave {errno.errorcode.get(exc.errno or 0)})"
        if os.path.exists(secret):
            status["filesystem"] = "NOT isolated: a hidden folder is still visible"
        try:
            with open(os.path.join(copy, "probe"), "w", encoding="ascii") as fh:
                fh.write("ok")
        except OSError as exc:
            status["filesystem"] = f"NOT usable: the copy is not writable ({exc.strerror})"


@functools.lru_cache(maxsize=2)
def probe(mode: str = "strict") -> dict[str, str]:
    """Apply the layers of ``mode`` in a throwaway fork and report what took effect."""
    layers = STRICT_LAYERS if mode == "strict" else PORTABLE_LAYERS
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return {k: f"not available on {sys.platform}" for k in layers}
    libc()  # find the C library before forking (it may run a helper program)
    with tempfile.TemporaryDirectory(prefix="dlgrade-doctor-") as tmp:
        # A copy to work in and a folder standing for the course's solutions, suites and mutants.
        copy, hidden = os.path.join(tmp, "copy"), os.path.join(tmp, "solutions")
        os.mkdir(copy)
        os.mkdir(hidden)
        secret = os.path.join(hidden, "solution.py")
        with open(secret, "w", encoding="ascii") as fh:
            fh.write("SECRET = 1\n")
        r, w = os.pipe()
        with warnings.catch_warnings():
            # A watching CLI may hold threads; the child only makes system calls and exits.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                spec = {"workdir": copy, "hidden_trees": [hidden], "cwd": copy, "sandbox": mode, "max_procs": 64}
                status = apply(spec)
                _self_test(status, copy, secret)
                os.write(w, json.dumps(status).encode())
            except BaseException as exc:  # report, never crash the doctor
                os.write(w, json.dumps({"error": str(exc)}).encode())
            os._exit(0)
        os.close(w)
        data = b""
        while chunk := os.read(r, 65536):
            data += chunk
        os.close(r)
        os.waitpid(pid, 0)
    try:
        result: dict[str, str] = json.loads(data or b"{}")
    except ValueError:
        result = {"error": "the probe returned nothing"}
    return result


@functools.lru_cache(maxsize=4)
def describe(mode: str) -> str:
    """One line on the isolation in force, said once per run (``mode``: portable or strict)."""
    base = "separate process, limits, plain-data replies"
    layers = probe(mode)
    if "error" in layers:
        return f"{mode} ({base}); the namespaces could not be checked here: {layers['error']}"
    active = [k for k, v in layers.items() if str(v).startswith("active")]
    missing = {k: v for k, v in layers.items() if not str(v).startswith("active")}
    if mode != "strict":
        if "filesystem" not in active:
            why = str(missing.get("filesystem", "unavailable")).removeprefix("unavailable").strip(" :")
            return (
                f"portable ({base}); {why or 'no user namespace'}: learner code can write wherever you can "
                "and read the course's solutions"
            )
        extra = ", own process tree" if "pid" in active else ""
        return f"portable ({base}; read-only system, private /tmp, course solutions hidden{extra})"
    text = "strict (" + ", ".join(active) + ")" if active else "strict requested"
    if missing:
        text += "; not active here: " + "; ".join(f"{k}: {v}" for k, v in missing.items())
        text += " (portable protections still apply)"
    return text
