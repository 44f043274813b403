"""Accessibility statement (déclaration d'accessibilité), in the form the French
obligation asks for (article 47 of law 2005-102, RGAA 4.1)."""

import streamlit as st

from dashboard import common
from ptce_geo import settings

st.title("Déclaration d'accessibilité")
st.markdown(
    "L'organisme qui publie ce tableau de bord s'engage à le rendre accessible conformément à l'article 47 "
    "de la loi n° 2005-102 du 11 février 2005. Cette déclaration s'applique au **tableau de bord territorial "
    "des PTCE** (toutes ses pages).")

st.header("État de conformité")
st.markdown(
    "Le tableau de bord est **partiellement conforme** avec le référentiel général d'amélioration de "
    "l'accessibilité (RGAA), version 4.1, en raison des non-conformités et des dérogations énumérées ci-dessous.")

st.header("Résultats des tests")
st.markdown(
    "Aucun audit RGAA complet (106 critères, par un auditeur) n'a encore été réalisé : tant qu'il n'a pas eu "
    "lieu, le taux de critères respectés n'est pas connu. Les résultats ci-dessous viennent des tests "
    "automatisés du projet, lancés à chaque version :\n\n"
    "- **axe-core 4.12** (moteur de tests d'accessibilité), lancé dans Chromium sur chaque page : carte des "
    "pôles, zones blanches, fiche d'un EPCI, analyse des leviers, données après l'import d'un registre, et "
    "cette page. Résultat : **0 défaut critique ou grave** sur chacune, et aucun défaut d'autre gravité sauf "
    "un défaut mineur de Streamlit sur la page « Données » (voir plus bas) ;\n"
    "- **parcours au clavier seul**, testé automatiquement : atteindre les filtres, choisir un levier, "
    "choisir un territoire, télécharger un extrait ;\n"
    "- chaque carte a un titre (critère 2.1) et est suivie d'un tableau qui donne les mêmes informations, "
    "atteint par le lien « Voir les données de la carte » (sur la page Carte, ce tableau s'affiche "
    "par un interrupteur placé sous ce titre) ;\n"
    "- couleurs des cartes et graphiques choisies pour rester distinctes pour les personnes daltoniennes "
    "(palette Okabe-Ito, échelle *cividis*).")

st.header("Contenus non accessibles")
st.subheader("Non-conformités")
st.markdown(
    "- **Textes anglais de Streamlit**, la bibliothèque qui affiche le tableau de bord, qu'elle ne permet "
    "pas de traduire (critère 8.7, changement de langue non indiqué) : dans la zone d'import, le bouton "
    "« Upload » et « 20MB per file » (la taille suit le réglage du serveur) ; les menus des tableaux "
    "(« Download as CSV », « Search », « Fullscreen », tri « Sort ascending ») ; « Running… » pendant un "
    "calcul ; « Press Enter to apply » sous un champ de texte en cours de saisie ; "
    "« No results » dans une liste de choix sans réponse ; « Select all » dans les listes à choix "
    "multiples ; « Help for … », nom donné aux lecteurs d'écran pour les boutons « ? » des aides ; "
    "« Link to heading », pour le lien d'ancrage des titres ; « Page not found » pour une adresse de page "
    "inconnue, avant le retour à la carte. Les libellés, aides et textes indicatifs que "
    "Streamlit permet de définir sont en français.\n"
    "- **Tableaux** : les tableaux interactifs sont dessinés sur un canevas (composant *glide-data-grid*) ; "
    "leur contenu est exposé aux lecteurs d'écran par une grille ARIA que nous ne maîtrisons pas ; chaque "
    "tableau peut être téléchargé en CSV.\n"
    "- **Cartes** : les marqueurs des pôles ne sont pas atteignables au clavier et les infobulles "
    "n'apparaissent qu'au survol ; les mêmes informations sont dans le tableau qui suit chaque carte.\n"
    "- **Graphiques** (Plotly) : les valeurs ne sont lues qu'au survol ; chaque graphique est suivi de sa "
    "description et du téléchargement de ses données.\n"
    "- **Zone d'import de fichier** (Streamlit) : un élément marqué comme décoratif (`role=\"presentation\"`) "
    "peut recevoir le focus (défaut mineur relevé par axe, règle *presentation-role-conflict*).\n"
    "- **Langue** : les textes anglais ci-dessus ne sont pas signalés comme tels aux lecteurs d'écran "
    "(critère 8.7).")
st.subheader("Dérogations pour charge disproportionnée")
st.markdown("Aucune.")
st.subheader("Contenus non soumis à l'obligation d'accessibilité")
st.markdown("Les fonds de carte (OpenStreetMap, Plan IGN) sont des contenus de tiers, qui ne sont ni financés "
            "ni développés par l'organisme concerné.")

st.header("Établissement de cette déclaration")
st.markdown(
    "Déclaration établie à partir des tests automatisés du projet (`tests/e2e/test_accessibilite.py`). "
    "Technologies utilisées : HTML5, CSS, JavaScript (Streamlit, Leaflet, Plotly). Environnement de test : "
    "Chromium (Debian) piloté par Playwright, axe-core 4.12.")

st.header("Retour d'information et contact")
contact = settings.accessibility_contact()
st.markdown(
    "Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez le responsable du tableau de "
    "bord pour être orienté vers une alternative accessible ou obtenir le contenu sous une autre forme : "
    + (f"{common.md(contact)}." if contact else "l'organisme qui publie ce tableau de bord (sa page de contact)."))

st.header("Voies de recours")
st.markdown(
    "Si vous constatez un défaut d'accessibilité qui vous empêche d'accéder à un contenu ou à un service, "
    "que vous l'avez signalé au responsable et que vous n'avez pas obtenu de réponse satisfaisante, vous "
    "pouvez :\n\n"
    "- écrire un message au **Défenseur des droits** (formulaire en ligne sur defenseurdesdroits.fr) ;\n"
    "- contacter le délégué du Défenseur des droits dans votre région ;\n"
    "- envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des droits, "
    "Libre réponse 71120, 75342 Paris CEDEX 07.")
