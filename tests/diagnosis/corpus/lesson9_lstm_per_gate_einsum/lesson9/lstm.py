"""An LSTM cell and its unrolling over time.

Each gate has its own slice of the weight matrices and its own einsum; the unrolled layer
writes the hidden states into a list and stacks them.
"""

import torch


def _affine(x, h, w_ih, w_hh, b_ih, b_hh, k, H):
    rows = slice(k * H, (k + 1) * H)
    return (
        torch.einsum("...d,hd->...h", x, w_ih[rows])
        + torch.einsum("...j,hj->...h", h, w_hh[rows])
        + b_ih[rows]
        + b_hh[rows]
    )


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    h, c = state
    H = h.shape[-1]
    input_gate = torch.sigmoid(_affine(x, h, w_ih, w_hh, b_ih, b_hh, 0, H))
    forget_gate = torch.sigmoid(_affine(x, h, w_ih, w_hh, b_ih, b_hh, 1, H))
    candidate = torch.tanh(_affine(x, h, w_ih, w_hh, b_ih, b_hh, 2, H))
    output_gate = torch.sigmoid(_affine(x, h, w_ih, w_hh, b_ih, b_hh, 3, H))
    c_next = torch.addcmul(forget_gate * c, input_gate, candidate)
    h_next = output_gate * torch.tanh(c_next)
    return h_next, c_next


def lstm(x, state, w_ih, w_hh, b_ih, b_hh):
    if state is None:
        zeros = torch.zeros(x.shape[1], w_hh.shape[1], dtype=x.dtype, device=x.device)
        state = (zeros, zeros)
    h, c = state
    hs = []
    for x_t in x.unbind(0):
        h, c = lstm_cell(x_t, (h, c), w_ih, w_hh, b_ih, b_hh)
        hs.append(h)
    return torch.stack(hs, dim=0), (h, c)
