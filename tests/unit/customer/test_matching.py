"""Points 8 and 10 in the domain: folded names for search, weak similarity for duplicates."""

from __future__ import annotations

from services.customer.domain.duplicates import compare, match_keys
from services.customer.domain.search import name_prefix, prefix_bounds, search_fields
from services.customer.domain.text import fold
from tests.unit.customer.records import address, customer


def test_folding_ignores_case_accents_and_spacing() -> None:
    assert fold("  Jörg   MÜLLER ") == "jorg muller"
    assert fold("Łukasz Straße") == "lukasz strasse"
    assert fold("Zoë Muñoz") == "zoe munoz"


def _found_by(query: str, names: list[str]) -> bool:
    """As the database matches: some name within the prefix's bounds."""
    prefix = name_prefix(query)
    assert prefix is not None
    low, high = prefix_bounds(prefix)
    return any(low <= n < high for n in names)


def test_a_name_prefix_matches_any_word_and_the_full_name() -> None:
    names = search_fields(customer(first_name="Léna", last_name="Müller-Lüdenscheidt"))["names"]
    for query in ("MÜL", "lud", "lena mu", "muller-lu", "Müller-Lüdenscheidt"):
        assert _found_by(query, names), query
    for query in ("ena", "mum", "lenb", "müller-lüdenscheidtx"):
        assert not _found_by(query, names), query
    assert name_prefix("   ") is None


def test_the_bounds_of_a_prefix_hold_exactly_the_strings_that_start_with_it() -> None:
    words = ["mul", "mula", "mulz", "mul~", "mum", "mu", "mukz", "mul ", "mulzzz"]
    low, high = prefix_bounds("mul")
    assert sorted(w for w in words if low <= w < high) == sorted(
        w for w in words if w.startswith("mul")
    )


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
