"""Hidden suite: lesson9b.tokenize."""

import re

from grader.testing import expect

_TOKEN = re.compile(r"\w+|[^\w\s]")


def _ref_tokens(text, lower=True):
    return _TOKEN.findall(text.lower() if lower else text)


def _expect_text(got, expected, what):
    expect(isinstance(got, str), f"{what} should return a str, got {type(got).__name__}", kind="wrong_type")
    if got != expected:
        first = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
        expect(
            False,
            f"{what}: expected {expected[:60]!r}, got {got[:60]!r} (first difference at character {first}; "
            f"lengths {len(expected)} and {len(got)})",
        )


def _expect_tokens(got, expected, what):
    ok = isinstance(got, list) and all(isinstance(t, str) for t in got)
    expect(ok, f"{what} should return a list of str, got {type(got).__name__}", kind="wrong_type")
    expect(got == expected, f"{what}: expected {expected}, got {got}")


# ---------------------------------------------------------------- read_text


def test_read_utf8(learner):
    """UTF-8 text with accents, other scripts and symbols decodes as UTF-8"""
    text = "naïve café, Zürich – 東京 costs 5€ ✓"
    _expect_text(learner.read_text(text.encode("utf-8")), text, "read_text(UTF-8 bytes)")


def test_read_utf8_other_script(learner):
    """UTF-8 text in a non-Latin script decodes as UTF-8"""
    text = "日本語のレビュー：とても良い映画でした。"
    _expect_text(learner.read_text(text.encode("utf-8")), text, "read_text(UTF-8 bytes of Japanese text)")


def test_read_plain_ascii(learner):
    """plain ASCII bytes decode to the same text"""
    text = "A plain review.\nIt was fine: 7/10!"
    _expect_text(learner.read_text(text.encode("ascii")), text, "read_text(ASCII bytes)")


def test_read_latin1_fallback(learner):
    """bytes of an old latin-1 file (invalid as UTF-8) decode as latin-1, every character kept"""
    text = "Café crème, señor! Très bien: 10° à l'été."
    _expect_text(learner.read_text(text.encode("latin-1")), text, "read_text(latin-1 bytes)")


def test_read_high_latin1_bytes(learner):
    """bytes 0x80 to 0x9F (invalid as UTF-8) decode to U+0080..U+009F, as latin-1 defines them"""
    raw = b"cost \x80 5, \x93quoted\x94 \x9f"
    _expect_text(learner.read_text(raw), raw.decode("latin-1"), "read_text(b'cost \\x80 5, \\x93quoted\\x94 \\x9f')")


def test_read_every_byte(learner):
    """all 256 byte values decode (as latin-1), each to the character with the same code point"""
    raw = bytes(range(256))
    _expect_text(learner.read_text(raw), "".join(map(chr, range(256))), "read_text(bytes(range(256)))")


def test_read_empty(learner):
    """empty bytes give the empty string"""
    _expect_text(learner.read_text(b""), "", "read_text(b'')")


# ---------------------------------------------------------------- tokenize


def test_words_and_punctuation(learner):
    """words and punctuation become separate tokens, lower-cased"""
    text = "well, hello world?! it's 2024."
    _expect_tokens(learner.tokenize(text), _ref_tokens(text), f"tokenize({text!r})")


def test_punctuation_one_char_each(learner):
    """each punctuation character is its own token ("!!!" is three tokens)"""
    text = "wow!!! ...really?? <br />ok"
    _expect_tokens(learner.tokenize(text), _ref_tokens(text), f"tokenize({text!r})")


def test_keeps_case_when_asked(learner):
    """lower=False keeps the original casing"""
    text = "The Movie was GREAT, said Ann."
    _expect_tokens(
        learner.tokenize(text, lower=False), _ref_tokens(text, lower=False), f"tokenize({text!r}, lower=False)"
    )


def test_lowercases_by_default(learner):
    """lower-cases by default"""
    text = "BEST Film EVER"
    _expect_tokens(learner.tokenize(text), _ref_tokens(text), f"tokenize({text!r})")


def test_lowercases_other_letters(learner):
    """lower-casing covers accented and non-Latin capitals too"""
    text = "ÜBER Café ΕΛΛΗΝΙΚΆ"
    _expect_tokens(learner.tokenize(text), _ref_tokens(text), f"tokenize({text!r})")


def test_unicode_words(learner):
    """accented letters, digits and underscores are word characters"""
    text = "Über naïve café_au_lait x2 Ελληνικά 3.5"
    got = learner.tokenize(text, lower=False)
    _expect_tokens(got, _ref_tokens(text, lower=False), f"tokenize({text!r}, lower=False)")


def test_whitespace(learner):
    """tabs, newlines and repeated spaces only separate tokens"""
    text = "  one\ttwo\n\nthree   four  "
    _expect_tokens(learner.tokenize(text), _ref_tokens(text), "tokenize of text with tabs and newlines")


def test_empty(learner):
    """an empty or all-whitespace text has no tokens"""
    _expect_tokens(learner.tokenize(""), [], "tokenize('')")
    _expect_tokens(learner.tokenize(" \n\t "), [], "tokenize(' \\n\\t ')")
