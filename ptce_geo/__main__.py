"""Command line: ``python -m ptce_geo COMMAND``.

Exit codes: 0 success (warnings allowed), 1 invalid input or failure,
2 wrong usage. No command prints a traceback for bad input; set
``PTCE_DEBUG=1`` to see one for an internal error.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import levels, paths, settings
from .text import thousands

USAGE_FR = {
    "the following arguments are required": "arguments obligatoires manquants",
    "invalid choice": "choix invalide",
    "unrecognized arguments": "arguments non reconnus",
    "expected one argument": "une valeur est attendue",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # French usage errors, exit 2
        for en, fr in USAGE_FR.items():
            message = message.replace(en, fr)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur d'utilisation : {message}\n")


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _territories():
    from .territories import get_territories
    return get_territories(_progress)


def _load(poles: str | None, soutiens: str | None):
    """Read, validate and locate a registry (the demo one by default)."""
    from .registry import load_registry
    from .spatial import locate_registry
    if poles is None:
        poles = str(paths.DEMO_POLES)
        soutiens = soutiens or str(paths.DEMO_SOUTIENS)
    registry = load_registry(poles, soutiens)
    return locate_registry(registry, _territories())


def cmd_build(args) -> int:
    from .territories import ensure_cache
    t0 = time.perf_counter()
    directory = ensure_cache(_progress, force=args.force)
    _progress(f"Cache prêt : {directory} ({time.perf_counter() - t0:.1f} s)")
    return 0


def cmd_validate(args) -> int:
    registry = _load(args.poles, args.soutiens)
    print(registry.report_text())
    if args.rapport:
        from .export import write_csv
        write_csv(registry.report_frame(), args.rapport, args.format)
    return 0 if registry.is_valid else 1


def cmd_locate(args) -> int:
    from .export import public_columns, write_csv
    registry = _load(args.poles, args.soutiens)
    write_csv(public_columns(registry.poles), args.output, args.format)
    located = int((registry.poles["commune_insee"] != "").sum())
    print(f"{located}/{len(registry.poles)} pôles localisés, écrits dans {args.output}")
    if registry.issues:
        print(registry.report_text())
    return 0 if registry.is_valid else 1


def cmd_coverage(args) -> int:
    from . import coverage
    from .export import write_csv
    registry = _load(args.poles, args.soutiens)
    if not registry.is_valid:
        print(registry.report_text(), file=sys.stderr)
        print("Le registre contient des erreurs : la couverture est calculée sur les lignes valides.",
              file=sys.stderr)
    filters = _filters(args)
    poles = coverage.filter_poles(registry.poles, registry.soutiens, filters)
    table = coverage.coverage_table(_territories(), poles, args.niveau)
    write_csv(coverage.rank_uncovered(table) if args.zones_blanches else table, args.output, args.format)
    summary = coverage.summarize(table, len(poles))
    print(f"{summary.poles} pôles retenus ({filters.describe()}) ; {summary.territoires_couverts}/"
          f"{summary.territoires} territoires couverts ({args.niveau}) ; "
          f"{thousands(summary.population_non_couverte)} habitants hors couverture. Écrit : {args.output}")
    return 0


def _filters(args):
    from . import coverage
    return coverage.Filters(leviers=tuple(args.levier or ()), niveaux=tuple(args.collectivite or ()),
                            formes=tuple(args.forme or ()), annees=args.annees)


def cmd_diagnostic(args) -> int:
    from . import diagnostic
    from .labels import csv_bytes
    niveau, code = next((n, getattr(args, n)) for n in ("epci", "departement", "region") if getattr(args, n))
    territories = _territories()
    if code not in territories.names(niveau):
        print(f"{levels.get(niveau).label} inconnu(e) : « {code} ». Donnez le code officiel (COG "
              f"{territories.version}) : SIREN pour un EPCI, code INSEE pour un département ou une région.",
              file=sys.stderr)
        return 1
    registry = _load(args.poles, args.soutiens)
    diag = diagnostic.diagnose(territories, registry.poles, registry.soutiens, niveau, code, _filters(args),
                               args.comparer)
    Path(args.output).write_bytes(csv_bytes(diag.table, args.format, args.codes))
    used = diag.table.loc[diag.table["utilise"], "levier"].tolist()
    print(f"{levels.get(niveau).label} : {diag.nom} — leviers utilisés : {', '.join(used) or 'aucun'}. "
          f"{diag.summary()} Écrit : {args.output}")
    if args.exemples:
        Path(args.exemples).write_bytes(csv_bytes(diag.examples, args.format, args.codes))
    return 0


def cmd_demo(args) -> int:
    from . import demo
    poles, soutiens = demo.write(Path(args.output), _territories(), seed=args.seed)
    print(f"Registre de démonstration écrit : {poles}, {soutiens}")
    return 0


def cmd_template(args) -> int:
    from . import schema
    written = schema.write_all(Path(args.output))
    print("Écrit : " + ", ".join(str(p) for p in written))
    return 0


def _years(text: str) -> tuple[int, int]:
    from .coverage import parse_years
    try:
        return parse_years(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    from . import vocab
    parser = _Parser(prog="python -m ptce_geo",
                     description="Pôles territoriaux de coopération économique : contours, registre, couverture.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE",
                                parser_class=_Parser)

    p = sub.add_parser("build", help="construire ou rafraîchir le cache des contours")
    p.add_argument("--force", action="store_true", help="reconstruire même si le cache est à jour")
    p.set_defaults(func=cmd_build)

    def registry_args(p, positional=True):
        if positional:
            p.add_argument("poles", help="fichier des pôles (CSV, XLSX ou GeoJSON)")
        else:
            p.add_argument("--poles", help="fichier des pôles (défaut : registre de démonstration)")
        p.add_argument("--soutiens", help="fichier des soutiens (CSV ou XLSX)")

    def out_args(p):
        p.add_argument("-o", "--output", required=True, help="fichier CSV à écrire")
        p.add_argument("--format", choices=["excel", "csv"], default="excel",
                       help="excel : « ; », UTF-8 avec BOM, virgule décimale (défaut) ; csv : « , », UTF-8")

    p = sub.add_parser("validate", help="vérifier un registre et afficher le rapport")
    registry_args(p)
    p.add_argument("--rapport", help="écrire aussi le rapport en CSV")
    p.add_argument("--format", choices=["excel", "csv"], default="excel")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("locate", help="localiser les pôles et écrire leurs territoires")
    registry_args(p)
    out_args(p)
    p.set_defaults(func=cmd_locate)

    def filter_args(p):
        p.add_argument("--levier", action="append", choices=list(vocab.LEVIERS), help="levier (répétable)")
        p.add_argument("--collectivite", action="append", choices=list(vocab.NIVEAUX),
                       help="niveau de la collectivité qui soutient (répétable)")
        p.add_argument("--forme", action="append", choices=list(vocab.FORMES),
                       help="forme de soutien (répétable)")
        p.add_argument("--annees", type=_years, metavar="AAAA[-AAAA]",
                       help="années des soutiens, ex. 2019-2024 (même soutien que les autres critères)")

    p = sub.add_parser("coverage", help="table de couverture par territoire")
    p.add_argument("--niveau", choices=levels.CODES, default="epci")
    filter_args(p)
    p.add_argument("--zones-blanches", action="store_true",
                   help="seulement les territoires non couverts, classés par population")
    registry_args(p, positional=False)
    out_args(p)
    p.set_defaults(func=cmd_coverage)

    from .diagnostic import MODES
    p = sub.add_parser("diagnostic", help="diagnostic des leviers d'un territoire face aux territoires comparables")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--epci", metavar="SIREN")
    where.add_argument("--departement", metavar="CODE")
    where.add_argument("--region", metavar="CODE")
    p.add_argument("--comparer", choices=list(MODES), default="pairs",
                   help="pairs : territoires comparables (défaut) ; region : toute la région ; france")
    p.add_argument("--exemples", metavar="FICHIER", help="écrire aussi les exemples de pôles (CSV)")
    p.add_argument("--codes", action="store_true", help="en-têtes et valeurs en codes du registre")
    filter_args(p)
    registry_args(p, positional=False)
    out_args(p)
    p.set_defaults(func=cmd_diagnostic)

    p = sub.add_parser("demo", help="régénérer le registre de démonstration")
    p.add_argument("-o", "--output", default=str(paths.DEMO_DIR))
    p.add_argument("--seed", type=int, default=2026)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("template", help="écrire le schéma Table Schema et les fichiers modèles")
    p.add_argument("-o", "--output", default=str(paths.GEODATA))
    p.set_defaults(func=cmd_template)

    from .cli_db import add_commands
    add_commands(sub, _Parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .registry import RegistryError
    from .store import AccessDenied, AccountError, ConflictError
    try:
        return args.func(args)
    except RegistryError as exc:
        print("Le fichier ne peut pas être lu :" if args.command != "db" else "Refusé :", file=sys.stderr)
        for issue in exc.issues:
            print(issue.as_text(), file=sys.stderr)
        return 1
    except (AccessDenied, AccountError, ConflictError, settings.SettingError) as exc:
        print(f"Refusé : {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Erreur de fichier : {exc.strerror or exc} ({exc.filename or ''})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 1
    except Exception as exc:  # last resort: never a traceback for the user
        if settings.debug():
            raise
        print(f"Erreur interne ({type(exc).__name__} : {exc}). Relancez avec PTCE_DEBUG=1 pour le détail "
              "et signalez-la avec le fichier en cause.", file=sys.stderr)
        return 1


def run() -> None:
    """Entry point of the ``ptce-geo`` command installed with the package."""
    sys.exit(main())


if __name__ == "__main__":
    run()
