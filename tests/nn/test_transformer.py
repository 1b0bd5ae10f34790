"""nn.MultiheadAttention, F.multi_head_attention_forward and the Transformer modules against
torch: outputs, attention weights, grad_fn names, parameter gradients, masks, reprs."""

import warnings

import numpy as np
import pytest
import torch
from _helpers import both, same

import ember
from ember.nn.modules.attention import multi_head_attention_forward

RNG = np.random.default_rng(0)


def arr(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def to_lib(lib, v):
    return (torch.tensor(v) if lib is torch else ember.tensor(v)) if isinstance(
        v, np.ndarray) else v


def check_grads(t, e, tin, ein, rtol=1e-4, atol=1e-5):
    for (n, pt), (ne, pe) in zip(t.named_parameters(), e.named_parameters()):
        assert n == ne
        if pt.grad is None:
            assert pe.grad is None, n
            continue
        np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), rtol=rtol, atol=atol,
                                   err_msg=n)
    for a, b in zip(ein, tin):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=rtol, atol=atol)


# -- MultiheadAttention ----------------------------------------------------------------------

L, S, B, E, H = 4, 5, 2, 8, 2
causal_bool = np.triu(np.ones((L, L), bool), 1)
causal_float = np.triu(np.full((L, L), -np.inf, np.float32), 1)
cross_bool = np.triu(np.ones((L, S), bool), 2)
kpm = np.arange(S)[None, :] >= np.array([S - 1, S - 2])[:, None]  # (B, S), True = padding
mask3 = arr(B * H, L, S)

MHA_CASES = [
    ({}, {}, True),
    ({"batch_first": True}, {}, True),
    ({}, {"need_weights": False}, True),
    ({}, {"average_attn_weights": False}, True),
    ({}, {"attn_mask": causal_bool}, True),
    ({}, {"attn_mask": causal_float, "need_weights": False}, True),
    ({}, {"attn_mask": causal_float, "is_causal": True, "need_weights": False}, True),
    ({}, {"attn_mask": mask3}, False),
    ({}, {"key_padding_mask": kpm}, False),
    ({}, {"key_padding_mask": kpm, "need_weights": False}, False),
    ({}, {"key_padding_mask": kpm, "attn_mask": cross_bool}, False),
    ({"kdim": 3, "vdim": 6}, {}, False),
    ({"kdim": 3, "vdim": 6, "batch_first": True}, {"need_weights": False}, False),
    ({"add_bias_kv": True, "add_zero_attn": True},
     {"attn_mask": cross_bool, "key_padding_mask": kpm}, False),
    ({"bias": False}, {}, False),
    ({"dropout": 0.3}, {}, True),  # eval mode: no dropout
]


@pytest.mark.parametrize("kw,fkw,self_attn", MHA_CASES, ids=lambda v: str(v)[:60])
def test_multihead_attention(kw, fkw, self_attn):
    t, e = both(lambda lib: lib.nn.MultiheadAttention(E, H, **kw))
    t.eval()
    e.eval()
    bf = kw.get("batch_first", False)

    def shape(n, d):
        return (B, n, d) if bf else (n, B, d)

    if self_attn:
        q = arr(*shape(L, E))
        tq, eq = torch.tensor(q, requires_grad=True), ember.tensor(q, requires_grad=True)
        tin, ein = [tq], [eq]
        targs, eargs = (tq, tq, tq), (eq, eq, eq)
    else:
        qkv = [arr(*shape(L, E)), arr(*shape(S, kw.get("kdim", E))),
               arr(*shape(S, kw.get("vdim", E)))]
        tin = [torch.tensor(a, requires_grad=True) for a in qkv]
        ein = [ember.tensor(a, requires_grad=True) for a in qkv]
        targs, eargs = tin, ein
    to = t(*targs, **{k: to_lib(torch, v) for k, v in fkw.items()})
    eo = e(*eargs, **{k: to_lib(ember, v) for k, v in fkw.items()})
    for a, b in zip(eo, to):
        if b is None:
            assert a is None
            continue
        same(a, b)
        assert type(a.grad_fn).__name__ == type(b.grad_fn).__name__
    (to[0].sum() + (to[1] ** 2).sum() if to[1] is not None else to[0].sum()).backward()
    (eo[0].sum() + (eo[1] ** 2).sum() if eo[1] is not None else eo[0].sum()).backward()
    check_grads(t, e, tin, ein)


@pytest.mark.parametrize("fkw", [{}, {"need_weights": False},
                                 {"key_padding_mask": np.array([False, False, False, True])}])
def test_multihead_attention_unbatched(fkw):
    t, e = both(lambda lib: lib.nn.MultiheadAttention(E, H, batch_first=True))
    x = arr(L, E)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    to = t(tx, tx, tx, **{k: to_lib(torch, v) for k, v in fkw.items()})
    eo = e(ex, ex, ex, **{k: to_lib(ember, v) for k, v in fkw.items()})
    same(eo[0], to[0])
    if to[1] is not None:
        same(eo[1], to[1])
    to[0].sum().backward()
    eo[0].sum().backward()
    check_grads(t, e, [tx], [ex])


def test_multihead_attention_train_mode_dropout_zero_and_dropout_one():
    for p in (0.0, 1.0):  # p=1 drops every weight: output is out_proj's bias
        t, e = both(lambda lib: lib.nn.MultiheadAttention(E, H, dropout=p))
        x = arr(L, B, E)
        tx, ex = torch.tensor(x), ember.tensor(x)
        same(e(ex, ex, ex)[0], t(tx, tx, tx)[0])


def test_multihead_attention_parameters_init_and_repr():
    for kw in ({}, {"kdim": 3, "vdim": 5, "add_bias_kv": True}, {"bias": False}):
        t, e = torch.nn.MultiheadAttention(E, H, **kw), ember.nn.MultiheadAttention(E, H, **kw)
        assert [(n, tuple(p.shape)) for n, p in e.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in t.named_parameters()]
        assert list(e.state_dict()) == list(t.state_dict())
        assert repr(e) == repr(t)
        assert type(e.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
        assert isinstance(e.out_proj, ember.nn.Linear)
    e = ember.nn.MultiheadAttention(16, 4)
    assert not e.in_proj_bias.detach().numpy().any()
    assert not e.out_proj.bias.detach().numpy().any()
    bound = np.sqrt(6 / (16 + 48))  # xavier_uniform_ on the (48, 16) in_proj_weight
    w = e.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and w.std() > bound / 3


def test_multihead_attention_errors():
    for lib in (torch, ember):
        with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
            lib.nn.MultiheadAttention(10, 3)
        with pytest.raises(ValueError, match="must be greater than 0"):
            lib.nn.MultiheadAttention(0, 2)
        m = lib.nn.MultiheadAttention(E, H)
        x = lib.zeros(L, B, E)
        with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal"):
            m(x, x, x, is_causal=True)
        with pytest.raises(RuntimeError, match="The shape of the 2D attn_mask is"):
            m(x, x, x, attn_mask=lib.zeros(L, L + 1))
        with pytest.raises(AssertionError, match="only bool and floating types"):
            m(x, x, x, attn_mask=lib.zeros(L, L, dtype=lib.int64))
        with pytest.raises(AssertionError, match="query should be unbatched 2D or batched 3D"):
            m(lib.zeros(1, L, B, E), x, x)


def test_mismatched_mask_types_warn():
    for lib in (torch, ember):
        m = lib.nn.MultiheadAttention(E, H)
        x = lib.zeros(L, B, E)
        with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and "
                                             "attn_mask is deprecated"):
            m(x, x, x, key_padding_mask=lib.zeros(B, L, dtype=lib.bool),
              attn_mask=lib.zeros(L, L))


@pytest.mark.parametrize("separate", [False, True])
def test_multi_head_attention_forward_functional(separate):
    torch.manual_seed(0)
    q, k, v = arr(L, B, E), arr(S, B, E), arr(S, B, E)
    w_in, b_in, w_out, b_out = arr(3 * E, E), arr(3 * E), arr(E, E), arr(E)
    ws = [arr(E, E) for _ in range(3)]
    outs = []
    for lib, fn in ((torch, torch.nn.functional.multi_head_attention_forward),
                    (ember, multi_head_attention_forward)):
        ins = [to_lib(lib, a).requires_grad_(True) for a in (q, k, v, w_in, b_in, w_out, b_out)]
        sep = [to_lib(lib, a).requires_grad_(True) for a in ws]
        out, weights = fn(*ins[:3], E, H, None if separate else ins[3], ins[4], None, None,
                          False, 0.0, ins[5], ins[6], training=False,
                          key_padding_mask=to_lib(lib, kpm), use_separate_proj_weight=separate,
                          q_proj_weight=sep[0] if separate else None,
                          k_proj_weight=sep[1] if separate else None,
                          v_proj_weight=sep[2] if separate else None)
        (out.sum() + weights.sum()).backward()
        outs.append((out, weights, [a.grad for a in ins + sep]))
    (eo, ew, eg), (to, tw, tg) = outs[1], outs[0]
    same(eo, to)
    same(ew, tw)
    for a, b in zip(eg, tg):
        if b is None:
            assert a is None
        else:
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-5)


# -- Transformer modules ---------------------------------------------------------------------

def enc_layer(lib, **kw):
    kw = {k: getattr(lib, v) if k == "activation" and v in ("tanh", "sigmoid") else v
          for k, v in kw.items()}
    return lib.nn.TransformerEncoderLayer(E, H, 16, **kw)


def run_module(t, e, inputs, fkw, train=False):
    t.train(train)
    e.train(train)
    tin = [torch.tensor(a, requires_grad=True) for a in inputs]
    ein = [ember.tensor(a, requires_grad=True) for a in inputs]
    to = t(*tin, **{k: to_lib(torch, v) for k, v in fkw.items()})
    eo = e(*ein, **{k: to_lib(ember, v) for k, v in fkw.items()})
    same(eo, to, rtol=1e-4, atol=1e-5)
    assert type(eo.grad_fn).__name__ == type(to.grad_fn).__name__
    up = arr(*to.shape)
    (to * torch.tensor(up)).sum().backward()
    (eo * ember.tensor(up)).sum().backward()
    check_grads(t, e, tin, ein, rtol=1e-3, atol=1e-4)


ENC_CASES = [
    ({}, {}, False),
    ({"dropout": 0.0}, {}, True),
    ({"norm_first": True, "activation": "gelu"}, {"src_mask": causal_float}, False),
    ({"activation": "tanh", "bias": False}, {"src_key_padding_mask": kpm[:, :L]}, False),
    ({"batch_first": True, "dropout": 0.0, "layer_norm_eps": 1e-3},
     {"src_mask": causal_bool, "is_causal": True}, True),
]


@pytest.mark.parametrize("kw,fkw,train", ENC_CASES, ids=lambda v: str(v)[:50])
def test_encoder_layer(kw, fkw, train):
    t, e = both(lambda lib: enc_layer(lib, **kw))
    shape = (B, L, E) if kw.get("batch_first") else (L, B, E)
    run_module(t, e, [arr(*shape)], fkw, train)


@pytest.mark.parametrize("kw,fkw,train", ENC_CASES, ids=lambda v: str(v)[:50])
def test_encoder(kw, fkw, train):
    fkw = {"mask" if k == "src_mask" else k: v for k, v in fkw.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # enable_nested_tensor's warning, tested below
        t, e = both(lambda lib: lib.nn.TransformerEncoder(enc_layer(lib, **kw), 2,
                                                          norm=lib.nn.LayerNorm(E)))
    shape = (B, L, E) if kw.get("batch_first") else (L, B, E)
    run_module(t, e, [arr(*shape)], fkw, train)


def test_encoder_inference_zeroes_padding_like_nested_tensors():
    # Under no_grad in eval, PyTorch runs padded batches as nested tensors and pads the
    # result with zeros; with grad it returns values at the padded positions.
    t, e = both(lambda lib: lib.nn.TransformerEncoder(enc_layer(lib, batch_first=True), 2))
    t.eval()
    e.eval()
    x = arr(B, S, E)
    for grad in (False, True):
        with torch.set_grad_enabled(grad), ember.set_grad_enabled(grad), \
                warnings.catch_warnings(record=True):
            warnings.simplefilter("always")  # torch warns (once) that nested tensors are new
            to = t(torch.tensor(x), src_key_padding_mask=torch.tensor(kpm))
            eo = e(ember.tensor(x), src_key_padding_mask=ember.tensor(kpm))
        same(eo, to, rtol=1e-4, atol=1e-5)
        assert (to[0, -1] == 0).all() != grad
    left_out = ~kpm  # not left-aligned: no nested path, no zeros
    with torch.no_grad(), ember.no_grad():
        same(e(ember.tensor(x), src_key_padding_mask=ember.tensor(left_out)),
             t(torch.tensor(x), src_key_padding_mask=torch.tensor(left_out)), rtol=1e-4,
             atol=1e-5)


def test_enable_nested_tensor_warning():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match="enable_nested_tensor is True, but "
                                             "self.use_nested_tensor is False because "
                                             "encoder_layer.self_attn.batch_first was not True"):
            lib.nn.TransformerEncoder(enc_layer(lib), 2)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            lib.nn.TransformerEncoder(enc_layer(lib, batch_first=True), 2)
            lib.nn.TransformerEncoder(enc_layer(lib), 2, enable_nested_tensor=False)


@pytest.mark.parametrize("kw,fkw,train", [
    ({}, {}, False),
    ({"norm_first": True, "dropout": 0.0}, {"tgt_mask": causal_float,
                                            "memory_key_padding_mask": kpm}, True),
    ({"batch_first": True, "activation": "gelu"}, {"memory_mask": cross_bool,
                                                    "tgt_is_causal": False}, False),
])
def test_decoder(kw, fkw, train):
    t, e = both(lambda lib: lib.nn.TransformerDecoder(
        lib.nn.TransformerDecoderLayer(E, H, 16, **kw), 2, lib.nn.LayerNorm(E)))
    bf = kw.get("batch_first")
    tgt, mem = arr(*((B, L, E) if bf else (L, B, E))), arr(*((B, S, E) if bf else (S, B, E)))
    run_module(t, e, [tgt, mem], fkw, train)


def test_transformer():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t, e = both(lambda lib: lib.nn.Transformer(E, H, 2, 2, 16, batch_first=True))
    mask = ember.nn.Transformer.generate_square_subsequent_mask(L)
    same(mask, torch.nn.Transformer.generate_square_subsequent_mask(L))
    run_module(t, e, [arr(B, S, E), arr(B, L, E)], {"tgt_mask": causal_float,
                                                    "src_key_padding_mask": kpm})
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())


def test_transformer_errors_and_init():
    for lib in (torch, ember):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = lib.nn.Transformer(E, H, 1, 1, 16)
        with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
            m(lib.zeros(S, 2, E), lib.zeros(L, 3, E))
        with pytest.raises(RuntimeError, match="the feature number of src and tgt"):
            m(lib.zeros(S, 2, E), lib.zeros(L, 2, E + 1))
        with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
            lib.nn.TransformerEncoderLayer(E, H, activation="tanh")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = ember.nn.Transformer(E, H, 1, 1, 16).encoder.layers[0].linear1.weight
    bound = np.sqrt(6 / (E + 16))  # every matrix re-drawn by xavier_uniform_
    assert np.abs(w.detach().numpy()).max() <= bound and tuple(w.shape) == (16, E)


def test_reprs():
    for build in (lambda lib: enc_layer(lib), lambda lib: enc_layer(lib, activation="gelu"),
                  lambda lib: lib.nn.TransformerEncoderLayer(E, H, activation=lib.nn.GELU()),
                  lambda lib: lib.nn.TransformerDecoderLayer(E, H, 32, bias=False),
                  lambda lib: lib.nn.TransformerEncoder(enc_layer(lib, batch_first=True), 3,
                                                        lib.nn.LayerNorm(E))):
        assert repr(build(ember)) == repr(build(torch))


def test_detect_is_causal_mask():
    from torch.nn.modules.transformer import _detect_is_causal_mask as torch_detect

    from ember.nn.modules.transformer import _detect_is_causal_mask

    for mask in (causal_float, np.zeros((L, L), np.float32), causal_float[:3, :3]):
        for hint in (None, True, False):
            assert _detect_is_causal_mask(ember.tensor(mask), hint, L) == \
                torch_detect(torch.tensor(mask), hint, L)
