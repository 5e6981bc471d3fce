"""grader/engine/protocol.py: one framing both ways; the worker's replies are plain data, decoded without pickle."""

from __future__ import annotations

import json
import pickle
import struct

import pytest
import torch

from grader.engine import protocol


def roundtrip(obj):
    return protocol.decode_reply(protocol.encode_reply(obj))


@pytest.mark.parametrize(
    "dtype",
    [
        torch.float16,
        torch.bfloat16,
        torch.float32,
        torch.float64,
        torch.int64,
        torch.uint8,
        torch.bool,
        torch.complex64,
    ],
)
def test_tensors_roundtrip(dtype) -> None:
    t = (torch.arange(12).reshape(3, 4) % 3).to(dtype)
    out = roundtrip({"value": t})["value"]
    assert type(out) is torch.Tensor
    assert out.dtype == dtype and out.shape == t.shape
    assert torch.equal(out, t)


def test_structures_roundtrip() -> None:
    value = {"a": (1, 2.5, float("nan")), "b": [None, True, "s"], "t": torch.zeros(0, 3)}
    out = roundtrip({"value": value})["value"]
    assert out["a"][0] == 1 and out["a"][1] == 2.5 and out["a"][2] != out["a"][2]
    assert out["b"] == [None, True, "s"]
    assert out["t"].shape == (0, 3)


def test_subclass_is_flagged_not_kept() -> None:
    class Sneaky(torch.Tensor):
        pass

    t = torch.ones(2).as_subclass(Sneaky)
    out = roundtrip({"value": t})["value"]
    assert type(out) is torch.Tensor
    info = protocol.tensor_info(out)
    assert info is not None and info.pytype == "Sneaky"


def test_arbitrary_objects_become_names() -> None:
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    out = roundtrip({"value": Evil()})["value"]
    assert isinstance(out, protocol.ObjectValue) and out.typename == "Evil"


def test_pickle_payload_is_never_unpickled() -> None:
    payload = pickle.dumps({"id": 1, "ok": True})
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_reply(payload)


def _raw(header: dict, blob: bytes = b"") -> bytes:
    hb = json.dumps(header).encode()
    return struct.pack(">I", len(hb)) + hb + blob


@pytest.mark.parametrize(
    "header, blob",
    [
        ({"v": {"$tensor": 0, "dtype": "object", "shape": [1]}}, b"x"),
        ({"v": {"$tensor": 0, "dtype": "float32", "shape": [4]}}, b"\0" * 8),
        ({"v": {"$tensor": 0, "dtype": "float32", "shape": [-1]}}, b""),
        ({"v": {"$tensor": 1, "dtype": "float32", "shape": [1]}}, b"\0" * 4),
        ({"v": 1}, b"trailing"),
    ],
)
def test_malformed_replies_are_refused(header, blob) -> None:
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_reply(_raw(header, blob))


# ---------------------------------------------------------------------- the channel


def _pair() -> tuple[protocol.Channel, protocol.Channel]:
    import socket

    a, b = socket.socketpair()
    return protocol.Channel(a), protocol.Channel(b)


def test_frames_cross_both_ways_whole() -> None:
    import threading

    a, b = _pair()
    sender = threading.Thread(target=a.send, args=(b"x" * 3_000_000,))  # larger than the socket's buffer
    sender.start()
    assert b.recv() == b"x" * 3_000_000
    sender.join()
    b.send(b"")
    assert a.recv() == b""


def test_file_descriptors_travel_with_a_frame() -> None:
    import os

    a, b = _pair()
    r, w = os.pipe()
    protocol.send_json(a, {"op": "spawn"}, [w])
    os.close(w)
    msg, fds = protocol.recv_json(b, maxfds=4)
    assert msg == {"op": "spawn"} and len(fds) == 1
    os.write(fds[0], b"hello")
    os.close(fds[0])
    assert os.read(r, 5) == b"hello"
    os.close(r)


def test_a_silent_peer_times_out_at_the_deadline() -> None:
    import time

    a, _b = _pair()
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        a.recv(deadline=start + 0.2)
    assert time.monotonic() - start < 2


def test_a_closed_peer_is_the_end_of_the_channel() -> None:
    a, b = _pair()
    b.close()
    with pytest.raises(EOFError):
        a.recv()


def test_an_oversized_frame_is_refused_before_it_is_read() -> None:
    a, b = _pair()
    b.max_frame = 10
    a.send(b"y" * 11)
    with pytest.raises(protocol.ProtocolError, match="exceeds"):
        b.recv()


def test_a_decoded_tensor_goes_back_without_its_claims() -> None:
    out = roundtrip({"x": torch.ones(2, 3)})["x"]
    assert protocol.tensor_info(out) is not None
    back = pickle.loads(protocol.dump_request({"args": (out,)}))["args"][0]
    assert type(back) is torch.Tensor and torch.equal(back, torch.ones(2, 3))
    assert protocol.tensor_info(back) is None and not hasattr(back, "_dlgrade_wire")
