"""The seed corpus against the article it models: quotes word for word, in the article's order.

The article is not part of the repository: CI has it beside the clone and runs this file from
.ci/run with --shared (see conftest.py). The checks that need only the fixture files are in
tests/fixtures/test_seed_corpus.py and run with `make test`.
"""

import itertools
import re
from pathlib import Path

import pytest

from api.fixtures.models import Statement
from api.vocabulary import StatementKind
from tests.fixtures.test_seed_corpus import ARTICLE_ALIASES, corpus

ARTICLE_FILE = "euronews-fr-2026-02-04-xi-putin.txt"
SOURCE = "euronews-fr-2026-02-04-xi-putin"

# The article proper, without the page chrome captured around it.
ARTICLE_START = "Après un long entretien vidéo"
ARTICLE_END = "Accéder aux raccourcis d'accessibilité"


# Quoted words the article attributes to nobody: modelled inside a paraphrase, not as a quote.
UNATTRIBUTED_QUOTATIONS = {"l'imprévisibilité"}


# Where the article reports each paraphrase: a verbatim excerpt of the sentence, for the order
# check. Direct quotes are found by their own text.
PARAPHRASE_ANCHORS = {
    "putin-reaffirms-strategic-rapprochement": "ont réaffirmé leur soutien d'un rapprochement",
    "xi-reaffirms-strategic-rapprochement": "ont réaffirmé leur soutien d'un rapprochement",
    "putin-emphasises-bilateral-relations": "ils ont mis l'accent sur le renforcement",
    "xi-emphasises-bilateral-relations": "ils ont mis l'accent sur le renforcement",
    "xi-world-in-upheaval": "Xi Jinping a déclaré que le monde était entré",
    "xi-beijing-moscow-should-strengthen-coordination": "Pékin et Moscou devraient renforcer",
    "putin-shares-position-on-coordination": "Une position partagée par Vladimir Poutine",
    "putin-cooperation-exemplary-reported": "Il a également qualifié la coopération russo-chinoise",
    "putin-exports-redirected-to-asia": "la Russie avait réussi à réorienter ses exportations",
    "xi-economic-ties-and-historic-opportunity-reported": "Xi, pour sa part, a noté",
    "putin-energy-nuclear-high-technology": "Le dirigeant russe a accordé une attention",
    "xi-supports-abu-dhabi-talks": "Xi Jinping avait exprimé son soutien à des pourparlers",
    "kremlin-leaders-discussed-relations-with-washington": "avaient discuté des relations avec",
    "ushakov-views-exchanged-on-us-policies": "Il a ajouté que Vladimir Poutine et Xi Jinping",
    "xi-commitment-to-un-centred-system": "Selon la partie chinoise",
    "putin-accepts-invitation-to-visit-china": "Vladimir Poutine a accepté une invitation",
    "putin-intends-to-attend-apec-shenzhen": "l'intention de participer au sommet de l'APEC",
    "china-strengthens-position-against-us-unpredictability": "La Chine cherche à renforcer",
    "ushakov-attention-to-middle-east": "les dirigeants ont prêté attention",
    "putin-alliance-most-important-stabilising-factor-reported": "Aujourd'hui, leur alliance",
    "xi-new-roadmap-reported": "Xi Jinping a souligné que la Chine et la Russie",
    "putin-balanced-and-responsible-after-new-start-reported": "M. Poutine a assuré que Moscou",
}


def article_statements() -> list[Statement]:
    """The statements whose own text is the article's (the follow-ups' are checked elsewhere)."""
    return [statement for statement in corpus().statements if statement.source == SOURCE]


@pytest.fixture(scope="module")
def capture(shared: Path) -> str:
    """The captured page, with its chrome."""
    return (shared / "seed" / ARTICLE_FILE).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def article(capture: str) -> str:
    """The article's text, from its first sentence to the end of its last paragraph."""
    return capture[capture.index(ARTICLE_START) : capture.index(ARTICLE_END)]


def test_direct_quotes_are_the_published_words_in_quotation_marks(article: str) -> None:
    body = article
    for quote in article_statements():
        if quote.kind is not StatementKind.DIRECT_QUOTE:
            continue
        assert quote.language == "fr"
        assert body.count(quote.text) == 1, quote.slug
        start = body.index(quote.text)
        end = start + len(quote.text)
        assert body[start - 1] == '"', f"{quote.slug} does not start at a quotation mark"
        assert body[end:].lstrip(" ")[:1] == '"', f"{quote.slug} does not end at a quotation mark"


def test_every_quotation_in_the_article_is_modelled(article: str) -> None:
    quotes = {s.text for s in article_statements() if s.kind is StatementKind.DIRECT_QUOTE}
    paraphrases = [s.text for s in article_statements() if s.kind is StatementKind.PARAPHRASE]
    quotations = [match.strip() for match in re.findall(r'"([^"]+)"', article)]
    assert len(quotations) == 17
    for quotation in quotations:
        if quotation in UNATTRIBUTED_QUOTATIONS:
            assert any(quotation in text for text in paraphrases), quotation
        else:
            assert quotation in quotes, quotation


def test_statement_positions_follow_the_article(article: str) -> None:
    body = article
    statements = article_statements()
    paraphrases = {s.slug for s in statements if s.kind is StatementKind.PARAPHRASE}
    assert set(PARAPHRASE_ANCHORS) == paraphrases
    assert [anchor for anchor in PARAPHRASE_ANCHORS.values() if body.count(anchor) != 1] == []

    def offset(statement: Statement) -> int:
        if statement.kind is StatementKind.DIRECT_QUOTE:
            return body.index(statement.text)
        return body.index(PARAPHRASE_ANCHORS[statement.slug])

    ordered = sorted(statements, key=lambda statement: statement.position or 0)
    offsets = [offset(s) for s in ordered]
    assert offsets == sorted(offsets), [s.slug for s in ordered]
    quote_offsets = [offset(s) for s in ordered if s.kind is StatementKind.DIRECT_QUOTE]
    assert all(a < b for a, b in itertools.pairwise(quote_offsets))


def test_the_source_title_is_the_articles(capture: str) -> None:
    (source,) = [s for s in corpus().files["sources.yaml"].sources if s.slug == SOURCE]
    assert source.title in capture


def test_the_articles_aliases_appear_in_it(article: str) -> None:
    assert sorted(alias for alias in ARTICLE_ALIASES if alias not in article) == []
