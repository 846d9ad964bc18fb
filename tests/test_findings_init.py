"""Finding's quicker ``__init__`` (findings._quick_init) builds what the dataclass's own builds."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perbup_rules.findings import Finding, Status, Text

_TEXT = st.one_of(st.none(), st.text(max_size=5))
_IDS = st.lists(st.text(max_size=4), max_size=3).map(tuple)


def _made_by(init, *args, **kw) -> Finding:
    f = object.__new__(Finding)
    init(f, *args, **kw)
    return f


def test_the_same_signature_and_every_field():
    assert Finding.__init__ is not Finding._dataclass_init
    assert inspect.signature(Finding.__init__) == inspect.signature(Finding._dataclass_init)
    f = Finding("KMT-01", "Pasal 3", "pd-1", 2025, Status.VIOLATION, Text("a", "b"))
    assert all(getattr(f, fl.name) == fl.default for fl in dataclasses.fields(Finding)
               if fl.default is not dataclasses.MISSING)
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.clause = "KMT-02"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Finding("KMT-01", "Pasal 3", "pd-1", 2025, Status.VIOLATION)  # explanation is required
    with pytest.raises(TypeError):
        Finding("KMT-01", "Pasal 3", "pd-1", 2025, Status.VIOLATION, Text("a", "b"), nonsense=1)
    # copied and pickled alike (neither calls __init__)
    for g in (pickle.loads(pickle.dumps(f)), copy.copy(f), copy.deepcopy(f)):
        assert g == f and hash(g) == hash(f)


@settings(max_examples=200, deadline=None)
@given(clause=st.text(max_size=6), subject=_TEXT, period=st.one_of(st.none(), st.integers()),
       status=st.sampled_from(list(Status)), stage=_TEXT, measured=_TEXT, evidence=_IDS, missing=_IDS,
       evidence_count=st.one_of(st.none(), st.integers(0, 99)), aif=st.booleans(), assumptions=_IDS,
       channels=st.one_of(st.none(), _IDS), positional=st.booleans())
def test_built_alike(clause, subject, period, status, stage, measured, evidence, missing, evidence_count,
                     aif, assumptions, channels, positional):
    text = Text("id", "en")
    kw = dict(stage=stage, measured=measured, evidence=evidence, evidence_count=evidence_count,
              missing=missing, as_if_in_force=aif, assumptions=assumptions, channels=channels)
    if positional:
        args, more = (clause, "cit", subject, period, status, text), kw
    else:
        args, more = (), dict(clause=clause, citation="cit", subject=subject, period=period, status=status,
                              explanation=text, **kw)
    quick, own = _made_by(Finding.__init__, *args, **more), _made_by(Finding._dataclass_init, *args, **more)
    assert quick == own and hash(quick) == hash(own) and repr(quick) == repr(own)
    assert dataclasses.replace(quick, clause="x") == dataclasses.replace(own, clause="x")
