"""Moderation that reads: the default policy's lexicons and the profanity classifier
on labelled sentences, and what reading costs.

    python benchmarks/text_moderation.py            # the table
    python benchmarks/text_moderation.py --json out/text_moderation.json

The sentences (``benchmarks/data/moderation_sentences.tsv``, written for
this benchmark: ``label<TAB>sentence``) are harmless ones, harmless ones
with look-alike words (Scunthorpe, "kill the lights", "shoot a film",
"assassin"), and profanity, threats, self-harm and harassment. Printed:

1. per category and rule, sentences flagged / missed / flagged wrongly;
2. the classifier's score on each label (median, and the share at or above
   each threshold): how it separates profanity from harmless text, and
   that it does not find threats;
3. the classifier's load time, and sentences per second with the lexicons
   alone (baseline) and with the classifier too, measured in the same run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict

import _common
import numpy as np

sys.path.insert(0, str(_common.REPO))

DATA = _common.BENCH_DIR / "data" / "moderation_sentences.tsv"
#: Which category each label should be flagged in (harmless: none).
EXPECTED = {"harmless": None, "lookalike": None, "profanity": "profanity",
            "threat": "threats", "self_harm": "self_harm", "harassment": "hate_and_harassment"}
THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95)


def sentences() -> list[tuple[str, str]]:
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split("\t", 1)
            rows.append((label, text))
    return rows


def units_of(rows):
    from vidclip.text_moderation.units import Piece, TextUnit

    return [TextUnit("speech", text, (Piece(0, len(text), float(i), i + 1.0),))
            for i, (_, text) in enumerate(rows)]


def flags(moderator, units) -> dict[int, set[tuple[str, str]]]:
    """Sentence -> (category, rule) each rule flags on its own (the moderator does not
    flag a sentence by classifier where the lexicon matched; here both count)."""
    threshold = {r.category.name: r.text_threshold for r in moderator.rules}
    out: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for v in moderator.score(units):
        if v.flagged or (v.rule == "classifier" and v.score >= threshold[v.category]):
            out[int(v.start_s)].add((v.category, v.rule))
    return out


def wrong_flags(rows, found) -> list[str]:
    return [f"{label}: {text!r} -> {', '.join(sorted(f'{c} ({r})' for c, r in found[i]))}"
            for i, (label, text) in enumerate(rows)
            if found.get(i) and all(c != EXPECTED[label] for c, _ in found[i])]


def rule_table(rows, found) -> list[list]:
    table = []
    for label, category in EXPECTED.items():
        for rule in ("lexicon", "classifier"):
            mine = [i for i, (lab, _) in enumerate(rows) if lab == label]
            if category is None:
                wrong = sum(any(r == rule for _, r in found.get(i, ())) for i in mine)
                table.append([label, "-", rule, len(mine), "-", "-", wrong])
                continue
            hit = sum((category, rule) in found.get(i, ()) for i in mine)
            others = [i for i, (lab, _) in enumerate(rows) if lab != label]
            wrong = sum((category, rule) in found.get(i, ()) for i in others)
            table.append([label, category, rule, len(mine), hit, len(mine) - hit, wrong])
    return table


def classifier_table(rows, scores) -> list[list]:
    table = []
    for label in EXPECTED:
        mine = np.array([s for (lab, _), s in zip(rows, scores, strict=True) if lab == label])
        table.append([label, len(mine), round(float(np.median(mine)), 3),
                      *[round(float((mine >= t).mean()), 2) for t in THRESHOLDS]])
    return table


def speed(moderator, units, repeat: int = 20) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        moderator.score(units)
    return repeat * len(units) / (time.perf_counter() - started)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json")
    args = ap.parse_args()
    from dataclasses import replace

    from vidclip.moderate import Policy, load_policy
    from vidclip.text_moderation.classifier import classifier
    from vidclip.text_moderation.moderator import WordModerator

    rows = sentences()
    units = units_of(rows)
    policy = load_policy("default")
    started = time.perf_counter()
    profanity = classifier("profanity")
    profanity.load()
    load_s = time.perf_counter() - started
    full = WordModerator(policy)
    lexicons_only = WordModerator(Policy(policy.name, policy.version, tuple(
        replace(c, classifier=None) for c in policy.categories)))
    found = flags(full, units)
    headers = ["sentences", "category", "rule", "n", "flagged", "missed", "flagged wrongly"]
    print(_common.table(headers, rule_table(rows, found)))
    print("\nflagged in another category than its label's:")
    print("\n".join(f"  {line}" for line in wrong_flags(rows, found)) or "  none")
    scores = profanity.scores([t for _, t in rows])
    print("\nprofanity classifier score by label (share at or above each threshold)")
    print(_common.table(["label", "n", "median", *[f">={t}" for t in THRESHOLDS]],
                        classifier_table(rows, scores)))
    base = speed(lexicons_only, units)
    both = speed(full, units)
    print(f"\nclassifier load {load_s:.2f} s; sentences/s: lexicons {base:,.0f}, "
          f"lexicons + classifier {both:,.0f} ({both / base:.2f}x)")
    _common.save_json(args.json, {"rules": rule_table(rows, found),
                                  "classifier": classifier_table(rows, scores),
                                  "load_s": round(load_s, 3), "lexicon_per_s": round(base),
                                  "with_classifier_per_s": round(both)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
