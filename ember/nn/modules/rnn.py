"""RNN, LSTM, GRU and their cells (torch.nn.modules.rnn), with PyTorch's CPU algorithms.

A layer is built as ATen builds it on the CPU: one matrix product projects the whole input
sequence, then a loop over time does one matrix product per step (the gates of a step are
one product, split afterwards), and the step outputs are stacked (``StackBackward0``).
PyTorch runs a float32 LSTM layer through oneDNN as one graph node
(``MkldnnRnnLayerBackward0``); ``_MkldnnRnnLayer`` below is that node, with the forward and
backward-through-time loops on arrays.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from ... import _dtype
from ..._tensor import Tensor
from ...amp import autocast_mode
from ...autograd import grad_mode
from ...ops._op import Op
from ...ops.creation import empty, zeros
from ...ops.linalg import addmm
from ...ops.shape import cat, stack
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


# -- one time step, on Tensors (the composite path; its graph gives double backward) ---------

def _hh(h: Tensor, w_hh_t: Tensor, b_hh: Tensor | None) -> Tensor:
    """h @ W_hh^T + b_hh, with the weight transposed once per layer, not once per step."""
    return addmm(b_hh, h, w_hh_t) if b_hh is not None else h.mm(w_hh_t)


def _rnn_step(xg: Tensor, h: Tensor, w_hh_t: Tensor, b_hh: Tensor | None,
              relu: bool) -> Tensor:
    pre = _hh(h, w_hh_t, b_hh) + xg
    return pre.relu() if relu else pre.tanh()


def _lstm_step(xg: Tensor, h: Tensor, c: Tensor, w_hh_t: Tensor, b_hh: Tensor | None,
               w_hr_t: Tensor | None) -> tuple[Tensor, Tensor]:
    i, f, g, o = (_hh(h, w_hh_t, b_hh) + xg).chunk(4, 1)  # gate order i, f, g, o
    cy = f.sigmoid() * c + i.sigmoid() * g.tanh()
    hy = o.sigmoid() * cy.tanh()
    if w_hr_t is not None:  # LSTM with projections: h = W_hr (o * tanh(c))
        hy = hy.mm(w_hr_t)
    return hy, cy


def _gru_step(xg: Tensor, h: Tensor, w_hh_t: Tensor, b_hh: Tensor | None) -> Tensor:
    ir, iz, in_ = xg.chunk(3, 1)  # gate order r, z, n
    hr, hz, hn = _hh(h, w_hh_t, b_hh).chunk(3, 1)
    r = (hr + ir).sigmoid()
    z = (hz + iz).sigmoid()
    n = (in_ + hn * r).tanh()  # r multiplies W_hn h + b_hn, as PyTorch (and cuDNN) do
    return (h - n) * z + n


def _layer(mode: str, x: Tensor, hx: Any, w: tuple, reverse: bool) -> tuple[Tensor, Any]:
    """One direction of one layer over a (T, B, F) sequence: (output, final state)."""
    w_ih, w_hh, b_ih, b_hh, w_hr = w
    if x.shape[0] == 0:
        raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
    steps = F.linear(x, w_ih, b_ih).unbind(0)  # every step's input projection, one product
    if reverse:
        steps = steps[::-1]
    w_hh_t = w_hh.t()
    w_hr_t = w_hr.t() if w_hr is not None else None
    outs = []
    h = hx
    for xg in steps:
        if mode == "LSTM":
            h = _lstm_step(xg, h[0], h[1], w_hh_t, b_hh, w_hr_t)
            outs.append(h[0])
        elif mode == "GRU":
            h = _gru_step(xg, h, w_hh_t, b_hh)
            outs.append(h)
        else:
            h = _rnn_step(xg, h, w_hh_t, b_hh, mode == "RNN_RELU")
            outs.append(h)
    if reverse:
        outs.reverse()
    return stack(outs, 0), h


# -- the fused float32 LSTM layer (PyTorch's oneDNN node) ------------------------------------

class _MkldnnRnnLayer(Op, name="MkldnnRnnLayerBackward0"):
    """One LSTM layer direction as one node: outputs (output, h_T, c_T)."""

    n_outputs = 3

    def forward(ctx, xp, x, w_ih, w_hh, b_ih, b_hh, hx, cx, *, reverse):
        T, B, _ = x.shape
        H = w_hh.shape[1]
        xw = (x.reshape(T * B, -1) @ w_ih.T).reshape(T, B, 4 * H)
        xw += b_ih + b_hh
        acts = xp.empty((T, B, 4 * H), dtype=x.dtype)  # gate activations, per step
        hs = xp.empty((T + 1, B, H), dtype=x.dtype)  # hs[k]: the state entering step k
        cs = xp.empty((T + 1, B, H), dtype=x.dtype)
        tcs = xp.empty((T, B, H), dtype=x.dtype)  # tanh(c) after step k
        out = xp.empty((T, B, H), dtype=x.dtype)
        hs[0], cs[0] = hx, cx
        order = range(T - 1, -1, -1) if reverse else range(T)
        # sigmoid(z) = (tanh(z / 2) + 1) / 2: with the sigmoid gates' weights and inputs
        # halved up front (exact: a power of two), one tanh call covers all four gates.
        half = xp.ones(4 * H, dtype=x.dtype)
        half[:2 * H] = half[3 * H:] = 0.5
        xw *= half
        w_hh_t = w_hh.T * half
        ig = xp.empty((B, H), dtype=x.dtype)
        # Each step is a dozen small array calls, every one writing into its place (out=):
        # at this size the Python overhead per call, not the arithmetic, is the cost.
        for k, t in enumerate(order):
            g = acts[k]
            xp.matmul(hs[k], w_hh_t, out=g)
            g += xw[t]
            xp.tanh(g, out=g)
            for s in (g[:, :2 * H], g[:, 3 * H:]):
                s *= 0.5
                s += 0.5
            c = cs[k + 1]
            xp.multiply(g[:, H:2 * H], cs[k], out=c)
            xp.multiply(g[:, :H], g[:, 2 * H:3 * H], out=ig)
            c += ig
            xp.tanh(c, out=tcs[k])
            xp.multiply(g[:, 3 * H:], tcs[k], out=hs[k + 1])
        out[...] = hs[1:][::-1] if reverse else hs[1:]
        ctx.acts, ctx.hs, ctx.cs, ctx.tcs, ctx.reverse = acts, hs, cs, tcs, reverse
        return out, hs[T].copy(), cs[T].copy()

    def backward(ctx, grads, x, w_ih, w_hh, b_ih, b_hh, hx, cx):
        if grad_mode._state.enabled:  # create_graph: differentiate the composite instead
            return _lstm_layer_double_backward(ctx, grads, x, w_ih, w_hh, b_ih, b_hh, hx, cx)
        xp = _xp(x._data)
        acts, hs, cs, tcs = ctx.acts, ctx.hs, ctx.cs, ctx.tcs
        T, B, H4 = acts.shape
        H = H4 // 4
        g_out, g_h, g_c = (None if g is None else g._data for g in grads)
        dt = x._data.dtype
        dh = xp.zeros((B, H), dt) if g_h is None else g_h.copy()
        dc = xp.zeros((B, H), dt) if g_c is None else g_c.copy()
        dgates = xp.empty_like(acts)
        order = range(T - 1, -1, -1) if ctx.reverse else range(T)
        w_hh_d = w_hh._data
        # The gates' local derivatives do not depend on the incoming gradient: all steps at
        # once, before the loop, leave it a handful of in-place calls per step.
        i, f, g, o = acts[..., :H], acts[..., H:2 * H], acts[..., 2 * H:3 * H], acts[..., 3 * H:]
        dtc = o * (1 - tcs * tcs)  # d h / d c through tanh
        dc_gates = xp.empty((T, B, 3, H), dt)  # d c / d (i, f, g) pre-activation
        dc_gates[:, :, 0] = g * i * (1 - i)
        dc_gates[:, :, 1] = cs[:T] * f * (1 - f)
        dc_gates[:, :, 2] = i * (1 - g * g)
        dh_o = tcs * o * (1 - o)  # d h / d o pre-activation
        f = f.copy()  # contiguous for the per-step product
        tmp = xp.empty((B, H), dt)
        for k in range(T - 1, -1, -1):
            if g_out is not None:
                dh += g_out[order[k]]
            xp.multiply(dh, dtc[k], out=tmp)
            dc += tmp
            d = dgates[k]
            xp.multiply(dc[:, None, :], dc_gates[k], out=d[:, :3 * H].reshape(B, 3, H))
            xp.multiply(dh, dh_o[k], out=d[:, 3 * H:])
            dc *= f[k]
            dh = d @ w_hh_d
        if ctx.reverse:  # back to time order, to meet the inputs
            dgates_t = dgates[::-1]
        else:
            dgates_t = dgates
        need = ctx.needs_input_grad
        flat = dgates_t.reshape(T * B, H4)
        out = [None] * 7
        if need[0]:
            out[0] = Tensor._make((flat @ w_ih._data).reshape(x._data.shape))
        if need[1]:
            out[1] = Tensor._make(flat.T @ x._data.reshape(T * B, -1))
        if need[2]:
            out[2] = Tensor._make(dgates.reshape(T * B, H4).T @ hs[:T].reshape(T * B, H))
        if need[3] or need[4]:
            db = flat.sum(axis=0)
            out[3] = Tensor._make(db) if need[3] else None
            out[4] = Tensor._make(db.copy()) if need[4] else None
        if need[5]:
            out[5] = Tensor._make(dh)
        if need[6]:
            out[6] = Tensor._make(dc)
        return tuple(out)


def _xp(arr: Any) -> Any:
    from ..._device import array_module

    return array_module(arr)


def _lstm_layer_double_backward(ctx: Any, grads: Any, *inputs: Tensor) -> tuple:
    """The node's gradients as a graph: rebuild the layer from ember ops on aliases of the
    inputs and differentiate that (so second derivatives reach the original inputs)."""
    from ...autograd import grad as autograd_grad

    need = ctx.needs_input_grad
    aliases = [t.view_as(t) if n else t.detach() for t, n in zip(inputs, need)]
    x, w_ih, w_hh, b_ih, b_hh, hx, cx = aliases
    out, (h, c) = _layer("LSTM", x, (hx, cx), (w_ih, w_hh, b_ih, b_hh, None), ctx.reverse)
    pairs = [(o, g) for o, g in zip((out, h, c), grads) if g is not None]
    wrt = [a for a, n in zip(aliases, need) if n]
    got = iter(autograd_grad([o for o, _ in pairs], wrt, [g for _, g in pairs],
                             create_graph=True, allow_unused=True))
    return tuple(next(got) if n else None for n in need)


# -- the multi-layer modules -----------------------------------------------------------------

class RNNBase(Module):
    """torch.nn.RNNBase: parameters, checks and repr shared by RNN, LSTM and GRU."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if (not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1
                or isinstance(dropout, bool)):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: "
                            f"{type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: "
                            f"{type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: "
                            f"{type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = {"weight_ih": (gate_size, layer_input_size),
                          "weight_hh": (gate_size, real_hidden_size)}
                if bias:
                    shapes["bias_ih"] = (gate_size,)
                    shapes["bias_hh"] = (gate_size,)
                if proj_size > 0:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                names = []
                for stem, shape in shapes.items():
                    name = f"{stem}_l{layer}{suffix}"
                    setattr(self, name, Parameter(empty(shape, device=device, dtype=dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, n) if hasattr(self, n) else None for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """RNNBase.all_weights: the parameters, one list per layer and direction."""
        return [[getattr(self, w) for w in ws] for ws in self._all_weights]

    def flatten_parameters(self) -> None:
        """RNNBase.flatten_parameters: a no-op off cuDNN, as in PyTorch."""

    def reset_parameters(self) -> None:
        """RNNBase.reset_parameters: every parameter U(-1/sqrt(hidden), 1/sqrt(hidden))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def check_input(self, input: Tensor, batch_sizes: Tensor | None) -> None:
        """RNNBase.check_input: dtype, rank and feature size of the input."""
        w0 = self._flat_weights[0]
        # (Under autocast torch lets them differ: the fused layer casts its inputs.)
        if input.dtype != w0.dtype and not autocast_mode._state.enabled:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({w0.dtype}). Convert input: input.to({w0.dtype}), or convert "
                             f"model: model.to({input.dtype})")
        expected_input_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_input_dim:
            raise RuntimeError(f"input must have {expected_input_dim} dimensions, got "
                               f"{input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    def get_expected_hidden_size(self, input: Tensor,
                                 batch_sizes: Tensor | None) -> tuple[int, int, int]:
        """RNNBase.get_expected_hidden_size."""
        mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, size)

    def check_hidden_size(self, hx: Tensor, expected_hidden_size: tuple,
                          msg: str = "Expected hidden size {}, got {}") -> None:
        """RNNBase.check_hidden_size."""
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input: Tensor, hidden: Tensor,
                           batch_sizes: Tensor | None) -> None:
        """RNNBase.check_forward_args."""
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx: Any, permutation: Tensor | None) -> Any:
        """RNNBase.permute_hidden (packed sequences only; identity otherwise)."""
        if permutation is None:
            return hx
        return hx.index_select(1, permutation)

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    def _layer_weights(self, index: int) -> tuple:
        names = self._all_weights[index]
        get = {n.split("_l")[0]: getattr(self, n) for n in names}
        return (get["weight_ih"], get["weight_hh"], get.get("bias_ih"), get.get("bias_hh"),
                get.get("weight_hr"))

    def _run(self, input: Tensor, hx: Any) -> tuple[Tensor, Any]:
        """The stacked layers on a batched input, ATen's _rnn_impl_with_concat / mkldnn_rnn."""
        lstm = self.mode == "LSTM"
        fused = (lstm and self.proj_size == 0 and input.dtype is _dtype.float32
                 and input.numel() != 0)
        x = input.transpose(0, 1) if self.batch_first else input
        if lstm:
            h0s, c0s = hx[0].unbind(0), hx[1].unbind(0)
        else:
            h0s = hx.unbind(0)
        D = 2 if self.bidirectional else 1
        hs, cs = [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(D):
                idx = layer * D + d
                w = self._layer_weights(idx)
                if fused:
                    w_ih, w_hh, b_ih, b_hh, _ = w
                    if b_ih is None:  # oneDNN always takes biases: zeros when there are none
                        b_ih = zeros(w_ih.shape[0], dtype=w_ih.dtype, device=w_ih.device)
                        b_hh = zeros(w_hh.shape[0], dtype=w_hh.dtype, device=w_hh.device)
                    out, h, c = _MkldnnRnnLayer.apply(x, w_ih, w_hh, b_ih, b_hh, h0s[idx],
                                                      c0s[idx], reverse=d == 1)
                    state = (h, c)
                else:
                    out, state = _layer(self.mode, x, (h0s[idx], c0s[idx]) if lstm
                                        else h0s[idx], w, d == 1)
                outs.append(out)
                if lstm:
                    hs.append(state[0])
                    cs.append(state[1])
                else:
                    hs.append(state)
            x = outs[0] if D == 1 else cat(outs, outs[0].dim() - 1)
            if self.dropout != 0 and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        output = x
        if self.batch_first:
            # ATen transposes the RNN/GRU result in place, the LSTM one out of place.
            output = output.transpose(0, 1) if lstm else output.transpose_(0, 1)
        if lstm:
            return output, (stack(hs, 0), stack(cs, 0))
        return output, stack(hs, 0)

    def _zeros(self, input: Tensor, size: int) -> Tensor:
        batch = input.size(0) if self.batch_first else input.size(1)
        D = 2 if self.bidirectional else 1
        return zeros(self.num_layers * D, batch, size, dtype=input.dtype, device=input.device)


class RNN(RNNBase):
    """torch.nn.RNN: an Elman RNN, h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' "
                             "or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        if input.dim() not in (2, 3):
            raise ValueError(f"RNN: Expected input to be 2D or 3D, got {input.dim()}D tensor "
                             "instead")
        return _single_state_forward(self, input, hx)


class GRU(RNNBase):
    """torch.nn.GRU: gates r, z, n; n = tanh(W_in x + b_in + r * (W_hn h + b_hn))."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        if input.dim() not in (2, 3):
            raise ValueError(f"GRU: Expected input to be 2D or 3D, got {input.dim()}D instead")
        return _single_state_forward(self, input, hx)


def _single_state_forward(self: RNNBase, input: Tensor,
                          hx: Tensor | None) -> tuple[Tensor, Tensor]:
    """RNN.forward / GRU.forward on tensors: unbatched inputs, checks, then the layers."""
    is_batched = input.dim() == 3
    batch_dim = 0 if self.batch_first else 1
    if not is_batched:
        input = input.unsqueeze(batch_dim)
        if hx is not None:
            if hx.dim() != 2:
                raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                   f"{hx.dim()}-D tensor")
            hx = hx.unsqueeze(1)
    elif hx is not None and hx.dim() != 3:
        raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D "
                           "tensor")
    if hx is None:
        hx = self._zeros(input, self.hidden_size)
    self.check_forward_args(input, hx, None)
    output, hidden = self._run(input, hx)
    if not is_batched:
        output = output.squeeze(batch_dim)
        hidden = hidden.squeeze(1)
    return output, hidden


class LSTM(RNNBase):
    """torch.nn.LSTM: gates i, f, g, o; optional projections (proj_size)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input: Tensor,
                               batch_sizes: Tensor | None) -> tuple[int, int, int]:
        """LSTM.get_expected_cell_size."""
        mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch, self.hidden_size)

    def check_forward_args(self, input: Tensor, hidden: Any,  # type: ignore[override]
                           batch_sizes: Tensor | None) -> None:
        """LSTM.check_forward_args: both states' sizes."""
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def permute_hidden(self, hx: Any, permutation: Tensor | None) -> Any:
        """LSTM.permute_hidden."""
        if permutation is None:
            return hx
        return hx[0].index_select(1, permutation), hx[1].index_select(1, permutation)

    def forward(self, input: Tensor,
                hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        if input.dim() not in (2, 3):
            raise ValueError(f"LSTM: Expected input to be 2D or 3D, got {input.dim()}D instead")
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)
        real_hidden_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            hx = (self._zeros(input, real_hidden_size), self._zeros(input, self.hidden_size))
        else:
            if is_batched:
                if hx[0].dim() != 3 or hx[1].dim() != 3:
                    raise RuntimeError("For batched 3-D input, hx and cx should also be 3-D but "
                                       f"got ({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
            else:
                if hx[0].dim() != 2 or hx[1].dim() != 2:
                    raise RuntimeError("For unbatched 2-D input, hx and cx should also be 2-D "
                                       f"but got ({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        self.check_forward_args(input, hx, None)
        if self.proj_size > 0 and input.dtype is _dtype.float32:
            _warn_projections_once()
        output, hidden = self._run(input, hx)
        if not is_batched:
            output = output.squeeze(batch_dim)
            hidden = (hidden[0].squeeze(1), hidden[1].squeeze(1))
        return output, hidden


_warned_projections = False


def _warn_projections_once() -> None:
    # PyTorch's TORCH_WARN_ONCE: oneDNN has no projections, so this LSTM takes the slow path.
    global _warned_projections
    if not _warned_projections:
        _warned_projections = True
        warnings.warn("LSTM with projections is not supported with oneDNN. Using default "
                      "implementation.", UserWarning, stacklevel=3)


# -- the cells -------------------------------------------------------------------------------

class RNNCellBase(Module):
    """torch.nn.RNNCellBase: weight_ih, weight_hh, bias_ih, bias_hh of one cell."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), device=device,
                                         dtype=dtype))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), device=device,
                                         dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        """RNNCellBase.reset_parameters: U(-1/sqrt(hidden), 1/sqrt(hidden))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _check(self, input: Tensor, hx: Tensor, name: str) -> None:
        # ATen's check_rnn_cell_forward_input / _hidden.
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} "
                               f"expected {self.input_size}")
        if input.size(0) != hx.size(0):
            raise RuntimeError(f"Input batch size {input.size(0)} doesn't match {name} batch "
                               f"size {hx.size(0)}")
        if hx.size(1) != self.hidden_size:
            raise RuntimeError(f"{name} has inconsistent hidden_size: got {hx.size(1)}, "
                               f"expected {self.hidden_size}")

    def _prepare(self, cls: str, input: Tensor, hx: Any) -> tuple[bool, Tensor]:
        if input.dim() not in (1, 2):
            raise ValueError(f"{cls}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        is_batched = input.dim() == 2
        return is_batched, input if is_batched else input.unsqueeze(0)

    def _zeros(self, input: Tensor) -> Tensor:
        return zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)


class RNNCell(RNNCellBase):
    """torch.nn.RNNCell: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"RNNCell: Expected hidden to be 1D or 2D, got {hx.dim()}D "
                             "instead")
        is_batched, input = self._prepare("RNNCell", input, hx)
        hx = self._zeros(input) if hx is None else hx if is_batched else hx.unsqueeze(0)
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        self._check(input, hx, "hidden0")
        xg = F.linear(input, self.weight_ih, self.bias_ih)
        ret = _rnn_step(xg, hx, self.weight_hh.t(), self.bias_hh, self.nonlinearity == "relu")
        return ret if is_batched else ret.squeeze(0)


class LSTMCell(RNNCellBase):
    """torch.nn.LSTMCell: one LSTM step, returns (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

    def forward(self, input: Tensor,
                hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        if input.dim() not in (1, 2):
            raise ValueError(f"LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError(f"LSTMCell: Expected hx[{idx}] to be 1D or 2D, got "
                                     f"{value.dim()}D instead")
        is_batched, input = self._prepare("LSTMCell", input, hx)
        if hx is None:
            z = self._zeros(input)
            hx = (z, z)
        elif not is_batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        self._check(input, hx[0], "hx[0]")
        self._check(input, hx[1], "hx[1]")
        xg = F.linear(input, self.weight_ih, self.bias_ih)
        h, c = _lstm_step(xg, hx[0], hx[1], self.weight_hh.t(), self.bias_hh, None)
        return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """torch.nn.GRUCell: one GRU step."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        if input.dim() not in (1, 2):
            raise ValueError(f"GRUCell: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"GRUCell: Expected hidden to be 1D or 2D, got {hx.dim()}D "
                             "instead")
        is_batched, input = self._prepare("GRUCell", input, hx)
        hx = self._zeros(input) if hx is None else hx if is_batched else hx.unsqueeze(0)
        self._check(input, hx, "hidden0")
        xg = F.linear(input, self.weight_ih, self.bias_ih)
        ret = _gru_step(xg, hx, self.weight_hh.t(), self.bias_hh)
        return ret if is_batched else ret.squeeze(0)
