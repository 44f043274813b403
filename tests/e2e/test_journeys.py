"""Three users, end to end in Chromium, on the demo registry: what each one
reads on screen and downloads equals what the core counts for their scope."""

import csv
import io
import re

from playwright.sync_api import expect

from ptce_geo import coverage, diagnostic, scope
from ptce_geo.coverage import Filters

from .conftest import open_data_page, poles_uploader


def _rows(download) -> list[dict]:
    data = open(download.value.path(), "rb").read().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(data), delimiter=";"))


def test_elected_official_of_an_epci(page, app_url, territories, demo):
    """Is my EPCI covered, which pole is nearest, how do we compare, which levers are missing."""
    code = "200071751"
    page.goto(f"{app_url}/fiche_territoire?epci={code}")
    expect(page.get_by_text(re.compile(r"^Votre EPCI (est|n'est pas) couvert"))).to_be_visible(timeout=90_000)
    core = scope.apply(demo.poles, demo.soutiens, territories, Filters(), ("epci", code))
    epci = core.coverage("epci").set_index("code").loc[code]
    verdict = page.get_by_text(re.compile(r"^Votre EPCI")).inner_text()
    assert ("n'est pas couvert" in verdict) == (not epci["couvert"])
    if epci["pole_proche_nom"]:
        assert epci["pole_proche_nom"] in verdict
    expect(page.get_by_text("Diagnostic des leviers")).to_be_visible(timeout=60_000)
    diag = diagnostic.diagnose(territories, demo.poles, demo.soutiens, "epci", code)
    expect(page.get_by_text(diag.summary())).to_be_visible()
    first_missing = diag.missing()["levier"].iloc[0]
    levers = page.locator("[data-testid=stMain] [data-testid=stExpander] summary")
    assert levers.first.inner_text().split("\n")[-1].startswith(first_missing)  # the most common among peers


def test_technician_of_a_departement(page, app_url, territories, demo):
    """Which EPCI have no pole, who supports poles through L6, a CSV for the director."""
    page.goto(f"{app_url}/zones_blanches?departement=44")
    core = scope.apply(demo.poles, demo.soutiens, territories, Filters(), ("departement", "44"))
    gaps = coverage.rank_uncovered(core.coverage("epci"))
    metric = page.locator("[data-testid=stMetric]").filter(has_text="EPCI non couverts")
    expect(metric).to_contain_text(str(len(gaps)), timeout=90_000)

    page.goto(f"{app_url}/leviers?departement=13&leviers=L6")
    l6 = scope.apply(demo.poles, demo.soutiens, territories, Filters(leviers=("L6",)), ("departement", "13"))
    assert len(l6.poles) > 1
    expect(page.get_by_text(f"{len(l6.poles)} pôles et {len(l6.supports)} soutiens retenus.")).to_be_visible(
        timeout=90_000)
    who = scope.supporters(l6)
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile(r"^Télécharger la liste des soutiens par collectivité")).click()
    rows = _rows(info)
    assert [r["Nom de la collectivité"] for r in rows] == list(who["collectivite_nom"])

    page.goto(f"{app_url}/donnees?departement=13&leviers=L6")
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile(r"^Pôles \(")).click(timeout=90_000)
    rows = _rows(info)
    assert {r["Identifiant"] for r in rows} == set(l6.poles["id"])  # the director's CSV is the scope
    assert info.value.suggested_filename == "poles_departement_13_leviers-L6.csv"  # territory and filters


def test_cress_officer_loads_fixes_and_shares(page, app_url):
    """Load our spreadsheet (labels as users write them), read what the tool reports
    (row, column, fix), load the corrected file, share a link to the filtered map."""
    def upload(content: str, name: str):
        poles_uploader(page).locator("input[type=file]").set_input_files(
            files=[{"name": name, "mimeType": "text/csv", "buffer": content.encode("utf-8")}])

    open_data_page(page, f"{app_url}/donnees?leviers=L6")
    header = "Identifiant;Nom du pôle;Ville;Département;Stade\n"
    upload(header + "C1;Pôle coopératif;Troyes;10;Consolidée\nC2;Pôle des Mureaux;Mureaux;78;bientôt\n",
           "cress.csv")
    expect(page.get_by_text(re.compile("Registre importé « cress.csv » : 2 pôles"))).to_be_visible(timeout=90_000)
    with page.expect_download() as info:
        page.get_by_role("button", name="Télécharger le rapport (CSV)").click()
    errors = [r for r in _rows(info) if r["Niveau"].lower().startswith("erreur")]
    assert [(r["Ligne"], r["Colonne"]) for r in errors] == [("3", "Stade")]  # « Consolidée » is accepted
    assert errors[0]["Correction"]  # the fix, in words

    upload(header + "C1;Pôle coopératif;Troyes;10;Consolidée\nC2;Pôle des Mureaux;Mureaux;78;Émergent\n",
           "cress_corrige.csv")
    expect(page.get_by_text(re.compile("« cress_corrige.csv » : 2 pôles, dont 2 localisés.*0 erreur"))).to_be_visible(
        timeout=90_000)
    main = page.locator("[data-testid=stMain]")
    expect(main.get_by_text("Vous utilisez un registre importé").first).to_be_visible()  # on the Données page
    page.locator("[data-testid=stSidebar]").get_by_text("Copier le lien de cette vue").click()
    link = page.locator("[data-testid=stSidebar]").get_by_label("Lien de cette vue", exact=False)
    expect(link).to_have_value(re.compile("leviers=L6"), timeout=30_000)
    sidebar_warning = page.locator("[data-testid=stSidebar]").get_by_text("Vous utilisez un registre importé")
    expect(sidebar_warning).to_be_visible()  # the colleague would see the shared registry, not this file
