"""Results shared by the sessions of a process (:class:`SharedResults`)."""

from __future__ import annotations

import threading
from collections import OrderedDict


class SharedResults:
    """The last results of a process, shared by all its sessions: many users ask for the
    same views (France, their territory, a lever). A key names what a value depends on;
    the objects it was computed from (``holders``: the territories, a registry's tables)
    are held with it and compared by identity, so one registry or another, an upload or
    the database, gets its own results. The least recently used go beyond ``size`` entries."""

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
            if found is not None and len(found[0]) == len(holders) and all(
                    a is b for a, b in zip(found[0], holders)):
                self._items.move_to_end(key)
                return found[1]
        return None

    def put(self, holders, key, value) -> None:
        """Keep ``value`` for ``key`` and ``holders``; the least recently used go beyond ``size``."""
        holders, key = self._entry(holders, key)
        with self._lock:
            self._items[key] = (holders, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    @staticmethod
    def _entry(holders, key):
        holders = holders if isinstance(holders, tuple) else (holders,)
        return holders, (tuple(id(h) for h in holders), key)  # held: an id is not reused while its entry lives
