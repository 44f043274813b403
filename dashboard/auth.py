"""Who is using the dashboard: OpenID Connect or a local account, and their role.

- OpenID Connect through Streamlit's ``st.login`` / ``st.user``: the provider
  (ProConnect, Keycloak, Microsoft Entra…) is configured in the ``[auth]``
  section of Streamlit's secrets (README, « Connexion (OpenID Connect) »).
- Otherwise, on the shared registry, local accounts (created with the command
  line) sign in with their password; the sign-in expires after
  ``PTCE_SESSION_HEURES``.

The role always comes from the database (by e-mail) and is checked again by
the core on every write: hiding the « Édition » page is a convenience only.
Without any sign-in, every visitor is a reader of today's dashboard.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import streamlit as st

from ptce_geo import settings
from ptce_geo.store import AccountError, User, accounts

_LOCAL = "_compte_local"


def configured() -> bool:
    """True when the secrets have an ``[auth]`` section."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def signed_in_email() -> str | None:
    """The e-mail address of the signed-in user, or None.

    None as well when the provider gave no address, or one it says it has not
    verified (``email_verified`` false): roles are granted by e-mail address.
    """
    if not configured() or not st.user.get("is_logged_in"):
        return None
    email = str(st.user.get("email") or "").strip()
    if not email or st.user.get("email_verified") is False:
        return None
    return email


def _engine():
    from dashboard import common
    return common.store(settings.database_url()).engine


def current_user() -> User:
    """The signed-in user with the role the database gives their e-mail; a reader otherwise."""
    from dashboard import common
    if not common.is_shared():
        return User.anonymous()  # a registry file is read-only
    if configured():
        return accounts.role_of(_engine(), signed_in_email())
    local = st.session_state.get(_LOCAL)
    if local and local["expire"] > datetime.now(timezone.utc):
        return accounts.role_of(_engine(), local["email"])  # a role removed meanwhile takes effect now
    st.session_state.pop(_LOCAL, None)
    return User.anonymous()


def can_edit() -> bool:
    """Whether to list the « Édition » page (the core checks every write anyway)."""
    try:
        return current_user().can("editeur")
    except Exception:  # noqa: BLE001 - the database is unreachable: the page's own error says so
        logging.getLogger("ptce_geo.dashboard").exception("rôle de l'utilisateur introuvable")
        return False


def _local_block(sb) -> None:
    user = current_user()
    if user.email:
        sb.text(f"Connecté : {user.email} ({accounts.ROLES[user.role]})")
        if sb.button("Se déconnecter", key="local_logout"):
            st.session_state.pop(_LOCAL, None)
            st.rerun()
        return
    with sb.expander("Connexion des éditeurs"):
        with st.form("connexion", clear_on_submit=True):
            email = st.text_input("Adresse e-mail", key="login_email")
            password = st.text_input("Mot de passe", type="password", key="login_password")
            if st.form_submit_button("Se connecter"):
                try:
                    signed = accounts.authenticate(_engine(), email, password)
                except AccountError as exc:
                    st.error(f"Connexion refusée : {exc}.")
                else:
                    hours = settings.session_hours()
                    st.session_state[_LOCAL] = {"email": signed.email,
                                                "expire": datetime.now(timezone.utc) + timedelta(hours=hours)}
                    st.rerun()


def sidebar_block(sb) -> None:
    """« Se connecter », or who is signed in and « Se déconnecter ». OpenID Connect
    when configured, else local accounts on the shared registry, else nothing."""
    from dashboard import common
    if not configured():
        if common.is_shared():
            _local_block(sb)
        return
    if not st.user.get("is_logged_in"):
        if sb.button("Se connecter", key="auth_login"):
            st.login()
        return
    email = signed_in_email()
    if email:
        sb.text(f"Connecté : {email}")  # plain text: the address is neither formatted nor linked
    else:
        sb.warning("Connecté, mais le fournisseur d'identité n'a pas transmis d'adresse e-mail vérifiée.")
    if sb.button("Se déconnecter", key="auth_logout"):
        st.logout()

