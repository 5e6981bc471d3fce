"""From raw bytes to tokens: the first two steps of every text pipeline.

A text file is a sequence of bytes. Before a model can see it, the bytes are decoded into
characters (which needs the file's encoding), and the characters are split into tokens.
Build:

- ``read_text``: decode bytes as UTF-8, falling back to latin-1 for files (often older
  datasets) that are not valid UTF-8;
- ``tokenize``: lower-case a string (optionally) and split it into word tokens and single
  punctuation tokens.

Plain Python is enough here (``bytes.decode``, ``str.lower``, the ``re`` module); no torch is
needed and nothing is off limits.
"""


def read_text(raw: bytes) -> str:
    """Decode the bytes of a text file.

    Try UTF-8 first, strictly. If the bytes are not valid UTF-8 (``bytes.decode`` raises
    ``UnicodeDecodeError``), decode them as latin-1 instead. latin-1 maps each byte value
    ``b`` (0..255) to the character with code point ``b``, so it accepts any byte sequence.

    Never drop or replace characters (no ``errors="ignore"`` or ``errors="replace"``): every
    byte of the input must end up in the result.

    Args:
        raw: the file's bytes (possibly empty).

    Returns:
        The decoded text: ``raw.decode("utf-8")`` when that succeeds, else the latin-1 decoding.
    """
    # TODO: decode as UTF-8; on UnicodeDecodeError, decode as latin-1.
    raise NotImplementedError("TODO: read_text")


def tokenize(text: str, lower: bool = True) -> list[str]:
    """Split text into tokens.

    If ``lower`` is true, lower-case the whole text first (``str.lower``). Then a token is
    either

    - a maximal run of word characters: letters of any script, digits and the underscore
      (a character ``c`` with ``c.isalnum() or c == "_"``, which is exactly what ``\\w``
      matches in Python's ``re``), or
    - a single character that is neither a word character nor whitespace (punctuation and
      symbols: ``"!!!"`` is three tokens).

    Whitespace separates tokens and never appears in one. Tokens keep their order.

    Examples:
        ``tokenize("Hello, world!")`` is ``["hello", ",", "world", "!"]``;
        ``tokenize("It's 2 AM", lower=False)`` is ``["It", "'", "s", "2", "AM"]``.

    Args:
        text: any string (possibly empty).
        lower: lower-case before splitting.

    Returns:
        The list of tokens (empty for a text without tokens).
    """
    # TODO: lower-case if asked, then find every word run and every single punctuation character.
    raise NotImplementedError("TODO: tokenize")
