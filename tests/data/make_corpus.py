"""Write the corpus of bad and awkward registry files, and its manifest.

    python tests/data/make_corpus.py

Each case is one file (or a pair poles + soutiens) with the outcome it must
get from ``python -m ptce_geo validate``: the exit code, words the French
report must contain, and optional settings (environment variables). The
files are committed; this script documents how each was made and rebuilds
them identically.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
sys.path.insert(0, str(HERE.parent.parent))

from tests.data import hostile as files  # noqa: E402

OK_HEADER = "id,nom,commune_insee\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _broken_xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types>incomplet")
    return buffer.getvalue()


def cases() -> list[dict]:
    """(name, content, soutiens, expected exit code, words in the report, env, description)."""
    long_cell = "x" * 2_000_000
    many = OK_HEADER + "".join(f"P{i},Pôle {i},01001\n" for i in range(1200))
    big = "id,nom,commune_insee,source\n" + "".join(f"P{i},Pôle {i},01001,{'y' * 200}\n" for i in range(400))
    hostile = ("id,nom,commune_insee,porteur,secteurs\n"
               "H1,<img src=x onerror=\"window.top.__pwned=1;alert(1)\">,69123,<script>window.top.__pwned=1</script>,\n"
               "H2,${window.top.__pwned=1}`;alert(2);`,75056,\"<b onmouseover=alert(3)>x</b>\",\n"
               "H3,\"</script><script>alert(4)</script>\",13055,[lien](javascript:alert(5)),\n"
               "H4,![img](http://example.invalid/x.png) **gras**,31555,\\`,\n")
    # Jinja payloads (folium renders its scripts twice, the second time as template source);
    # J4 would create the folder named by the environment variable PTCE_TEST_MARKER if it ever ran
    marker = "{{ lipsum.__globals__.os.makedirs(lipsum.__globals__.os.environ.PTCE_TEST_MARKER) }}"
    jinja = ("id;nom;commune_insee;porteur;secteurs\n"
             "J1;Pôle {{ 7*7 }};75056;{{ 6*7 }};\n"
             "J2;Atelier {% raw %} ouvert;75056;{% endraw %};\n"
             "J3;Coop {# commentaire;69123;#};\n"
             f"J4;Fabrique {marker};13055;{marker};\n"
             "J5;100 % local {%- if 1 %}oui{% endif %};31555;#{x};\n")
    jinja_supports = ("pole_id;collectivite_niveau;collectivite_nom;leviers\n"
                      "J1;epci;Métropole {{ 7*7 }};L6\n"
                      f"J4;region;{marker};L1|L7\n")
    return [
        dict(name="vide.csv", content=b"", code=1, words=["vide"], desc="fichier vide (0 octet)"),
        dict(name="blancs.csv", content=b"\n\n  \n", code=1, words=["vide"], desc="seulement des lignes blanches"),
        dict(name="entete_seule.csv", content=OK_HEADER, code=1, words=["que la ligne d'en-tête"],
             desc="ligne d'en-tête sans aucun pôle"),
        dict(name="binaire.csv", content=PNG, code=1, words=["binaires"], desc="image PNG renommée en .csv"),
        dict(name="utf16_bom.csv", content=("id\tnom\tcommune_insee\nP1\tÉté solidaire\t01001\n").encode("utf-16"),
             code=0, words=["UTF-16"], desc="UTF-16 avec BOM, tabulations (export Excel « Texte Unicode »)"),
        dict(name="utf16_sans_bom.csv", content=("id,nom,commune_insee\nP1,Été,01001\n").encode("utf-16-le"),
             code=0, words=["UTF-16"], desc="UTF-16 LE sans BOM"),
        dict(name="windows1252.csv", content="id;nom;commune_insee\nP1;Pôle Forêt Émeraude;01001\n".encode("cp1252"),
             code=0, words=["Windows-1252"], desc="Windows-1252 (CSV d'Excel sous Windows)"),
        dict(name="utf8_bom.csv", content="\ufeffid;nom;commune_insee\nP1;Pôle;01001\n".encode(), code=0,
             words=["0 erreur"], desc="UTF-8 avec BOM"),
        dict(name="guillemet_non_ferme.csv", content=OK_HEADER + 'P1,"Pôle A,01001\nP2,Pôle B,01002\n', code=1,
             words=["guillemet"], desc="guillemet ouvert jamais fermé"),
        dict(name="cellule_2mo.csv", content=OK_HEADER + f"P1,{long_cell},01001\nP2,Pôle B,01002\n", code=1,
             words=["caractères", "nom du pôle manquant"], desc="une cellule de 2 Mo dans le nom"),
        dict(name="trop_de_lignes.csv", content=many, code=1, words=["limite de 1000"],
             env={"PTCE_MAX_ROWS": "1000"}, desc="1 200 lignes pour une limite réglée à 1 000"),
        dict(name="trop_gros.csv", content=big, code=1, words=["Mo", "limite"], env={"PTCE_MAX_UPLOAD_MB": "0.05"},
             desc="fichier de 90 ko pour une limite réglée à 0,05 Mo"),
        dict(name="sans_colonne_nom.csv", content="id;ville\nP1;Lyon\n", code=1, words=["colonne obligatoire « nom »"],
             desc="colonne obligatoire absente"),
        dict(name="ids_en_double.csv", content=OK_HEADER + "P1,A,01001\nP1,B,01002\n", code=1,
             words=["identifiant déjà utilisé à la ligne 2"], desc="deux pôles avec le même identifiant"),
        dict(name="soutien_pole_inconnu.csv", content=OK_HEADER + "P1,A,01001\n",
             soutiens="pole_id,collectivite_niveau,leviers\nP9,epci,L6\n", code=1,
             words=["aucun pôle valide ne porte cet identifiant"], desc="soutien d'un pôle absent"),
        dict(name="soutien_niveau_inconnu.csv", content=OK_HEADER + "P1,A,01001\n",
             soutiens="pole_id,collectivite_niveau,leviers\nP1,ministère,L6\n", code=1,
             words=["niveau de collectivité inconnu"], desc="niveau de collectivité hors vocabulaire"),
        dict(name="soutien_montant_negatif.csv", content=OK_HEADER + "P1,A,01001\n",
             soutiens="pole_id;collectivite_niveau;montant_eur\nP1;region;-5 000\n", code=1,
             words=["montant"], desc="montant négatif"),
        dict(name="soutien_levier_L9.csv", content=OK_HEADER + "P1,A,01001\n",
             soutiens="pole_id,collectivite_niveau,leviers\nP1,epci,L6|L9\n", code=1,
             words=["L9"], desc="levier inexistant (L9) à côté d'un levier valide"),
        dict(name="insee_nombres.csv", content=OK_HEADER + "P1,A,1001\nP2,B,1053\n", code=0,
             words=["zéro initial"], desc="codes INSEE devenus des nombres (zéro initial perdu)"),
        dict(name="insee_decimaux.csv", content=OK_HEADER + "P1,A,1001.0\n", code=0, words=["zéro initial"],
             desc="code INSEE exporté comme nombre décimal"),
        dict(name="corse.csv", content=OK_HEADER + "P1,A,2A004\nP2,B,2b033\n", code=0, words=["0 erreur"],
             desc="codes corses 2A / 2B (minuscules comprises)"),
        dict(name="corse_ancien_code.csv", content=OK_HEADER + "P1,A,20004\n", code=1, words=["2A ou 2B"],
             desc="ancien code corse 20xxx"),
        dict(name="insee_inconnu.csv", content=OK_HEADER + "P1,A,99999\nP2,B,ABCDE\n", code=1,
             words=["ne correspond à aucune commune", "n'est pas un code INSEE"], desc="codes INSEE inconnus"),
        dict(name="ancien_code_fusion.csv", content=OK_HEADER + "P1,A,49040\n", code=0, words=["ancien code INSEE"],
             desc="code d'une commune fusionnée (Champtoceaux → Orée d'Anjou)"),
        dict(name="coordonnees_inversees.csv", content="id,nom,latitude,longitude\nP1,A,2.35,48.85\n", code=1,
             words=["inversées"], desc="latitude et longitude échangées"),
        dict(name="lambert93.csv", content="id,nom,latitude,longitude\nP1,A,6862000,652000\n", code=1,
             words=["Lambert-93"], desc="coordonnées Lambert-93 dans les colonnes WGS84"),
        dict(name="nan_inf.csv", content="id,nom,latitude,longitude\nP1,A,NaN,2.3\nP2,B,48.8,inf\n", code=1,
             words=["latitude", "longitude"], desc="NaN et inf dans les coordonnées"),
        dict(name="coordonnee_seule.csv", content="id,nom,latitude,longitude\nP1,A,48.85,\n", code=1,
             words=["incomplète"], desc="latitude sans longitude"),
        dict(name="hors_france.csv", content="id,nom,latitude,longitude\nP1,A,40.71,-74.0\n", code=1,
             words=["aucune commune française"], desc="point à New York"),
        dict(name="en_mer.csv", content="id,nom,latitude,longitude\nP1,A,46.0,-3.5\n", code=1,
             words=["aucune commune française"], desc="point dans l'Atlantique"),
        dict(name="vocabulaire_inconnu.csv",
             content="id,nom,commune_insee,typologie,stade,secteurs\nP1,A,01001,galaxie,bientôt,spatial\n", code=1,
             words=["typologie", "stade", "secteurs"], desc="valeurs hors vocabulaire"),
        dict(name="vocabulaire_accents.csv",
             content="id,nom,commune_insee,typologie,stade\nP1,A,01001,FILIÈRE,Émergent\n", code=0,
             words=["0 erreur"], desc="vocabulaire en majuscules et accentué"),
        dict(name="vocabulaire_libelles.csv",
             content="id;nom;commune_insee;typologie;stade;secteurs\n"
                     "P1;A;01001;Multi-activités;Consolidée;Éco-activités|Services à la personne\n"
                     "P2;B;01053;FILIÈRE;en développement;numérique\n"
                     "P3;C;69123;mutualisation;CONSOLIDÉ;Emploi, insertion\n",
             soutiens="pole_id;collectivite_niveau;forme;leviers\n"
                      "P1;Département;Commande publique;l6|Coopération entre collectivités\n"
                      "P2;EPCI (intercommunalité);Locaux, immobilier ou foncier;Aménagement, immobilier et foncier\n"
                      "P3;Régions;subventions de fonctionnement;L 1\n",
             code=0, words=["3 pôles lus (3 utilisables), 3 soutiens ; 0 erreur, 0 avertissement"],
             desc="libellés au lieu des codes, dans chaque colonne à vocabulaire (casse, accents, féminin, pluriel)"),
        dict(name="vocabulaire_libelle_inconnu.csv",
             content="id;nom;commune_insee;stade\nP1;A;01001;Presque consolidée\n", code=1,
             words=["valeur inconnue pour « stade »", "« Consolidé »", "« En développement »"],
             desc="valeur inconnue : le rapport liste les libellés acceptés, pas seulement les codes"),
        dict(name="dates_melangees.csv",
             content="id;nom;commune_insee;date_maj\nP1;A;01001;30/06/2025\nP2;B;01053;02/10/2025\n"
                     "P3;C;69123;2025-06-30\nP4;D;44109;2/10/25\nP5;E;13055;1er oct. 2025\n",
             code=0, words=["0 erreur", "Dernière mise à jour d'un pôle : 02/10/2025"],
             desc="dates de mise à jour en formats mêlés, lues jour d'abord ; la plus récente est la vraie"),
        dict(name="dates_illisibles.csv",
             content="id;nom;commune_insee;date_maj\nP1;A;01001;02/10/2025\nP2;B;01053;le mois dernier\n"
                     "P3;C;69123;31/02/2025\n",
             code=1, words=["ligne 3, colonne « date_maj »", "n'est pas une date lisible", "ligne 4",
                            "jour/mois/année", "3 pôles lus (3 utilisables)"],
             desc="dates illisibles ou impossibles : signalées (ligne, colonne, correction), lignes gardées"),
        dict(name="ids_nul_utf16.csv", content="id;nom;commune_insee\nP\x001;A;01001\nP1;B;01053\n"
                                               "2A\x0001;C;69123\n2A\x00|x;D;44109\n".encode("utf-16"),
             code=1, words=["caractères de contrôle invisibles", "identifiant déjà utilisé à la ligne 2"],
             desc="UTF-16 avec des caractères NUL dans les identifiants : retirés ; deux ids qui ne "
                  "différaient que par un NUL sont en double"),
        dict(name="commune_ambigue.csv", content="id,nom,commune\nP1,A,Saint-Denis\n", code=1,
             words=["plusieurs communes", "93066"], desc="nom de commune porté par plusieurs communes"),
        dict(name="commune_inconnue.csv", content="id,nom,commune\nP1,A,Boulogne-Billancour\n", code=1,
             words=["Vouliez-vous dire", "Boulogne-Billancourt"], desc="nom de commune mal orthographié"),
        dict(name="commune_sans_localisation.csv", content="id,nom,porteur\nP1,A,Asso\n", code=1,
             words=["impossible à localiser"], desc="aucune information de lieu"),
        dict(name="perimetre_invalide.csv", content="id,nom,commune_insee,perimetre\nP1,A,01053,200071751|XYZ\n",
             code=1, words=["périmètre"], desc="code inconnu dans le périmètre"),
        dict(name="annee_invalide.csv", content="id,nom,commune_insee,annee_creation\nP1,A,01001,deux mille\n",
             code=1, words=["année"], desc="année en toutes lettres"),
        dict(name="colonnes_en_trop.csv", content=OK_HEADER + "P1,A,01001,surplus\n", code=1,
             words=["valeurs pour 3 colonnes"], desc="une ligne a plus de valeurs que d'en-têtes"),
        dict(name="ligne_sans_nom.csv", content=OK_HEADER + "P1,,01001\n", code=1, words=["nom du pôle manquant"],
             desc="nom vide"),
        dict(name="tabulations.tsv", content="id\tnom\tcommune_insee\nP1\tA\t01001\n", code=0, words=["0 erreur"],
             desc="séparateur tabulation"),
        dict(name="lignes_vides.csv", content=OK_HEADER + "\nP1,A,01001\n\n\nP2,B,01002\n", code=0,
             words=["2 pôles lus"], desc="lignes vides entre les pôles"),
        dict(name="virgule_decimale.csv", content="id;nom;latitude;longitude\nP1;A;45,764;4,8357\n", code=0,
             words=["0 erreur"], desc="point-virgule et virgule décimale"),
        dict(name="formules.csv", content=OK_HEADER + "P1,=HYPERLINK(\"http://x\"),01001\nP2,+33 1 23,01002\n"
             "P3,@SUM(A1),01004\nP4,-2+3,01005\n", code=0, words=["0 erreur"],
             desc="noms commençant par = + @ - (neutralisés dans les extraits)"),
        dict(name="jinja_hostile.csv", content=jinja, soutiens=jinja_supports, code=0, words=["0 erreur"],
             desc="gabarits Jinja ({{ }}, {% %}, {# #}) dans les noms : affichés tels quels, jamais exécutés"),
        dict(name="html_hostile.csv", content=hostile, code=0, words=["0 erreur"],
             desc="HTML, script, littéraux JavaScript et Markdown dans les textes"),
        dict(name="feuilles_inconnues.xlsx", content=_xlsx({"Données": [["Structure", "Ville"], ["A", "Lyon"]],
                                                            "Autre": [["x"], [1]]}), code=1,
             words=["colonne obligatoire « nom »"], desc="classeur sans feuille « poles » ni colonne nom"),
        dict(name="classeur_vide.xlsx", content=_xlsx({"poles": []}), code=1, words=["aucune donnée"],
             desc="classeur sans aucune donnée"),
        dict(name="classeur_corrompu.xlsx", content=_broken_xlsx(), code=1, words=["XLSX illisible"],
             desc="archive XLSX tronquée"),
        dict(name="ancien_excel.xls", content=bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 512, code=1,
             words=[".xlsx"], desc="ancien format .xls"),
        dict(name="classeur_types.xlsx", content=_xlsx({"poles": [["id", "nom", "commune_insee", "annee_creation",
                                                                   "latitude", "longitude"],
                                                                  [1, "Pôle A", 1001, 2015.0, 46.15, 4.92]]}),
             code=0, words=["1 pôle lu (1 utilisable)", "0 erreur"],
             desc="XLSX avec des nombres typés (id, INSEE, année, coordonnées)"),
        dict(name="geojson_invalide.geojson", content=b'{"type": "FeatureCollection", "features": [', code=1,
             words=["GeoJSON illisible"], desc="GeoJSON tronqué"),
        dict(name="geojson_sans_features.geojson", content=b'{"type": "Point", "coordinates": [2, 48]}', code=1,
             words=["features"], desc="GeoJSON qui n'est pas une FeatureCollection"),
        dict(name="geojson_polygone.geojson", content=json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"id": "G1", "nom": "Zone"},
             "geometry": {"type": "Polygon", "coordinates": [[[2, 48], [3, 48], [3, 49], [2, 48]]]}}]}).encode(),
             code=1, words=["impossible à localiser"], desc="polygone au lieu d'un point"),
        dict(name="json_tableau.json", content=b'[{"id": "P1", "nom": "A"}]', code=1, words=["features"],
             desc="tableau JSON au lieu d'un GeoJSON"),
        # files small on disk that cost a naive reader gigabytes or minutes (see hostile.py)
        dict(name="dimension_geante.xlsx", classe="mémoire", content=files.xlsx_declared_dimension(), code=1,
             words=["déclare la plage A1:XFD1048576", "16 384 colonnes"],
             desc="feuille de deux lignes qui déclare la plage A1:XFD1048576 (refusée sans rien lire)"),
        dict(name="chaine_geante.xlsx", classe="mémoire", content=files.xlsx_huge_shared_string(10_000_000), code=1,
             words=["32 767 caractères", "la lecture est arrêtée"],
             desc="texte partagé de 10 millions de caractères (10 ko compressés) : arrêt au-delà de la limite d'Excel"),
        dict(name="feuille_geante.xlsx", classe="mémoire", content=files.xlsx_huge_sheet(6_000_000), code=1,
             words=["se décompresse en 6 Mo, au-delà de la limite de 5 Mo"], env={"PTCE_MAX_UPLOAD_MB": "0.5"},
             desc="feuille qui se décompresse en 6 Mo pour une limite de 10 × 0,5 Mo (refusée sans la lire)"),
        dict(name="ligne_large.xlsx", classe="mémoire", content=files.xlsx_wide_row(10_000), code=1,
             words=["XFD1", "au-delà de la limite de 200"],
             desc="ligne de 10 000 cellules vides puis une valeur en XFD1 (limite de 200 colonnes)"),
        dict(name="ligne_trop_large.xlsx", classe="mémoire", content=files.xlsx_wide_row(100_000), code=1,
             words=["au-delà de la dernière colonne d'Excel"],
             desc="ligne de 100 000 cellules (refusée à la 16 385e, la limite d'Excel)"),
        dict(name="trop_de_lignes.xlsx", classe="temps", content=files.xlsx_many_rows(1200), code=1, words=["limite de 1000"],
             env={"PTCE_MAX_ROWS": "1000"}, desc="1 200 lignes pour une limite réglée à 1 000 (lecture arrêtée)"),
        dict(name="nombre_texte.xlsx", classe="trace", content=files.xlsx_text_in_number_cell(), code=1,
             words=["cellule C2", "typée nombre mais contient du texte", "« nb_membres » doit être"],
             desc="cellule typée nombre qui contient du texte"),
        dict(name="cles_eparses.geojson", classe="mémoire", content=files.geojson_sparse_keys(300), code=1,
             words=["propriétés différentes", "au-delà de la limite de 200"],
             desc="300 points ayant chacun une propriété de nom différent (limite de 200 colonnes)"),
        dict(name="imbrique.geojson", classe="trace", content=files.geojson_nested(10_000), code=1,
             words=["10 004 niveaux", "limite de 64"], desc="propriété imbriquée sur 10 000 niveaux"),
        dict(name="objets_vides.geojson", classe="mémoire", content=files.geojson_empty_objects(20_000), code=1,
             words=["20 002 objets et listes"], env={"PTCE_MAX_ROWS": "1000"},
             desc="20 000 objets vides pour une limite de 1 000 lignes (refusé avant d'être analysé)"),
        *[dict(name=f"{key}.geojson", classe="trace", content=content, code=1, words=words, desc=desc)
          for key, content, words, desc in [
              (key, content, *{
                  "feature_nombre": (["l'élément n° 2 de « features » est un nombre"], "un élément de « features » "
                                     "est un nombre"),
                  "geometrie_texte": (["la « geometry » de l'objet n° 2 est un texte"], "« geometry » est un texte"),
                  "proprietes_texte": (["les « properties » de l'objet n° 2 sont un texte"],
                                       "« properties » est un texte"),
              }[key]) for key, content in files.geojson_odd_features().items()]],
        dict(name="colonnes_en_double.csv", classe="trace", content=files.csv_duplicate_headers(), code=1,
             words=["plusieurs colonnes s'appellent « x »", "lue sous le nom « x_3 »"],
             desc="en-têtes nom;x;x;x_2;x_2_2 (noms en double après renommage)"),
        dict(name="separateurs.csv", classe="temps", content=files.csv_separators(50_000), code=1,
             words=["50 002 colonnes", "limite de 200"], desc="en-tête suivi de 50 000 séparateurs « ; »"),
        dict(name="communes_inconnues.csv", classe="temps", content=files.csv_unknown_communes(2_000), code=1,
             words=["autres communes inconnues sont signalées", "aucune commune nommée « Ville-Imaginaire-001999 »"],
             desc="2 000 communes inconnues : suggestions pour les premières, puis une ligne de synthèse ; "
                  "chaque ligne garde son erreur"),
    ]


def write() -> list[dict]:
    CORPUS.mkdir(parents=True, exist_ok=True)
    manifest = []
    for case in cases():
        content = case["content"]
        (CORPUS / case["name"]).write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        entry = {"fichier": case["name"], "code": case["code"], "mots": case["words"],
                 "env": case.get("env", {}), "description": case["desc"]}
        if case.get("classe"):
            entry["classe"] = case["classe"]
        if case.get("soutiens"):
            soutiens = case["name"].replace(".csv", "_soutiens.csv")
            (CORPUS / soutiens).write_text(case["soutiens"], encoding="utf-8")
            entry["soutiens"] = soutiens
        manifest.append(entry)
    (HERE / "corpus.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    lines = ["# Corpus de fichiers mal formés ou difficiles", "",
             "Fabriqué par `python tests/data/make_corpus.py` ; vérifié par `tests/test_corpus.py` (ligne de "
             "commande : code de sortie, mots du rapport, pas de trace Python) et `tests/e2e/test_hostile.py` "
             "(page Données : import sans exception, réponse qui concorde avec le code de sortie ; pour les "
             "fichiers hostiles, le message attendu ; `tabulations.tsv` et `ancien_excel.xls` y sont refusés par "
             "le sélecteur de fichiers, qui n'accepte que CSV, TXT, XLSX, GeoJSON et JSON).", "",
             "Fichiers hostiles (petits, mais coûteux pour un lecteur naïf), par classe : « mémoire » (mémoire "
             "épuisée), « temps » (serveur bloqué), « trace » (trace Python au lieu d'un message) ; "
             "`tests/data/hostile.py` les fabrique, ici en petit, en grand pour `python -m benchmarks`.", "",
             "| fichier | cas | sortie de `validate` | le rapport doit dire |", "|---|---|---|---|"]
    for e in manifest:
        env = " (" + ", ".join(f"{k}={v}" for k, v in e["env"].items()) + ")" if e["env"] else ""
        files = e["fichier"] + (f" + {e['soutiens']}" if "soutiens" in e else "")
        kind = f"[{e['classe']}] " if e.get("classe") else ""
        lines.append(f"| `{files}` | {kind}{e['description']}{env} | {e['code']} | "
                     + " ; ".join(f"« {w} »" for w in e["mots"]) + " |")
    (HERE / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


if __name__ == "__main__":
    print(f"{len(write())} cas écrits dans {CORPUS}")
