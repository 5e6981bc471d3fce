"""An LSTM cell and its unrolling over time."""

import torch


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    h, c = state
    gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    i, f, g, o = gates.chunk(4, dim=-1)
    i = torch.sigmoid(i)
    f = torch.sigmoid(f)
    g = torch.tanh(g)
    o = torch.sigmoid(o)
    c_new = f * c + i * g
    h_new = o * torch.tanh(c_new)
    return h_new, c_new


def lstm(x, state, w_ih, w_hh, b_ih, b_hh):
    T, N, _ = x.shape
    H = w_hh.shape[1]
    if state is None:
        h = torch.zeros(N, H)
        c = torch.zeros(N, H)
    else:
        h, c = state
    outputs = []
    for t in range(T):
        h, c = lstm_cell(x[t], (h, c), w_ih, w_hh, b_ih, b_hh)
        outputs.append(h)
    return torch.stack(outputs), (h, c)
