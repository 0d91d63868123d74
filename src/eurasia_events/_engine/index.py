"""The checkpoint index: an event list sorted in fold order, with fold checkpoints.

A query folds from the nearest checkpoint at or before its day. A retroactive event, a
correction or a retraction is patched into the later checkpoints (the fold splits by key:
only the keys it changes are refolded), so retroactive facts cost little and answers stay
exact. :class:`DayView` is what a query
reads: the rows that may have happened by a day, and the fold state on it.
"""

from __future__ import annotations

import array
import bisect
import contextlib
import functools
import itertools
import operator
import sys
import weakref
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final

import attrs

from eurasia_events.projections import TOUCHES, FoldState, fold, touched

from .gc import held, paused
from .rows import Row, key_after, row_class, sort_key, typed

__all__ = ["CHECKPOINT_EVERY", "MERGE_EVERY", "SNAPSHOT_EVERY", "SNAPSHOT_SHARE", "Basis", "DayView", "Index", "Made",
           "flatten"]

CHECKPOINT_EVERY: Final = 256
"""Events between two checkpoints."""
SNAPSHOT_EVERY: Final = 128
"""Checkpoints at least between two full copies of the fold state; those in between keep only
what their own stretch of events wrote."""
SNAPSHOT_SHARE: Final = 0.5
"""A full copy also waits until the stretches since the last one wrote this share of the
state's keys: the copies grow apart as the state grows, and together hold at most
``1 / SNAPSHOT_SHARE`` keys for each key written, linear in the log (about three times the
final state where it grows by new keys). Copies at a fixed spacing add up to a quadratic: 98
bytes a record at a million events, so about ten times that at ten million. A query merges on
top of the copy it starts from at most about this share of the state, in the order of what
copying the state costs it anyway."""
MERGE_EVERY: Final = 16
"""Deltas merged into one layer, in runs from a snapshot on: a query reads fewer than this many
single deltas, then one merged layer for each whole run back to the snapshot."""
_BEFORE_ALL: Final = -1  # the bound of checkpoint 0: no event
_AFTER_ALL: Final = 1 << 80  # above every sort key: a query on every event
_MAX_PATCHES: Final = 16  # past this many patch layers, a checkpoint's patches are merged into one
_REFOLD_LIMIT: Final = 100_000  # events refolded for one patch; past that, the later checkpoints are dropped
_UNDO_KEPT: Final = 4096  # changes kept for older day views
_FREEZE_AFTER: Final = 10_000  # events folded into new checkpoints before they are frozen (if opted in)
_STALE: Final = -1  # the slot of a running state a patch made stale: no checkpoint's (see Index._push)

class Index:
    """Resolved events sorted by (earliest possible day, seq), with fold checkpoints.

    Checkpoint ``i`` is the fold of every event whose sort key is below ``bounds[i]``. It is
    stored as layers, newest first: ``patches[i]`` (retroactive events patched in), the
    ``deltas`` of checkpoint ``i`` and of those before it back to the last snapshot (what each
    one's own stretch of events wrote; whole runs of them read as one ``merged`` layer, see
    :data:`MERGE_EVERY`) and that snapshot (a full copy, see :data:`SNAPSHOT_SHARE`); layers
    are shared and never mutated, so a state handed out stays exact.

    Bounds are sort keys, not event counts, so inserting an event does not shift the later
    checkpoints. A change (an event inserted or removed) refolds, from the checkpoint before
    it, the events touching its keys (see :func:`~eurasia_events.projections.touched`; closed
    over the keys those events touch), and patches each later checkpoint with their values
    there (:data:`_GONE` where a key no longer exists).
    """

    def __init__(self, rows: Sequence[Row], *, freeze: bool = False) -> None:
        # Stored rows, sorted by (earliest possible day, seq), as Log._sorted gives them.
        # Sort keys as machine integers: an int object each would cost 32 bytes more a record.
        self.keys = array.array("q", map(sort_key, rows))
        self.events: list[Row] = _roomy(rows)
        # Per fold key: (since, until, the sort keys of the events from since to until touching
        # it), made when a retroactive change first needs the key (see `_touching`).
        self._lists: dict[tuple[str, Any], tuple[int, int, array.array[int]]] = {}
        # Per-event views read only their own types: their rows and keys, made on first
        # use and kept up to date as events come and go.
        self._groups: dict[frozenset[str], _Group] = {}
        self.version = 0  # counts insertions and removals
        # What changed, for the day views made before (see DayView.rows): (position, row
        # inserted or None, row removed or None), oldest first; views older than what is
        # kept are given their rows before it is dropped.
        self._undo: list[tuple[int, Row | None, Row | None]] = []
        self._undo_base = 0  # the version before the first change kept
        self._views: weakref.WeakSet[DayView] = weakref.WeakSet()
        self.bounds: list[int] = [_BEFORE_ALL]
        self.patches: list[tuple[FoldState, ...]] = [()]
        self.deltas: list[FoldState] = [FoldState()]
        self.snapshots: list[FoldState] = [FoldState()]
        self.snapshot_slots: list[int] = [0]  # the checkpoint each snapshot is
        self._written: list[int] = [0]  # per checkpoint: keys its stretch and those before it wrote
        # Per checkpoint, when it ends a run of MERGE_EVERY deltas from a snapshot: those deltas merged.
        self.merged: list[FoldState | None] = [None]
        # Read at construction, so tests can use small spacings.
        self.every = CHECKPOINT_EVERY
        self.snapshot_every, self.snapshot_share, self.merge_every = SNAPSHOT_EVERY, SNAPSHOT_SHARE, MERGE_EVERY
        # The state at the last checkpoint, kept mutable to build the next ones; dropped
        # whenever a checkpoint changes.
        self._running: tuple[int, FoldState] | None = None
        self.freeze = freeze  # freeze what a long build made (see eurasia_events._engine.gc)
        self.builds = 0  # how many times checkpoints were built (see state_at)
        # The last day view's fold, for the next one on the same events and layers (see fold_of).
        self._top: Made | None = None
        self.memo: dict[int, Any] = {}
        """Per fold row (by id, the row kept in the entry): what a query worked out from it,
        valid over a stretch of days (see :mod:`eurasia_events.query`); cleared when it grows."""

    def _touching(self, touch: tuple[str, Any], base: int) -> array.array[int]:
        """The sort keys of the events touching fold key ``touch``, in order, complete from sort
        key ``base`` to the last checkpoint. Read off the stretches whose delta wrote the key (a
        handler writes every key it touches, see :data:`~eurasia_events.projections.TOUCHES`):
        a key few events touch costs a lookup per checkpoint, not a pass over the log (0.65-0.8 s
        at a million). Kept per key, and extended when an earlier change or new checkpoints need
        more. An event inserted into a stretch after its delta was made is in no delta: the
        change that inserts it lists each of its keys, then adds it (see :meth:`add_event`)."""
        end = self.bounds[-1]
        since, until, listed = self._lists.get(touch, (end, end, array.array("q")))
        if base < since or until < end:
            found = {*self._listed(touch, base, since), *self._listed(touch, until, end), *listed}
            listed = array.array("q", sorted(found))
            self._lists[touch] = (min(base, since), max(until, end), listed)
        return listed

    def _listed(self, touch: tuple[str, Any], start: int, end: int) -> Iterator[int]:
        """The sort keys from ``start`` to ``end`` (below the last checkpoint) of the events
        touching ``touch`` that the deltas of their stretches name."""
        if start >= end:
            return
        name, key = touch
        first, last = bisect.bisect_right(self.bounds, start), bisect.bisect_left(self.bounds, end)
        # The stretches (from the checkpoint before each) whose delta wrote the key, found by
        # C-level passes: most never did, and a Python loop over 3,000 took 1.5 ms.
        deltas = map(operator.attrgetter(name), self.deltas[first : last + 1])
        # In each, the events of a type whose handler touches the state field (picked by C-level
        # passes too: a key written in most stretches made this a pass over most of the log,
        # 0.4-0.6 s at a million events with a Python step each), then those touching the key.
        kinds, events = _TOUCHING[name].__contains__, self.events
        for slot in itertools.compress(range(first, last + 1), map(operator.contains, deltas, itertools.repeat(key))):
            lo = bisect.bisect_left(self.keys, max(start, self.bounds[slot - 1]))
            hi = bisect.bisect_left(self.keys, min(end, self.bounds[slot]))
            for at in itertools.compress(range(lo, hi), map(kinds, map(_TAG, events[lo:hi]))):
                if touch in touched(events[at]):
                    yield self.keys[at]

    def _track(self, key: int, row: Row, *, add: bool) -> None:
        """Keep the events listed per fold key (see :meth:`_touching`) up to date as an event comes
        or goes. An event may be listed already as it comes: a correction that keeps its place in
        fold order is found in the stretch whose delta its first version wrote."""
        for touch in dict.fromkeys(touched(row)):
            since, until, listed = self._lists.get(touch, (0, 0, array.array("q")))
            if since <= key < until:
                at = bisect.bisect_left(listed, key)
                listed_already = at < len(listed) and listed[at] == key
                if add and not listed_already:
                    listed.insert(at, key)
                elif not add and listed_already:
                    del listed[at]

    def group(self, tags: frozenset[str]) -> _Group:
        """The events of these types, as columns (do not change them)."""
        found = self._groups.get(tags)
        if found is None:
            pairs = [(key, s) for key, s in zip(self.keys, self.events, strict=True) if s[0] in tags]
            found = self._groups[tags] = _Group(array.array("q", [key for key, _ in pairs]), [s for _, s in pairs])
        return found

    def count_until(self, day: int) -> int:
        """How many events may have happened by ``day`` (their earliest day is on or before it)."""
        return bisect.bisect_right(self.keys, key_after(day))

    def _layers(self, slot: int) -> tuple[FoldState, ...]:
        at = bisect.bisect_right(self.snapshot_slots, slot) - 1
        snapshot = self.snapshot_slots[at]  # its own delta is in the snapshot
        runs = snapshot + (slot - snapshot) // self.merge_every * self.merge_every  # the last run merged
        merged = self.merged[runs:snapshot:-self.merge_every]
        return (*self.patches[slot], *self.deltas[slot:runs:-1], *merged, self.snapshots[at])  # type: ignore[arg-type]  # a run's end holds its merge

    def state_at(self, count: int) -> tuple[tuple[FoldState, ...], int]:
        """The layers (newest first, for :func:`flatten`) of the nearest checkpoint at or before
        the first ``count`` events, and how many events it holds, building checkpoints on the way."""
        built = bisect.bisect_left(self.keys, self.bounds[-1])
        if built + self.every <= min(count, len(self.keys) - 1):
            # The first build stops at the day asked (a cold query pays for no more); a second
            # means more queries are coming, so it goes to the end, once, rather than a piece
            # per query further on.
            target = len(self.keys) if self.builds else count
            self.builds += 1
            with paused(freeze=self.freeze and target - built >= _FREEZE_AFTER):
                self._build_until(target)
        limit = self.keys[count] if count < len(self.keys) else _AFTER_ALL
        slot = bisect.bisect_right(self.bounds, limit) - 1
        return self._layers(slot), bisect.bisect_left(self.keys, self.bounds[slot])

    def fold_of(self, view: DayView) -> Made:
        """A day view's fold: its checkpoint's layers flattened, the events since folded on top;
        kept for the next view on the same events and layers (shared: do not change it)."""
        key = (view.count, view.version)
        if self._top is not None and self._top.key == key and _same(self._top.layers, view.layers):
            return self._top
        since = (self.events if view.version == self.version else view.rows())[view.start:view.count]
        with paused():
            state = self._reused(view.layers, since)
            if state is None:
                state = flatten(view.layers)
                fold(state, since)
                held(sum(len(getattr(state, name)) for name in _FIELDS))
        self._top = Made(key, view.layers, since, state)
        return self._top

    @contextlib.contextmanager
    def passing(self) -> Iterator[None]:
        """Folds made inside the block are not kept as the last fold: a sweep over many days (a
        series) leaves the one made before it to the queries that follow on that day, which
        then start from it (see :meth:`_reused`) rather than copying their checkpoint."""
        kept = self._top
        try:
            yield
        finally:
            self._top = kept

    def _reused(self, layers: tuple[FoldState, ...], since: list[Row]) -> FoldState | None:
        """The last fold's dicts brought, in place, to the fold of ``layers`` with ``since`` on
        top, in a new state; ``None`` if anything but this index still holds that fold (a day
        view, a query's state: what they read must not change) or the two differ in too many
        keys. After a retroactive change at a million events, copying the checkpoint's dicts
        anew and freeing the last fold's took a query 10-16 ms; this touches the keys the
        change may have changed (see :func:`_differing`). A key the last fold did not have
        goes at the end of its dict, where a copy may put it earlier: every view orders what
        it shows by the rows' own fields."""
        top = self._top
        if top is None or not _held_here(top):
            return None
        keys = _differing(top.layers, top.since, layers, since)
        state = top.state
        if keys is None or len(keys) * len(layers) > sum(len(getattr(state, name)) for name in _FIELDS):
            return None  # reading each key through the layers would cost more than copying them
        values = _fold_keys(layers, since, keys)
        self._top = None  # the last fold's state goes with it (a day's slot may refer to it weakly)
        for name, key in keys:
            value, into = getattr(values, name).get(key, _ABSENT), getattr(state, name)
            if value is _ABSENT:
                into.pop(key, None)
            else:
                into[key] = value
        return FoldState(**{name: getattr(state, name) for name in _FIELDS})

    def _build_until(self, count: int) -> None:
        """Build checkpoints while a whole stretch of ``every`` events fits in the first ``count``.

        One running state, with plain dicts, is folded forward from the last checkpoint: each
        new checkpoint keeps the entries its stretch wrote, read off the running state, so
        nothing is folded through layers or copied whole but the snapshots.
        """
        # A checkpoint always ends before an event (never after the last): events appended at
        # the end then fall after every checkpoint, and none is patched for them.
        count = min(count, len(self.keys) - 1)
        while (start := bisect.bisect_left(self.keys, self.bounds[-1])) + self.every <= count:
            end = start + self.every
            slot = len(self.deltas) - 1
            running = self._running_at(slot)
            fold(running, self.events[start:end])
            maps: list[_Recording] = [getattr(running, name) for name in _FIELDS]
            self._written.append(self._written[-1] + sum(len(m.written) for m in maps))
            last = self.snapshot_slots[-1]
            if (slot + 1 - last >= self.snapshot_every
                    and self._written[-1] - self._written[last] >= self.snapshot_share * sum(map(len, maps))):
                self.snapshots.append(FoldState(**{name: dict(m) for name, m in zip(_FIELDS, maps, strict=True)}))
                self.snapshot_slots.append(slot + 1)
            # A snapshot's own delta is never read as a layer, but says what its stretch wrote (see _listed).
            delta = FoldState(**{name: _layer({key: m.get(key, _GONE) for key in m.written})
                                 for name, m in zip(_FIELDS, maps, strict=True)})
            for m in maps:
                m.written.clear()
            self.bounds.append(self.keys[end])
            self.patches.append(())
            self.deltas.append(delta)
            self.merged.append(self._merge(slot + 1))
            self._running = (slot + 1, running)

    def _merge(self, slot: int) -> FoldState | None:
        """The deltas of the run of :data:`MERGE_EVERY` that checkpoint ``slot`` ends, merged
        into one layer (later wins, keys in first-written order, as :func:`flatten` merges them)."""
        since = slot - self.snapshot_slots[-1]
        if since == 0 or since % self.merge_every:
            return None  # a snapshot itself, or no run ends here
        deltas = self.deltas[slot - self.merge_every + 1 : slot + 1]
        return FoldState(**{name: _layer({k: v for d in deltas for k, v in getattr(d, name).items()})
                            for name in _FIELDS})

    def _running_at(self, slot: int) -> FoldState:
        """A private, mutable copy of checkpoint ``slot`` that records what is written to it,
        starting with what its patches wrote: the next checkpoint's delta carries them forward
        (the layers of the checkpoints after it leave out this one's patches)."""
        if self._running is not None and self._running[0] == slot:
            return self._running[1]
        self._running = None  # a stale one is freed here, by the build that replaces it (see _push)
        merged, patches = flatten(self._layers(slot)), self.patches[slot][::-1]
        return FoldState(**{
            name: _Recording(getattr(merged, name), dict.fromkeys(k for patch in patches for k in getattr(patch, name)))
            for name in _FIELDS
        })

    def _invalidate(self, key: int) -> None:
        # Checkpoints whose bound is above the key would have held the change: drop them.
        self._running = None
        keep = bisect.bisect_right(self.bounds, key)
        del self.bounds[keep:], self.patches[keep:], self.deltas[keep:], self._written[keep:], self.merged[keep:]
        kept = bisect.bisect_right(self.snapshot_slots, keep - 1)
        del self.snapshots[kept:], self.snapshot_slots[kept:]

    def _changed(self, position: int, inserted: Row | None, removed: Row | None) -> None:
        """After an event came or went: count the change, keep what undoes it, update the groups."""
        self.version += 1
        self._undo.append((position, inserted, removed))
        if len(self._undo) > _UNDO_KEPT:
            for view in list(self._views):
                view.rows()  # older than what is kept: take its rows now
            self._views = weakref.WeakSet()
            self._undo.clear()
            self._undo_base = self.version
        row = inserted if inserted is not None else removed
        assert row is not None
        for tags, group in self._groups.items():
            if row[0] in tags:
                group.change(row, add=inserted is not None)

    def rows_at(self, version: int) -> list[Row]:
        """The rows as they stood at an earlier ``version`` (a copy, undoing what changed since)."""
        rows = list(self.events)
        for position, inserted, removed in reversed(self._undo[version - self._undo_base:]):
            if inserted is not None:
                del rows[position]
            else:
                rows.insert(position, removed)
        return rows

    def day(self, day: int) -> DayView:
        """What a query on ``day`` reads: the rows that may have happened by then, and the fold state."""
        count = self.count_until(day)
        view = DayView(self, day, count, *self.state_at(count))
        self._views.add(view)
        return view

    def _remove(self, row: Row) -> int:
        key = sort_key(row)
        index = bisect.bisect_left(self.keys, key)
        del self.keys[index]
        del self.events[index]
        self._changed(index, None, row)
        self._track(key, row, add=False)  # before the refold: no list names an event gone
        return key

    def _insert(self, event: Row) -> int:
        key = sort_key(event)
        index = bisect.bisect_left(self.keys, key)
        self.keys.insert(index, key)
        self.events.insert(index, event)
        self._changed(index, event, None)
        return key

    def _push(self, first: int, layers: list[FoldState]) -> None:
        """Put one patch layer on each checkpoint from ``first``; merge a checkpoint's patches
        into one when they are too many. Checkpoints that had the same patches and get the same
        layer (most of them: a key no later event touches gets one layer for all) share one
        tuple of patches, made once, and one merge.

        The running state no longer serves the next build, but it is kept until that build
        replaces it: freeing its dicts of every key (4 ms at a million events) belongs there,
        not to the retroactive append."""
        if self._running is not None:
            self._running = (_STALE, self._running[1])
        patches = self.patches
        # By id: every tuple looked up is alive from the start (still in ``patches``), so it
        # never has the id of one replaced (and maybe freed) before it, unless it is that one.
        made: dict[tuple[int, int], tuple[FoldState, ...]] = {}
        for slot, layer in enumerate(layers, start=first):
            old = patches[slot]
            found = made.get((id(layer), id(old)))
            if found is None:
                found = (layer, *old)
                if len(found) > _MAX_PATCHES:
                    found = (FoldState(**{
                        name: _layer({k: v for p in reversed(found) for k, v in getattr(p, name).items()})
                        for name in _FIELDS}),)
                made[id(layer), id(old)] = found
            patches[slot] = found

    def _refold(self, touches: Iterable[tuple[str, Any]], start: int, inserted: int | None = None) -> None:
        """Patch the checkpoints after sort key ``start`` for a change there on these fold keys.

        The checkpoint before the change holds none of it: from its values of the keys, the
        events after it touching them (and the keys those events touch, until none is left
        out) are folded again, and each later checkpoint gets their keys' values there. A
        change no later event touches costs the few events of one stretch, and every later
        checkpoint shares one patch layer. ``inserted``: the sort key of the event the change
        inserts (the lists of :meth:`_touching` name it only once this is done).
        """
        first = bisect.bisect_right(self.bounds, start)
        keys = dict.fromkeys(touches)  # ordered, not a set: a patch's new keys land in one order in every process
        if first == len(self.bounds) or not keys:
            return  # no checkpoint after the change (so no need of touching), or no key changed
        base = self.bounds[first - 1]
        # The events to fold again, by sort key, each looked up once.
        found = {} if inserted is None else {inserted: self.events[bisect.bisect_left(self.keys, inserted)]}
        todo = list(keys)
        while todo:
            listed = self._touching(todo.pop(), base)
            for key in listed[bisect.bisect_left(listed, base):]:
                if key not in found:
                    row = found[key] = self.events[bisect.bisect_left(self.keys, key)]
                    for touch in touched(row):
                        if touch not in keys:
                            keys[touch] = None
                            todo.append(touch)
            if len(found) > _REFOLD_LIMIT:
                self._invalidate(start)
                return
        order = sorted(found)
        rows = list(map(found.__getitem__, order))
        fields = {name: names for name, names in _by_field(keys).items() if names}
        state, done, layers = self._values(first - 1, fields), 0, []
        layer: FoldState | None = None
        for bound in self.bounds[first:]:
            end = bisect.bisect_left(order, bound, lo=done)
            if layer is None or end > done:
                fold(state, rows[done:end])
                layer = FoldState(**{name: _layer({key: getattr(state, name).get(key, _GONE) for key in names})
                                     for name, names in fields.items()})
                done = end
            layers.append(layer)
        self._push(first, layers)

    def _values(self, slot: int, fields: dict[str, list[Any]]) -> FoldState:
        """Checkpoint ``slot``'s values of these keys (those it has), read through its layers."""
        return _read(self._layers(slot), fields)

    def add_event(self, row: Row) -> None:
        """Take in a newly appended event: patch the later checkpoints."""
        key = self._insert(row)
        self._refold(touched(row), key, key)
        self._track(key, row, add=True)

    def replace(self, old: Row, corrected: Row) -> None:
        """Take in a corrected event (same id and seq): patch the checkpoints after either position."""
        before = self._remove(old)
        after = self._insert(corrected)
        self._refold((*touched(old), *touched(corrected)), min(before, after), after)
        self._track(after, corrected, add=True)

    def remove(self, row: Row) -> None:
        """Take out a retracted event: patch the checkpoints after it."""
        self._refold(touched(row), self._remove(row))


_FIELDS: Final = tuple(f.name for f in attrs.fields(FoldState))
_TOUCHING: Final = {name: frozenset(tag for tag, touches in TOUCHES.items() if any(t[0] == name for t in touches))
                    for name in _FIELDS}
"""Per state field, the event types whose handler touches its keys (read off :data:`TOUCHES`)."""
_TAG: Final = operator.itemgetter(0)


_ABSENT: Final[Any] = object()
_GONE: Final[Any] = object()
"""In a patch layer (or a delta carrying one forward): the key does not exist at that checkpoint."""


class _Gone(dict):  # type: ignore[type-arg]
    """A layer's map that holds :data:`_GONE` (the only maps :func:`flatten` looks through for it):
    a patch's, or a delta carrying a patch forward (the fold itself never deletes a key)."""

    __slots__ = ()


def _layer(found: dict[Any, Any]) -> dict[Any, Any]:
    return _Gone(found) if any(value is _GONE for value in found.values()) else found


class _Recording(dict):  # type: ignore[type-arg]
    """A dict that remembers, in order, the keys written to it."""

    __slots__ = ("written",)

    def __init__(self, items: dict[Any, Any], written: dict[Any, None]) -> None:
        super().__init__(items)
        self.written = written

    def __setitem__(self, key: Any, value: Any) -> None:
        self.written[key] = None
        dict.__setitem__(self, key, value)


def flatten(layers: tuple[FoldState, ...]) -> FoldState:
    """One state from layers, newest first; keys keep the order a single fold gives them."""
    merged: dict[str, Any] = {}
    for name in _FIELDS:
        maps = [getattr(s, name) for s in reversed(layers)]
        value = dict(maps[0])
        for later in maps[1:]:
            if later:
                value.update(later)
        for key in [key for later in maps[1:] if type(later) is _Gone for key, item in later.items() if item is _GONE]:
            if value.get(key) is _GONE:  # gone at the newest layer that has it
                del value[key]
        merged[name] = value
    return FoldState(**merged)


@attrs.frozen(eq=False)
class Made:
    """A fold the index made for day views."""

    key: tuple[int, int]  # (count, version) of the views it serves
    layers: tuple[FoldState, ...]  # the checkpoint's
    since: list[Row]  # the rows folded on top of them
    state: FoldState

    def basis(self) -> Basis:
        """What the fold was made of, to compare a later fold with it once it is gone (see :meth:`DayView.changes`)."""
        return Basis(tuple(map(weakref.ref, self.layers)), self.since)


@attrs.frozen(eq=False)
class Basis:
    """What a fold was made of, kept without the fold: the checkpoint's layers, weakly (a
    checkpoint dropped since is not kept alive for it), and the rows folded on top of them."""

    layers: tuple[weakref.ref[FoldState], ...]
    since: list[Row]


_CHANGED_LIMIT: Final = 10_000


def _changed(before: Basis, after: Made) -> dict[str, dict[Any, Any]] | None:
    """The keys whose values may differ between the fold ``before`` describes and ``after``,
    each with its value in the former (see :meth:`DayView.changes`).

    The layers both folds share (the oldest, the same objects) give both the same values; a
    key can differ only where a layer of one of them holds it, or where a row folded on top
    of one of them touches it: a row only one of them folds, or one touching a key that
    differs (it reads it; later rows are read in order, so what it writes is then counted).
    """
    old = tuple(ref() for ref in before.layers)
    keys = _differing(old, before.since, after.layers, after.since)
    if keys is None:
        return None
    values = _fold_keys(old, before.since, keys)  # type: ignore[arg-type]  # none is None (see _differing)
    found: dict[str, dict[Any, Any]] = {name: {} for name in _FIELDS}
    for name, key in keys:
        found[name][key] = getattr(values, name).get(key)
    return found


def _differing(old: tuple[FoldState | None, ...], old_since: list[Row],
               layers: tuple[FoldState, ...], since: list[Row]) -> set[tuple[str, Any]] | None:
    """The keys ``(state field, key)`` whose values may differ between the fold of ``old``
    (layers, newest first; ``None`` for one since dropped) with ``old_since`` on top and that of
    ``layers`` with ``since``; ``None`` when they may differ in more than :data:`_CHANGED_LIMIT`
    keys or a layer ``old`` does not share was dropped (see :func:`_changed`)."""
    shared = 0
    while shared < min(len(layers), len(old)) and layers[-1 - shared] is old[-1 - shared]:
        shared += 1
    apart = (*old[: len(old) - shared], *layers[: len(layers) - shared])
    if not shared or any(layer is None for layer in apart):
        return None  # another snapshot under them, or a checkpoint since dropped
    if sum(len(getattr(layer, name)) for layer in apart for name in _FIELDS) > _CHANGED_LIMIT:
        return None  # checkpoints built since: too much to patch
    keys = {(name, key) for layer in apart for name in _FIELDS for key in getattr(layer, name)}
    now = {id(row) for row in since}
    for row in old_since:
        if id(row) not in now:
            keys.update(touched(row))
    was = {id(row) for row in old_since}
    for row in since:
        touches = touched(row)
        if id(row) not in was or not keys.isdisjoint(touches):
            keys.update(touches)
    return None if len(keys) > _CHANGED_LIMIT else keys


_COUNTS_HOLDERS: Final = sys.implementation.name == "cpython" and sys.version_info < (3, 14)
"""Whether ``sys.getrefcount`` counts every holder here: CPython 3.11-3.13 (the counts below
checked on each); 3.14 may leave references it borrows uncounted, so no fold is reused there."""


def _held_here(made: Made) -> bool:
    """Whether nothing but the index holds its last fold ``made``, its state or the state's
    dicts, by CPython's reference counts: ``made`` is held by the index, the caller's name,
    this argument and ``getrefcount``'s own; the state by ``made``, the name below and
    ``getrefcount``'s; each dict by the state and ``getrefcount``'s."""
    if not _COUNTS_HOLDERS:
        return False
    state = made.state
    return (sys.getrefcount(made) <= 4 and sys.getrefcount(state) <= 3
            and all(sys.getrefcount(getattr(state, name)) <= 2 for name in _FIELDS))


def _fold_keys(layers: tuple[FoldState, ...], rows: list[Row], keys: set[tuple[str, Any]]) -> FoldState:
    """These keys' values in the fold of ``layers`` with ``rows`` on top, folding only the rows
    that can change them: those touching one, and before each, those touching a key it touches."""
    need, chosen = set(keys), []
    for row in reversed(rows):
        touches = touched(row)
        if not need.isdisjoint(touches):
            need.update(touches)
            chosen.append(row)
    state = _read(layers, _by_field(need))
    fold(state, chosen[::-1])
    return state


def _by_field(keys: Iterable[tuple[str, Any]]) -> dict[str, list[Any]]:
    """Fold keys ``(state field, key)`` as lists of keys per state field, in their order."""
    fields: dict[str, list[Any]] = {name: [] for name in _FIELDS}
    for name, key in keys:
        fields[name].append(key)
    return fields


def _read(layers: tuple[FoldState, ...], fields: dict[str, list[Any]]) -> FoldState:
    """These keys' values (those there are) in the state ``layers`` hold, newest first."""
    state = FoldState()
    for name, keys in fields.items():
        maps, into = [getattr(layer, name) for layer in layers], getattr(state, name)
        for key in keys:
            for found in maps:
                value = found.get(key, _ABSENT)
                if value is not _ABSENT:
                    if value is not _GONE:
                        into[key] = value
                    break
    return state


def _roomy(rows: Sequence[Row]) -> list[Row]:
    """The rows as a list with room for an eighth more, as CPython's own growth leaves. A list
    made whole has none: the first event inserted later grew it, copying 8 MB at a million
    events into fresh pages, 1-11 ms of a retroactive append (measured); a list shrunk by less
    than half keeps its room."""
    found, room = list(rows), len(rows) // 8
    found.extend(itertools.repeat(None, room))  # taken out below
    del found[len(found) - room :]
    return found


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Whether two tuples hold the very same objects."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


class _Group:
    """The events of a set of types, in fold order, as columns: ``keys`` (sort keys) and
    ``rows``, and, made on first use, what the counts read: the sort keys of the events
    that happened (their status; not cancelled, postponed...) and, sorted apart, their
    latest possible days. Every column is kept up to date as events come and go."""

    __slots__ = ("_happened", "keys", "rows")

    def __init__(self, keys: array.array[int], rows: list[Row]) -> None:
        self.keys, self.rows = keys, rows
        self._happened: tuple[list[int], list[int]] | None = None

    def happened(self) -> tuple[list[int], list[int]]:
        """The sort keys of the events that happened, in order, and their latest possible days, sorted."""
        if self._happened is None:
            chosen = [(key, row) for key, row in zip(self.keys, self.rows, strict=True) if _happened(row)]
            self._happened = ([key for key, _ in chosen], sorted(_latest(row) for _, row in chosen))
        return self._happened

    def change(self, row: Row, *, add: bool) -> None:
        """Take in an event that came (``add``) or went."""
        key = sort_key(row)
        at = bisect.bisect_left(self.keys, key)
        if add:
            self.keys.insert(at, key)
            self.rows.insert(at, row)
        else:
            del self.keys[at], self.rows[at]
        if self._happened is not None and _happened(row):
            keys, latest = self._happened
            if add:
                bisect.insort(keys, key)
                bisect.insort(latest, _latest(row))
            else:
                del keys[bisect.bisect_left(keys, key)]
                del latest[bisect.bisect_left(latest, _latest(row))]


@functools.cache
def _positions(tag: str) -> tuple[int | None, int]:
    """Where a row of this type keeps its status text (``None``: it has none) and its latest possible day."""
    fields: tuple[str, ...] = row_class(tag)._fields  # type: ignore[attr-defined]
    return (fields.index("status_text") if "status_text" in fields else None), fields.index("hi")


def _happened(row: Row) -> bool:
    at = _positions(row[0])[0]
    return at is not None and row[at] == "happened"


def _latest(row: Row) -> int:
    found: int = row[_positions(row[0])[1]]
    return found


class DayView:
    """What a query on one day reads from an index: the rows that may have happened by the
    day (in fold order) and the fold state on it. It keeps its answer when the index changes
    later (the index undoes the changes for it, when asked, rather than copying on each change)."""

    def __init__(self, index: Index, day: int, count: int, layers: tuple[FoldState, ...], start: int) -> None:
        self._index, self.day, self.count = index, day, count
        self.layers, self.start = layers, start  # the checkpoint's, and how many events it holds
        self.version = index.version
        self._rows: list[Row] | None = None

    def rows(self) -> list[Row]:
        """The stored rows that may have happened by the day, in fold order (shared: do not change)."""
        if self._rows is None:
            index = self._index
            every = index.events if index.version == self.version else index.rows_at(self.version)
            self._rows = every[: self.count]
        return self._rows

    def of(self, tags: frozenset[str], *, as_stored: bool = False) -> list[Row]:
        """Typed (or stored) rows of the events of these types that may have happened by the day."""
        index = self._index
        if self._stale():
            found = [r for r in self.rows() if r[0] in tags]
        else:
            group = index.group(tags)
            found = group.rows[: bisect.bisect_right(group.keys, key_after(self.day))]
        return found if as_stored else [typed(r) for r in found]

    def _stale(self) -> bool:
        """Whether the index changed since the view was made (its rows are then read as they stood)."""
        return self._index.version != self.version or self._rows is not None

    def held(self, tags: frozenset[str]) -> tuple[int, int]:
        """How many events of these types that happened (by status) certainly, and possibly,
        took place by the day: read from the group's columns, no row is looked at."""
        if self._stale():
            found = [r for r in self.rows() if r[0] in tags and _happened(r)]
            return sum(_latest(r) <= self.day for r in found), len(found)
        keys, latest = self._index.group(tags).happened()
        return bisect.bisect_right(latest, self.day), bisect.bisect_right(keys, key_after(self.day))

    @property
    def memo(self) -> dict[int, Any]:
        """The index's memo of what queries worked out from fold rows (see :attr:`Index.memo`)."""
        return self._index.memo

    @property
    def fold(self) -> FoldState:
        """The keyed views' fold state on the day (shared with later queries on the same events: do not change it)."""
        return self.made.state

    @functools.cached_property
    def made(self) -> Made:
        """The fold, and what it was made of."""
        return self._index.fold_of(self)

    def changes(self, before: Basis) -> dict[str, dict[Any, Any]] | None:
        """Per state field, every key whose value may differ between the fold ``before``
        describes (see :meth:`Made.basis`) and this view's, with its value in the former
        (``None``: it had no such key); ``None`` when they may differ in more than
        :data:`_CHANGED_LIMIT` keys, or a checkpoint ``before`` read was dropped since. What
        a query worked out row by row on the earlier fold is brought up to date from it (see
        :attr:`eurasia_events.query.State._shared`)."""
        return _changed(before, self.made)
