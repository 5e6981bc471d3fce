"""Hidden suite: lesson9b.beam_search."""

import itertools
import math

import torch

from grader.testing import expect

# ---------------------------------------------------------------- the toy models


def _random_model(v, seed, eos_logit=None, positions=6):
    """A deterministic toy decoder: the next-token logits depend on the last two tokens and the position.

    bos is token id v (a row of the tables, never a column: it cannot be generated).
    """
    g = torch.Generator().manual_seed(seed)
    first = torch.randn(v + 1, v, generator=g, dtype=torch.float64) * 1.5
    second = torch.randn(v + 1, v, generator=g, dtype=torch.float64) * 1.5
    pos = torch.randn(positions, v, generator=g, dtype=torch.float64)
    if eos_logit is not None:
        pos[:, 0] = eos_logit
    return ("random", first, second, pos)


def _table_model(table, default):
    """log-probabilities looked up by the whole prefix (a tuple), ``default`` for any other prefix."""
    return ("table", {k: [math.log(p) for p in ps] for k, ps in table.items()}, [math.log(p) for p in default])


def _log_probs(model, prefix):
    """The model's next-token log-probabilities, float64; the same arithmetic as the worker's step_fn."""
    if model[0] == "table":
        return torch.tensor(model[1].get(tuple(prefix), model[2]), dtype=torch.float64)
    _, first, second, pos = model
    logits = first[prefix[-1]] + pos[min(len(prefix) - 1, pos.shape[0] - 1)]
    if len(prefix) > 1:
        logits = logits + second[prefix[-2]]
    return torch.log_softmax(logits, dim=-1)


def _decode(mod, model, fn_name, args, kwargs):
    """Run the learner's decoder on a step_fn built from ``model`` (see _log_probs) in the worker."""
    import torch

    def step_fn(prefix):
        prefix = [int(t) for t in prefix]
        if model[0] == "table":
            return torch.tensor(model[1].get(tuple(prefix), model[2]), dtype=torch.float64)
        _, first, second, pos = model
        logits = first[prefix[-1]] + pos[min(len(prefix) - 1, pos.shape[0] - 1)]
        if len(prefix) > 1:
            logits = logits + second[prefix[-2]]
        return torch.log_softmax(logits, dim=-1)

    return getattr(mod, fn_name)(step_fn, *args, **kwargs)


# ---------------------------------------------------------------- references


def _ref_greedy(model, bos, eos, max_len):
    tokens, score = [], 0.0
    for _ in range(max_len):
        lp = _log_probs(model, [bos] + tokens).tolist()
        best = max(range(len(lp)), key=lambda v: (lp[v], -v))
        tokens.append(best)
        score += lp[best]
        if best == eos:
            break
    return tokens, score


def _ref_beam(model, bos, eos, k, max_len, alpha=0.0):
    live, finished = [([], 0.0)], []
    for _ in range(max_len):
        cands = []
        for b, (toks, s) in enumerate(live):
            lp = _log_probs(model, [bos] + toks).tolist()
            cands += [(s + lp[v], b, v) for v in range(len(lp))]
        cands.sort(key=lambda c: (-c[0], c[1], c[2]))
        new = []
        for score, b, v in cands[:k]:
            (finished if v == eos else new).append((live[b][0] + [v], score))
        live = new
        if len(finished) >= k or not live:
            break
    if len(finished) < k:
        finished += live
    finished.sort(key=lambda h: -h[1] / len(h[0]) ** alpha)
    return finished[:k]


def _sequence_score(model, bos, tokens):
    return sum(_log_probs(model, [bos] + tokens[:i])[t].item() for i, t in enumerate(tokens))


# ---------------------------------------------------------------- checking


def _as_hyp(got, what):
    ok = isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[0], (list, tuple))
    expect(ok, f"{what} should be a pair (tokens, score), got {type(got).__name__}", kind="wrong_type")
    tokens, score = got
    expect(all(isinstance(t, int) for t in tokens), f"{what}: tokens should be a list of int", kind="wrong_type")
    if isinstance(score, torch.Tensor) and score.numel() == 1:
        score = score.item()
    expect(isinstance(score, (int, float)), f"{what}: the score should be a float", kind="wrong_type")
    return list(tokens), float(score)


def _expect_hyps(got, want, what):
    expect(isinstance(got, (list, tuple)), f"{what} should return a list of (tokens, score)", kind="wrong_type")
    hyps = [_as_hyp(h, f"{what}[{i}]") for i, h in enumerate(got)]
    got_tokens = [t for t, _ in hyps]
    want_tokens = [t for t, _ in want]
    expect(
        got_tokens == want_tokens,
        f"{what}: expected the hypotheses {want_tokens}, best first; got {got_tokens}",
    )
    for i, ((_, gs), (_, ws)) in enumerate(zip(hyps, want)):
        expect(
            math.isclose(gs, ws, rel_tol=1e-9, abs_tol=1e-9),
            f"{what}: the score of hypothesis {i} ({want_tokens[i]}) should be {ws:.6f}, got {gs:.6f}",
        )


def _greedy(learner, model, bos, eos, max_len):
    got = learner.run(
        _decode,
        model,
        "greedy_decode",
        (bos, eos, max_len),
        {},
        label=f"greedy_decode(step_fn, {bos}, {eos}, {max_len})",
    )
    return _as_hyp(got, "greedy_decode(...)")


def _beam(learner, model, bos, eos, k, max_len, alpha=None):
    kwargs = {} if alpha is None else {"alpha": alpha}
    label = f"beam_search(step_fn, bos={bos}, eos={eos}, beam_width={k}, max_len={max_len}" + (
        f", alpha={alpha})" if alpha is not None else ")"
    )
    return learner.run(_decode, model, "beam_search", (bos, eos, k, max_len), kwargs, label=label), label


# ---------------------------------------------------------------- greedy_decode


def test_greedy_stops_at_eos(learner):
    """greedy picks the most likely token at each step and stops right after eos"""
    model = _random_model(5, seed=10, eos_logit=0.5)
    want = _ref_greedy(model, 5, 0, 8)
    expect(want[0][-1] == 0, "suite error: the reference should end with eos")
    tokens, score = _greedy(learner, model, 5, 0, 8)
    expect(tokens == want[0], f"greedy_decode: expected tokens {want[0]}, got {tokens}")
    expect(
        math.isclose(score, want[1], rel_tol=1e-9, abs_tol=1e-9),
        f"greedy_decode: expected score {want[1]:.6f}, got {score:.6f}",
    )


def test_greedy_max_len(learner):
    """without eos, greedy stops after max_len tokens"""
    model = _random_model(4, seed=1, eos_logit=-30.0)
    want = _ref_greedy(model, 4, 0, 5)
    tokens, score = _greedy(learner, model, 4, 0, 5)
    expect(tokens == want[0], f"greedy_decode with an unlikely eos and max_len=5: expected {want[0]}, got {tokens}")
    expect(
        math.isclose(score, want[1], rel_tol=1e-9, abs_tol=1e-9),
        f"greedy_decode: expected score {want[1]:.6f}, got {score:.6f}",
    )


def test_greedy_tie_lowest_id(learner):
    """on a tie, greedy takes the lowest token id"""
    model = _table_model({(9,): [0.1, 0.2, 0.35, 0.35], (9, 2): [0.7, 0.1, 0.1, 0.1]}, [0.25, 0.25, 0.25, 0.25])
    want = _ref_greedy(model, 9, 0, 4)
    tokens, _ = _greedy(learner, model, 9, 0, 4)
    expect(tokens == want[0], f"greedy_decode with tokens 2 and 3 tied first: expected {want[0]}, got {tokens}")


# ---------------------------------------------------------------- beam_search


def test_beam_matches_reference(learner):
    """beam width 3 over 6 tokens: the finished hypotheses and their scores, best first"""
    model = _random_model(6, seed=2, eos_logit=0.0)
    got, label = _beam(learner, model, 6, 0, 3, 6)
    _expect_hyps(got, _ref_beam(model, 6, 0, 3, 6), label)


def test_beam_other_model(learner):
    """beam width 4 on another model, eos with id 2"""
    model = _random_model(7, seed=3, eos_logit=-0.5)
    got, label = _beam(learner, model, 7, 2, 4, 5)
    _expect_hyps(got, _ref_beam(model, 7, 2, 4, 5), label)


def test_scores_are_log_prob_sums(learner):
    """each returned score is the sum of the log-probabilities of its tokens"""
    model = _random_model(5, seed=4, eos_logit=0.0)
    got, label = _beam(learner, model, 5, 0, 3, 5)
    expect(isinstance(got, (list, tuple)) and len(got) > 0, f"{label} returned no hypotheses", kind="wrong_type")
    for i, h in enumerate(got):
        tokens, score = _as_hyp(h, f"{label}[{i}]")
        want = _sequence_score(model, 5, tokens)
        expect(
            math.isclose(score, want, rel_tol=1e-9, abs_tol=1e-9),
            f"{label}: hypothesis {tokens} has log-probability {want:.6f}, but its score is {score:.6f}",
        )


def test_nothing_after_eos(learner):
    """a hypothesis ends at its first eos: finished ones are never extended"""
    model = _random_model(4, seed=5, eos_logit=1.0)
    got, label = _beam(learner, model, 4, 0, 3, 6)
    for i, h in enumerate(got):
        tokens, _ = _as_hyp(h, f"{label}[{i}]")
        expect(0 not in tokens[:-1], f"{label}: hypothesis {tokens} goes on after eos (0)")
    _expect_hyps(got, _ref_beam(model, 4, 0, 3, 6), label)


def test_width_one_is_greedy(learner):
    """beam width 1 gives the greedy result"""
    model = _random_model(5, seed=6, eos_logit=0.3)
    got, label = _beam(learner, model, 5, 0, 1, 7)
    _expect_hyps(got, [_ref_greedy(model, 5, 0, 7)], label)


def test_beam_beats_greedy(learner):
    """a wider beam finds the more likely sentence that greedy misses"""
    # eos=0, A=1, B=2, C=3. Greedy takes A (0.5), then eos (0.35): 0.175. B (0.4) then eos (0.9) is 0.36.
    model = _table_model(
        {(9,): [1e-6, 0.5, 0.4, 0.1 - 1e-6], (9, 1): [0.35, 0.25, 0.2, 0.2], (9, 2): [0.9, 0.05, 0.03, 0.02]},
        [0.25, 0.25, 0.25, 0.25],
    )
    got, label = _beam(learner, model, 9, 0, 2, 4)
    _expect_hyps(got, _ref_beam(model, 9, 0, 2, 4), label)


def test_exhaustive_beam(learner):
    """a beam wide enough to keep everything returns every sequence, sorted by log-probability"""
    model = _random_model(3, seed=7, eos_logit=0.0)
    bos, eos, max_len = 3, 0, 3
    every = []
    for n in range(1, max_len + 1):
        for toks in itertools.product(range(3), repeat=n):
            toks = list(toks)
            if eos in toks[:-1] or (toks[-1] != eos and n < max_len):
                continue
            every.append((toks, _sequence_score(model, bos, toks)))
    every.sort(key=lambda h: -h[1])
    got, label = _beam(learner, model, bos, eos, 30, max_len)
    _expect_hyps(got, every, label)


def test_unfinished_at_max_len(learner):
    """when eos never makes the beam, the live hypotheses of the last step are returned"""
    model = _random_model(5, seed=8, eos_logit=-30.0)
    got, label = _beam(learner, model, 5, 0, 3, 4)
    _expect_hyps(got, _ref_beam(model, 5, 0, 3, 4), label)


def test_stops_when_enough_finished(learner):
    """the search stops as soon as beam_width hypotheses have finished"""
    model = _random_model(4, seed=9, eos_logit=1.5)
    got, label = _beam(learner, model, 4, 0, 2, 8)
    _expect_hyps(got, _ref_beam(model, 4, 0, 2, 8), label)


def test_length_normalisation(learner):
    """alpha > 0 ranks by score / length ** alpha, which favours longer hypotheses"""
    model = _random_model(5, seed=0, eos_logit=1.5)
    want = _ref_beam(model, 5, 0, 4, 6, alpha=1.0)
    got, label = _beam(learner, model, 5, 0, 4, 6, alpha=1.0)
    _expect_hyps(got, want, label)


def test_ties_by_beam_then_token(learner):
    """equal scores: the better-ranked beam first, then the lower token id"""
    model = _table_model({}, [0.25, 0.25, 0.25, 0.25])
    got, label = _beam(learner, model, 9, 0, 3, 2)
    _expect_hyps(got, _ref_beam(model, 9, 0, 3, 2), label)


def test_length_normalisation_half(learner):
    """alpha = 0.5 on another model: the ranking uses score / length ** 0.5"""
    model = _random_model(6, seed=11, eos_logit=1.0)
    got, label = _beam(learner, model, 6, 0, 3, 5, alpha=0.5)
    _expect_hyps(got, _ref_beam(model, 6, 0, 3, 5, alpha=0.5), label)
