"""Where file events cannot be trusted: the file system type of a folder, and whether to poll it instead."""

from __future__ import annotations

from pathlib import Path

# File systems whose changes made elsewhere (by the host, another machine) raise no inotify events here.
POLLED_FS = {
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "9p",
    "virtiofs",
    "vboxsf",
    "drvfs",
    "fakeowner",
    "vmhgfs",
    "prl_fs",
    "afs",
    "ceph",
    "glusterfs",
    "davfs",
}


def fs_type(path: Path, mounts: str | None = None) -> str | None:
    """The file system type of ``path`` (Linux, from /proc/mounts); None where unknown."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    target = str(path.resolve())
    best, best_len = None, -1
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mnt = parts[1].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")
        inside = target == mnt or target.startswith(mnt.rstrip("/") + "/")
        if inside and len(mnt) > best_len:
            best, best_len = parts[2], len(mnt)
    return best


def needs_polling(path: Path, mounts: str | None = None) -> bool:
    kind = fs_type(path, mounts)
    if kind is None:
        return False
    return kind in POLLED_FS or (kind.startswith("fuse.") and kind != "fuse.portal")
