"""Sign-in with OpenID Connect through Streamlit's ``st.login`` / ``st.user``.

The provider (ProConnect, Keycloak, Microsoft Entra…) is configured in the
``[auth]`` section of Streamlit's secrets (README, « Connexion (OpenID
Connect) »). Without that section, nobody signs in and every visitor is a
reader of today's dashboard.
"""

from __future__ import annotations

import streamlit as st


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


def sidebar_block(sb) -> None:
    """« Se connecter », or who is signed in and « Se déconnecter »; nothing when
    sign-in is not configured."""
    if not configured():
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

