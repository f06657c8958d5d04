"""negr2.ablation: which columns each variant keeps, checked with sets and by hand."""

from __future__ import annotations

import numpy as np
import pytest

from negr2 import ablation

NAMES = ["x0", "x1", "x2", "x3", "x4", "x5"]
P = len(NAMES)


def _as_dict(variants):
    return {label: [int(i) for i in cols] for label, cols in variants}


@pytest.mark.parametrize("ablations", [None, {}, {"drop_one": False}])
def test_no_ablation_is_the_full_model_only(ablations):
    variants = ablation.variants(ablations, NAMES, [], seed=1)
    assert [label for label, _ in variants] == ["full"]
    assert variants[0][1].tolist() == list(range(P))


def test_full_is_first_with_every_kind():
    ablations = {
        "drop_one": True,
        "drop_random": {"k": [1, 2]},
        "drop_informative": True,
        "keep": {"first": ["x0"]},
    }
    variants = ablation.variants(ablations, NAMES, [2, 0], seed=3)
    labels = [label for label, _ in variants]
    assert labels[0] == "full"
    assert labels.count("full") == 1
    assert variants[0][1].tolist() == list(range(P))
    assert len(labels) == len(set(labels))
    assert set(labels) == {"full"} | {f"drop:{n}" for n in NAMES} | {
        "drop_random:k=1",
        "drop_random:k=2",
        "drop_informative:1",
        "drop_informative:2",
        "keep:first",
    }


def test_drop_one_drops_each_feature_once():
    variants = ablation.variants({"drop_one": True}, NAMES, [], seed=0)
    assert [label for label, _ in variants] == ["full"] + [f"drop:{n}" for n in NAMES]
    for j, (label, cols) in enumerate(variants[1:]):
        assert label == f"drop:{NAMES[j]}"
        assert len(cols) == P - 1
        assert set(range(P)) - {int(c) for c in cols} == {j}
        assert list(cols) == sorted(cols)  # columns keep their order


def test_drop_one_labels_use_feature_names():
    names = ["age", "bmi", "bp"]
    labels = [label for label, _ in ablation.variants({"drop_one": True}, names, [], seed=0)]
    assert labels == ["full", "drop:age", "drop:bmi", "drop:bp"]


def _dropped_random(seed, k, p=10, **more):
    names = [f"x{j}" for j in range(p)]
    kept = _as_dict(ablation.variants({"drop_random": {"k": k}, **more}, names, [], seed))
    return frozenset(range(p)) - frozenset(kept[f"drop_random:k={k}"])


@pytest.mark.parametrize("k", [1, 3, 9])
def test_drop_random_drops_k_distinct_columns(k):
    for seed in range(20):
        assert len(_dropped_random(seed, k)) == k


def test_drop_random_same_seed_same_features():
    for seed in (0, 1, 12345, 2**31 - 1):
        assert _dropped_random(seed, 3) == _dropped_random(seed, 3)
        # ... whatever else the study ablates: every model of a trial drops the same ones.
        assert _dropped_random(seed, 3) == _dropped_random(seed, 3, drop_one=True)


def test_drop_random_differs_between_seeds():
    drawn = {_dropped_random(seed, 3) for seed in range(30)}
    assert len(drawn) >= 15  # 120 possible subsets: 30 seeds give many different ones


def test_drop_random_spreads_over_all_features():
    counts = np.zeros(10)
    for seed in range(200):
        for j in _dropped_random(seed, 1):
            counts[j] += 1
    assert (counts > 0).all()


def test_drop_random_several_k_and_scalar_k():
    variants = _as_dict(ablation.variants({"drop_random": {"k": [1, 4]}}, NAMES, [], seed=5))
    assert list(variants) == ["full", "drop_random:k=1", "drop_random:k=4"]
    assert len(variants["drop_random:k=1"]) == P - 1
    assert len(variants["drop_random:k=4"]) == P - 4
    scalar = _as_dict(ablation.variants({"drop_random": {"k": 4}}, NAMES, [], seed=5))
    assert scalar["drop_random:k=4"] == variants["drop_random:k=4"]


@pytest.mark.parametrize("k", [0, P, P + 1])
def test_drop_random_k_out_of_range(k):
    with pytest.raises(ValueError, match=rf"ablations\.drop_random\.k: {k} must be between 1"):
        ablation.variants({"drop_random": {"k": k}}, NAMES, [], seed=0)


def test_drop_informative_is_cumulative_in_the_given_order():
    variants = _as_dict(ablation.variants({"drop_informative": True}, NAMES, [3, 0, 5], seed=0))
    assert variants == {
        "full": [0, 1, 2, 3, 4, 5],
        "drop_informative:1": [0, 1, 2, 4, 5],  # x3 out
        "drop_informative:2": [1, 2, 4, 5],  # then x0
        "drop_informative:3": [1, 2, 4],  # then x5
    }


def test_drop_informative_never_drops_every_column():
    names = ["x0", "x1", "x2"]
    variants = _as_dict(ablation.variants({"drop_informative": True}, names, [1, 2, 0], seed=0))
    assert variants == {
        "full": [0, 1, 2],
        "drop_informative:1": [0, 2],
        "drop_informative:2": [0],
    }
    one = _as_dict(ablation.variants({"drop_informative": True}, ["x0"], [0], seed=0))
    assert one == {"full": [0]}


@pytest.mark.parametrize("informative", [[], ()])
def test_drop_informative_needs_informative_features(informative):
    with pytest.raises(ValueError, match=r"ablations\.drop_informative: .*informative"):
        ablation.variants({"drop_informative": True}, NAMES, informative, seed=0)


def test_keep_by_names():
    keep = {"pair": ["x4", "x1"], "one": ["x2"]}
    variants = _as_dict(ablation.variants({"keep": keep}, NAMES, [], seed=0))
    assert variants == {"full": list(range(P)), "keep:pair": [1, 4], "keep:one": [2]}


def test_keep_unknown_name_raises():
    with pytest.raises(ValueError, match=r"ablations\.keep\.sub: no feature named 'x9'"):
        ablation.variants({"keep": {"sub": ["x0", "x9"]}}, NAMES, [], seed=0)


def test_keep_empty_subset_raises():
    with pytest.raises(ValueError, match=r"ablations\.keep\.none: keep at least one feature"):
        ablation.variants({"keep": {"none": []}}, NAMES, [], seed=0)


ALL_KINDS = {
    "drop_one": True,
    "drop_random": {"k": [1, 2, 5]},
    "drop_informative": True,
    "keep": {"a": ["x0", "x3", "x5"], "b": ["x2"]},
}


@pytest.mark.parametrize("informative", [[4, 1], [0, 1, 2, 3, 4, 5]])
@pytest.mark.parametrize("seed", [0, 99])
def test_n_kept_agrees_with_the_variants(informative, seed):
    variants = ablation.variants(ALL_KINDS, NAMES, informative, seed)
    kinds = {label.partition(":")[0] for label, _ in variants}
    assert kinds == {"full", "drop", "drop_random", "drop_informative", "keep"}
    for label, cols in variants:
        assert len(np.unique(cols)) == len(cols), label
        assert ablation.n_kept(label, P, ALL_KINDS) == len(cols), label


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("full", 6),
        ("drop:x2", 5),
        ("drop_random:k=2", 4),
        ("drop_informative:3", 3),
        ("keep:a", 3),
        ("keep:b", 1),
    ],
)
def test_n_kept_by_hand(label, expected):
    assert ablation.n_kept(label, 6, ALL_KINDS) == expected


def test_n_kept_unknown_label_raises():
    with pytest.raises(ValueError, match="unknown ablation variant 'shuffle:x0'"):
        ablation.n_kept("shuffle:x0", 6, ALL_KINDS)
