"""An Elman RNN cell and its unrolling over time.

The cell merges the two biases first and multiplies by transpose(0, 1) of each weight; the
unrolled layer writes each state into a preallocated output tensor
(in place on a fresh tensor, which autograd records) and returns its last row.
"""

import torch


def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    bias = b_ih + b_hh
    pre = torch.matmul(x, w_ih.transpose(0, 1)) + torch.matmul(h, w_hh.transpose(0, 1)) + bias
    return pre.tanh()


def rnn(x, h0, w_ih, w_hh, b_ih, b_hh):
    T, N, _ = x.shape
    H = w_hh.shape[0]
    h = h0 if h0 is not None else torch.zeros(N, H, dtype=x.dtype, device=x.device)
    out = torch.empty(T, N, H, dtype=x.dtype, device=x.device)
    for t in range(T):
        h = rnn_cell(x[t], h, w_ih, w_hh, b_ih, b_hh)
        out[t] = h
    return out, out[-1]
