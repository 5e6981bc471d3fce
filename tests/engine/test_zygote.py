"""The zygote's warm-up: the device probe's meta operations cost no torch._dynamo import, and compiling still works."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

CODE = """
import sys
import torch
from grader.engine.untrusted.zygote import _dynamo_only_when_compiling

_dynamo_only_when_compiling(torch)
m = dict(device="meta")
x, y = torch.randn(16, 7, **m), torch.zeros(16, dtype=torch.long, **m)
torch.nn.functional.cross_entropy(x, y)
(x - x.logsumexp(-1, keepdim=True)).gather(1, y[:, None]).mean()
torch.nn.functional.conv2d(torch.randn(2, 3, 8, 8, **m), torch.randn(4, 3, 3, 3, **m), padding=1)
torch.nn.functional.max_pool2d(torch.randn(2, 3, 8, 8, **m), 2)
torch.nn.functional.layer_norm(x, (7,))
torch.nn.functional.embedding(y, torch.randn(5, 4, **m))
torch.einsum("ij,kj->ik", x, x).masked_fill(torch.ones(16, 16, dtype=torch.bool, **m), 0.0)
print("dynamo after meta ops:", "torch._dynamo" in sys.modules)
f = torch.compile(lambda a: (a + 1).logsumexp(0), backend="eager")
print("compiled:", round(float(f(torch.ones(3))), 4), "torch._dynamo" in sys.modules)
"""


def test_meta_operations_do_not_import_dynamo_and_compile_still_works() -> None:
    out = subprocess.run([sys.executable, "-c", CODE], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "dynamo after meta ops: False" in out.stdout
    assert "compiled: 3.0986 True" in out.stdout
