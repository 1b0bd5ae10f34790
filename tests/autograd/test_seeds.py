# The seed notes' code is kept as written (str.format, u"" literals, an unused argument).
# ruff: noqa: UP032, UP025, F523
"""The code examples of the seed notes (../shared/seeds/*.txt), run with ``import ember as
torch`` and with real PyTorch: what they print (object addresses blanked), return and raise
must be the same.

Random inputs (``torch.randn``) are replaced by NumPy values handed to both libraries. Where
a note is dated or wrong, torch decides: each such place is commented.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from agcompare import same

import ember

RNG = np.random.default_rng(2024)
W1, B1 = RNG.standard_normal(1).astype(np.float32), RNG.standard_normal(1).astype(np.float32)
X3 = RNG.standard_normal(3).astype(np.float32)
R33a, R33b = RNG.random((3, 3)).astype(np.float32), RNG.random((3, 3)).astype(np.float32)
R22 = RNG.standard_normal((2, 2)).astype(np.float32)


# -- seed 000: scalar and non-scalar backward --------------------------------------------

def seed000_scalar(torch):  # noqa: ANN001, ANN201 - the seed's own code, ``torch`` a module
    x = torch.Tensor([2])
    w = torch.tensor(W1.copy(), requires_grad=True)  # the seed: torch.randn(1, requires_grad=True)
    b = torch.tensor(B1.copy(), requires_grad=True)
    y = torch.mul(w, x)
    z = torch.add(y, b)
    print(" x,w,b的require_ grad属性分 别为: {},{},{}".format(
        x.requires_grad, w.requires_grad, b.requires_grad))
    print("y, z的requires_grad属 性分别为: {},{}".format(y.requires_grad, z.requires_grad))
    print("x,w, b, y, z的是否为叶子节点: {},{},{},{}".format(
        x.is_leaf, w.is_leaf, b.is_leaf, y.is_leaf, z.is_leaf))
    print("x, w,b的grad_fn属性: {},{},{}".format(x.grad_fn, w.grad_fn, b.grad_fn))
    print("y,z的是否为叶子节点: {},{}".format(y.grad_fn, z.grad_fn))
    z.backward()
    print("参数w,b的梯度分别为:{},{},{}".format(w.grad, b.grad, x.grad))
    # y.grad and z.grad: None, with torch's warning about reading .grad of a non-leaf
    print("非叶子节点y,z的梯度分别为:{},{}".format(y.grad, z.grad))
    return w.grad, b.grad, x.grad


def test_seed000_scalar_backward():
    same(seed000_scalar)


def test_seed000_scalar_backward_retain_graph_accumulates():
    def f(torch):  # noqa: ANN001, ANN202
        x = torch.Tensor([2])
        w = torch.tensor(W1.copy(), requires_grad=True)
        b = torch.tensor(B1.copy(), requires_grad=True)
        z = torch.add(torch.mul(w, x), b)
        z.backward(retain_graph=True)  # "如果需要多次使用backward ... 此时梯度是累加的"
        z.backward(retain_graph=True)
        print(w.grad, b.grad)
        return w.grad, b.grad
    same(f)


def _seed000_graph(torch):  # noqa: ANN001, ANN202
    x = torch.tensor([[2, 3]], dtype=torch.float, requires_grad=True)
    J = torch.zeros(2, 2)  # noqa: N806 - the seed's name
    y = torch.zeros(1, 2)
    y[0, 0] = x[0, 0] ** 2 + 3 * x[0, 1]
    y[0, 1] = x[0, 1] ** 2 + 2 * x[0, 0]
    return x, J, y


def seed000_nonscalar(torch):  # noqa: ANN001, ANN201
    x, J, y = _seed000_graph(torch)  # noqa: N806
    print(y)
    y.backward(torch.Tensor([[1, 1]]))
    print(x.grad)  # tensor([[6., 9.]]): v^T J, not the Jacobian
    return x.grad


def seed000_jacobian(torch):  # noqa: ANN001, ANN201
    x, J, y = _seed000_graph(torch)  # noqa: N806
    y.backward(torch.Tensor([[1, 0]]), retain_graph=True)
    J[0] = x.grad
    x.grad = torch.zeros_like(x.grad)
    y.backward(torch.Tensor([[0, 1]]))
    J[1] = x.grad
    print(J)
    return J


def seed000_as_written(torch):  # noqa: ANN001, ANN201
    # The note runs the first backward without retain_graph and then backward again on the
    # same graph: torch raises "Trying to backward through the graph a second time".
    x, J, y = _seed000_graph(torch)  # noqa: N806
    y.backward(torch.Tensor([[1, 1]]))
    print(x.grad)
    y.backward(torch.Tensor([[1, 0]]), retain_graph=True)


def test_seed000_nonscalar_backward():
    same(seed000_nonscalar)


def test_seed000_jacobian():
    same(seed000_jacobian)


def test_seed000_as_written_raises_second_backward():
    same(seed000_as_written)


def test_seed000_graph_nodes():
    def f(torch):  # noqa: ANN001, ANN202
        x, _, y = _seed000_graph(torch)
        print(y.grad_fn, y.grad_fn.next_functions)
        return y.grad_fn.name(), y.requires_grad, y.is_leaf
    same(f)


# -- seed 001: requires_grad, no_grad, detach vs .data, devices, item/tolist ---------------

def seed001_no_grad(torch):  # noqa: ANN001, ANN201
    x = torch.tensor(X3.copy(), requires_grad=True)
    print(x.requires_grad)
    print((x ** 2).requires_grad)
    with torch.no_grad():
        print((x ** 2).requires_grad)
    print((x ** 2).requires_grad)


def test_seed001_no_grad():
    same(seed001_no_grad)


def test_seed001_input_does_not_require_grad():
    same(lambda torch: print(torch.ones(8, 3, 5, 10).requires_grad))


def seed001_detach(torch):  # noqa: ANN001, ANN201
    a = torch.tensor([7., 0, 0], requires_grad=True)
    b = a + 2
    print(b)
    loss = torch.mean(b * b)
    b_ = b.detach()
    b_.zero_()
    print(b)
    # The note shows the message up to "inplace operation"; torch 2.13 goes on with
    # ": [torch.FloatTensor [3]], which is output 0 of Add, is at version 1; ..." (the
    # note's older torch said "AddBackward0").
    loss.backward()


def seed001_data(torch):  # noqa: ANN001, ANN201
    a = torch.tensor([7., 0, 0], requires_grad=True)
    b = a + 2
    print(b)
    loss = torch.mean(b * b)
    b_ = b.data
    b_.zero_()
    print(b)
    loss.backward()
    print(a.grad)  # tensor([0., 0., 0.]): silently wrong, as the note says
    return a.grad


def test_seed001_detach_raises():
    same(seed001_detach)


def test_seed001_detach_exact_message():
    a = ember.tensor([7., 0, 0], requires_grad=True)
    b = a + 2
    loss = ember.mean(b * b)
    b.detach().zero_()
    with pytest.raises(RuntimeError) as e:
        loss.backward()
    assert str(e.value) == (
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [3]], which is output 0 of Add, is at version 1; "
        "expected version 0 instead. Hint: enable anomaly detection to find the operation "
        "that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, "
        "check_nan=False).")


def test_seed001_data_silently_wrong():
    same(seed001_data)


def seed001_device(torch):  # noqa: ANN001, ANN201
    device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    a = torch.tensor(R33a.copy()).to(device)
    print(device, a.device, a.shape)
    y = torch.tensor(R33b.copy(), requires_grad=True).to(device)
    y_ = y.cpu().detach().numpy()
    y2 = y.detach().cpu().numpy()
    print(type(y_).__name__, y_.dtype, y2.shape)
    return y_, y2


def test_seed001_device_and_numpy():
    same(seed001_device)


def seed001_cuda(torch):  # noqa: ANN001, ANN201
    # The note's GPU lines. Without a GPU both libraries raise; torch's AssertionError says
    # "Torch not compiled with CUDA enabled", ember's says to install CuPy.
    for make in (lambda: torch.rand([3, 3], device="cuda"),
                 lambda: torch.randn(1, requires_grad=True, device="cuda"),
                 lambda: torch.ones(2).cuda()):
        try:
            make()
            print("ok")
        except AssertionError as e:
            print(type(e).__mro__[1].__name__ if type(e) is not AssertionError else
                  "AssertionError", "CUDA" in str(e))


def test_seed001_cuda_lines_without_gpu():
    if torch.cuda.is_available() or ember.cuda.is_available():
        pytest.skip("a GPU is present")
    same(seed001_cuda)


def seed001_item(torch):  # noqa: ANN001, ANN201
    x = torch.tensor([-0.4717346727848053], requires_grad=True)
    print(x)
    y = x.item()
    print(y, type(y))
    x = torch.tensor(R22.copy())
    y = x.tolist()
    print(y)
    return y


def test_seed001_item_tolist():
    same(seed001_item)


def test_seed001_item_many_elements():
    same(lambda torch: torch.ones(2, 2).item())


def seed001_param_init(torch):  # noqa: ANN001, ANN201
    # The tensor part of the training example: .data.fill_ on a leaf, weight[0][0][0] views
    # print with a grad_fn (SelectBackward0 in torch 2.13; the note's older torch printed
    # SelectBackward), and an SGD step done by hand.
    w = torch.zeros(16, 3, 3, 3, requires_grad=True)
    w.data.fill_(0.1)
    print(w.grad)
    print(w[0][0][0])
    loss = (w * torch.arange(3.0)).sum()
    loss.backward()
    print(w.grad[0][0][0])
    with torch.no_grad():
        w -= 1.0 * w.grad
    print(w[0][0][0])
    w.grad.zero_()
    print(w.grad[0][0][0])


def test_seed001_param_init_and_manual_step():
    same(seed001_param_init)


# -- seed 002: gradients of f(x) and f(x, y); retain_grad ---------------------------------

def seed002_single(torch):  # noqa: ANN001, ANN201
    x = torch.tensor([2.0], requires_grad=True)
    y = x ** 2 + 2 * x + 1
    y.backward()
    print(x.grad)
    return x.grad


def seed002_two(torch):  # noqa: ANN001, ANN201
    x = torch.tensor([2.0], requires_grad=True)
    y = torch.tensor([1.0], requires_grad=True)
    z = 3 * x ** 2 + 2 * x * y + y ** 2
    z.backward()
    print(x.grad, y.grad)
    return x.grad, y.grad


def seed002_retain_grad(torch):  # noqa: ANN001, ANN201
    x = torch.tensor([2.0], requires_grad=True)
    y = torch.tensor([1.0], requires_grad=True)
    z = 3 * x ** 2 + 2 * x * y + y ** 2
    z.retain_grad()
    z.backward(retain_graph=True)
    print("一阶导数:", x.grad, y.grad)
    # The note claims x.grad.grad is the second derivative: it is None (x.grad is a leaf
    # with no grad of its own), and torch decides.
    print("二阶导数:", x.grad.grad, y.grad.grad)
    print(z.grad, z.retains_grad)
    return x.grad.grad, z.grad


def seed002_second_derivative(torch):  # noqa: ANN001, ANN201
    # What the note wanted: second derivatives through create_graph.
    x = torch.tensor([2.0], requires_grad=True)
    y = torch.tensor([1.0], requires_grad=True)
    z = 3 * x ** 2 + 2 * x * y + y ** 2
    gx, gy = torch.autograd.grad(z, [x, y], create_graph=True)
    print(gx, gy)
    print(torch.autograd.grad(gx, [x, y]), torch.autograd.grad(gy, [x, y]))


@pytest.mark.parametrize("example", [seed002_single, seed002_two, seed002_retain_grad,
                                     seed002_second_derivative])
def test_seed002(example):
    same(example)


# -- seed 003: the d2l-style autograd tour ------------------------------------------------

W3 = RNG.standard_normal((5, 3)).astype(np.float32)
B3 = RNG.standard_normal(3).astype(np.float32)


def seed003_bce(torch):  # noqa: ANN001, ANN201
    x = torch.ones(5)
    y = torch.zeros(3)
    w = torch.tensor(W3.copy(), requires_grad=True)  # the seed: torch.randn(5, 3, ...)
    b = torch.tensor(B3.copy(), requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    print('Gradient function for z =', z.grad_fn)
    print('Gradient function for loss =', loss.grad_fn)
    loss.backward()
    print(w.grad)
    print(b.grad)
    loss.backward()  # "一个计算图只能反向传播一次": torch raises


def test_seed003_bce_and_second_backward():
    same(seed003_bce)


def seed003_accumulate(torch):  # noqa: ANN001, ANN201
    inp = torch.eye(3, requires_grad=True)
    out = (inp + 1).pow(2)
    out.backward(torch.ones_like(inp), retain_graph=True)
    print(inp.grad)
    out.backward(torch.ones_like(inp), retain_graph=True)
    print(inp.grad)
    inp.grad.zero_()
    out.backward(torch.ones_like(inp), retain_graph=True)
    print(inp.grad)
    return inp.grad


def test_seed003_accumulate_and_zero():
    same(seed003_accumulate)


@pytest.mark.parametrize("a0", [0.37, -1.3, 2.5, 1e-3])
def test_seed003_control_flow(a0):
    def f(torch):  # noqa: ANN001, ANN202
        def func(a):  # noqa: ANN001, ANN202
            b = a * 2
            while b.norm() < 1000:
                b = b * 2
            return b
        a = torch.tensor(a0, requires_grad=True)  # the seed: torch.randn(size=(), ...)
        c = func(a)
        c.backward()
        print(a.grad)
        return a.grad, c
    same(f)


def seed003_no_grad_detach(torch):  # noqa: ANN001, ANN201
    x = torch.ones(5)
    w = torch.tensor(W3.copy(), requires_grad=True)
    b = torch.tensor(B3.copy(), requires_grad=True)
    z = torch.matmul(x, w) + b
    print(z.requires_grad)
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    print(z.requires_grad)
    z = torch.matmul(x, w) + b
    z_det = z.detach()
    print(z_det.requires_grad)


def test_seed003_no_grad_and_detach():
    same(seed003_no_grad_detach)


# -- seed 004: Variable --------------------------------------------------------------------

def seed004_variable(torch):  # noqa: ANN001, ANN201
    Variable = torch.autograd.Variable  # noqa: N806 - the seed: from torch.autograd import ...
    x = Variable(torch.Tensor([2.0]), requires_grad=True)
    a = torch.tensor([2.0])       # 不需要梯度
    a = Variable(torch.Tensor([2.0]), requires_grad=True)       # a也需要梯度
    z = (x + a) ** 2 + 3
    print(z)  # the note's old torch printed "tensor([ 19.])"; 2.13 adds the grad_fn
    print(u'求导之前x的梯度:', x.grad)
    z.backward()
    print(u'求导之后x的梯度:', x.grad)
    print(a.grad)
    return x.grad, a.grad


def test_seed004_variable():
    same(seed004_variable)


def test_seed004_import_from_autograd():
    from ember.autograd import Variable

    x = Variable(ember.Tensor([2.0]), requires_grad=True)
    tx = torch.autograd.Variable(torch.Tensor([2.0]), requires_grad=True)
    assert (x.requires_grad, x.is_leaf) == (tx.requires_grad, tx.is_leaf)


def seed004_custom_grad_scaling(torch):  # noqa: ANN001, ANN201
    # The tensor side of the second example: backward with a scaled gradient argument.
    x = torch.autograd.Variable(torch.Tensor([2.0]), requires_grad=True)
    result = (x + 2) ** 2 + 3
    result.backward(torch.ones(result.size()) * 0.01)
    print(x.grad)
    return x.grad


def test_seed004_scaled_gradient():
    same(seed004_custom_grad_scaling)
