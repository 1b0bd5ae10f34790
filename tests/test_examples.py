"""The README's example and examples/autograd_tour.py run, and print what torch prints."""

import os
import subprocess
import sys

import torch

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_autograd_tour_runs():
    out = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "autograd_tour.py")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    # The Jacobian of seed 000 and the d2y/dx2 of x^3 at 2, from mathematics.
    assert "J = tensor([[4., 3.],\n        [2., 6.]])" in out.stdout
    assert "d2y/dx2 = tensor([12.])" in out.stdout


def _readme_example(lib):
    x = lib.tensor([[2., 3.]], requires_grad=True)
    y = lib.zeros(1, 2)
    y[0, 0] = x[0, 0] ** 2 + 3 * x[0, 1]
    y[0, 1] = x[0, 1] ** 2 + 2 * x[0, 0]
    y.backward(lib.tensor([[1., 0.]]), retain_graph=True)
    first = str(x.grad)
    z = (x * x).sum()
    g, = lib.autograd.grad(z, x, create_graph=True)
    return first, str(g), str(y)


def test_readme_example_matches_torch():
    assert _readme_example(ember) == _readme_example(torch)
