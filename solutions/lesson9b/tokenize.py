"""From raw bytes to tokens: decode with a fallback encoding, then split into words and punctuation (reference solution)."""

import re

# A token is a run of word characters or one character that is neither a word character nor
# whitespace. In Python 3 ``\w`` is Unicode-aware: accented letters, other scripts and digits count.
_TOKEN = re.compile(r"\w+|[^\w\s]")


def read_text(raw: bytes) -> str:
    """Decode ``raw`` as UTF-8, or as latin-1 when it is not valid UTF-8."""
    try:
        # UTF-8 is strict: text saved in another encoding almost never passes its checks by
        # accident, so a successful decode means the file really was UTF-8.
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # latin-1 maps byte b to the character with code point b, for all 256 values, so it
        # decodes any byte sequence and loses nothing; old datasets are often in it (or close).
        return raw.decode("latin-1")


def tokenize(text: str, lower: bool = True) -> list[str]:
    """Split ``text`` into word tokens and single punctuation tokens, lower-casing first if asked."""
    if lower:
        # "The" and "the" should share one vocabulary entry; casing is rarely worth its cost.
        text = text.lower()
    return _TOKEN.findall(text)
