"""Words for harm that a caption may use only where a tag shows it.

A small model fills gaps with drama: given the tags sheep and grass,
SmolLM2 wrote "A sheep is being slaughtered." Such words are rarely
vocabulary labels, so the label check cannot catch them. Each group below
holds the forms of one word; text that uses a form is unsupported unless a
tag of the scene contains a form of the same group (a "kitchen knife" tag
allows "knives", an "explosion" tag allows "exploded"). A moderation flag
never allows one: flags reach the model as warnings only, and a flagged
category is named as such by :func:`vidclip.caption.template.flag_sentence`.

Groups are filed under the default policy's categories and cover their
names, so "violence" or "self-harm" in a caption needs a tag too. The list
is short and literal on purpose -- words whose harmless senses are rare in
scene captions -- because each false rejection costs a retry and, at worst,
the template caption. Deliberately absent: "shot" (a camera shot), "kick"
(football), "beat" (eggs), "breast" (chicken), "smoking" (a barbecue).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

#: category -> groups; a group is the space-separated forms of one word, and a
#: hyphen in a form matches a hyphen or spaces in text ("self-harm", "self harm").
SENSITIVE: dict[str, tuple[str, ...]] = {
    "violence": (
        "violence violent violently",
        "kill kills killed killing killer killers",
        "murder murders murdered murdering murderer murderers",
        "slaughter slaughters slaughtered slaughtering",
        "massacre massacres massacred",
        "attack attacks attacked attacking attacker attackers",
        "assault assaults assaulted assaulting",
        "stab stabs stabbed stabbing",
        "torture tortures tortured torturing",
        "behead beheads beheaded beheading",
        "strangle strangles strangled strangling",
        "fight fights fighting fought brawl brawls brawling",
        "blood bloody bloodied",
        "bleed bleeds bleeding bled",
        "gore gory",
        "wound wounds wounded",
        "injure injures injured injury injuries",
        "corpse corpses dead death dying",
        "gunfire gunshot gunshots",
        "explode explodes exploded exploding explosion explosions",
    ),
    "sexual_content": (
        "sex sexual sexually sexy",
        "naked nakedness nude nudes nudity topless",
        "undress undresses undressed undressing",
        "erotic porn porno pornographic pornography",
        "genitals",
    ),
    "weapons": (
        "weapon weapons",
        "gun guns handgun handguns rifle rifles pistol pistols firearm firearms",
        "bullet bullets ammunition",
        "grenade grenades bomb bombs bombing",
        "knife knives machete machetes sword swords",
    ),
    "drugs": (
        "drug drugs",
        "cocaine heroin meth methamphetamine",
        "overdose overdoses overdosed",
    ),
    "self_harm": (
        "self-harm self-harming self-injury",
        "suicide suicides suicidal",
    ),
    "hate_symbols": (
        "hate-symbol hate-symbols",
        "swastika swastikas nazi nazis",
    ),
    "alcohol": ("alcohol alcoholic drunk drunken",),
    "tobacco": ("tobacco cigarette cigarettes cigar cigars",),
}

#: Tags that also support a group: people fight in these sports.
_ALSO_SHOWN_BY: dict[str, tuple[str, ...]] = {
    "fight": ("boxing", "wrestling", "martial arts", "fencing"),
}


@dataclass(frozen=True)
class SensitiveWord:
    #: As written in the text, lower case.
    word: str
    category: str


@lru_cache(maxsize=1)
def _groups() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """(category, first form, regex) for every group."""
    out = []
    for category, groups in SENSITIVE.items():
        for group in groups:
            forms = sorted(group.split(), key=len, reverse=True)
            body = "|".join(r"[\s-]+".join(map(re.escape, f.split("-"))) for f in forms)
            out.append((category, group.split()[0],
                        re.compile(r"(?<![\w])(?:" + body + r")(?![\w])", re.IGNORECASE)))
    return tuple(out)


def unsupported_words(text: str, evidence: Iterable[str]) -> list[SensitiveWord]:
    """Words for harm in ``text`` that no ``evidence`` label supports, in text order."""
    labels = [label.lower() for label in evidence]
    found: list[tuple[int, SensitiveWord]] = []
    for category, head, pattern in _groups():
        hits = list(pattern.finditer(text))
        if not hits or _shown(head, pattern, labels):
            continue
        found.extend((m.start(), SensitiveWord(m.group(0).lower(), category)) for m in hits)
    words: list[SensitiveWord] = []
    for _, word in sorted(found, key=lambda item: item[0]):
        if word not in words:
            words.append(word)
    return words


def _shown(head: str, pattern: re.Pattern[str], labels: list[str]) -> bool:
    also = _ALSO_SHOWN_BY.get(head, ())
    return any(pattern.search(label) or any(a in label for a in also) for label in labels)
