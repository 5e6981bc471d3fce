"""Matrix multiplication built from dot products.

For ``a`` of shape ``(n, k)`` and ``b`` of shape ``(k, m)`` the product ``c = a b`` has shape
``(n, m)`` and each entry is the dot product of a row of ``a`` with a column of ``b``::

    c[i, j] = sum_r a[i, r] * b[r, j]

Write it with elementwise products and sums (broadcasting helps). Off limits: the ``@``
operator, ``torch.matmul``, ``torch.mm``, ``torch.bmm``, ``torch.einsum``, ``torch.inner``,
``torch.tensordot``, ``Tensor.matmul``, ``Tensor.mm`` and ``torch.nn.functional.linear``.
"""

import torch


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Multiply two matrices: ``c[i, j] = sum_r a[i, r] * b[r, j]``.

    Args:
        a: tensor of shape ``(n, k)``.
        b: tensor of shape ``(k, m)``, same dtype and device as ``a``.

    Returns:
        A new tensor of shape ``(n, m)`` with the dtype and device of ``a``.

    Raises:
        ValueError: if ``a`` or ``b`` is not 2-D, or if the inner sizes differ; the message
            names both shapes. (Broadcasting must not quietly hide a mismatch such as
            ``(3, 2)`` times ``(1, 4)``.)
    """
    # TODO: check that both inputs are 2-D and that a.shape[1] == b.shape[0]; raise ValueError otherwise.
    # TODO: fill each row i of the result with the dot products of row i of `a` with every column of `b`.
    raise NotImplementedError("TODO: matmul")
