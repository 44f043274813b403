"""The shared registry in a database: poles and supports edited by signed-in
editors, every change kept with who made it and when, and undoable.

No streamlit here: the dashboard and the command line call the same API,
and the role is checked by the API itself (:func:`accounts.require`).
Modules: :mod:`.schema` (tables), :mod:`.engine` (connection, migrations),
:mod:`.accounts` (users, roles, passwords), :mod:`.records` (rows to the
reader's tables), :mod:`.store` (reads, writes, history, undo), :mod:`.importing`
(a file into the database: preview, then all or nothing).
"""

from .accounts import AccessDenied, AccountError, User
from .store import ConflictError, Store

__all__ = ["AccessDenied", "AccountError", "ConflictError", "Store", "User"]
