"""The review app's state in the job store, on SQLite and PostgreSQL: the
moderation queue and its event log, text revisions, policy versions and
browser sessions."""

from __future__ import annotations

import threading

import pytest

from vidclip.jobs.policies import PolicyConflict, pin_policy
from vidclip.jobs.principal import Principal, Role
from vidclip.jobs.review_states import Action, Decision, State
from vidclip.jobs.reviews import ReviewGone
from vidclip.jobs.revisions import RevisionConflict, clean_text
from vidclip.jobs.status import JobStatus
from vidclip.jobs.store import NewJob
from vidclip.schema import Moderation, ModerationCategory, ModerationSegment

pytestmark = pytest.mark.service


def moderation(**scores: float) -> Moderation:
    """Categories with these peak scores against a threshold of 0.6."""
    cats = [ModerationCategory(category=name, score=score, threshold=0.6, flagged=score >= 0.6,
                               segments=[ModerationSegment(start_s=1.0, end_s=2.0, score=score)]
                               if score >= 0.6 else [])
            for name, score in scores.items()]
    return Moderation(flagged=any(c.flagged for c in cats), policy="default",
                      policy_version="1", categories=cats)


def finished_job(store, tenant: str = "acme") -> str:
    job, _ = store.create(NewJob(options={"formats": ["json"]}, source_kind="url",
                                 source_value="https://example.org/a.mp4", tenant=tenant))
    assert store.finish(job.id, JobStatus.SUCCEEDED, worker=None, result_json="{}")
    return job.id


def test_a_flagged_job_enters_the_queue_once_with_its_near_misses(store):
    job = finished_job(store)
    first = store.reviews.open_for_job(job, "acme", moderation(weapons=0.8, drugs=0.55,
                                                               violence=0.2))
    assert store.reviews.open_for_job(job, "acme", moderation(weapons=0.8)) == first
    item = store.reviews.get(first, "acme")
    assert item.state is State.OPEN and item.top_score == 0.8
    assert item.preview_scene is None  # no scenes given
    assert [(c.category, c.flagged) for c in item.categories] == [("weapons", True),
                                                                  ("drugs", False)]
    assert store.reviews.open_for_job(finished_job(store), "acme", moderation(drugs=0.3)) is None


def test_queue_order_filters_paging_and_tenants(store):
    ids = {}
    for score in (0.7, 0.9, 0.8):
        ids[score] = store.reviews.open_for_job(finished_job(store), "acme",
                                                moderation(weapons=score, drugs=0.65))
    other = store.reviews.open_for_job(finished_job(store, "other"), "other",
                                       moderation(weapons=0.99))
    page, cursor = store.reviews.queue("acme", limit=2)
    assert [i.id for i in page] == [ids[0.9], ids[0.8]] and cursor
    rest, end = store.reviews.queue("acme", limit=2, cursor=cursor)
    assert [i.id for i in rest] == [ids[0.7]] and end is None
    assert store.reviews.get(other, "acme") is None
    assert len(store.reviews.queue("acme", category="drugs")[0]) == 3
    assert store.reviews.queue("acme", category="violence")[0] == []
    store.reviews.act(ids[0.9], "acme", actor="ana", action=Action.ESCALATE, category="drugs")
    assert [i.id for i in store.reviews.queue("acme", state="escalated")[0]] == [ids[0.9]]


def test_decisions_close_the_item_and_every_event_is_kept(store):
    item = store.reviews.open_for_job(finished_job(store), "acme",
                                      moderation(weapons=0.8, drugs=0.7, violence=0.55))
    after, seq = store.reviews.act(item, "acme", actor="ana", action=Action.CONFIRM,
                                   category="weapons", note="a rifle at 0:01")
    assert after.state is State.OPEN and seq == 1
    after, _ = store.reviews.act(item, "acme", actor="rui", action=Action.DISMISS,
                                 category="drugs")
    assert after.state is State.CLOSED  # the near miss (violence) is not waited for
    after, _ = store.reviews.act(item, "acme", actor="rui", action=Action.REOPEN)
    assert after.state is State.OPEN
    assert {c.decision for c in after.categories} == {Decision.PENDING}
    log = [(e.seq, e.actor, e.action, e.category, e.state_before, e.state_after)
           for e in after.events]
    assert log == [(1, "ana", "confirm", "weapons", "open", "open"),
                   (2, "rui", "dismiss", "drugs", "open", "closed"),
                   (3, "rui", "reopen", None, "closed", "open")]
    assert after.events[0].note == "a rifle at 0:01"
    with pytest.raises(ValueError, match="no category 'guns'"):
        store.reviews.act(item, "acme", actor="ana", action=Action.CONFIRM, category="guns")


def test_two_reviewers_at_once_both_events_kept_state_follows_the_later(store):
    item = store.reviews.open_for_job(finished_job(store), "acme", moderation(weapons=0.8))
    barrier = threading.Barrier(2)
    errors = []

    def decide(actor, action):
        barrier.wait()
        try:
            store.reviews.act(item, "acme", actor=actor, action=action, category="weapons")
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=decide, args=("ana", Action.CONFIRM)),
               threading.Thread(target=decide, args=("rui", Action.DISMISS))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    view = store.reviews.get(item, "acme")
    assert [e.seq for e in view.events] == [1, 2] and view.version == 2
    later = view.events[-1]
    assert view.categories[0].decision.value == later.decision_after
    assert later.decision_before == view.events[0].decision_after  # nothing lost in between


def test_a_purged_job_takes_no_decisions(store):
    job = finished_job(store)
    item = store.reviews.open_for_job(job, "acme", moderation(weapons=0.8))
    store.clear_results(job)
    with pytest.raises(ReviewGone, match="purged"):
        store.reviews.act(item, "acme", actor="ana", action=Action.CONFIRM, category="weapons")
    assert store.reviews.queue("acme")[0] == []


def test_revisions_refuse_an_edit_of_an_old_text(store):
    job = finished_job(store)
    first = store.revisions.add(job, "caption", 0, base=0, before="A cat.", after="A tabby cat.",
                                author="ana")
    assert first.seq == 1 and first.changed
    with pytest.raises(RevisionConflict, match="changed by someone else") as caught:
        store.revisions.add(job, "caption", 0, base=0, before="A cat.", after="A dog.",
                            author="rui")
    assert caught.value.current.after == "A tabby cat."
    store.revisions.add(job, "summary", None, base=0, before="x", after="y", author="rui")
    assert [(r.field, r.scene, r.seq) for r in store.revisions.list(job)] == [
        ("caption", 0, 1), ("summary", None, 1)]


@pytest.mark.parametrize("text, message", [
    ("   ", "empty"), ("x" * 10_000, "10,000 characters"), ("a\x00b", "control characters")])
def test_bad_edits_are_refused_with_a_reason(text, message):
    with pytest.raises(ValueError, match=message):
        clean_text(text)


def test_markup_is_kept_as_typed_and_whitespace_folded():
    assert clean_text("  <b>A</b>\n\n cat ") == "<b>A</b> cat"


def test_policy_versions_start_from_the_bundled_file(store):
    first = store.policies.latest("acme", "default")
    assert first.version == 1 and first.author == "vidclip"
    second = store.policies.write("acme", "default", base_version=1,
                                  thresholds={"weapons": 0.72}, author="ana", note="fewer toys")
    assert second.version == 2 and second.thresholds()["weapons"] == 0.72
    assert second.change == "weapons: threshold 0.6 -> 0.72"
    assert store.policies.latest("other", "default").version == 1  # tenants apart
    with pytest.raises(PolicyConflict, match="version 2 now"):
        store.policies.write("acme", "default", base_version=1, thresholds={"weapons": 0.7},
                             author="rui")
    with pytest.raises(ValueError, match="weapons: the threshold is 0.72 already"):
        store.policies.write("acme", "default", base_version=2, thresholds={"weapons": 0.72},
                             author="ana")
    with pytest.raises(ValueError, match="no enabled category 'alcohol'"):
        store.policies.write("acme", "default", base_version=2, thresholds={"alcohol": 0.5},
                             author="ana")
    stored = {"analysis": {"moderation": {"enabled": True, "policy": "default"}}}
    pinned = pin_policy(store.policies, "acme", stored)
    assert pinned["policy_version"] == 2
    assert pinned["analysis"]["moderation"]["document"]["version"] == 2
    assert "document" not in pin_policy(store.policies, "other", stored)["analysis"]["moderation"]


def test_sessions_are_found_by_token_and_end(store):
    ana = Principal("ana", Role.ADMIN, "acme")
    token, info = store.sessions.create(ana, key_id=None, key_hash="h" * 64, ttl_s=60)
    found = store.sessions.find(token)
    assert found.principal == ana and found.csrf == info.csrf
    assert store.sessions.find(token + "x") is None
    store.sessions.delete(token)
    assert store.sessions.find(token) is None
    old, _ = store.sessions.create(ana, key_id=None, key_hash=None, ttl_s=-1)
    assert store.sessions.find(old) is None
