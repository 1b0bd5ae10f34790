"""A tour of autograd, after the notes ember was built from: python examples/autograd_tour.py"""

import ember as torch

torch.manual_seed(0)

print("1. Leaves and non-leaves")
x = torch.Tensor([2])
w = torch.randn(1, requires_grad=True)
b = torch.randn(1, requires_grad=True)
y = torch.mul(w, x)
z = torch.add(y, b)
print("   requires_grad x, w, b:", x.requires_grad, w.requires_grad, b.requires_grad)
print("   is_leaf x, w, b, y, z:", x.is_leaf, w.is_leaf, b.is_leaf, y.is_leaf, z.is_leaf)
print("   grad_fn y, z:", y.grad_fn, z.grad_fn)
z.backward()
print("   after z.backward(): w.grad =", w.grad, " b.grad =", b.grad, " x.grad =", x.grad)

print("\n2. Backward of a non-scalar needs a gradient (a vector-Jacobian product)")
x = torch.tensor([[2, 3]], dtype=torch.float, requires_grad=True)
y = torch.zeros(1, 2)
y[0, 0] = x[0, 0] ** 2 + 3 * x[0, 1]
y[0, 1] = x[0, 1] ** 2 + 2 * x[0, 0]
print("   y =", y)
y.backward(torch.Tensor([[1, 1]]), retain_graph=True)
print("   with v = [1, 1]: x.grad =", x.grad, "(the sum of the Jacobian's rows, not J)")

print("\n3. The Jacobian, one row per backward (retain_graph=True keeps the graph)")
J = torch.zeros(2, 2)
x.grad = torch.zeros_like(x.grad)
y.backward(torch.Tensor([[1, 0]]), retain_graph=True)
J[0] = x.grad
x.grad = torch.zeros_like(x.grad)
y.backward(torch.Tensor([[0, 1]]))
J[1] = x.grad
print("   J =", J)

print("\n4. Gradients accumulate until zeroed")
inp = torch.eye(3, requires_grad=True)
out = (inp + 1).pow(2)
out.backward(torch.ones_like(inp), retain_graph=True)
out.backward(torch.ones_like(inp), retain_graph=True)
print("   after two backward calls:\n  ", inp.grad)
inp.grad.zero_()
out.backward(torch.ones_like(inp))
print("   after zero_() and one more:\n  ", inp.grad)
try:
    out.backward(torch.ones_like(inp))
except RuntimeError as e:
    print("   a third backward without retain_graph:", str(e)[:60], "...")

print("\n5. Dynamic graphs: Python control flow decides the graph")
a = torch.tensor(0.3, requires_grad=True)
c = a * 2
while c.norm() < 1000:
    c = c * 2
c.backward()
print("   d c / d a =", a.grad)

print("\n6. no_grad and detach")
x = torch.randn(3, requires_grad=True)
print("   (x ** 2).requires_grad:", (x ** 2).requires_grad)
with torch.no_grad():
    print("   inside no_grad:", (x ** 2).requires_grad)
print("   x.detach().requires_grad:", x.detach().requires_grad)

print("\n7. detach() is checked, .data is not")
a = torch.tensor([7.0, 0, 0], requires_grad=True)
b = a + 2
loss = torch.mean(b * b)
b.detach().zero_()
try:
    loss.backward()
except RuntimeError as e:
    print("   detach then zero_():", str(e)[:90], "...")
a = torch.tensor([7.0, 0, 0], requires_grad=True)
b = a + 2
loss = torch.mean(b * b)
b.data.zero_()
loss.backward()
print("   .data then zero_(): a.grad =", a.grad, "(silently wrong; should be [6, 1.33, 1.33])")

print("\n8. Second derivatives with create_graph=True")
x = torch.tensor([2.0], requires_grad=True)
y = x ** 3
(g,) = torch.autograd.grad(y, x, create_graph=True)
(h,) = torch.autograd.grad(g, x)
print("   y = x^3 at 2: dy/dx =", g, " d2y/dx2 =", h)
