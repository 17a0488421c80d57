"""How deep a JSON document nests, found without parsing it.

Python's `json` parses nested arrays and objects by recursion, so a document nested a few
thousand levels deep ends in a RecursionError; a caller that takes JSON from outside checks the
nesting first (`shared.http_limits` for request bodies, ingest for each line of an import).
"""

from __future__ import annotations

import re

# Escapes (`\"`, `\\`) can only stand inside strings; without them, a string is quote to quote.
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_STRING = re.compile(rb'"[^"]*"')
# Only the brackets are kept, objects' as arrays': both count the same towards nesting.
_AS_ARRAYS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))


def nested_deeper_than(document: bytes, limit: int) -> bool:
    """True when the JSON `document` opens more than `limit` arrays or objects inside each
    other (brackets inside strings do not count).

    Every step runs in C (regular expressions, `bytes.replace`), so a body of 2 MiB is judged in
    milliseconds: strings are dropped, then each pass removes the innermost pairs, one level per
    pass, until nothing is left (as deep as the passes) or nothing closes any more (malformed:
    what is still open counts, because a recursive parser would descend into it)."""
    structure = _STRING.sub(b"", _ESCAPE.sub(b"", document))
    brackets = structure.translate(_AS_ARRAYS, _NOT_BRACKETS)
    levels = 0
    while brackets:
        inner_removed = brackets.replace(b"[]", b"")
        if inner_removed == brackets:
            return levels + brackets.count(b"[") > limit
        levels += 1
        if levels > limit:
            return True
        brackets = inner_removed
    return False
