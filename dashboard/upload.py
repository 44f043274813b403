"""An uploaded registry, read once per content and away from the server's other sessions.

The file is read in a child process (:class:`ptce_geo.registry.isolated.ReadJob`)
under a time and memory budget, while this session's script polls it: other
sessions' scripts keep the interpreter to themselves. The tables are kept in
Session State under the sha256 of the file(s), so a rerun (any click) reuses
them. A rerun of this session picks up the reading in progress; a session that
ends stops it.
"""

from __future__ import annotations

import hashlib

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException

from dashboard import common
from ptce_geo.registry import RawRegistry, RegistryError, mapping
from ptce_geo.registry.isolated import ReadJob

_DONE, _RUNNING, _MAPPINGS = "_lecture", "_lecture_en_cours", "_correspondances"


def content_key(*files) -> str:
    """sha256 of the uploaded files' names and contents."""
    digest = hashlib.sha256()
    for f in files:
        if f is None:
            digest.update(b"\x00-")
            continue
        digest.update(f.name.encode("utf-8", "replace") + b"\x00")
        digest.update(f.getvalue())
        digest.update(b"\x00")
    return digest.hexdigest()


def read(poles_file, soutiens_file=None) -> tuple[str, RawRegistry]:
    """(content key, raw tables) of the upload; raises :class:`RegistryError` for a refused file."""
    key = content_key(poles_file, soutiens_file)
    done = st.session_state.get(_DONE)
    if done is not None and done[0] == key:
        if isinstance(done[1], RegistryError):
            raise done[1]
        return key, done[1]
    running = st.session_state.get(_RUNNING)
    if running is None or running[0] != key:
        if running is not None:
            running[1].cancel()
        job = ReadJob(poles_file.getvalue(), poles_file.name,
                      soutiens_file.getvalue() if soutiens_file is not None else None,
                      soutiens_file.name if soutiens_file is not None else "")
        st.session_state[_RUNNING] = (key, job)
    else:
        job = running[1]
    status = st.empty()
    try:
        while (raw := job.result(wait=0.25)) is None:
            # each message sent lets Streamlit stop this run: a rerun of the session
            # takes the job over, a session that ends stops it (below)
            status.caption(f"Lecture du fichier… {job.elapsed:.0f} s")
    except RegistryError as exc:
        st.session_state[_DONE] = (key, exc)
        st.session_state.pop(_RUNNING, None)
        status.empty()
        raise
    except RerunException:
        raise
    except BaseException:
        job.cancel()
        st.session_state.pop(_RUNNING, None)
        raise
    st.session_state[_DONE] = (key, raw)
    st.session_state.pop(_RUNNING, None)
    status.empty()
    return key, raw


def forget() -> None:
    """Drop the tables read (and stop a reading in progress)."""
    running = st.session_state.pop(_RUNNING, None)
    if running is not None:
        running[1].cancel()
    st.session_state.pop(_DONE, None)


def column_mapping(raw: RawRegistry) -> dict[str, dict[str, str]] | None:
    """The user's column mapping for ``raw`` (``{}`` when every required column was
    recognised), or None while a question is unanswered. The questions name each
    column by what it means; answers are remembered for the session by the file's
    columns, so a file re-uploaded with the same columns is not asked about again."""
    questions = mapping.questions(raw.unmatched())
    if not questions:
        return {}
    memory = st.session_state.setdefault(_MAPPINGS, {})
    keys = {q: f"map_{q.key}" for q in questions}
    for q, key in keys.items():
        if key not in st.session_state:
            st.session_state[key] = mapping.recalled(memory, q)
    answers = {q: st.session_state[key] for q, key in keys.items()}
    renames, problems = mapping.resolve(answers, quote=common.md)
    if renames is None:
        st.warning("Certaines colonnes obligatoires n'ont pas été reconnues dans votre fichier : indiquez pour "
                   "chacune la colonne qui la contient. Votre choix sera retenu pour cette session.")
        for problem in problems:
            st.error(problem[0].upper() + problem[1:] + ".")
        box = st.container()
    else:
        mapping.remember(memory, answers)
        chosen = " ; ".join(f"{common.md(column)} pour « {title} »" for column, title in mapping.summary(answers))
        st.caption(f"Colonnes de votre fichier utilisées : {chosen}.")
        box = st.expander("Modifier la correspondance des colonnes")
    with box:
        for q, key in keys.items():
            st.selectbox(q.label, [""] + list(q.choices), key=key, help=q.description or None,
                         format_func=lambda c: c or "— choisir une colonne —")
    return renames
