"""Édition: poles and supports of the shared registry, file import with its preview,
history with undo. Listed for editors only; every write is checked again by the core."""

import pandas as pd
import streamlit as st

from dashboard import auth, common
from ptce_geo import schema, vocab
from ptce_geo.registry import RegistryError
from ptce_geo.store import AccessDenied, ConflictError, importing, records

st.title("Édition du registre partagé")
user = auth.current_user()
if not user.can("editeur"):  # a link to this page reaches a visitor too: told in French what to do
    auth.sidebar_block(st.sidebar)  # where to sign in, when the registry is shared
    if user.email:
        st.info("Cette page est réservée aux éditeurs : votre compte peut consulter le registre, pas le modifier. "
                "Demandez le rôle d'éditeur à l'administrateur du registre.")
    elif common.is_shared():
        st.info("Cette page est réservée aux éditeurs connectés : connectez-vous dans la barre latérale.")
    else:
        st.info("Cette page sert à modifier un registre partagé en base de données ; ce tableau de bord lit un "
                "fichier. Pour consulter les pôles, ouvrez la « Carte des pôles ».")
    st.page_link(common.CARTE_PAGE, label="Aller à la carte des pôles", icon=":material/map:")
    st.stop()
common.sidebar("edition")
shared = common.shared_store()
st.caption(f"Connecté : {common.md(user.email)} ({common.md(user.role)}). Chaque enregistrement est vérifié "
           "comme une ligne de fichier, puis inscrit dans l'historique à votre nom.")


def _attempt(action, success: str) -> bool:
    """Run a write; show the core's French refusal instead of failing."""
    try:
        action()
    except RegistryError as exc:
        common.unreadable("Enregistrement refusé : corrigez les valeurs indiquées.", exc.issues)
    except (ConflictError, AccessDenied) as exc:
        st.error(f"Enregistrement refusé : {common.md(exc)}")  # the message quotes ids and names
    else:
        st.success(success)
        return True
    return False


def _widget(container, field: schema.FormField, current) -> str:
    """The input for one field of the registry format, holding ``current``; its value as
    a file's cell would hold it (codes, several joined by « | »)."""
    current = records.text(current)
    if field.choices is None:
        return container.text_input(field.label, current, help=field.help or None)
    codes, chosen = list(field.choices), field.chosen(current)
    if field.multiple:
        return "|".join(container.multiselect(field.label, codes, chosen, format_func=field.shown,
                                              placeholder="Choisir une ou plusieurs valeurs"))
    options = [""] + codes
    return container.selectbox(field.label, options, index=options.index(chosen[0]) if chosen else 0,
                               format_func=field.shown)


poles_tab, supports_tab, import_tab, history_tab = st.tabs(["Pôles", "Soutiens", "Importer un fichier",
                                                            "Historique"])

with poles_tab:
    pole_rows = shared.rows()[0]
    rows, names = {r["id"]: r for r in pole_rows}, records.pole_names(pole_rows)
    choice = st.selectbox("Pôle", [""] + list(names), key="ed_pole",
                          format_func=lambda i: "Nouveau pôle" if not i else f"{names[i]} ({i})")
    row = rows.get(choice, {})
    # the version the form was opened at: a save from it is refused if someone saved in between
    opened = st.session_state.setdefault("ed_ouvert", {})
    if choice and opened.get(choice) is None:
        opened[choice] = row["version"]
    suffix = f"{choice}_{opened.get(choice)}"
    with st.form("pole"):
        columns = st.columns(2)
        values = {"id": choice}
        for i, field in enumerate(schema.form_fields("poles", skip=("id",))):
            values[field.name] = _widget(columns[i % 2], field, row.get(field.name))
        save = st.form_submit_button("Enregistrer le pôle")
    if save:
        def write():
            saved = shared.save_pole(user, values, opened.get(choice) if choice else None)
            opened[saved.id] = saved.version
            st.session_state["ed_dernier"] = saved.id
        _attempt(write, f"Pôle « {common.md(values['nom'])} » enregistré.")
    if choice and st.button("Supprimer ce pôle (et ses soutiens)", key=f"del_{suffix}"):
        _attempt(lambda: shared.delete_pole(user, choice, opened[choice]),
                 "Pôle supprimé : l'historique permet de l'annuler.")

with supports_tab:
    pole_rows, support_rows = shared.rows()
    names = records.pole_names(pole_rows)
    pole_id = st.selectbox("Pôle soutenu", list(names), key="sup_pole", format_func=lambda i: f"{names[i]} ({i})")
    mine = [r for r in support_rows if r["pole_id"] == pole_id]
    if mine:
        common.table(pd.DataFrame(mine)[["id", "collectivite_niveau", "collectivite_nom", "forme", "leviers",
                                         "annee", "montant_eur", "modifie_par"]])
    terr = common.territories()
    level = st.selectbox("Niveau de la collectivité *", list(vocab.NIVEAUX), format_func=vocab.NIVEAUX.get,
                         key="sup_niveau")
    code, name = "", ""
    if level in ("epci", "departement", "region"):
        found = records.names_in_order(terr.names(level))
        code = st.selectbox("Collectivité", list(found), key=f"sup_code_{level}",
                            format_func=lambda c: f"{found[c]} ({c})")
        name = found.get(code, "")
    elif level == "commune":
        code = st.text_input("Code INSEE de la commune", key="sup_code_commune")
        name = terr.names("commune").get(code.strip(), "")
    else:
        name = st.text_input("Nom de la structure (Pays, PNR, syndicat mixte…)", key="sup_nom_autre")
    with st.form("soutien"):
        columns = st.columns(2)
        support = {"pole_id": pole_id, "collectivite_niveau": level, "collectivite_code": code,
                   "collectivite_nom": name}
        for i, field in enumerate(schema.form_fields("soutiens", skip=tuple(support))):
            support[field.name] = _widget(columns[i % 2], field, None)
        add = st.form_submit_button("Ajouter le soutien")
    if add:
        _attempt(lambda: shared.save_support(user, support), "Soutien ajouté.")

with import_tab:
    st.caption("Le fichier est d'abord vérifié et comparé au registre : rien n'est écrit avant votre confirmation, "
               "puis tout est écrit ou rien. Un pôle sans identifiant est reconnu par son nom et sa commune.")
    upload = st.file_uploader("Registre à importer (CSV, XLSX ou GeoJSON)", type=["csv", "txt", "xlsx", "geojson",
                                                                                   "json"], key="ed_import")
    if upload is not None:
        try:
            plan = importing.preview_file(shared, upload.getvalue(), upload.name)
        except RegistryError as exc:
            common.unreadable("Ce fichier ne peut pas être lu :", exc.issues)
        else:
            st.text(plan.summary())
            common.table(plan.table(), height=260)
            only_valid = False
            if plan.errors:
                st.warning("Des lignes sont refusées : corrigez le fichier, ou importez seulement les lignes valides.")
                only_valid = st.checkbox("Importer seulement les lignes valides", key="ed_valides")
            if st.button("Importer", key="ed_go", disabled=bool(plan.errors) and not only_valid):
                _attempt(lambda: importing.apply_import(shared, user, plan, only_valid),
                         f"Import terminé : {common.md(plan.summary())}.")

with history_tab:
    a, b, c = st.columns(3)
    pole_filter = a.text_input("Identifiant du pôle", key="hist_pole")
    user_filter = b.text_input("Adresse de l'auteur", key="hist_par")
    since = c.date_input("Depuis le", value=None, format="DD/MM/YYYY", key="hist_depuis")
    history = shared.history(pole_id=pole_filter.strip() or None, par=user_filter.strip().lower() or None,
                             depuis=since)
    common.table(records.history_shown(history), height=300)
    with st.form("annuler"):
        number = st.number_input("Numéro de la modification à annuler", min_value=1, step=1)
        undo = st.form_submit_button("Annuler cette modification")
    if undo:
        _attempt(lambda: shared.undo(user, int(number)), f"Modification n° {int(number)} annulée.")
