"""plotly figures for the levers analysis, each with the table it draws.

Every builder returns ``(figure, data)``: the figure has a French title and
axis labels; ``data`` is what a user downloads as CSV. Colours are chosen for
colour-blind readers: the sequential *cividis* scale for counts, and the
Okabe–Ito palette for categories.
"""

from __future__ import annotations

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


def _heatmap(table: pd.DataFrame, title: str, x_label: str, y_label: str) -> go.Figure:
    fig = px.imshow(table.to_numpy(), x=list(table.columns), y=list(table.index), text_auto=formats.D3_INTEGER,
                    color_continuous_scale=SEQUENTIAL, aspect="auto",
                    labels={"x": x_label, "y": y_label, "color": "Soutiens"})
    fig.update_traces(hovertemplate=f"{y_label} : %{{y}}<br>{x_label} : %{{x}}<br>"
                                    f"Soutiens : %{{z:{formats.D3_INTEGER}}}<extra></extra>")
    fig.update_layout(title=title, xaxis_title=x_label, yaxis_title=y_label, margin={"l": 10, "r": 10, "t": 60, "b": 10})
    fig.update_xaxes(side="bottom")
    return french(fig)


def french(fig: go.Figure) -> go.Figure:
    """French numbers in a figure: decimal comma, narrow-space thousands (axes,
    hover labels and cell texts all follow ``layout.separators``)."""
    fig.update_layout(separators=formats.PLOTLY_SEPARATORS)
    return fig


def _crosstab(rows: pd.DataFrame, index: str, columns: str, index_order, columns_order) -> pd.DataFrame:
    table = pd.crosstab(rows[index], rows[columns]) if len(rows) else pd.DataFrame()
    return table.reindex(index=index_order, columns=columns_order, fill_value=0).fillna(0).astype(int)


def _levers_by(supports: pd.DataFrame, column: str, kind: str, title: str, x_label: str):
    rows = explode_levers(supports)
    codes = list(vocab.VOCABULARIES[kind])
    table = _crosstab(rows, "levier", column, list(vocab.LEVIERS), codes)
    shown = table.rename(index=vocab.levier_label, columns=lambda c: vocab.label(kind, c))
    fig = _heatmap(shown, title, x_label, "Levier")
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
    data.index.name = "region"
    return fig, data.reset_index()


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


def _labelled(table: pd.DataFrame, index_name: str, column_label) -> pd.DataFrame:
    data = table.rename(columns=column_label)
    data.index.name = index_name
    data = data.reset_index()
    data.insert(1, "libelle", data[index_name].map(vocab.LEVIERS))
    return data


DESCRIPTIONS = {
    "niveau": "Chaque case compte les soutiens qui mobilisent un levier (en ligne) et viennent d'un niveau de "
              "collectivité (en colonne). Un soutien qui mobilise deux leviers compte dans deux lignes.",
    "forme": "Chaque case compte les soutiens d'une forme donnée (subvention, locaux, poste de coordination…) "
             "rattachés à un levier. On y lit par exemple si le levier L6 « Aménagement, immobilier et foncier » "
             "passe surtout par la mise à disposition de locaux.",
    "region": "Leviers mobilisés dans les soutiens reçus par les pôles de chaque région (la région est celle du "
              "siège du pôle soutenu).",
    "stade": "Nombre de pôles retenus par les filtres, selon leur stade (émergent, en développement, consolidé, "
             "inactif) et leur typologie (mutualisation, filière, multi-activités).",
}
