"""The column-mapping step: which column of the user's file holds each required column
the reader did not recognise, asked in words, answered once per set of columns.

A :class:`Question` names the column by what it means (« Nom du pôle », from the
published schema), not by its code. Answers are remembered by the file's columns
(:func:`remember`, :func:`recalled`): a file re-uploaded with the same columns is
read with the same mapping without asking again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

TABLES = {"poles": "pôles", "soutiens": "soutiens"}


@dataclass(frozen=True)
class Question:
    """One required column to find in the user's file."""

    table: str                 # "poles" or "soutiens"
    column: str                # the registry's column, e.g. "nom"
    title: str                 # what it means, in French: « Nom du pôle »
    description: str           # a sentence more, from the schema (may be "")
    choices: tuple[str, ...]   # the columns of the user's file

    @property
    def label(self) -> str:
        """The question as shown: ``« Nom du pôle » : quelle colonne de votre fichier ?``"""
        where = " (fichier des soutiens)" if self.table == "soutiens" else ""
        return f"« {self.title} »{where} : quelle colonne de votre fichier le contient ?"

    @property
    def key(self) -> str:
        """A short id of the question and of the file's columns (for a widget key)."""
        digest = hashlib.sha1("\x00".join(self.choices).encode("utf-8", "replace")).hexdigest()[:10]
        return f"{self.table}_{self.column}_{digest}"


def questions(unmatched: dict[str, tuple[list[str], list[str]]]) -> list[Question]:
    """The questions for :meth:`RawRegistry.unmatched`'s answer, in the tables' order."""
    from .. import schema  # the schema module reads this package: imported when asked

    out = []
    for table in TABLES:
        if table not in unmatched:
            continue
        needed, columns = unmatched[table]
        fields = schema.POLE_FIELDS if table == "poles" else schema.SOUTIEN_FIELDS
        for column in needed:
            _, title, description, _ = fields[column]
            out.append(Question(table, column, title, description, tuple(columns)))
    return out


def recalled(memory: dict, question: Question) -> str:
    """The column chosen earlier for this question and these file columns, or ""."""
    picked = memory.get((question.table, question.choices), {}).get(question.column, "")
    return picked if picked in question.choices else ""


def remember(memory: dict, answers: dict[Question, str]) -> None:
    """Keep complete answers for the next file with the same columns."""
    for question, picked in answers.items():
        if picked:
            memory.setdefault((question.table, question.choices), {})[question.column] = picked


def resolve(answers: dict[Question, str], quote=lambda text: f"« {text} »"
            ) -> tuple[dict[str, dict[str, str]] | None, list[str]]:
    """``(renames, problems)``: the mapping for :meth:`RawRegistry.validate` when every
    question has its own column, else ``(None, French problems)`` (empty while some
    questions are simply not answered yet). ``quote`` shows a column of the user's file
    in a problem (for markdown, a function that makes it inert)."""
    renames: dict[str, dict[str, str]] = {}
    problems = []
    complete = True
    for question, picked in answers.items():
        if not picked:
            complete = False
            continue
        table = renames.setdefault(question.table, {})
        if picked in table:
            other = next(q for q in answers if q.table == question.table and q.column == table[picked])
            problems.append(f"la colonne {quote(picked)} est choisie à la fois pour « {other.title} » et pour "
                            f"« {question.title} » : choisissez une colonne différente pour chacun")
            complete = False
            continue
        table[picked] = question.column
    return (renames if complete and not problems else None), problems


def summary(answers: dict[Question, str]) -> list[tuple[str, str]]:
    """``[(the user's column, what it was taken for)]``, to say what was chosen."""
    return [(picked, q.title) for q, picked in answers.items() if picked]
