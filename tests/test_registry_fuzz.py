"""Property-based tests: whatever bytes a technician feeds the reader, the
answer is a registry or a French RegistryError, never another exception."""

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ptce_geo.registry import RegistryError, load_registry, read_tables
from ptce_geo.spatial import locate_registry

VALID = ("id;nom;commune_insee;commune;departement;latitude;longitude;typologie;stade;secteurs;perimetre\n"
         "P1;Pôle Émeraude;01053;Bourg-en-Bresse;01;46,2;5,22;filière;émergent;eco_activites|culture;200071751\n"
         "P2;\"Pôle; avec séparateur\";;Mureaux;78;;;mutualisation;consolide;;78\n")
ALPHABET = st.sampled_from(list(";,\t\n\r\"'|=+-@ \x00éÉ€😀ß0123456789.AaLl") + ["NaN", "inf", "2A", "L6"])


def _read(data: bytes, name: str):
    try:
        return load_registry(data, poles_name=name)
    except RegistryError as exc:
        assert exc.issues and all(i.message for i in exc.issues)
        return None


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2000), name=st.sampled_from(["p.csv", "p.xlsx", "p.geojson", "p.txt", "p"]))
def test_random_bytes(data, name):
    _read(data, name)


@st.composite
def mutated_csv(draw):
    text = VALID
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = "".join(draw(st.lists(ALPHABET, min_size=1, max_size=4)))
        if action == "insert":
            text = text[:pos] + piece + text[pos:]
        elif action == "delete":
            text = text[:pos] + text[pos + len(piece):]
        else:
            text = text[:pos] + piece + text[pos + 1:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


@settings(max_examples=1000, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated_csv())
@example(data=VALID.replace("Pôle Émeraude", "").encode())  # a row without a name: always one invalid row
@example(data=VALID.replace("P2;", "P1;").encode())  # the same id twice
# found by a random run: UTF-16 with NULs in ids; pandas saw "2A\x0001" and "2A\x00|culture" as
# not unique (is_unique) yet not duplicated (duplicated): control characters are now removed
@example(data=VALID.replace("P2;", "2A\x00|culture;").replace("P1;", "2A\x0001;").encode("utf-16"))
@example(data=VALID.replace("P2;", "P\x001;").encode("utf-16"))  # differ only by a NUL: duplicates
def test_mutated_csv(data):
    reg = _read(data, "p.csv")
    if reg is None:
        return
    # every row the reader found is kept, none dropped by validation
    assert len(reg.poles) == len(read_tables(data, "p.csv")[0]["poles"])
    # each invalid one with its issue: an error on that very row
    rows_with_errors = {i.ligne for i in reg.errors if i.table == "poles"}
    assert set(reg.poles.loc[~reg.poles["_valide"], "_ligne"]) <= rows_with_errors
    # a usable pole has a name and an id of its own
    usable = reg.poles[reg.poles["_valide"]]
    assert usable["nom"].ne("").all() and usable["id"].ne("").all() and usable["id"].is_unique


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=mutated_csv())
def test_mutated_csv_is_located_without_exception(data, territories, gazetteer):
    reg = _read(data, "p.csv")
    if reg is not None:
        located = locate_registry(reg, territories, gazetteer)
        assert len(located.poles) == len(reg.poles)
        assert located.poles["statut"].str.len().gt(0).all()
