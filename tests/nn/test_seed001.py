"""Seed 001 (shared/seeds/001_*.txt): the Simple network trained one SGD step, run on torch
and on ember; every printed value of the note is compared with torch's."""

import io
from contextlib import redirect_stdout

import numpy as np
import torch

import ember


def seed001(torch, fill=0.1, images=None):
    """The note's program, written against the torch API (``torch`` is either library)."""
    nn = torch.nn
    printed = []

    class Simple(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 16, 3, 1, padding=1, bias=False)
            self.conv2 = nn.Conv2d(16, 32, 3, 1, padding=1, bias=False)
            self.linear = nn.Linear(32 * 10 * 10, 20, bias=False)

        def forward(self, x):
            x = self.conv1(x)
            x = self.conv2(x)
            x = self.linear(x.view(x.size(0), -1))
            return x

    model = Simple()
    for i, m in enumerate(model.parameters()):
        if fill is None:  # a non-degenerate variant: deterministic, distinct weights
            m.data.copy_(torch.linspace(-0.05, 0.05, m.numel()).reshape(m.shape) * (i + 1))
        else:
            m.data.fill_(fill)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    model.train()
    images = torch.ones(8, 3, 10, 10) if images is None else torch.tensor(images)
    targets = torch.ones(8, dtype=torch.long)
    output = model(images)
    printed.append(repr(output.shape))  # each print of the note, as it happens
    loss = criterion(output, targets)
    printed.append(repr(model.conv1.weight.grad))
    loss.backward()
    grad_row = model.conv1.weight.grad[0][0][0]
    printed.append(repr(model.conv1.weight[0][0][0]))
    optimizer.step()
    after = model.conv1.weight[0][0][0]
    printed.append(repr(after))
    optimizer.zero_grad()
    printed.append(repr(model.conv1.weight.grad))
    return printed, loss, grad_row, after, model


def test_seed001_as_printed():
    pe, le, ge, ae, me = seed001(ember)
    pt, lt, gt, at, mt = seed001(torch)
    assert pe == pt
    assert pe[0] == "torch.Size([8, 20])"
    assert pe[1] == pe[-1] == "None"  # zero_grad sets grads to None in torch 2.x
    assert pe[2] == "tensor([0.1000, 0.1000, 0.1000], grad_fn=<SelectBackward0>)"
    assert type(le.grad_fn).__name__ == type(lt.grad_fn).__name__
    # All 20 logits are 9830.4 in exact arithmetic, where a float32 ulp is 0.001. OpenBLAS
    # (Zen kernels) computes the last columns of a GEMM with another micro-kernel, so they
    # round 0.015 apart, which moves the loss from log(20) by 3e-3; torch's GEMM happens to
    # keep them equal. So the loss is compared at that rounding, and the gradient, which is
    # rounding noise around zero on both sides, against zero.
    np.testing.assert_allclose(le.item(), lt.item(), rtol=2e-3)
    np.testing.assert_allclose(lt.item(), np.log(20), rtol=1e-6)
    np.testing.assert_allclose(ge.numpy(), gt.numpy(), atol=1e-4)
    np.testing.assert_allclose(ae.detach().numpy(), at.detach().numpy(), atol=1e-4)


def test_seed001_with_distinct_weights_and_inputs():
    x = np.random.default_rng(0).standard_normal((8, 3, 10, 10)).astype(np.float32)
    _, le, ge, ae, me = seed001(ember, fill=None, images=x)
    _, lt, gt, at, mt = seed001(torch, fill=None, images=x)
    np.testing.assert_allclose(le.item(), lt.item(), rtol=1e-5)
    assert np.abs(gt.numpy()).max() > 1e-3  # a real gradient this time
    np.testing.assert_allclose(ge.numpy(), gt.numpy(), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ae.detach().numpy(), at.detach().numpy(), rtol=1e-5)
    # the update is exactly weight - lr * grad
    np.testing.assert_allclose(at.detach().numpy(), np.linspace(-0.05, 0.05, 432,
                                                                dtype=np.float32)[:3]
                               - gt.numpy(), rtol=1e-5)
    for (n, pe), (_, pt) in zip(me.named_parameters(), mt.named_parameters()):
        np.testing.assert_allclose(pe.detach().numpy(), pt.detach().numpy(), rtol=1e-4,
                                   atol=1e-6, err_msg=n)
    assert repr(me) == repr(mt)


def test_seed001_print_output_identical():
    def printed(lib):
        buf = io.StringIO()
        with redirect_stdout(buf):
            p, loss, grad, _, model = seed001(lib)
            print(round(loss.item(), 1))  # see test_seed001_as_printed for the rounding
            print(model)
            for item in p[:2] + p[3:]:  # p[2] is rounding noise, compared above
                print(item)
        return buf.getvalue()
    assert printed(ember) == printed(torch)
