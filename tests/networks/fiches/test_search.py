"""Search relevance: the desk's examples and their expected first result."""

import pytest

from app.core import tenancy
from app.networks.fiches import search
from tests import factories
from tests.networks.fiches import builders

FICHES = {
    "assmat": ("Trouver un·e assistant·e maternel·le",
               ["assistante maternelle", "nounou", "garde chez une assistante maternelle"],
               "Le relais tient la liste des assistantes maternelles agréées."),
    "creche": ("Demander une place en crèche",
               ["inscrire mon enfant à la crèche", "place en creche", "multi-accueil"],
               "La demande se fait auprès du guichet petite enfance ; la commission attribue."),
    "pajemploi": ("Déclarer son salarié avec Pajemploi",
                  ["déclarer la nounou", "parent employeur", "pajemploi"],
                  "Chaque mois, le parent employeur déclare le salaire sur Pajemploi."),
    "conge": ("Congé parental et PreParE",
              ["arrêter de travailler pour garder mon bébé", "congé parental"],
              "La PreParE est versée par la CAF pendant le congé parental."),
    "pmi": ("Consultations de PMI et vaccins",
            ["vaccins bébé", "carnet de santé"],
            "La PMI propose des consultations gratuites pour les enfants de moins de six ans."),
}


@pytest.fixture()
def world(dbsession):
    tenant = factories.tenant()
    network = factories.network(tenants=[tenant])
    author = factories.user()
    ids = {}
    for key, (title, phrasings, answer) in FICHES.items():
        fiche = builders.published_network_fiche(network, author, title, phrasings=phrasings,
                                                 first_answer=answer)
        ids[key] = fiche.id
    return tenant, network, ids


@pytest.mark.parametrize("query, expected", [
    ("creche", "creche"),
    ("crèche", "creche"),
    ("assistantes maternelles", "assmat"),
    ("assistante maternelle", "assmat"),
    ("asistante maternelle", "assmat"),
    ("pajemploi", "pajemploi"),
    ("conge parental", "conge"),
    ("congé parental", "conge"),
    ("vacins", "pmi"),
    ("place en crèche", "creche"),
    ("assist", "assmat"),
])
def test_desk_examples_find_the_right_fiche_first(world, dbsession, query, expected):
    tenant, network, ids = world
    with tenancy.use_space(tenancy.Space.for_tenant(tenant.id, [network.id]), dbsession):
        result = search.search(query)
    assert result.fiches, f"nothing found for {query!r}"
    assert result.fiches[0].id == ids[expected], [f.title for f in result.fiches]


def test_unknown_words_find_nothing(world, dbsession):
    tenant, network, _ = world
    with tenancy.use_space(tenancy.Space.for_tenant(tenant.id, [network.id]), dbsession):
        assert search.search("tracteur agricole").empty


def test_typo_is_reported_as_a_correction(world, dbsession):
    tenant, network, _ = world
    with tenancy.use_space(tenancy.Space.for_tenant(tenant.id, [network.id]), dbsession):
        result = search.search("asistante maternelle")
    assert result.corrections == {"asistante": "assistante"}


def test_vocabulary_corrects_one_edit_only():
    from collections import Counter

    vocab = search.Vocabulary(Counter({"assistante": 3, "maternelle": 2, "creche": 5}))
    assert vocab.correct("asistante") == "assistante"      # deletion
    assert vocab.correct("assistantte") == "assistante"    # insertion
    assert vocab.correct("maternelel") == "maternelle"     # swap
    assert vocab.correct("crache") == "creche"             # substitution
    assert vocab.correct("crachat") == "crachat"           # two edits: left alone


def test_resolve_never_leaves_a_placeholder_or_a_double_full_stop():
    from app.networks.fiches.text import resolve

    text = "Appelez le {relais.nom} ({relais.horaires}). Horaires : {relais.horaires}."
    done = resolve(text, {"relais.nom": "RPE Test", "relais.horaires": "lundi 9 h – 12 h."})
    assert done == "Appelez le RPE Test (lundi 9 h – 12 h.). Horaires : lundi 9 h – 12 h."
    assert resolve("Le {relais.nom} répond.", {}) == "Le relais petite enfance du secteur répond."
    assert resolve("Ouvert {mairie.horaires}{inconnu.champ}.", {}) == \
        "Ouvert les horaires d’ouverture de la mairie."


def test_unknown_placeholders_are_reported_to_authors():
    from app.networks.fiches.text import unknown_placeholders

    assert unknown_placeholders("{relais.nom} {relais.fax} {inconnu.x}") == {
        "relais.fax", "inconnu.x"}
