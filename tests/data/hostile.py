"""Small files that cost a reader a lot: one generator per class, sized by its argument.

The corpus (``make_corpus.py``) keeps small instances; the benchmarks
(``python -m benchmarks``) and the resource tests build the full-size ones
described in the issue, in a temporary folder. Every generator returns bytes
and is deterministic.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

_SHARED_TYPE = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>')
_SHARED_REL = ('<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
               'sharedStrings" Target="sharedStrings.xml" Id="rId9" /></Relationships>')
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _base_workbook() -> dict[str, bytes]:
    """The parts of a workbook saved by openpyxl, with one sheet « poles »."""
    from openpyxl import Workbook
    book = Workbook()
    book.active.title = "poles"
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    # fixed dates, so that the corpus is rebuilt identically
    parts["docProps/core.xml"] = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z",
                                        parts["docProps/core.xml"])
    return parts


def _info(path: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def xlsx_parts(sheet: str | bytes | list, shared: str | bytes | list | None = None) -> bytes:
    """A workbook saved by openpyxl whose sheet (and shared strings) are replaced by the given
    XML; a part given as a list of chunks is streamed into the archive."""
    parts = _base_workbook()
    if shared is not None:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", _SHARED_TYPE.encode())
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", _SHARED_REL.encode())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path, content in parts.items():
            if path != "xl/worksheets/sheet1.xml":
                archive.writestr(_info(path), content)
        for path, part in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared)):
            if part is None:
                continue
            if isinstance(part, list):
                with archive.open(_info(path), "w", force_zip64=True) as out:
                    for chunk in part:
                        out.write(chunk if isinstance(chunk, bytes) else chunk.encode("utf-8"))
            else:
                archive.writestr(_info(path), part)
    return buffer.getvalue()


def _repeat(piece: bytes, total: int, chunk: int = 1 << 20):
    """``total`` bytes of ``piece`` repeated, as a list-like generator of chunks."""
    block = piece * max(1, chunk // len(piece))
    sent = 0
    while sent < total:
        part = block[: total - sent]
        sent += len(part)
        yield part


def xlsx_declared_dimension(ref: str = "A1:XFD1048576") -> bytes:
    """A valid two-row sheet whose ``<dimension>`` declares a huge range (the 1.7 kB file)."""
    rows = (f'<row r="1">{_inline("A1", "id")}{_inline("B1", "nom")}{_inline("C1", "commune_insee")}</row>'
            f'<row r="2">{_inline("A2", "P1")}{_inline("B2", "Pôle")}{_inline("C2", "01001")}</row>')
    return xlsx_parts(f'{_SHEET_HEAD}<dimension ref="{ref}"/><sheetData>{rows}</sheetData></worksheet>')


def xlsx_huge_shared_string(chars: int = 1_000_000_000) -> bytes:
    """One shared string of ``chars`` characters (1 GB by default, about 1 MB compressed)."""
    sheet = (f'{_SHEET_HEAD}<sheetData><row r="1">{_inline("A1", "nom")}</row>'
             '<row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData></worksheet>')
    head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
            '<si><t>')
    return xlsx_parts(sheet, [head, *_repeat(b"A", chars), "</t></si></sst>"])



def xlsx_huge_sheet(padding: int = 1_000_000_000) -> bytes:
    """A sheet part that unpacks to ``padding`` bytes of blanks inside ``<sheetData>``."""
    return xlsx_parts([_SHEET_HEAD, "<sheetData>", *_repeat(b" ", padding), "</sheetData></worksheet>"])


def xlsx_many_rows(rows: int = 1_000_000) -> bytes:
    """``rows`` poles (plus the header) in inline strings, streamed into the archive."""
    def chunks():
        yield _SHEET_HEAD + "<sheetData>"
        yield f'<row r="1">{_inline("A1", "id")}{_inline("B1", "nom")}{_inline("C1", "commune_insee")}</row>'
        batch = []
        for i in range(2, rows + 2):
            batch.append(f'<row r="{i}">{_inline(f"A{i}", f"P{i}")}{_inline(f"B{i}", f"Pôle {i}")}'
                         f'<c r="C{i}"><v>1001</v></c></row>')
            if len(batch) == 10_000:
                yield "".join(batch)
                batch = []
        yield "".join(batch) + "</sheetData></worksheet>"
    return xlsx_parts(list(chunks()))


def xlsx_wide_row(cells: int = 5_000_000) -> bytes:
    """One row of ``cells`` empty ``<c/>`` elements, then a value far to the right."""
    return xlsx_parts([_SHEET_HEAD, '<sheetData><row r="1">', *_repeat(b"<c/>", 4 * cells),
                       _inline("XFD1", "nom"), "</row></sheetData></worksheet>"])


def xlsx_empty_cells(rows: int = 520, per_row: int = 16_384) -> bytes:
    """``rows`` rows of ``per_row`` empty ``<c/>`` (Excel's width): as many XML elements as the
    largest registry allowed, all for nothing (the worst case of the element budget)."""
    row = b"<row>" + b"<c/>" * per_row + b"</row>"
    return xlsx_parts([_SHEET_HEAD, "<sheetData>", *([row] * rows), "</sheetData></worksheet>"])


def xlsx_text_in_number_cell() -> bytes:
    """A cell typed as a number (``t="n"``) that holds text."""
    rows = (f'<row r="1">{_inline("A1", "id")}{_inline("B1", "nom")}{_inline("C1", "nb_membres")}</row>'
            f'<row r="2">{_inline("A2", "P1")}{_inline("B2", "Pôle")}<c r="C2" t="n"><v>douze</v></c></row>')
    return xlsx_parts(f"{_SHEET_HEAD}<sheetData>{rows}</sheetData></worksheet>")


def geojson_sparse_keys(features: int = 20_000) -> bytes:
    """``features`` points, each with a property name of its own (1.9 MB for 20,000)."""
    items = [{"type": "Feature", "properties": {"nom": f"Pôle {i}", f"cle_{i}": "x"},
              "geometry": {"type": "Point", "coordinates": [2.35, 48.85]}} for i in range(features)]
    return json.dumps({"type": "FeatureCollection", "features": items}, ensure_ascii=False).encode("utf-8")


def geojson_nested(depth: int = 100_000) -> bytes:
    """A property nested ``depth`` levels deep."""
    value = "[" * depth + "]" * depth
    return ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"nom": "A", "x": '
            + value + '}, "geometry": null}]}').encode()


def geojson_empty_objects(count: int = 6_000_000) -> bytes:
    """``features`` made of ``count`` empty objects (a flood of containers)."""
    return b'{"type": "FeatureCollection", "features": [' + b",".join([b"{}"] * count) + b"]}"


def geojson_odd_features() -> dict[str, bytes]:
    """A feature that is a number; a geometry that is a string; properties that are a string."""
    point = {"type": "Point", "coordinates": [2.35, 48.85]}
    good = {"type": "Feature", "properties": {"id": "G1", "nom": "Bon"}, "geometry": point}

    def collection(*features):
        return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()
    return {
        "feature_nombre": collection(good, 42),
        "geometrie_texte": collection(good, {"type": "Feature", "properties": {"id": "G2", "nom": "Texte",
                                                                              "commune_insee": "75056"},
                                             "geometry": "POINT(2.35 48.85)"}),
        "proprietes_texte": collection(good, {"type": "Feature", "properties": "nom=Texte", "geometry": point}),
    }


def csv_unknown_communes(count: int = 2_000) -> bytes:
    """``count`` poles in communes that do not exist (each one asks for suggestions)."""
    lines = ["id;nom;commune"] + [f"P{i};Pôle {i};Ville-Imaginaire-{i:06d}" for i in range(count)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def csv_separators(size: int = 200_000) -> bytes:
    """A header followed by ``size`` separators (« empty columns »), then one pole."""
    return ("id;nom" + ";" * size + "\nP1;Pôle\n").encode()


def csv_many_rows(rows: int = 700_000) -> bytes:
    return ("id,nom,commune_insee\n" + "".join(f"P{i},Pôle {i},01001\n" for i in range(rows))).encode()


def csv_duplicate_headers() -> bytes:
    return "nom;x;x;x_2;x_2_2\nA;1;2;3;4\n".encode()


#: Full-size instances for the benchmarks and resource tests: name -> (file name, maker).
FULL_SIZE = {
    "xlsx_dimension_geante": ("dimension.xlsx", xlsx_declared_dimension),
    "xlsx_chaine_1go": ("chaine.xlsx", xlsx_huge_shared_string),
    "xlsx_feuille_1go": ("feuille.xlsx", xlsx_huge_sheet),
    "xlsx_ligne_large": ("ligne.xlsx", xlsx_wide_row),
    "xlsx_1m_lignes": ("lignes.xlsx", xlsx_many_rows),
    "xlsx_8m_cellules_vides": ("vides.xlsx", xlsx_empty_cells),
    "geojson_cles_20k": ("cles.geojson", geojson_sparse_keys),
    "geojson_imbrique": ("imbrique.geojson", geojson_nested),
    "geojson_objets_vides": ("vides.geojson", geojson_empty_objects),
    "csv_separateurs_5mo": ("separateurs.csv", lambda: csv_separators(5_000_000)),
    "csv_700k_lignes": ("lignes.csv", csv_many_rows),
    "csv_communes_inconnues_100k": ("communes.csv", lambda: csv_unknown_communes(100_000)),
}
