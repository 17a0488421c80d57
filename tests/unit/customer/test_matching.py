"""Points 8 and 10 in the domain: folded names for search, weak similarity for duplicates."""

from __future__ import annotations

import re

from services.customer.domain.duplicates import compare, match_keys
from services.customer.domain.search import name_prefix_pattern, search_fields
from services.customer.domain.text import fold
from tests.unit.customer.records import address, customer


def test_folding_ignores_case_accents_and_spacing() -> None:
    assert fold("  Jörg   MÜLLER ") == "jorg muller"
    assert fold("Łukasz Straße") == "lukasz strasse"
    assert fold("Zoë Muñoz") == "zoe munoz"


def test_a_name_prefix_matches_any_word_and_the_full_name() -> None:
    names = search_fields(customer(first_name="Léna", last_name="Müller-Lüdenscheidt"))["names"]
    for query in ("MÜL", "lud", "lena mu", "muller-lu"):
        pattern = name_prefix_pattern(query)
        assert pattern is not None
        assert any(re.match(pattern, n) for n in names), query
    assert not any(re.match(name_prefix_pattern("ena") or "", n) for n in names)
    assert name_prefix_pattern("   ") is None


def test_similar_names_with_a_shared_phone_are_a_candidate() -> None:
    a = customer("a", first_name="Petra", last_name="Schäfer", phones=("+491712223333",))
    b = customer("b", first_name="Petra", last_name="Schafer", phones=("+491712223333",))
    candidate = compare(a, b)
    assert candidate is not None
    assert candidate.customer_ids == ("a", "b")
    assert "same phone +491712223333" in candidate.reasons
    assert candidate.score == 100.0


def test_a_similar_name_alone_or_a_shared_phone_alone_is_not_enough() -> None:
    a = customer("a", first_name="Petra", last_name="Schäfer", phones=("+491712223333",))
    assert compare(a, customer("b", first_name="Petra", last_name="Schäfer")) is None
    assert (
        compare(a, customer("c", first_name="Karl", last_name="Schäfer", phones=("+491712223333",)))
        is None
    )


def test_similar_names_at_a_similar_address_are_a_candidate() -> None:
    a = customer("a", first_name="Jonas", last_name="Weber", addresses=(address(),))
    b = customer(
        "b", first_name="Jonas", last_name="Webber", addresses=(address(line1="Hauptstr. 5"),)
    )
    candidate = compare(a, b)
    assert candidate is not None
    assert any(r.startswith("similar address") for r in candidate.reasons)
    assert "place:DE:10115:web" in match_keys(a)
    assert "place:DE:10115:web" in match_keys(b)
