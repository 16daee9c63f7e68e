"""The calibration report as a pure function of reviewers' decisions."""

from __future__ import annotations

from vidclip.jobs.calibration_report import bands, category_report, report, suggest
from vidclip.jobs.review_states import Decision
from vidclip.jobs.reviews import Decided

C, D = Decision.CONFIRMED, Decision.DISMISSED


def decided(*pairs) -> list[Decided]:
    return [Decided("weapons", score, decision) for score, decision in pairs]


def test_precision_and_recall_at_the_current_threshold():
    items = decided((0.95, C), (0.85, C), (0.75, D), (0.65, C), (0.62, D), (0.55, C))
    entry = category_report("weapons", items, 0.6, target=0.9)
    assert (entry.confirmed, entry.dismissed) == (4, 2)
    # 5 reviewed at or above 0.6, 3 of them confirmed; 4 confirmed in all.
    assert (entry.current.precision, entry.current.recall, entry.current.support) == (0.6, 0.75, 5)


def test_the_suggestion_is_the_lowest_threshold_reaching_the_target():
    items = decided((0.95, C), (0.85, C), (0.75, D), (0.65, C), (0.62, D))
    at = suggest(items, 0.9)
    # 0.85 is the lowest score with precision 1.0; halfway to 0.75 below it.
    assert at.threshold == 0.8 and at.precision == 1.0 and at.recall == round(2 / 3, 4)
    # 3 of 5 confirmed from the lowest score up, and nothing reviewed below it:
    # how much lower it could go is unknown, so a lower current threshold stays.
    assert suggest(items, 0.6).threshold == 0.62
    assert suggest(items, 0.6, current=0.5).threshold == 0.5
    assert suggest(items, 0.6, current=0.7).threshold == 0.62


def test_no_suggestion_when_every_flag_was_dismissed():
    entry = category_report("weapons", decided((0.9, D), (0.7, D)), 0.6, target=0.9)
    assert entry.suggested is None and "no threshold reaches 90% precision" in entry.note


def test_score_bands_count_each_decision_once():
    counts = bands(decided((0.95, C), (1.0, D), (0.05, C), (0.51, D), (0.7, C)))
    assert [(b.low, b.confirmed, b.dismissed) for b in counts if b.confirmed or b.dismissed] == [
        (0.0, 1, 0), (0.5, 0, 1), (0.7, 1, 0), (0.9, 1, 1)]


def test_every_policy_category_is_reported_even_without_decisions():
    entries = report(decided((0.9, C)), {"weapons": 0.6, "drugs": 0.65}, target=0.9)
    assert [e.category for e in entries] == ["weapons", "drugs"]
    assert entries[1].note == "no reviewed items yet." and entries[1].current.precision is None
