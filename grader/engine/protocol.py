"""The wire between the trusted side and the learner worker, both ends.

Every message on every channel (the zygote's control socket, a worker's request socket) is a *frame*:
``8-byte big-endian length`` + payload, sent and read by :class:`Channel` only.

Trusted -> worker payloads are pickles: the worker trusts the grader. Worker -> trusted payloads are plain data
only: a JSON header followed by raw tensor bytes, decoded with a dtype allow-list and a byte count check. Nothing
the worker sends is ever unpickled. A worker payload is ``4-byte header length`` + JSON header + tensor blobs.
"""

from __future__ import annotations

import io
import json
import math
import pickle
import socket
import struct
import time
from typing import Any

MAX_FRAME = 512 * 1024 * 1024  # 512 MiB: larger answers are refused, not read
MAX_DEPTH = 32
_LEN = struct.Struct(">Q")

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


class Channel:
    """Frames over a connected socket. ``recv`` may wait until a deadline and may collect passed file descriptors.

    Raises ``EOFError`` when the other side is gone, ``TimeoutError`` at the deadline and ``ProtocolError`` for a
    frame over ``max_frame`` bytes.
    """

    def __init__(self, sock: socket.socket, max_frame: int = MAX_FRAME) -> None:
        self.sock = sock
        self.max_frame = max_frame

    def fileno(self) -> int:
        return self.sock.fileno()

    def close(self) -> None:
        self.sock.close()

    def send(self, payload: bytes, fds: list[int] | None = None, timeout: float | None = None) -> None:
        data = _LEN.pack(len(payload)) + payload
        self.sock.settimeout(timeout)
        if fds:
            sent = socket.send_fds(self.sock, [data], fds)
            data = data[sent:]
        if data:
            self.sock.sendall(data)

    def recv(self, deadline: float | None = None) -> bytes:
        return self.recv_fds(deadline)[0]

    def recv_fds(self, deadline: float | None = None, maxfds: int = 0) -> tuple[bytes, list[int]]:
        fds: list[int] = []
        header = self._exact(_LEN.size, deadline, fds, maxfds)
        (size,) = _LEN.unpack(header)
        if size > self.max_frame:
            raise ProtocolError(f"frame of {size} bytes exceeds the {self.max_frame} byte limit")
        return self._exact(size, deadline, fds, 0), fds

    def _exact(self, n: int, deadline: float | None, fds: list[int], maxfds: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            if deadline is None:
                self.sock.settimeout(None)
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                self.sock.settimeout(remaining)
            try:
                if maxfds and not buf:
                    chunk, got, _flags, _addr = socket.recv_fds(self.sock, n, maxfds)
                    fds += got
                else:
                    chunk = self.sock.recv(min(n - len(buf), 1 << 20))
            except TimeoutError:
                raise
            except OSError:
                raise EOFError("connection closed") from None
            if not chunk:
                raise EOFError("connection closed")
            buf += chunk
        return bytes(buf)


def send_json(chan: Channel, obj: Any, fds: list[int] | None = None) -> None:
    """A control message (the zygote's socket): JSON in a frame."""
    chan.send(json.dumps(obj).encode(), fds)


def recv_json(chan: Channel, maxfds: int = 0) -> tuple[Any, list[int]]:
    payload, fds = chan.recv_fds(None, maxfds)
    try:
        return json.loads(payload), fds
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"control message is not JSON: {exc}") from None


# ---------------------------------------------------------------- trusted -> worker


class _RequestPickler(pickle.Pickler):
    """Pickles a request; a tensor that came back from a worker goes back without the claims it carried here."""

    def reducer_override(self, obj: Any) -> Any:
        if getattr(obj, _INFO_ATTR, None) is not None:
            plain = obj.detach()  # a new tensor object over the same data, without our attribute
            if obj.requires_grad:
                plain.requires_grad_(True)
            return plain.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
        return NotImplemented


def dump_request(obj: Any) -> bytes:
    buf = io.BytesIO()
    _RequestPickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getvalue()


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


_INFO_ATTR = "_dlgrade_wire"


def tensor_info(t: Any) -> TensorInfo | None:
    """The claims that came with a decoded tensor (None for a tensor made on the trusted side)."""
    info = getattr(t, _INFO_ATTR, None)
    return info if isinstance(info, TensorInfo) else None


def decode_reply(payload: bytes, device: str | None = None) -> Any:
    """Decode a worker reply in the trusted process. Never unpickles anything.

    Tensors come back as fresh ``torch.Tensor`` objects that carry what the worker claimed about them (their
    original device, a non-plain type, ``requires_grad``; see :func:`tensor_info`). A tensor is moved to its
    claimed device when that device is usable here, so the caller can report a device mismatch.
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
            info = TensorInfo(str(x.get("pytype", "Tensor")), claimed_device, bool(x.get("requires_grad")))
            setattr(t, _INFO_ATTR, info)
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
