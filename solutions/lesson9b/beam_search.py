"""Decoding a sequence model: greedy search and beam search over log-probabilities (reference solution)."""

from collections.abc import Callable

import torch

StepFn = Callable[[list[int]], torch.Tensor]


def greedy_decode(step_fn: StepFn, bos: int, eos: int, max_len: int) -> tuple[list[int], float]:
    """Pick the most likely next token at every step."""
    tokens: list[int] = []
    score = 0.0
    for _ in range(max_len):
        logp = step_fn([bos] + tokens)
        # argmax returns the first maximum: ties go to the lowest token id.
        tok = int(torch.argmax(logp))
        # Log-probabilities add up where probabilities would multiply (and underflow).
        score += float(logp[tok])
        tokens.append(tok)
        if tok == eos:
            break
    return tokens, score


def beam_search(
    step_fn: StepFn,
    bos: int,
    eos: int,
    beam_width: int,
    max_len: int,
    alpha: float = 0.0,
) -> list[tuple[list[int], float]]:
    """Keep the beam_width best partial sequences at every step; return the best finished ones."""
    live: list[tuple[list[int], float]] = [([], 0.0)]
    finished: list[tuple[list[int], float]] = []
    for _ in range(max_len):
        # Every extension of every live hypothesis competes with all the others: one list,
        # beam-major, so a stable sort breaks ties by beam rank, then by token id.
        scores = torch.cat([s + step_fn([bos] + toks).double() for toks, s in live])
        vocab = scores.shape[0] // len(live)
        order = torch.sort(scores, descending=True, stable=True).indices[:beam_width]
        live_next: list[tuple[list[int], float]] = []
        for idx in order.tolist():
            b, tok = divmod(idx, vocab)
            hyp = (live[b][0] + [tok], float(scores[idx]))
            # A hypothesis that produced eos is complete: it leaves the beam and is never extended.
            (finished if tok == eos else live_next).append(hyp)
        live = live_next
        if len(finished) >= beam_width or not live:
            break
    if len(finished) < beam_width:
        # Out of steps: the unfinished hypotheses are all we have for the remaining places.
        finished += live

    def rank(hyp: tuple[list[int], float]) -> float:
        # Every token adds a negative log-probability, so raw sums favour short outputs;
        # dividing by length ** alpha (alpha > 0) offsets that.
        return hyp[1] / len(hyp[0]) ** alpha

    # sorted is stable: equal ranks keep the order in which the hypotheses were found.
    return sorted(finished, key=rank, reverse=True)[:beam_width]
