"""A class's submissions: one folder or ``.zip`` per learner, found, fingerprinted, unpacked safely and laid out
like a workspace (``lesson7/softmax_ce.py``) whether the learner handed in that layout or the bare files."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError

MAX_ZIP_BYTES = 64 * 1024 * 1024
MAX_ZIP_FILES = 2000


@dataclass
class Submission:
    name: str
    path: Path  # a folder, or a .zip file
    fingerprint: str = ""


def find_submissions(root: Path) -> list[Submission]:
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder", fix="pass the folder that holds one subfolder or .zip per learner")
    subs = []
    for p in sorted(root.iterdir()):
        if p.name.startswith("."):
            continue
        if p.is_dir() and not p.is_symlink():
            subs.append(Submission(p.name, p))
        elif p.is_file() and p.suffix == ".zip":
            subs.append(Submission(p.stem, p))
    names = [s.name for s in subs]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise UsageError(
            f"two submissions are named {sorted(dupes)[0]!r} (a folder and a .zip?)",
            file=str(root),
            fix="keep one of them",
        )
    for s in subs:
        s.fingerprint = fingerprint(s.path)
    return subs


def fingerprint(path: Path) -> str:
    h = hashlib.sha256()
    if path.is_file():
        h.update(path.read_bytes())
        return h.hexdigest()[:16]
    for p in sorted(path.rglob("*")):
        if p.is_file() and not p.is_symlink() and "__pycache__" not in p.parts and ".dlgrade" not in p.parts:
            h.update(p.relative_to(path).as_posix().encode() + b"\0")
            try:
                h.update(p.read_bytes())
            except OSError:
                pass
    return h.hexdigest()[:16]


def extract_zip(src: Path, dest: Path) -> Path:
    """Unpack a submission .zip safely (no absolute paths, no '..', no links, bounded size)."""
    try:
        zf = zipfile.ZipFile(src)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValueError(f"{src.name} is not a readable zip file ({exc})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_FILES or sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
            raise ValueError(f"{src.name} is too large to grade")
        for info in infos:
            name = info.filename
            if name.startswith("/") or ".." in Path(name).parts or (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise ValueError(f"{src.name} holds an unsafe path: {name}")
        zf.extractall(dest)
    return dest


def _visible(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if not p.name.startswith((".", "__MACOSX", "__pycache__"))]


def arrange(root: Path, filenames: Sequence[str], staging: Path) -> Path:
    """The workspace to grade for a submission unpacked at ``root``, given the exercise files the grader looks for
    (``lesson7/softmax_ce.py``, relative to a workspace).

    Learners hand in either the workspace layout (``lesson7/softmax_ce.py``) or the bare files (``softmax_ce.py``),
    each at the top or inside one folder (a zip of a folder, an upload of a folder). The layout is graded where it
    is; bare files are copied into that layout under ``staging``. Nothing found: ``root`` itself, so each missing
    file is reported as missing.
    """
    places = [root]
    top = _visible(root) if root.is_dir() else []
    if len(top) == 1 and top[0].is_dir() and not top[0].is_symlink():
        places.append(top[0])
    for place in places:
        if any((place / f).is_file() for f in filenames):
            return place
    for place in places:
        if any((place / Path(f).name).is_file() for f in filenames):
            for folder in sorted({Path(f).parent for f in filenames}):
                # The learner's other files (helpers their modules import) travel with them.
                shutil.copytree(place, staging / folder, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
            return staging
    return root
