"""plotly figures for the levers analysis, each with the table it draws.

Every builder returns ``(figure, data)``: the figure has a French title and
axis labels; ``data`` is what a user downloads as CSV. Colours are chosen for
colour-blind readers: the sequential *cividis* scale for counts, and the
Okabe–Ito palette for categories.
"""

from __future__ import annotations

import math
import textwrap

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from . import formats, vocab
from .text import split_list

#: Okabe & Ito (2008) palette, distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
SEQUENTIAL = "cividis"


def explode_levers(supports: pd.DataFrame) -> pd.DataFrame:
    """One row per (support, lever)."""
    rows = supports.assign(levier=supports["leviers"].map(split_list)).explode("levier")
    return rows[rows["levier"].notna() & rows["levier"].ne("")]


def _heatmap(table: pd.DataFrame, title: str, x_label: str, y_label: str, x_ticks: list | None = None) -> go.Figure:
    """Counts by row and column. ``x_ticks``: short texts under the columns (lever codes),
    whose full names stay in the hover label; long names go down the side, where they are
    written flat, on two lines when long (a phone's screen leaves them little room). Each row
    gets the height of its label, so none is skipped."""
    rows = ["<br>".join(textwrap.wrap(str(label), 30)) for label in table.index]
    fig = px.imshow(table.to_numpy(), x=list(table.columns), y=rows, text_auto=formats.D3_INTEGER,
                    color_continuous_scale=SEQUENTIAL, aspect="auto",
                    labels={"x": x_label, "y": y_label, "color": "Soutiens"})
    fig.update_traces(hovertemplate=f"{y_label} : %{{y}}<br>{x_label} : %{{x}}<br>"
                                    f"Soutiens : %{{z:{formats.D3_INTEGER}}}<extra></extra>")
    fig.update_layout(title=title, xaxis_title=x_label, yaxis_title=None, height=140 + 36 * max(len(table.index), 3),
                      margin={"l": 10, "r": 10, "t": 60, "b": 10})
    fig.update_xaxes(side="bottom", tickangle=0)
    if x_ticks is not None:
        fig.update_xaxes(tickmode="array", tickvals=list(table.columns), ticktext=x_ticks)
    return french(fig)


def french(fig: go.Figure) -> go.Figure:
    """French numbers in a figure: decimal comma, narrow-space thousands (axes,
    hover labels and cell texts all follow ``layout.separators``)."""
    fig.update_layout(separators=formats.PLOTLY_SEPARATORS)
    return fig


def _years_axis(fig: go.Figure) -> None:
    """Years on the x axis: whole years, written without a thousands separator (never 2,020.5)."""
    fig.update_xaxes(type="category")


def _counts_axis(fig: go.Figure, largest: float) -> None:
    """Counts on the y axis: whole numbers only (never 0,2 pôle)."""
    fig.update_yaxes(rangemode="tozero", tickformat=",d", dtick=count_step(largest))


def count_step(largest: float, ticks: int = 8) -> int:
    """A whole step between count ticks, 1, 2 or 5 times a power of ten, giving at most
    about ``ticks`` ticks up to ``largest`` (150 → 20, never 19)."""
    if not math.isfinite(largest) or largest <= ticks:
        return 1
    power = 1
    while True:
        for factor in (1, 2, 5):
            if largest / (factor * power) <= ticks:
                return factor * power
        power *= 10


def _euros_axis(fig: go.Figure) -> None:
    """Euros on the y axis, in full with French thousands (« 1 500 000 », not « 1.5M »)."""
    fig.update_yaxes(tickformat=",.0f", exponentformat="none")


def _crosstab(rows: pd.DataFrame, index: str, columns: str, index_order, columns_order) -> pd.DataFrame:
    table = pd.crosstab(rows[index], rows[columns]) if len(rows) else pd.DataFrame()
    return table.reindex(index=index_order, columns=columns_order, fill_value=0).fillna(0).astype(int)


def _levers_by(supports: pd.DataFrame, column: str, kind: str, title: str, x_label: str):
    rows = explode_levers(supports)
    codes = list(vocab.VOCABULARIES[kind])
    table = _crosstab(rows, "levier", column, list(vocab.LEVIERS), codes)
    # the levers across (their codes under the columns), the long names of levels or forms down the side
    shown = table.T.rename(index=lambda c: vocab.label(kind, c), columns=vocab.levier_label)
    fig = _heatmap(shown, title, "Levier", x_label, x_ticks=list(table.index))
    return fig, _labelled(table, "levier", lambda c: vocab.label(kind, c))


def levers_by_level(supports: pd.DataFrame):
    return _levers_by(supports, "collectivite_niveau", "niveau",
                      "Soutiens par levier et par niveau de collectivité", "Niveau de collectivité")


def levers_by_form(supports: pd.DataFrame):
    return _levers_by(supports, "forme", "forme", "Soutiens par levier et par forme de soutien", "Forme de soutien")


def levers_by_region(supports: pd.DataFrame, poles: pd.DataFrame, region_names: dict[str, str]):
    region_of = dict(zip(poles["id"], poles["region_code"]))
    rows = explode_levers(supports)
    rows = rows.assign(region=rows["pole_id"].map(region_of)).dropna(subset=["region"])
    regions = sorted(set(rows["region"]), key=lambda c: region_names.get(c, c))
    table = _crosstab(rows, "region", "levier", regions, list(vocab.LEVIERS))
    shown = table.rename(index=lambda c: region_names.get(c, c))
    fig = _heatmap(shown, "Leviers mobilisés par région (région du pôle soutenu)", "Levier", "Région")
    data = table.rename(index=lambda c: region_names.get(c, c))
    data.index.name = "region_nom"
    return french(fig), data.reset_index()


def poles_by_stage_and_typology(poles: pd.DataFrame):
    stage = poles["stade"].replace("", "non_renseigne")
    typ = poles["typologie"].replace("", "non_renseigne")
    stages = list(vocab.STADES) + ["non_renseigne"]
    types = list(vocab.TYPOLOGIES) + ["non_renseigne"]
    table = pd.crosstab(stage, typ).reindex(index=stages, columns=types, fill_value=0)
    label = {**vocab.STADES, **vocab.TYPOLOGIES, "non_renseigne": "Non renseigné"}
    long = table.stack().rename("poles").reset_index()
    long.columns = ["stade", "typologie", "poles"]
    long = long[long["poles"] > 0]
    long["Stade"] = long["stade"].map(label)
    long["Typologie"] = long["typologie"].map(label)
    fig = px.bar(long, x="Stade", y="poles", color="Typologie", barmode="group",
                 color_discrete_sequence=OKABE_ITO, category_orders={"Stade": [label[s] for s in stages]},
                 labels={"poles": "Nombre de pôles", "Stade": "Stade de développement"},
                 title="Pôles par stade de développement et par typologie")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 60, "b": 10})
    fig.update_traces(hovertemplate="%{x}<br>Typologie : %{fullData.name}<br>"
                                    f"Nombre de pôles : %{{y:{formats.D3_INTEGER}}}<extra></extra>")
    return french(fig), long[["stade", "typologie", "poles"]].reset_index(drop=True)


def poles_created_per_year(poles: pd.DataFrame):
    """Poles created each year and their running total (poles without a year are counted apart)."""
    years = pd.to_numeric(poles["annee_creation"], errors="coerce").dropna().astype(int)
    counts = years.value_counts().sort_index()
    if len(counts):
        counts = counts.reindex(range(counts.index.min(), counts.index.max() + 1), fill_value=0)
    data = pd.DataFrame({"annee_creation": counts.index.astype(int), "poles_crees": counts.to_numpy(dtype=int)})
    data["poles_cumul"] = data["poles_crees"].cumsum()
    fig = go.Figure([go.Bar(x=data["annee_creation"], y=data["poles_crees"], name="Créés dans l'année",
                            marker_color=OKABE_ITO[4]),
                     go.Scatter(x=data["annee_creation"], y=data["poles_cumul"], name="Total cumulé", mode="lines+markers",
                                line={"color": OKABE_ITO[5]})])
    missing = len(poles) - len(years)
    fig.update_layout(title="Pôles créés par année (cumul)", xaxis_title="Année de création",
                      yaxis_title="Nombre de pôles", margin={"l": 10, "r": 10, "t": 60, "b": 10},
                      legend={"orientation": "h", "y": -0.2})
    _years_axis(fig)
    _counts_axis(fig, float(data["poles_cumul"].max()) if len(data) else 1)
    return french(fig), data, missing


def _support_years(supports: pd.DataFrame) -> pd.DataFrame:
    """Supports with a year, one row per (support, lever); the amount is shared
    equally between the levers of a support, so totals are not counted twice."""
    rows = explode_levers(supports.assign(_n=supports["leviers"].map(lambda c: max(len(split_list(c)), 1))))
    rows = rows.assign(annee=pd.to_numeric(rows["annee"], errors="coerce"),
                       montant=pd.to_numeric(rows["montant_eur"], errors="coerce") / rows["_n"])
    return rows


def supports_per_year_and_lever(supports: pd.DataFrame):
    """Stacked bars: supports of each year, by lever."""
    rows = _support_years(supports).dropna(subset=["annee"])
    rows["annee"] = rows["annee"].astype(int)
    years = list(range(int(rows["annee"].min()), int(rows["annee"].max()) + 1)) if len(rows) else []
    table = _crosstab(rows, "annee", "levier", years, list(vocab.LEVIERS))
    fig = go.Figure([go.Bar(x=table.index, y=table[code], name=vocab.levier_label(code),
                            marker_color=OKABE_ITO[i % len(OKABE_ITO)]) for i, code in enumerate(table.columns)])
    # a support on two levers counts once in each lever's bar (the axis says « par levier »;
    # the page's caption says so in full)
    fig.update_layout(barmode="stack", title="Soutiens par année et par levier", xaxis_title="Année du soutien",
                      yaxis_title="Soutiens, par levier",
                      margin={"l": 10, "r": 10, "t": 60, "b": 10}, legend={"orientation": "h", "y": -0.3})
    _years_axis(fig)
    _counts_axis(fig, float(table.sum(axis=1).max()) if len(table) else 1)
    data = table.copy()
    data.index.name = "annee"
    return french(fig), data.reset_index()


def amount_totals(supports: pd.DataFrame, by: str) -> tuple[pd.DataFrame, int, str]:
    """Euros by lever (``levier``), by collectivity level (``niveau``) or by year
    (``annee``): the table (``by``, ``libelle``, ``montant_eur``), how many supports
    have no amount, and the chart's title words. No figure is drawn (a page that shows
    only the table does not pay for one)."""
    rows = _support_years(supports) if by == "levier" else supports.assign(
        montant=pd.to_numeric(supports["montant_eur"], errors="coerce"),
        annee=pd.to_numeric(supports["annee"], errors="coerce"))
    without = int(pd.to_numeric(supports["montant_eur"], errors="coerce").isna().sum())
    known = rows.dropna(subset=["montant"])
    if by == "levier":
        order, column, label, title = list(vocab.LEVIERS), "levier", vocab.levier_label, "par levier"
    elif by == "niveau":
        order, column, title = list(vocab.NIVEAUX), "collectivite_niveau", "par niveau de collectivité"
        label = lambda c: vocab.label("niveau", c)  # noqa: E731
    else:
        known = known.dropna(subset=["annee"]).assign(annee=lambda f: f["annee"].astype(int))
        order = sorted(set(known["annee"]))
        column, label, title = "annee", str, "par année du soutien"
    totals = known.groupby(column)["montant"].sum().reindex(order, fill_value=0.0).astype(float)
    data = pd.DataFrame({by: totals.index, "libelle": [label(c) for c in totals.index],
                         "montant_eur": totals.round(2).to_numpy()})
    return data, without, title


def amounts(supports: pd.DataFrame, by: str):
    """:func:`amount_totals` and its bar chart: (figure, table, supports without amount)."""
    data, without, title = amount_totals(supports, by)
    fig = px.bar(data, x="libelle", y="montant_eur", labels={"libelle": "", "montant_eur": "Montant (euros)"},
                 title=f"Montants des soutiens {title}", color_discrete_sequence=[OKABE_ITO[4]])
    fig.update_layout(margin={"l": 10, "r": 10, "t": 60, "b": 10})
    if by == "annee":
        _years_axis(fig)
    else:  # short texts under the bars, written flat: lever codes, level names on two lines
        ticks = data[by] if by == "levier" else ["<br>".join(textwrap.wrap(t, 18)) for t in data["libelle"]]
        fig.update_xaxes(tickmode="array", tickvals=list(data["libelle"]), ticktext=list(ticks), tickangle=0)
    _euros_axis(fig)
    return french(fig), data, without


EPCI_TYPES = {"CC": "Communautés de communes", "CA": "Communautés d'agglomération", "CU": "Communautés urbaines",
              "ME": "Métropoles", "ensemble": "Tous les EPCI"}


def lever_share_by_epci_type(shares: pd.DataFrame):
    """Heatmap: share of EPCI (by type) whose collectivités use each lever (from
    :func:`ptce_geo.diagnostic.national`)."""
    table = shares.set_index("levier")
    shown = (table * 100).round(1).rename(index=vocab.levier_label, columns=lambda c: EPCI_TYPES.get(c, c))
    fig = px.imshow(shown.to_numpy(), x=list(shown.columns), y=list(shown.index), text_auto=".0f",
                    color_continuous_scale=SEQUENTIAL, aspect="auto", zmin=0, zmax=100,
                    labels={"x": "Type d'EPCI", "y": "Levier", "color": "% des EPCI"})
    fig.update_layout(title="Part des EPCI dont les collectivités utilisent chaque levier (%)",
                      margin={"l": 10, "r": 10, "t": 60, "b": 10})
    return french(fig), _labelled((table * 100).round(1), "levier", lambda c: f"{EPCI_TYPES.get(c, c)} (%)")


def lever_share_by_year(by_year: pd.DataFrame):
    """Lines: each year, the share of EPCI whose collectivités gave a support on each lever."""
    fig = go.Figure([go.Scatter(x=by_year["annee"], y=(by_year[code] * 100).round(1), name=vocab.levier_label(code),
                                mode="lines+markers", line={"color": OKABE_ITO[i % len(OKABE_ITO)]})
                     for i, code in enumerate(vocab.LEVIERS) if code in by_year])
    fig.update_layout(title="Part des EPCI concernés par un soutien de l'année, par levier (%)",
                      xaxis_title="Année du soutien", yaxis_title="% des EPCI", margin={"l": 10, "r": 10, "t": 60, "b": 10},
                      legend={"orientation": "h", "y": -0.3})
    _years_axis(fig)
    percents = by_year.assign(**{code: (by_year[code] * 100).round(1) for code in vocab.LEVIERS if code in by_year})
    return french(fig), percents.rename(columns={code: f"{code} (%)" for code in vocab.LEVIERS})


def _labelled(table: pd.DataFrame, index_name: str, column_label) -> pd.DataFrame:
    data = table.rename(columns=column_label)
    data.index.name = index_name
    data = data.reset_index()
    data.insert(1, "libelle", data[index_name].map(vocab.LEVIERS))
    return data


DESCRIPTIONS = {
    "niveau": "Chaque case compte les soutiens qui mobilisent un levier (en colonne) et viennent d'un niveau de "
              "collectivité (en ligne). Un soutien qui mobilise deux leviers compte dans deux colonnes.",
    "forme": "Chaque case compte les soutiens d'une forme donnée (subvention, locaux, poste de coordination…) "
             "rattachés à un levier. On y lit par exemple si le levier L6 « Aménagement, immobilier et foncier » "
             "passe surtout par la mise à disposition de locaux.",
    "region": "Leviers mobilisés dans les soutiens reçus par les pôles de chaque région (la région est celle du "
              "siège du pôle soutenu).",
    "creation": "Pôles retenus créés chaque année (barres) et leur nombre total au fil des ans (ligne), d'après "
                "l'année de création du registre.",
    "annee": "Soutiens retenus de chaque année, par levier. Un soutien qui mobilise deux leviers compte pour "
             "chacun ; les soutiens sans année n'y figurent pas.",
    "montant": "Somme des montants renseignés, en euros. Le montant d'un soutien à plusieurs leviers est réparti "
               "à parts égales entre eux, pour ne pas le compter deux fois.",
    "partepci": "Un EPCI utilise un levier quand une collectivité de son territoire (une de ses communes, lui-même, "
                "son département ou sa région) donne un soutien retenu qui le mobilise.",
    "partannee": "Chaque année, part des EPCI dont une collectivité a donné cette année-là un soutien mobilisant "
                 "le levier.",
    "stade": "Nombre de pôles retenus par les filtres, selon leur stade (émergent, en développement, consolidé, "
             "inactif) et leur typologie (mutualisation, filière, multi-activités).",
}
