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
    "choose from": "choisir parmi",
    "argument ": "option ",
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


GIS_FORMATS = {".gpkg": "gpkg", ".geojson": "geojson", ".json": "geojson", ".zip": "geojson"}


def _output_format(args) -> str:
    """``--format``, or the one the output's extension implies (CSV for French Excel by
    default); a GIS format and a file extension that disagree are a usage error."""
    from .gis import GisError
    implied = GIS_FORMATS.get(Path(args.output).suffix.lower())
    chosen = args.format or implied or "excel"
    if chosen in ("gpkg", "geojson") and implied != chosen:
        wanted = ".gpkg" if chosen == "gpkg" else ".geojson (ou .zip pour toutes les couches)"
        raise GisError(f"--format {chosen} écrit un fichier {wanted}, pas « {Path(args.output).name} »")
    if implied and chosen not in ("gpkg", "geojson"):
        raise GisError(f"« {Path(args.output).name} » est un fichier SIG : utilisez --format "
                       f"{implied}, ou un fichier .csv pour --format {chosen}")
    return chosen


def _crs(value: str) -> str:
    from .gis import GisError, crs_code
    try:
        return crs_code(value)
    except GisError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _write_gis(layers, args, scope: str = "") -> str:
    from . import gis
    return gis.write(layers, args.output, layer=getattr(args, "couche", None), scope=scope)


def cmd_locate(args) -> int:
    from .export import public_columns, write_csv
    fmt = _output_format(args)
    registry = _load(args.poles, args.soutiens)
    located = int((registry.poles["commune_insee"] != "").sum())
    if fmt in ("gpkg", "geojson"):
        from . import gis
        layers = [gis.poles_layer(registry.poles, registry.soutiens, args.crs)]
        if args.soutiens:
            layers.append(gis.supports_layer(registry.soutiens, registry.poles))
        written = _write_gis(layers, args)
        print(f"{located}/{len(registry.poles)} pôles localisés ; la couche ne contient que les pôles localisés. "
              f"{written}. Écrit : {args.output}")
    else:
        write_csv(public_columns(registry.poles), args.output, fmt)
        print(f"{located}/{len(registry.poles)} pôles localisés, écrits dans {args.output}")
    if registry.issues:
        print(registry.report_text())
    return 0 if registry.is_valid else 1


def _filtered(args):
    """The registry, the filters of the command line and the poles that pass them."""
    from . import coverage
    registry = _load(args.poles, args.soutiens)
    if not registry.is_valid:
        print(registry.report_text(), file=sys.stderr)
        print("Le registre contient des erreurs : le calcul porte sur les lignes valides.", file=sys.stderr)
    filters = _filters(args)
    return registry, filters, coverage.filter_poles(registry.poles, registry.soutiens, filters)


def cmd_coverage(args) -> int:
    from . import coverage
    from .export import write_csv
    fmt = _output_format(args)
    registry, filters, poles = _filtered(args)
    table = coverage.coverage_table(_territories(), poles, args.niveau)
    out = coverage.rank_uncovered(table) if args.zones_blanches else table
    if fmt in ("gpkg", "geojson"):
        from . import gis
        _write_gis([gis.coverage_layer(_territories(), out, args.niveau, args.crs)], args, filters.describe())
    else:
        write_csv(out, args.output, fmt)
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
    fmt = args.format or "excel"
    if fmt not in ("excel", "csv"):
        from .gis import GisError
        raise GisError("le diagnostic s'écrit en CSV : --format excel (défaut) ou csv")
    Path(args.output).write_bytes(csv_bytes(diag.table, fmt, args.codes))
    used = diag.table.loc[diag.table["utilise"], "levier"].tolist()
    print(f"{levels.get(niveau).label} : {diag.nom} — leviers utilisés : {', '.join(used) or 'aucun'}. "
          f"{diag.summary()} Écrit : {args.output}")
    if args.exemples:
        Path(args.exemples).write_bytes(csv_bytes(diag.examples, fmt, args.codes))
    return 0


def cmd_extrait(args) -> int:
    from . import coverage, gis
    if Path(args.output).suffix.lower() not in GIS_FORMATS:
        raise gis.GisError(f"« {Path(args.output).name} » : l'extrait SIG s'écrit dans un fichier .gpkg "
                           "(toutes les couches), .geojson (une couche) ou .zip (un GeoJSON par couche)")
    from . import scope
    registry, filters, poles = _filtered(args)
    terr = _territories()
    supports = scope.apply(registry.poles, registry.soutiens, terr, filters).supports  # as the dashboard counts
    tables = coverage.coverage_tables(terr, poles, ("epci", "commune"))
    layers = gis.view_layers(terr, poles, supports, tables["epci"], tables["commune"], args.crs)
    written = _write_gis(layers, args, filters.describe())
    print(f"{len(poles)} pôles retenus ({filters.describe()}), EPSG:{gis.crs_code(args.crs)}. {written}. "
          f"Écrit : {args.output}")
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

    def crs_arg(p):
        p.add_argument("--crs", type=_crs, default="4326", metavar="EPSG",
                       help="système de coordonnées des fichiers SIG : 4326 (WGS 84, défaut) ou 2154 (Lambert-93)")

    def out_args(p):
        p.add_argument("-o", "--output", required=True,
                       help="fichier à écrire : .csv, ou .gpkg / .geojson pour un fichier SIG")
        p.add_argument("--format", choices=["excel", "csv", "gpkg", "geojson"], default=None,
                       help="excel : « ; », UTF-8 avec BOM, virgule décimale (défaut pour un .csv) ; "
                            "csv : « , », UTF-8 ; gpkg : GeoPackage ; geojson : GeoJSON (défaut : d'après l'extension du fichier)")
        crs_arg(p)

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

    from .vocab import COMPARISONS
    p = sub.add_parser("diagnostic", help="diagnostic des leviers d'un territoire face aux territoires comparables")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--epci", metavar="SIREN")
    where.add_argument("--departement", metavar="CODE")
    where.add_argument("--region", metavar="CODE")
    p.add_argument("--comparer", choices=list(COMPARISONS), default="pairs",
                   help="pairs : territoires comparables (défaut) ; region : toute la région ; france")
    p.add_argument("--exemples", metavar="FICHIER", help="écrire aussi les exemples de pôles (CSV)")
    p.add_argument("--codes", action="store_true", help="en-têtes et valeurs en codes du registre")
    filter_args(p)
    registry_args(p, positional=False)
    out_args(p)
    p.set_defaults(func=cmd_diagnostic)

    p = sub.add_parser("extrait", help="extrait SIG de la vue filtrée : GeoPackage, GeoJSON ou ZIP de GeoJSON",
                       description="Couches poles, soutiens, couverture_epci et couverture_communes. "
                                   "-o vue.gpkg : toutes les couches ; -o vue.zip : un GeoJSON par couche ; "
                                   "-o vue.geojson : une seule couche (--couche, poles par défaut).")
    filter_args(p)
    registry_args(p, positional=False)
    p.add_argument("-o", "--output", required=True, help="fichier .gpkg, .geojson ou .zip à écrire")
    p.add_argument("--couche", choices=["poles", "soutiens", "couverture_epci", "couverture_communes"],
                   help="couche écrite dans un .geojson (défaut : poles)")
    crs_arg(p)
    p.set_defaults(func=cmd_extrait, format=None)

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


def _store_refusals() -> tuple:
    """The shared registry's refusals, once a command has used it: the database layer is not
    imported for the commands that read files (it weighed about 100 MB on every run). An
    ``except`` clause reads this only when an exception reaches it."""
    store = sys.modules.get("ptce_geo.store")
    return (store.AccessDenied, store.AccountError, store.ConflictError) if store is not None else ()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .registry import RegistryError
    from .registry.model import in_file_order
    from .gis import GisError
    try:
        return args.func(args)
    except GisError as exc:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog} : erreur d'utilisation : {exc}", file=sys.stderr)
        return 2
    except RegistryError as exc:
        print("Le fichier ne peut pas être lu :" if args.command != "db" else "Refusé :", file=sys.stderr)
        for issue in in_file_order(exc.issues):
            print(issue.as_text(), file=sys.stderr)
        return 1
    except (*_store_refusals(), settings.SettingError) as exc:
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
