"""The wire format between the trusted grader and the learner worker.

Trusted -> worker messages are pickles: the worker trusts the grader. Worker -> trusted
messages are plain data only: a JSON header followed by raw tensor bytes, decoded with a
dtype allow-list and a byte count check. Nothing the worker sends is ever unpickled.

A frame is ``8-byte big-endian length`` + payload. A worker payload is
``4-byte header length`` + JSON header + concatenated tensor blobs.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import struct
from typing import Any

MAX_FRAME = 512 * 1024 * 1024  # 512 MiB: larger answers are refused, not read
MAX_DEPTH = 32

# dtype name -> itemsize. Only these cross the boundary.
DTYPES = {
    "float16": 2,
    "bfloat16": 2,
    "float32": 4,
    "float64": 8,
    "complex64": 8,
    "complex128": 16,
    "uint8": 1,
    "int8": 1,
    "int16": 2,
    "int32": 4,
    "int64": 8,
    "bool": 1,
}


class ProtocolError(Exception):
    """The other side sent something that is not a valid frame."""


def write_frame(fd: int, payload: bytes) -> None:
    data = struct.pack(">Q", len(payload)) + payload
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def read_exact(fd: int, n: int) -> bytes:
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError("connection closed")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> bytes:
    (size,) = struct.unpack(">Q", read_exact(fd, 8))
    if size > MAX_FRAME:
        raise ProtocolError(f"frame of {size} bytes exceeds the {MAX_FRAME} byte limit")
    return read_exact(fd, size)


# ---------------------------------------------------------------- trusted -> worker


def dump_request(obj: Any) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def load_request(payload: bytes) -> Any:
    return pickle.loads(payload)  # only ever called in the worker, on what the grader sent


# ---------------------------------------------------------------- worker -> trusted


def encode_reply(obj: Any) -> bytes:
    """Encode plain data (and tensors) as header + blobs. Runs in the worker."""
    import torch

    blobs: list[bytes] = []

    def enc(x: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise ValueError("value nested too deeply")
        if x is None or isinstance(x, (bool, str)):
            return x
        if isinstance(x, int):
            return x if abs(x) < 2**63 else {"$float": str(float(x))}
        if isinstance(x, float):
            return x if math.isfinite(x) else {"$float": repr(x)}
        if isinstance(x, torch.Tensor):
            t = x.detach()
            dtype = str(t.dtype).removeprefix("torch.")
            if dtype not in DTYPES:
                raise ValueError(f"tensors of dtype {dtype} cannot be returned")
            info = {
                "$tensor": len(blobs),
                "dtype": dtype,
                "shape": list(t.shape),
                "device": str(t.device),
                "pytype": type(x).__name__ if type(x) is not torch.Tensor else "Tensor",
                "requires_grad": bool(x.requires_grad),
            }
            if t.device.type == "meta":
                blobs.append(b"")
                info["meta"] = True
                return info
            flat = torch.Tensor.contiguous(torch.Tensor.cpu(torch.Tensor.reshape(t, (-1,))))
            if flat.numel():
                blobs.append(flat.view(torch.uint8).numpy().tobytes())
            else:
                blobs.append(b"")
            return info
        if isinstance(x, tuple):
            return {"$tuple": [enc(v, depth + 1) for v in x]}
        if isinstance(x, list):
            return [enc(v, depth + 1) for v in x]
        if isinstance(x, dict):
            return {"$dict": [[enc(k, depth + 1), enc(v, depth + 1)] for k, v in x.items()]}
        return {"$object": type(x).__name__, "repr": _safe_repr(x)}

    header = json.dumps(enc(obj, 0) if not isinstance(obj, dict) else _enc_top(obj, enc))
    hb = header.encode()
    return struct.pack(">I", len(hb)) + hb + b"".join(blobs)


def _enc_top(obj: dict, enc: Any) -> dict:
    # The top-level reply is a dict with string keys (the envelope); keep it readable.
    return {str(k): enc(v, 1) for k, v in obj.items()}


def _safe_repr(x: Any) -> str:
    try:
        return repr(x)[:200]
    except Exception:
        return "<unprintable>"


class ObjectValue:
    """A value of a type that cannot cross the boundary: only its type name survives."""

    def __init__(self, typename: str, text: str) -> None:
        self.typename = typename
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.typename} object>"


class TensorInfo:
    """What the worker claimed about a returned tensor, beside its checked values."""

    def __init__(self, pytype: str, device: str, requires_grad: bool) -> None:
        self.pytype = pytype
        self.device = device
        self.requires_grad = requires_grad


def decode_reply(payload: bytes, device: str | None = None) -> Any:
    """Decode a worker reply in the trusted process. Never unpickles anything.

    Tensors come back as fresh ``torch.Tensor`` objects. Their original device is kept in
    ``tensor_infos`` (keyed by ``id``) and the tensor is moved there when that device is
    usable here; a claimed non-plain type is recorded so the caller can refuse it.
    """
    import torch

    if len(payload) < 4:
        raise ProtocolError("reply shorter than its header")
    (hlen,) = struct.unpack(">I", payload[:4])
    if 4 + hlen > len(payload):
        raise ProtocolError("reply header length exceeds the reply")
    try:
        header = json.loads(payload[4 : 4 + hlen].decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"reply header is not JSON: {exc}") from None
    blob_area = memoryview(payload)[4 + hlen :]
    offset = 0
    expected_index = 0

    def dec(x: Any, depth: int) -> Any:
        nonlocal offset, expected_index
        if depth > MAX_DEPTH + 2:
            raise ProtocolError("reply nested too deeply")
        if x is None or isinstance(x, (bool, int, float, str)):
            return x
        if isinstance(x, list):
            return [dec(v, depth + 1) for v in x]
        if not isinstance(x, dict):
            raise ProtocolError("unexpected JSON value")
        if "$tensor" in x:
            dtype_name = x.get("dtype")
            if dtype_name not in DTYPES:
                raise ProtocolError(f"dtype {dtype_name!r} is not allowed")
            shape = x.get("shape")
            if not isinstance(shape, list) or not all(isinstance(s, int) and s >= 0 for s in shape):
                raise ProtocolError("bad tensor shape")
            if x.get("$tensor") != expected_index:
                raise ProtocolError("tensor blobs out of order")
            expected_index += 1
            numel = math.prod(shape)
            dtype = getattr(torch, dtype_name)
            claimed_device = str(x.get("device", "cpu"))
            if x.get("meta"):
                t = torch.empty(shape, dtype=dtype, device="meta")
            else:
                nbytes = numel * DTYPES[dtype_name]
                if offset + nbytes > len(blob_area):
                    raise ProtocolError("tensor bytes missing from reply")
                raw = bytearray(blob_area[offset : offset + nbytes])
                offset += nbytes
                if numel:
                    t = torch.frombuffer(raw, dtype=torch.uint8).view(dtype).reshape(shape)
                else:
                    t = torch.empty(shape, dtype=dtype)
                target = claimed_device if device is None else device
                if claimed_device.startswith("cuda") and torch.cuda.is_available():
                    t = t.to(claimed_device)
                elif target.startswith("cuda") and not claimed_device.startswith("cuda"):
                    pass  # stays on the CPU: the caller reports the device mismatch
            TENSOR_INFO[id(t)] = (
                t,
                TensorInfo(str(x.get("pytype", "Tensor")), claimed_device, bool(x.get("requires_grad"))),
            )
            return t
        if "$tuple" in x:
            return tuple(dec(v, depth + 1) for v in x["$tuple"])
        if "$dict" in x:
            out = {}
            for pair in x["$dict"]:
                k = dec(pair[0], depth + 1)
                if not isinstance(k, (str, int, float, bool, type(None), tuple)):
                    raise ProtocolError("unhashable dict key")
                out[k] = dec(pair[1], depth + 1)
            return out
        if "$float" in x:
            return float(x["$float"])
        if "$object" in x:
            return ObjectValue(str(x["$object"]), str(x.get("repr", "")))
        return {str(k): dec(v, depth + 1) for k, v in x.items()}

    result = dec(header, 0)
    if offset != len(blob_area):
        raise ProtocolError("reply carries bytes that belong to no tensor")
    return result


# id(tensor) -> (tensor, info). The tensor is kept alive so ids are not reused while the
# entry exists; entries are dropped by ``forget_tensors`` after each call is checked.
TENSOR_INFO: dict[int, tuple[Any, TensorInfo]] = {}


def tensor_info(t: Any) -> TensorInfo | None:
    entry = TENSOR_INFO.get(id(t))
    if entry is None or entry[0] is not t:
        return None
    return entry[1]


def forget_tensors() -> None:
    TENSOR_INFO.clear()
