"""ember.utils.data against torch.utils.data: datasets, samplers, DataLoader, collate.

Deterministic cases (no shuffling) must give exactly torch's batches: same structure, shapes,
dtypes and values. Random cases draw from ember's own generator, so they are checked for
what must hold (a permutation, reproducible under a seed), not for torch's exact order.
"""

from __future__ import annotations

import collections
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tud
from oracle import assert_same

import ember
import ember.utils.data as eud
from ember.utils.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    StackDataset,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    default_convert,
    random_split,
)

Point = collections.namedtuple("Point", "x y")


def same_batch(e, t):
    """Structure, container types, and each leaf (tensors via the oracle) the same."""
    if isinstance(t, torch.Tensor):
        assert_same(e, t)
    elif isinstance(t, dict):
        assert type(e) is type(t) and list(e) == list(t)
        for k in t:
            same_batch(e[k], t[k])
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t), f"{type(e)} != {type(t)}"
        assert len(e) == len(t)
        for a, b in zip(e, t):
            same_batch(a, b)
    else:
        assert type(e) is type(t) and e == t


def both(make, **kw):
    """The batches of ember's and torch's DataLoader over ``make(lib)``."""
    e = list(DataLoader(make(ember), **kw))
    t = list(tud.DataLoader(make(torch), **kw))
    return e, t


X = np.arange(7 * 3, dtype=np.float32).reshape(7, 3)
Y = np.arange(7, dtype=np.int64) % 3


def tensor_ds(lib):
    mod = eud if lib is ember else tud
    return mod.TensorDataset(lib.from_numpy(X.copy()), lib.from_numpy(Y.copy()))


@pytest.mark.parametrize("batch_size,drop_last", [(1, False), (2, False), (3, True), (7, False),
                                                  (10, False), (10, True)])
def test_tensor_dataset_batches_match_torch(batch_size, drop_last):
    e, t = both(tensor_ds, batch_size=batch_size, drop_last=drop_last)
    assert len(e) == len(t)
    for a, b in zip(e, t):
        same_batch(a, b)
    assert len(DataLoader(tensor_ds(ember), batch_size=batch_size, drop_last=drop_last)) == \
        len(tud.DataLoader(tensor_ds(torch), batch_size=batch_size, drop_last=drop_last))


class Samples:
    """A map-style dataset yielding one kind of sample (works for both libraries)."""

    def __init__(self, lib, kind, n=5):
        self.lib, self.kind, self.n = lib, kind, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        lib, k = self.lib, self.kind
        if k == "int":
            return i
        if k == "float":
            return i + 0.5
        if k == "bool":
            return i % 2 == 0
        if k == "np_f32":
            return np.float32(i) / 2
        if k == "np_i32":
            return np.int32(i)
        if k == "np_f64":
            return np.float64(i)
        if k == "np_array":
            return np.full((2, 2), i, dtype=np.int16)
        if k == "str":
            return f"s{i}"
        if k == "bytes":
            return bytes([i])
        if k == "tuple":
            return (lib.tensor([i, i + 1.0]), i, "a")
        if k == "list":
            return [i, i * 2.0]
        if k == "dict":
            return {"x": lib.full((3,), float(i)), "y": i, "name": str(i)}
        if k == "ordered":
            return collections.OrderedDict([("b", i), ("a", np.float64(i))])
        if k == "namedtuple":
            return Point(lib.tensor(i), i * 1.5)
        if k == "nested":
            return {"pair": (np.array([i, i], dtype=np.float64), [i]), "t": lib.ones(2, 1) * i}
        if k == "int_tensor":
            return lib.tensor([i, -i], dtype=lib.int32)
        raise AssertionError(k)


KINDS = ["int", "float", "bool", "np_f32", "np_i32", "np_f64", "np_array", "str", "bytes",
         "tuple", "list", "dict", "ordered", "namedtuple", "nested", "int_tensor"]


@pytest.mark.parametrize("kind", KINDS)
def test_default_collate_matches_torch(kind):
    e, t = both(lambda lib: Samples(lib, kind), batch_size=2)
    assert len(e) == len(t) == 3
    for a, b in zip(e, t):
        same_batch(a, b)


@pytest.mark.parametrize("kind", KINDS)
def test_no_auto_batching_converts_like_torch(kind):
    # batch_size=None: each sample goes through default_convert
    e, t = both(lambda lib: Samples(lib, kind), batch_size=None)
    for a, b in zip(e, t):
        same_batch(a, b)


@pytest.mark.parametrize("batch", [
    [None, None], [object(), object()], [1 + 2j, 3j], [np.array(["a"]), np.array(["b"])],
])
def test_default_collate_type_errors_match_torch(batch):
    with pytest.raises(TypeError) as te:
        tud.default_collate(batch)
    with pytest.raises(TypeError) as ee:
        default_collate(batch)
    assert str(ee.value) == str(te.value)


def test_default_collate_unequal_sizes():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError):
        default_collate([ember.ones(2), ember.ones(3)])


def test_default_convert_matches_torch():
    for data in [np.array([1.0]), (np.array([1, 2]),), {"a": np.float64(2)}, [np.int32(3), 4],
                 Point(np.array(0), 1), "str", 5]:
        same_batch(default_convert(data), tud.default_convert(data))


def test_collate_fn_sampler_and_batch_sampler():
    collate = lambda b: [x[1].item() for x in b]  # noqa: E731
    e = list(DataLoader(tensor_ds(ember), batch_size=3, collate_fn=collate))
    t = list(tud.DataLoader(tensor_ds(torch), batch_size=3, collate_fn=collate))
    assert e == t
    e = [b[1].tolist() for b in DataLoader(tensor_ds(ember), sampler=[6, 0, 3, 3], batch_size=2)]
    t = [b[1].tolist() for b in tud.DataLoader(tensor_ds(torch), sampler=[6, 0, 3, 3],
                                               batch_size=2)]
    assert e == t
    bs = [[0, 1], [5], [2, 3, 4]]
    e, t = both(tensor_ds, batch_sampler=bs)
    for a, b in zip(e, t):
        same_batch(a, b)
    e = list(BatchSampler(SequentialSampler(range(10)), 4, False))
    t = list(tud.BatchSampler(tud.SequentialSampler(range(10)), 4, False))
    assert e == t
    assert len(BatchSampler(range(10), 4, True)) == len(tud.BatchSampler(range(10), 4, True))


class Stream(IterableDataset):
    def __init__(self, n, lib=ember):
        self.n, self.lib = n, lib

    def __iter__(self):
        for i in range(self.n):
            yield {"v": self.lib.tensor([float(i)]), "i": i}

    def __len__(self):
        return self.n


class TStream(tud.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        for i in range(self.n):
            yield {"v": torch.tensor([float(i)]), "i": i}

    def __len__(self):
        return self.n


@pytest.mark.parametrize("batch_size,drop_last", [(2, False), (2, True), (None, False)])
def test_iterable_dataset_matches_torch(batch_size, drop_last):
    e = list(DataLoader(Stream(5), batch_size=batch_size, drop_last=drop_last))
    t = list(tud.DataLoader(TStream(5), batch_size=batch_size, drop_last=drop_last))
    assert len(e) == len(t)
    for a, b in zip(e, t):
        same_batch(a, b)
    assert len(DataLoader(Stream(5), batch_size=batch_size, drop_last=drop_last)) == \
        len(tud.DataLoader(TStream(5), batch_size=batch_size, drop_last=drop_last))


def test_chain_and_concat_datasets():
    e = list(Stream(2) + Stream(3))
    assert [s["i"] for s in e] == [0, 1, 0, 1, 2]
    assert len(ChainDataset([Stream(2), Stream(3)])) == 5
    cat = ConcatDataset([tensor_ds(ember), tensor_ds(ember)])
    tcat = tud.ConcatDataset([tensor_ds(torch), tensor_ds(torch)])
    assert len(cat) == len(tcat) == 14
    assert cat.cumulative_sizes == tcat.cumulative_sizes
    for i in [0, 6, 7, 13, -1, -14]:
        same_batch(list(cat[i]), list(tcat[i]))
    with pytest.raises(ValueError, match="absolute value of index"):
        cat[-15]
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ConcatDataset([Stream(2)])
    with pytest.raises(AssertionError, match="should not be an empty iterable"):
        ConcatDataset([])
    assert isinstance(tensor_ds(ember) + tensor_ds(ember), ConcatDataset)


def test_subset_stack_and_tensor_dataset():
    sub = Subset(tensor_ds(ember), [4, 0, 2])
    tsub = tud.Subset(tensor_ds(torch), [4, 0, 2])
    assert len(sub) == 3
    same_batch(list(sub[0]), list(tsub[0]))
    e, t = list(DataLoader(sub, batch_size=2)), list(tud.DataLoader(tsub, batch_size=2))
    for a, b in zip(e, t):
        same_batch(a, b)
    st = StackDataset(a=Samples(ember, "int"), b=Samples(ember, "str"))
    assert st[3] == {"a": 3, "b": "s3"} and len(st) == 5
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(ember.ones(3), ember.ones(4))
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement"):
        Dataset()[0]

    class Bad(Subset):
        def __getitem__(self, i):
            return 0

    with pytest.raises(NotImplementedError, match="overrides __getitem__ but not __getitems__"):
        Bad([1], [0])


def test_random_split_lengths_fractions_and_errors():
    g = ember.Generator().manual_seed(3)
    a, b = random_split(range(10), [3, 7], generator=g)
    assert len(a) == 3 and len(b) == 7
    assert sorted(list(a) + list(b)) == list(range(10))
    # fractions: floors, then the remainder round-robin, exactly as torch
    for fr in ([0.3, 0.7], [0.25, 0.25, 0.5], [1 / 3] * 3, [0.5, 0.5]):
        e = [len(s) for s in random_split(range(11), fr, generator=ember.Generator())]
        t = [len(s) for s in tud.random_split(range(11), fr, generator=torch.Generator())]
        assert e == t
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        random_split(range(10), [0.2, 1.3, -0.5])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        tud.random_split(range(10), [0.2, 1.3, -0.5])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        random_split(range(2), [0.9, 0.1], generator=ember.Generator())
    assert any("Length of split at index 1 is 0" in str(x.message) for x in w)
    # reproducible under a seed, different under another
    s1 = random_split(range(50), [0.5, 0.5], generator=ember.Generator().manual_seed(0))
    s2 = random_split(range(50), [0.5, 0.5], generator=ember.Generator().manual_seed(0))
    s3 = random_split(range(50), [0.5, 0.5], generator=ember.Generator().manual_seed(1))
    assert s1[0].indices == s2[0].indices != s3[0].indices


def test_shuffle_is_a_reproducible_permutation():
    ds = TensorDataset(ember.arange(100))

    def order(seed, epochs=2):
        g = ember.Generator().manual_seed(seed)
        loader = DataLoader(ds, batch_size=16, shuffle=True, generator=g)
        return [[int(v) for b in loader for v in b[0].tolist()] for _ in range(epochs)]

    first, second = order(0)
    assert sorted(first) == list(range(100)) and sorted(second) == list(range(100))
    assert first != list(range(100)) and first != second  # shuffled, and anew each epoch
    assert order(0) == [first, second]
    assert order(1)[0] != first
    # without a generator the global seed decides
    ember.manual_seed(5)
    a = [int(v) for b in DataLoader(ds, batch_size=10, shuffle=True) for v in b[0].tolist()]
    ember.manual_seed(5)
    b = [int(v) for b in DataLoader(ds, batch_size=10, shuffle=True) for v in b[0].tolist()]
    assert a == b and sorted(a) == list(range(100))


def test_random_samplers():
    g = ember.Generator().manual_seed(0)
    assert sorted(RandomSampler(range(20), generator=g)) == list(range(20))
    drawn = list(RandomSampler(range(5), replacement=True, num_samples=70, generator=g))
    assert len(drawn) == 70 and set(drawn) <= set(range(5))
    assert len(list(RandomSampler(range(5), num_samples=12, generator=g))) == 12
    sub = list(SubsetRandomSampler([10, 20, 30, 40], generator=g))
    assert sorted(sub) == [10, 20, 30, 40]
    w = list(WeightedRandomSampler([0, 0, 1.0, 0], 10, generator=g))
    assert w == [2] * 10
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        BatchSampler(range(3), 2, 1)


@pytest.mark.parametrize("kwargs", [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2),
    dict(persistent_workers=True), dict(sampler=[0], shuffle=True),
    dict(batch_sampler=[[0]], batch_size=2), dict(batch_sampler=[[0]], drop_last=True),
    dict(batch_size=None, drop_last=True), dict(multiprocessing_context="spawn"),
])
def test_dataloader_argument_errors_match_torch(kwargs):
    with pytest.raises(ValueError) as te:
        tud.DataLoader(tensor_ds(torch), **kwargs)
    with pytest.raises(ValueError) as ee:
        DataLoader(tensor_ds(ember), **kwargs)
    assert str(ee.value) == str(te.value)


def test_iterable_dataset_option_errors_and_frozen_attributes():
    for kw in (dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])):
        with pytest.raises(ValueError, match="DataLoader with IterableDataset: expected"):
            DataLoader(Stream(3), **kw)
    loader = DataLoader(tensor_ds(ember), batch_size=2)
    with pytest.raises(ValueError, match="batch_size attribute should not be set after "
                                         "DataLoader is initialized"):
        loader.batch_size = 3
    loader.num_workers = 0  # not frozen in torch either


def test_num_workers_runs_in_process_with_same_batches():
    e = list(DataLoader(tensor_ds(ember), batch_size=3, num_workers=2))
    f = list(DataLoader(tensor_ds(ember), batch_size=3))
    for a, b in zip(e, f):
        assert all(np.array_equal(x.numpy(), y.numpy()) for x, y in zip(a, b))
    assert eud.get_worker_info() is None


def test_pin_memory_without_gpu_warns_like_torch():
    if ember.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no "
                                         "accelerator is found"):
        list(DataLoader(tensor_ds(ember), batch_size=4, pin_memory=True))


def test_dataloader_trains_a_model_end_to_end():
    # the point of the module: batches feed nn/optim without conversions
    ember.manual_seed(0)
    x = ember.randn(64, 2)
    y = (x[:, 0] > x[:, 1]).long()
    model = ember.nn.Linear(2, 2)
    opt = ember.optim.SGD(model.parameters(), lr=0.5)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True,
                        generator=ember.Generator().manual_seed(0))
    for _ in range(20):
        for xb, yb in loader:
            opt.zero_grad()
            ember.nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
    acc = (model(x).argmax(1) == y).float().mean().item()
    assert acc > 0.9
