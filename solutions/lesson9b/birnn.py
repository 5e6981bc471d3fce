"""A bidirectional Elman RNN: a forward and a backward pass, outputs concatenated (reference solution)."""

import torch

FORWARD = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
BACKWARD = tuple(k + "_reverse" for k in FORWARD)


def _run(x: torch.Tensor, h: torch.Tensor, w_ih, w_hh, b_ih, b_hh) -> torch.Tensor:
    """A one-directional Elman RNN over ``x`` (T, N, D); the state after every step, (T, N, H)."""
    outputs = []
    for t in range(x.shape[0]):
        h = torch.tanh(x[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh)
        outputs.append(h)
    return torch.stack(outputs)


def birnn(
    x: torch.Tensor,
    h0: torch.Tensor | None,
    weights: dict[str, torch.Tensor],
    lengths: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Run an Elman RNN forwards and another backwards over ``x``; concatenate their states per step."""
    steps, batch, _ = x.shape
    hidden = weights["weight_hh_l0"].shape[1]
    if h0 is None:
        h0 = x.new_zeros(2, batch, hidden)
    if lengths is None:
        lengths = torch.full((batch,), steps, dtype=torch.int64, device=x.device)
    lengths = lengths.to(x.device)
    t = torch.arange(steps, device=x.device)[:, None]
    real = t < lengths[None, :]  # (T, N): which steps hold real tokens

    fwd = _run(x, h0[0], *(weights[k] for k in FORWARD))

    # The backward direction must start at each sequence's LAST REAL token, not at the padding:
    # reverse the first length_n steps of sequence n and leave its padding at the end.
    rev = torch.where(real, lengths[None, :] - 1 - t, t)  # (T, N); applying it twice is the identity
    x_rev = x.gather(0, rev[:, :, None].expand_as(x))
    bwd_rev = _run(x_rev, h0[1], *(weights[k] for k in BACKWARD))
    # Put the backward states back in time order, so step t pairs the forward state that has
    # read x_0..x_t with the backward state that has read x_t..x_end.
    bwd = bwd_rev.gather(0, rev[:, :, None].expand_as(bwd_rev))

    out = torch.cat([fwd, bwd], dim=-1)
    # Padding steps carry no output (pad_packed_sequence gives zeros there as well).
    out = torch.where(real[:, :, None], out, torch.zeros_like(out))

    last = lengths - 1
    rows = torch.arange(batch, device=x.device)
    # Each direction's final state is the one after its last real step: for the forward pass
    # that is step length - 1, for the backward pass the step that read x_0.
    h_n = torch.stack([fwd[last, rows], bwd_rev[last, rows]])
    return out, h_n
