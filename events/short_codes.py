"""The table card's short address, `/g/<code>`: a code that is quick to read aloud and type.

Crockford's base32 (no I, L, O or U): nothing to confuse with 1 or 0, and case does not matter.
Ten characters are 50 random bits; README "Table card" works out why, rate-limited, that is no weaker
than the 256-bit key it leads to.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
# What a reader may type for what the card shows: lowercase, a dash between the groups, O for 0, I or L for 1.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None})


def new_short_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalised(typed: str) -> str | None:
    """The stored form of a code as someone typed it, or None when it cannot be one (checked before
    any lookup, so a huge or foreign string costs nothing)."""
    if len(typed) > LENGTH + 2:
        return None
    code = typed.upper().translate(_READ_AS)
    return code if len(code) == LENGTH and all(c in ALPHABET for c in code) else None


def grouped(code: str) -> str:
    """As printed: two groups of five, easier to read aloud."""
    half = LENGTH // 2
    return f"{code[:half]}-{code[half:]}"
