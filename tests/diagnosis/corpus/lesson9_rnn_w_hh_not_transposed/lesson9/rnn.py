"""An Elman RNN cell and its unrolling over time."""

import torch


def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    return torch.tanh(x @ w_ih.T + b_ih + h @ w_hh + b_hh)


def rnn(x, h0, w_ih, w_hh, b_ih, b_hh):
    T, N, _ = x.shape
    H = w_hh.shape[0]
    h = x.new_zeros((N, H)) if h0 is None else h0
    outputs = []
    for t in range(T):
        h = rnn_cell(x[t], h, w_ih, w_hh, b_ih, b_hh)
        outputs.append(h)
    return torch.stack(outputs), h
