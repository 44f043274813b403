"""Results shared by the sessions of a process (:class:`SharedResults`)."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict


def _reference(holder):
    """A weak reference to ``holder``, or a strong one for objects that take none."""
    try:
        return weakref.ref(holder)
    except TypeError:
        return lambda: holder


class SharedResults:
    """The last results of a process, shared by all its sessions: many users ask for the
    same views (France, their territory, a lever). A key names what a value depends on;
    the objects it was computed from (``holders``: the territories, a registry's tables)
    are compared by identity, so one registry or another, an upload or the database, gets
    its own results. Holders are referenced weakly: a registry replaced after a save, or an
    upload its session dropped, is freed, and its results go at the next :meth:`put`. The
    least recently used go beyond ``size`` entries."""

    def __init__(self, size: int = 24):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, holders, key, compute):
        """The value of ``key`` computed from ``holders`` (one object or a tuple of them)."""
        found = self.peek(holders, key)
        if found is not None:
            return found
        value = compute()  # outside the lock: two sessions may compute the same value once each
        self.put(holders, key, value)
        return value

    def peek(self, holders, key):
        """The value kept for ``key`` and ``holders``, or None."""
        holders, key = self._entry(holders, key)
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            kept = [ref() for ref in found[0]]
            if len(kept) != len(holders) or not all(a is b for a, b in zip(kept, holders)):
                del self._items[key]  # a holder was freed and its id given to another object
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, holders, key, value) -> None:
        """Keep ``value`` for ``key`` and ``holders``; forget the results of freed holders, then
        the least recently used beyond ``size``."""
        holders, key = self._entry(holders, key)
        with self._lock:
            self._items[key] = (tuple(_reference(h) for h in holders), value)
            self._items.move_to_end(key)
            for old in [k for k, (refs, _) in self._items.items() if any(ref() is None for ref in refs)]:
                del self._items[old]
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)

    @staticmethod
    def _entry(holders, key):
        holders = holders if isinstance(holders, tuple) else (holders,)
        return holders, (tuple(id(h) for h in holders), key)
