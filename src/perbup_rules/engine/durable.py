"""The durable-rules engine. The ONLY module that imports ``durable``.

How it avoids the pitfalls measured in ARCHITECTURE.md section 5:

* one ruleset per (ruleset fingerprint, clause, decision), whose rules are the
  decision's outcomes as disjoint DNF terms, so an event consumed by one rule
  can never lose a different outcome, and no ``$or`` is emitted;
* rules test only string equality/inequality of posted atom values ('t', 'f',
  'u'): money, shares and dates were compared exactly before posting;
* events via ``post`` (synchronous: the action has run when ``post`` returns),
  never facts, so no 32-bit id collisions and no state growth; event ids are
  a process-wide counter;
* one process-wide Host, created lazily, without durable's background dispatch threads
  (nothing here is queued or timed); rulesets are named by fingerprint and
  registered once, so evaluating many rulesets or datasets in one process is
  safe (durable-rules cannot delete or redefine rulesets); ``delete_state`` is
  never called;
* a lock serialises posts (actions run on whichever thread holds the session);
* a row matching no rule, or an action that did not run exactly once, is an
  :class:`EngineError` (``engine_contract``), never a silent default.
"""

from __future__ import annotations

import itertools
import re
import threading
from typing import Sequence

from ..compiler import dnf
from ..compiler.ruleset import Ruleset
from ..errors import ENGINE_CONTRACT, ENGINE_FAILURE, EngineError
from . import Engine

_LOCK = threading.RLock()
_HOST = None
_REGISTERED: dict[str, "_Slot"] = {}
_EVENT_IDS = itertools.count(1)
_OTHER = {frozenset("tf"): "u", frozenset("tu"): "f", frozenset("fu"): "t"}


class _Slot:
    """Where the actions of one durable ruleset write the labels of the call being posted.

    ``labels`` is the output list of the current call: each action appends its label, and the
    poster checks after every ``post`` that exactly one label was added.
    """

    __slots__ = ("labels",)

    def __init__(self) -> None:
        self.labels: list[str] = []


_KEYS: tuple[str, ...] = ()


def _keys(width: int) -> tuple[str, ...]:
    """The event keys ``a0``, ``a1``, ... for rows of up to ``width`` atoms (built once, reused)."""
    global _KEYS
    if width > len(_KEYS):
        _KEYS = tuple(f"a{i}" for i in range(max(width, 2 * len(_KEYS), 16)))
    return _KEYS


def _host():
    global _HOST
    if _HOST is None:
        try:
            from durable import engine as durable_engine  # the only import of durable-rules
        except Exception as err:  # ImportError, or a broken C extension
            raise EngineError(f"durable-rules cannot be imported ({err}); use engine='reference' or install durable-rules==2.0.28 on Python 3.11/3.12", ENGINE_FAILURE) from err

        class _Quiet(durable_engine.Host):
            """A Host without its dispatch loop: ``Host._run`` re-arms two ``threading.Timer``
            threads for ever, one new thread per ruleset per cycle, to deliver queued messages and
            timers. Posts here are synchronous (the action has run when ``post`` returns) and no
            timer or queue is used, so the loop has nothing to do; without it the process keeps
            one thread, which :mod:`perbup_rules.report.parallel` needs to fork safely."""

            def _run(self) -> None:
                pass

        _HOST = _Quiet()
    return _HOST


def _condition(term: dict) -> dict:
    parts = []
    for idx in sorted(term):
        allowed = term[idx]
        if len(allowed) == 1:
            parts.append({f"a{idx}": next(iter(allowed))})
        elif len(allowed) == 2:
            parts.append({"$neq": {f"a{idx}": _OTHER[frozenset(allowed)]}})
    if not parts:
        parts.append({"k": "e"})  # every event carries k='e': an always-true test
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _action(slot: _Slot, label: str):
    # exactly one parameter: durable-rules treats a two-parameter action as asynchronous
    def action(c):
        slot.labels.append(label)
    return action


def _definition(outcomes: dict, slot: _Slot) -> dict:
    rules = {}
    for li, (label, terms) in enumerate(sorted(outcomes.items())):
        action = _action(slot, label)
        for ti, term in enumerate(dnf.from_json(terms)):
            rules[f"o{li}_t{ti}"] = {"all": [{"m": _condition(term)}], "run": action}
    return rules


def ruleset_name(ruleset: Ruleset, clause_id: str, decision: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]", "_", clause_id)
    return f"pr_{ruleset.short_id()}_{slug}_{decision}"


class DurableEngine(Engine):
    """Posts one event per distinct row to the decision's durable-rules ruleset and reads the label.

    A decision is a pure function of its atom values, so rows that repeat (most records of
    an audit share their atom values) are decided once per call and the label is reused.
    ``distinct=False`` posts every row (used by the benchmarks to compare with raw posting).
    """

    name = "durable"

    def __init__(self, distinct: bool = True) -> None:
        self.distinct = distinct
        self.name = "durable" if distinct else "durable-every-row"

    def _slot(self, ruleset: Ruleset, clause_id: str, decision: str) -> tuple[str, _Slot]:
        name = ruleset_name(ruleset, clause_id, decision)
        slot = _REGISTERED.get(name)
        if slot is None:
            outcomes = ruleset.clause(clause_id)["decisions"][decision]["outcomes"]
            slot = _Slot()
            try:
                _host().set_rulesets({name: _definition(outcomes, slot)})
            except EngineError:
                raise
            except Exception as err:
                raise EngineError(f"durable-rules refused ruleset {name}: {err}") from err
            _REGISTERED[name] = slot
        return name, slot

    def decide(self, ruleset: Ruleset, clause_id: str, decision: str, rows: Sequence[list[str]]) -> list[str]:
        if not rows:
            return []
        if self.distinct:
            index: dict[tuple, int] = {}
            unique: list[list[str]] = []
            positions = []
            for row in rows:
                key = tuple(row)
                i = index.get(key)
                if i is None:
                    i = index[key] = len(unique)
                    unique.append(row)
                positions.append(i)
            labels = self._post_all(ruleset, clause_id, decision, unique)
            return [labels[i] for i in positions]
        return self._post_all(ruleset, clause_id, decision, rows)

    def _post_all(self, ruleset: Ruleset, clause_id: str, decision: str, rows: Sequence[list[str]]) -> list[str]:
        # The per-event loop is the adapter's own cost on top of durable-rules' ``post``, so it
        # is kept lean: keys built once, one dict per event, the actions append straight to the
        # output list, and "exactly one label per post" is a length check.
        with _LOCK:
            name, slot = self._slot(ruleset, clause_id, decision)
            post = _host().post
            keys = _keys(max(map(len, rows)))
            labels: list[str] = []
            slot.labels = labels
            try:
                n = 0
                for row, event_id in zip(rows, _EVENT_IDS):  # rows first: no id is drawn past the end
                    event = {"id": event_id, "k": "e"}
                    event.update(zip(keys, row))
                    try:
                        post(name, event)
                    except Exception as err:
                        if type(err).__name__ == "MessageNotHandledException":
                            raise EngineError(f"{clause_id}/{decision}: no rule matched atoms {row} (compiler bug: outcomes must cover every case)", ENGINE_CONTRACT) from err
                        raise EngineError(f"durable-rules failed on {clause_id}/{decision}: {err}") from err
                    n += 1
                    if len(labels) != n:
                        raise EngineError(f"{clause_id}/{decision}: {len(labels) - n + 1} outcomes for atoms {row}", ENGINE_CONTRACT)
            finally:
                slot.labels = []  # detach: a late action can never write into a returned list
        return labels


def registered_rulesets() -> list[str]:
    """Names of the durable rulesets registered in this process (for diagnostics and tests)."""
    return sorted(_REGISTERED)
