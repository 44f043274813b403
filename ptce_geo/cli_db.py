"""Command line of the shared registry: ``db …`` and ``utilisateur …``.

The command line acts as a named account (``--par EMAIL``): the core checks
that account's role as it does for the dashboard. Whoever can run commands on
the server can also read the database file; the accounts protect the
dashboard, where the public is.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path


def _store():
    from .store import Store
    from .territories import get_territories
    return Store(territories=get_territories(lambda m: print(m, file=sys.stderr)))


def _actor(store, email: str):
    from .store import accounts
    return accounts.role_of(store.engine, email)


def cmd_init(args) -> int:
    from . import paths
    from .registry import load_registry
    from .spatial import locate_registry
    from .store import importing
    store = _store()
    if args.vide:
        print(f"Base prête ({store.engine.url.render_as_string()}), version {store.version()}.")
        return 0
    demo = locate_registry(load_registry(paths.DEMO_POLES, paths.DEMO_SOUTIENS), store._territories(),
                           store.gazetteer)
    seeded = importing.seed(store, demo)
    print(("Base créée et remplie avec le registre de démonstration" if seeded else "Base déjà initialisée")
          + f" : {len(store.registry(locate=False).poles)} pôles, version {store.version()}.")
    return 0


def cmd_import(args) -> int:
    from .registry import load_registry
    from .spatial import locate_registry
    from .store import importing
    store = _store()
    user = _actor(store, args.par)
    registry = locate_registry(load_registry(args.fichier, args.soutiens), store._territories(), store.gazetteer)
    plan = importing.plan_import(store, registry)
    print("Aperçu : " + plan.summary())
    for row in plan.lignes[plan.lignes["statut"] != "inchange"].itertuples():
        print(f"  {row.table} ligne {row.ligne} ({row.id}) : {importing.STATUTS[row.statut]}"
              + (f" — {row.detail}" if row.detail else ""))
    if plan.errors and not args.valides_seulement:
        print("Le fichier contient des erreurs bloquantes : rien n'est importé. Corrigez-les, ou relancez avec "
              "--valides-seulement pour n'importer que les lignes valides.", file=sys.stderr)
        return 1
    if not plan.poles and not plan.soutiens:
        print("Rien à importer : le registre contient déjà tout le fichier.")
        return 0
    if not args.oui:
        if not sys.stdin.isatty():
            print("Confirmation impossible sans terminal : ajoutez --oui pour importer.", file=sys.stderr)
            return 2
        if input("Importer ? [o/N] ").strip().lower() not in ("o", "oui"):
            print("Import abandonné : rien n'est écrit.")
            return 1
    importing.apply_import(store, user, plan, only_valid=args.valides_seulement)
    print(f"Importé : {plan.summary()}. Version du registre : {store.version()}.")
    return 0


def cmd_export(args) -> int:
    import pandas as pd

    from .export import write_csv
    from .registry import POLE_COLUMNS, SOUTIEN_COLUMNS
    store = _store()
    pole_rows, support_rows = store.rows()
    # numbers stay numbers (a negative longitude is not a formula); text is neutralised as in any extract
    poles = pd.DataFrame(pole_rows, columns=POLE_COLUMNS)
    soutiens = pd.DataFrame(support_rows, columns=SOUTIEN_COLUMNS)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(poles[POLE_COLUMNS], out / "poles.csv", args.format)
    write_csv(soutiens[SOUTIEN_COLUMNS], out / "soutiens.csv", args.format)
    print(f"Exporté : {len(poles)} pôles et {len(soutiens)} soutiens dans {out} (version {store.version()}).")
    return 0


def cmd_history(args) -> int:
    from .store import Store
    history = Store().history(pole_id=args.pole, par=args.par, limit=args.n)
    if history.empty:
        print("Aucune modification.")
    for row in history.itertuples():
        changed = ""
        if row.avant and row.apres:
            changed = ", ".join(k for k in row.apres if k not in ("version",) and row.avant.get(k) != row.apres[k])
        print(f"n° {row.id} — {row.le:%d/%m/%Y %H:%M} — {row.par} — {row.action} {row.table_nom} {row.ligne_id}"
              + (f" ({changed})" if changed else ""))
    return 0


def cmd_undo(args) -> int:
    store = _store()
    done = store.undo(_actor(store, args.par), args.changement)
    print(f"Modification n° {args.changement} annulée ({len(done)} ligne(s)).")
    return 0


def cmd_backup(args) -> int:
    from .store import engine as engine_mod
    from .store import Store
    store = Store()
    engine_mod.backup(store.engine, Path(args.output))
    print(f"Sauvegarde écrite : {args.output} (version {store.version()}).")
    return 0


def _password(confirm: bool = True) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Mot de passe : ")
        if confirm and getpass.getpass("Confirmez : ") != first:
            raise SystemExit("Les deux mots de passe diffèrent : rien n'est enregistré.")
        return first
    return sys.stdin.readline().rstrip("\n")  # e.g. piped from a secrets manager; never an argument


def cmd_user_add(args) -> int:
    from .store import Store, accounts
    store = Store()
    password = None if args.sans_mot_de_passe else _password()
    actor = accounts.role_of(store.engine, args.par) if args.par else None
    user = accounts.add_user(store.engine, actor, args.email, args.role, password, bootstrap=True)
    print(f"Compte {user.email} : rôle {accounts.ROLES[user.role]}"
          + (" (connexion OpenID Connect seulement)" if password is None else "") + ".")
    return 0


def cmd_user_list(args) -> int:
    from .store import Store, accounts
    users = accounts.list_users(Store().engine)
    if users.empty:
        print("Aucun compte. Créez le premier administrateur : "
              "python -m ptce_geo utilisateur ajouter EMAIL --role administrateur")
    for row in users.itertuples():
        print(f"{row.email} — {accounts.ROLES[row.role]}" + ("" if row.mot_de_passe_local else " — OpenID Connect"))
    return 0


def cmd_user_remove(args) -> int:
    from .store import Store, accounts
    store = Store()
    accounts.remove_user(store.engine, accounts.role_of(store.engine, args.par), args.email)
    print(f"Compte {args.email} supprimé.")
    return 0


def add_commands(sub, parser_class) -> None:
    """The ``db`` and ``utilisateur`` commands, added to the main parser."""
    db = sub.add_parser("db", help="registre partagé (base de données)").add_subparsers(
        dest="db_command", required=True, metavar="ACTION", parser_class=parser_class)
    p = db.add_parser("init", help="créer la base (PTCE_DATABASE_URL) et y mettre le registre de démonstration")
    p.add_argument("--vide", action="store_true", help="créer la base sans le registre de démonstration")
    p.set_defaults(func=cmd_init)
    p = db.add_parser("import", help="importer un fichier : aperçu, puis tout ou rien")
    p.add_argument("fichier", help="fichier des pôles (CSV, XLSX ou GeoJSON)")
    p.add_argument("--soutiens", help="fichier des soutiens")
    p.add_argument("--valides-seulement", action="store_true", help="n'importer que les lignes sans erreur")
    p.add_argument("--oui", action="store_true", help="importer sans poser la question")
    p.add_argument("--par", required=True, help="adresse du compte éditeur qui importe")
    p.set_defaults(func=cmd_import)
    p = db.add_parser("export", help="écrire le registre au format d'import (poles.csv, soutiens.csv)")
    p.add_argument("-o", "--output", required=True, help="dossier à écrire")
    p.add_argument("--format", choices=["excel", "csv"], default="excel")
    p.set_defaults(func=cmd_export)
    p = db.add_parser("historique", help="les dernières modifications")
    p.add_argument("--pole", help="seulement ce pôle (identifiant)")
    p.add_argument("--par", help="seulement ce compte")
    p.add_argument("-n", type=int, default=50, help="nombre de lignes (50)")
    p.set_defaults(func=cmd_history)
    p = db.add_parser("annuler", help="annuler une modification (et celles de son import)")
    p.add_argument("changement", type=int, help="numéro de la modification (voir historique)")
    p.add_argument("--par", required=True, help="adresse du compte éditeur qui annule")
    p.set_defaults(func=cmd_undo)
    p = db.add_parser("sauvegarde", help="copier la base dans un fichier")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_backup)

    users = sub.add_parser("utilisateur", help="comptes et rôles").add_subparsers(
        dest="user_command", required=True, metavar="ACTION", parser_class=parser_class)
    p = users.add_parser("ajouter", help="créer un compte ou changer son rôle ; mot de passe demandé")
    p.add_argument("email")
    p.add_argument("--role", required=True, choices=["lecteur", "editeur", "administrateur"])
    p.add_argument("--par", help="adresse de l'administrateur (inutile pour le premier administrateur)")
    p.add_argument("--sans-mot-de-passe", action="store_true", help="compte connecté par OpenID Connect")
    p.set_defaults(func=cmd_user_add)
    p = users.add_parser("lister", help="les comptes et leurs rôles")
    p.set_defaults(func=cmd_user_list)
    p = users.add_parser("supprimer", help="supprimer un compte")
    p.add_argument("email")
    p.add_argument("--par", required=True, help="adresse de l'administrateur")
    p.set_defaults(func=cmd_user_remove)
