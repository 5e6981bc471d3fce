"""Hidden suite: lesson5b.early_stopping.

A scenario "trains" a small model with batch norm by overwriting its whole state in place
before every epoch (as an optimizer does: the same tensors, new values), feeds a fixed
sequence of validation losses to the learner's ``EarlyStopping`` until it says stop, then
restores. The state written at epoch e is ``template + e``, so the restored state tells which
epoch was kept.
"""

import math

import pytest
import torch

from grader.testing import expect, expect_close

PARAM_NAMES = ["0.weight", "0.bias", "1.weight", "1.bias"]


def _template(dtype, device, seed=0):
    """One tensor per state-dict entry of Linear(3, 4) + BatchNorm1d(4), in state-dict order."""
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    g = torch.Generator().manual_seed(seed)
    out = {}
    for name, v in model.state_dict().items():
        if v.is_floating_point():
            out[name] = torch.randn(v.shape, generator=g, dtype=torch.float64).to(device, dtype)
        else:
            out[name] = torch.zeros_like(v).to(device)
    return out


def _expected_state(template, epoch):
    return {k: (v + 0.5 * epoch if v.is_floating_point() else v + epoch) for k, v in template.items()}


# ---------------------------------------------------------------- scenario (runs in the worker)


def _train(mod, template, losses, patience, min_delta):
    """Feed ``losses`` epoch by epoch until the learner says stop; restore; report."""
    import torch

    first = next(iter(template.values()))
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4)).to(first.device)
    model = model.to(dtype=template["0.weight"].dtype)

    def set_epoch(e):
        with torch.no_grad():
            for name, v in model.state_dict().items():
                t = template[name]
                v.copy_(t + 0.5 * e if t.is_floating_point() else t + e)

    es = mod.EarlyStopping(patience, min_delta)
    stops, best_losses, best_epochs, bad = [], [], [], []
    changed_by_step = False
    last = -1
    for e, loss in enumerate(losses):
        set_epoch(e)
        before = [v.clone() for v in model.state_dict().values()]
        stop = es.step(loss, model)
        after = list(model.state_dict().values())
        changed_by_step = changed_by_step or any(not torch.equal(b, a) for b, a in zip(before, after, strict=True))
        stops.append(bool(stop))
        best_losses.append(float(es.best_loss))
        best_epochs.append(int(es.best_epoch))
        bad.append(int(es.bad_epochs))
        last = e
        if stop:
            break
    es.restore(model)
    restored = {k: v.detach().clone() for k, v in model.state_dict().items()}
    # Train on after the restore, then restore again: the saved copy must not have moved.
    set_epoch(99)
    es.restore(model)
    again = {k: v.detach().clone() for k, v in model.state_dict().items()}
    return {
        "stops": stops,
        "best_losses": best_losses,
        "best_epochs": best_epochs,
        "bad_epochs": bad,
        "last": last,
        "restored": restored,
        "again": again,
        "changed_by_step": changed_by_step,
    }


def _bad_args(mod):
    out = {}
    for label, args in [("patience=0", (0, 0.0)), ("min_delta=-0.1", (3, -0.1))]:
        try:
            mod.EarlyStopping(*args)
            out[label] = "no error"
        except ValueError:
            out[label] = "ValueError"
    return out


# ---------------------------------------------------------------- reference and helpers


def _reference(losses, patience, min_delta):
    """Per step: stop flag, best loss, best epoch, bad epochs; as the docstring defines them."""
    best, best_epoch, bad = math.inf, -1, 0
    rows = []
    for e, loss in enumerate(losses):
        if loss < best - min_delta:
            best, best_epoch, bad = loss, e, 0
        else:
            bad += 1
        rows.append((bad >= patience, best, best_epoch, bad))
        if bad >= patience:
            break
    return rows


def _run(learner, losses, patience, min_delta=0.0, dtype=torch.float64, device="cpu", seed=0):
    template = _template(dtype, device, seed)
    label = f"EarlyStopping(patience={patience}, min_delta={min_delta}) fed the validation losses {losses}"
    res = learner.run(_train, template, losses, patience, min_delta, label=label)
    return res, template


def _check_stops(res, losses, patience, min_delta, what):
    ref = _reference(losses, patience, min_delta)
    want = [r[0] for r in ref]
    when = f"stopping after epoch {len(want) - 1}" if want[-1] else "never stopping"
    expect(res["stops"] == want, f"{what}: step() should return {want} ({when}), got {res['stops']}")


def _check_best(res, losses, patience, min_delta, what):
    ref = _reference(losses, patience, min_delta)
    n = min(len(ref), len(res["best_epochs"]))
    want_epochs = [r[2] for r in ref][:n]
    expect(
        res["best_epochs"][:n] == want_epochs,
        f"{what}: best_epoch after each step should be {want_epochs}, got {res['best_epochs'][:n]}",
    )
    expect_close(res["best_losses"][:n], [float(r[1]) for r in ref][:n], name=f"{what}: best_loss after each step")


def _check_restored(res, template, best_epoch, names, key, what):
    want = _expected_state(template, best_epoch)
    for name in names:
        expect_close(
            res[key][name],
            want[name],
            name=f"{what}: {name} after restore (should be the state of epoch {best_epoch})",
        )


BUFFER_NAMES = ["1.running_mean", "1.running_var", "1.num_batches_tracked"]


# ---------------------------------------------------------------- checks

BASIC = [1.0, 0.8, 0.9, 0.85, 0.95, 0.7]


def test_stops_after_patience(learner, device):
    """stops once the loss has failed to improve for `patience` epochs in a row"""
    res, _ = _run(learner, BASIC, 3, device=device)
    _check_stops(res, BASIC, 3, 0.0, "patience=3")


def test_tracks_best_loss_and_epoch(learner, device):
    """best_loss and best_epoch follow the lowest validation loss so far"""
    res, _ = _run(learner, BASIC, 3, device=device, seed=1)
    _check_best(res, BASIC, 3, 0.0, "patience=3")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_restores_best_parameters(learner, device, dtype):
    """restore() puts back the parameters saved at the best epoch, not the latest ones"""
    res, template = _run(learner, BASIC, 3, dtype=dtype, device=device, seed=2)
    _check_restored(res, template, 1, PARAM_NAMES, "restored", "best epoch 1, stopped at epoch 4")


def test_restores_buffers(learner, device):
    """restore() also puts back the buffers (batch norm's running statistics) of the best epoch"""
    res, template = _run(learner, BASIC, 3, device=device, seed=3)
    _check_restored(res, template, 1, BUFFER_NAMES, "restored", "best epoch 1, stopped at epoch 4")


def test_counter_resets_on_improvement(learner, device):
    """an improvement resets the count of bad epochs"""
    losses = [1.0, 0.9, 0.95, 0.96, 0.85, 0.9, 0.91, 0.92]
    res, _ = _run(learner, losses, 3, device=device, seed=4)
    _check_stops(res, losses, 3, 0.0, "patience=3, improvement at epoch 4")
    want_bad = [r[3] for r in _reference(losses, 3, 0.0)]
    expect(
        res["bad_epochs"] == want_bad,
        f"bad_epochs after each step should be {want_bad}, got {res['bad_epochs']}",
    )


def test_min_delta(learner, device):
    """a decrease smaller than min_delta is not an improvement"""
    losses = [1.0, 0.995, 0.992, 0.991, 0.5]
    res, _ = _run(learner, losses, 3, 0.01, device=device, seed=5)
    _check_stops(res, losses, 3, 0.01, "patience=3, min_delta=0.01")
    _check_best(res, losses, 3, 0.01, "patience=3, min_delta=0.01")


def test_tie_is_not_improvement(learner, device):
    """a loss equal to the best so far is not an improvement"""
    losses = [1.0, 1.0, 1.0, 1.0]
    res, _ = _run(learner, losses, 2, device=device, seed=6)
    _check_stops(res, losses, 2, 0.0, "patience=2, a flat loss")
    _check_best(res, losses, 2, 0.0, "patience=2, a flat loss")


def test_nan_is_not_improvement(learner, device):
    """a nan validation loss never becomes the best loss"""
    losses = [1.0, float("nan"), float("nan"), 0.5]
    res, template = _run(learner, losses, 2, device=device, seed=7)
    _check_stops(res, losses, 2, 0.0, "patience=2, losses 1.0, nan, nan")
    _check_best(res, losses, 2, 0.0, "patience=2, losses 1.0, nan, nan")


def test_keeps_going_while_improving(learner, device):
    """a loss that improves every epoch never stops training, and the last epoch is kept"""
    losses = [5.0, 4.0, 3.0, 2.0, 1.0]
    res, template = _run(learner, losses, 1, device=device, seed=8)
    _check_stops(res, losses, 1, 0.0, "patience=1, a falling loss")
    _check_restored(res, template, 4, PARAM_NAMES, "restored", "patience=1, a falling loss")


def test_patience_one(learner, device):
    """with patience=1, the first epoch without improvement stops training"""
    losses = [1.0, 0.9, 1.1, 0.5]
    res, _ = _run(learner, losses, 1, device=device, seed=9)
    _check_stops(res, losses, 1, 0.0, "patience=1")


def test_saved_copy_stays_private(learner, device):
    """training on after restore() and restoring again gives the best weights again"""
    res, template = _run(learner, BASIC, 3, device=device, seed=10)
    _check_restored(res, template, 1, PARAM_NAMES, "again", "restore, change the weights in place, restore again")


def test_restore_without_saved_state(learner, device):
    """restore() leaves the model as it is when no epoch ever improved (only nan losses)"""
    losses = [float("nan"), float("nan")]
    res, template = _run(learner, losses, 2, device=device, seed=12)
    _check_restored(res, template, 1, PARAM_NAMES, "restored", "no improvement at all, last epoch 1")


def test_step_leaves_model_alone(learner, device):
    """step() only reads the model: its weights are unchanged by the call"""
    res, _ = _run(learner, BASIC, 3, device=device, seed=11)
    expect(
        not res["changed_by_step"],
        "EarlyStopping.step changed the model's weights or buffers; it should only read them",
        kind="modified_input",
    )


def test_rejects_bad_arguments(learner):
    """patience below 1 and a negative min_delta raise ValueError"""
    res = learner.run(_bad_args, label="EarlyStopping(0) and EarlyStopping(3, -0.1)")
    for label, got in res.items():
        expect(got == "ValueError", f"EarlyStopping({label}) should raise ValueError, got {got}", kind="exception")
