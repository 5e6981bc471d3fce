"""Decoding: turning a model's next-token distributions into an output sequence.

A sequence-to-sequence model (a translation model, say) does not output a sentence; at
each step it outputs log-probabilities for the next token given the tokens so far. A
decoder searches for a likely whole sequence. Build:

- ``greedy_decode``: take the single most likely token at every step;
- ``beam_search``: keep the ``beam_width`` best partial sequences at every step, with
  end-of-sequence handling and optional length normalisation.

The model is given as ``step_fn(prefix) -> log_probs``: ``prefix`` is a list of ints that
starts with ``bos``; ``log_probs`` is a 1-D tensor of ``V`` log-probabilities (floating point)
for the token that follows. ``step_fn`` is deterministic: call it as often as you need.

Torch has no decoder built in; nothing is off limits.
"""

from collections.abc import Callable

import torch

StepFn = Callable[[list[int]], torch.Tensor]


def greedy_decode(step_fn: StepFn, bos: int, eos: int, max_len: int) -> tuple[list[int], float]:
    """Greedy decoding.

    Start from the prefix ``[bos]``. At each step call ``step_fn`` on ``[bos] + tokens``, append
    the token with the largest log-probability (on a tie, the lowest token id, as
    ``torch.argmax`` does), and add its log-probability to the score. Stop right after
    appending ``eos``, or once ``max_len`` tokens have been generated.

    Args:
        step_fn: the model, as described in the module docstring.
        bos: the start token id (never part of the result).
        eos: the end-of-sequence token id.
        max_len: the largest number of tokens to generate (>= 1).

    Returns:
        ``(tokens, score)``: the generated ids (without ``bos``; ending with ``eos`` if it was
        produced) and the sum of their log-probabilities, as a Python float.
    """
    # TODO: loop up to max_len times: score the prefix, take the argmax, add its log-prob, stop at eos.
    raise NotImplementedError("TODO: greedy_decode")


def beam_search(
    step_fn: StepFn,
    bos: int,
    eos: int,
    beam_width: int,
    max_len: int,
    alpha: float = 0.0,
) -> list[tuple[list[int], float]]:
    """Beam search.

    A hypothesis is a list of generated tokens (without ``bos``) and its score, the sum of the
    log-probabilities of its tokens. Start with one live hypothesis, ``([], 0.0)``. Then, for
    at most ``max_len`` steps:

    1. Extend every live hypothesis by every token: candidate ``(tokens + [v], score +
       log_probs[v])``, with ``log_probs = step_fn([bos] + tokens)``.
    2. Keep the ``beam_width`` candidates with the highest scores among ALL candidates of all
       live hypotheses (all of them if there are fewer). Ties: the candidate extending the
       better-ranked live hypothesis first (live hypotheses are ranked in the order they were
       kept), then the lower token id.
    3. Go through the kept candidates from best to worst: one that ends with ``eos`` is
       finished (appended to the finished list and never extended again); the others are the
       new live hypotheses, in that order.
    4. Stop when at least ``beam_width`` hypotheses have finished, or none is live.

    If fewer than ``beam_width`` hypotheses have finished at the end, the live ones (in their
    order) are appended to the finished list: they count as results without ``eos``.

    Finally rank the finished list by ``score / len(tokens) ** alpha`` (``len`` counts
    ``eos``; ``alpha = 0`` ranks by the raw score), best first, keeping the order of the list
    among equal ranks (a stable sort), and return the first ``beam_width``.

    Args:
        step_fn: the model, as described in the module docstring.
        bos: the start token id.
        eos: the end-of-sequence token id.
        beam_width: how many hypotheses to keep per step (>= 1); 1 gives greedy decoding.
        max_len: the largest number of tokens in a hypothesis (>= 1).
        alpha: the length-normalisation exponent (>= 0).

    Returns:
        At most ``beam_width`` pairs ``(tokens, score)``, best first; ``tokens`` is a list of
        ints, ``score`` the raw sum of log-probabilities as a Python float (not normalised).
    """
    # TODO: expand every live hypothesis, keep the global top beam_width, move finished ones out,
    # stop when enough have finished, then rank (with length normalisation) and return the best.
    raise NotImplementedError("TODO: beam_search")
