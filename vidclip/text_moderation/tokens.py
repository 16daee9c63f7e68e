"""Words of a text as the lexicon compares them: normalised, with where they stood.

A lexicon entry and the text it is matched against go through the same
:func:`tokens`, so "I'll", "I will" and "I\u2019LL" are one sequence of words
("i", "will") and a match found in the words maps back to the characters
(and so the times) it came from.

- Markup tags (``<i>``, ``</b>``) are blanked out first.
- Words are runs of letters and digits (``\\w`` in Unicode), with inner
  apostrophes; everything else separates them, so a word is never found
  inside another ("Scunthorpe" holds no shorter word) and punctuation,
  markup and hyphens only separate.
- Each word is folded: compatibility forms (full-width letters, ligatures)
  to plain ones (NFKC), accents dropped, case folded.
- Contractions are split into their words ("can't" -> "can not", "you're" ->
  "you are"); a possessive or "is" ``'s`` is dropped ("he's" -> "he").
- A word followed by ``.``, ``!`` or ``?`` ends a sentence: a phrase is
  never matched across the end of one ("... kill. You ...").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Markup a caption or subtitle may carry (``<i>``, ``</b>``, ``<v Anna>``): not words.
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,60}>")
_WORD = re.compile(r"\w+(?:['\u2019\u02bc]\w+)*")
_SENTENCE_END = re.compile(r"\s*[.!?]")
_WHOLE_NOT = {"can't": ("can", "not"), "won't": ("will", "not"), "shan't": ("shall", "not"),
              "ain't": ("is", "not")}
_SUFFIXES = (("n't", "not"), ("'ll", "will"), ("'re", "are"), ("'ve", "have"), ("'m", "am"),
             ("'d", "would"), ("'s", ""))


@dataclass(frozen=True)
class Token:
    """One normalised word and the characters ``[start, end)`` of the text it came from."""

    word: str
    start: int
    end: int
    #: The text's sentence ends after this word.
    ends_sentence: bool = False


def fold(word: str) -> str:
    """Compatibility forms to plain letters, accents dropped, case folded."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", word))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.casefold().replace("\u2019", "'").replace("\u02bc", "'")


def split_contraction(word: str) -> tuple[str, ...]:
    """``you're`` -> ``("you", "are")``; other inner apostrophes are dropped (``o'clock``)."""
    if "'" not in word:
        return (word,)
    if word in _WHOLE_NOT:
        return _WHOLE_NOT[word]
    for suffix, full in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            head = word[: -len(suffix)].replace("'", "")
            return (head, full) if full else (head,)
    return (word.replace("'", ""),)


def tokens(text: str) -> list[Token]:
    """The words of ``text`` in order (see the module docstring)."""
    out: list[Token] = []
    text = _TAG.sub(lambda m: " " * len(m.group()), text)  # same length: spans stay true
    for match in _WORD.finditer(text):
        ends = bool(_SENTENCE_END.match(text, match.end()))
        parts = [p for p in split_contraction(fold(match.group())) if p]
        for i, part in enumerate(parts):
            out.append(Token(part, match.start(), match.end(),
                             ends_sentence=ends and i == len(parts) - 1))
    return out
