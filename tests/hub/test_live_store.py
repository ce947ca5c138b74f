"""The live tables in the course store: newest answer wins, every change numbered, controls kept."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from opsvalue_lab.hub.live_store import LiveStore
from opsvalue_lab.hub.live_view import Feed, index_groups
from opsvalue_lab.instructor.course import Course

USERS = st.sampled_from(["alice", "bob", "carol"])
STAMPS = st.integers(0, 20).map(lambda s: f"2026-11-30T03:00:{s:02d}.000000+00:00")
TEXTS = st.text(max_size=20)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(USERS, STAMPS, TEXTS), max_size=25))
def test_the_newest_saved_answer_wins_whatever_the_arrival_order(tmp_path_factory, puts):
    course = Course(tmp_path_factory.mktemp("c"))
    store = LiveStore(course)
    expected: dict[str, tuple[str, str]] = {}
    last_seq = 0
    for user, stamp, text in puts:
        seq = store.put(user, "work-1", text, stamp)
        old = expected.get(user)
        if old is None or (stamp >= old[0] and text != old[1]):
            expected[user] = (stamp, text)
            assert seq is not None and seq > last_seq
            last_seq = seq
        else:
            assert seq is None  # an older save or the same text changes nothing
    assert store.values("work-1") == {u: t for u, (_s, t) in expected.items()}
    assert store.seq == last_seq
    store.close()
    course.close()


def test_rows_since_return_only_later_changes_and_controls_are_kept(tmp_path: Path):
    course = Course(tmp_path)
    store = LiveStore(course)
    a = store.put("alice", "work-1", "A1", "2026-11-30T03:00:00+00:00")
    b = store.put("bob", "work-1", "B1", "2026-11-30T03:00:01+00:00")
    store.put("alice", "work-2", "A2", "2026-11-30T03:00:02+00:00")
    assert a is not None and b is not None
    assert [r.user for r in store.rows(["work-1"], since=a)] == ["bob"]
    assert (store.hide("work-1", "alice") or 0) > b
    assert store.hide("work-1", "nobody") is None
    store.pin("work-1", "bob")
    store.close()
    course.close()
    # a new process (the service restarted) reads the same course store
    course2 = Course(tmp_path)
    store2 = LiveStore(course2)
    rows = {r.user: r for r in store2.rows(["work-1"])}
    assert rows["alice"].hidden and rows["alice"].value == "A1"   # hidden, not deleted
    assert store2.pinned("work-1") == "bob"
    assert store2.seq >= 4 and (store2.put("carol", "work-1", "C", "2026-11-30T03:00:03+00:00") or 0) > b
    course2.close()
    with sqlite3.connect(tmp_path / "course.sqlite3") as db:  # the same file as collect's store
        assert {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")} >= {
            "live_answers", "live_pins", "submissions", "answers"}


def test_cards_are_anonymous_keys_with_fields_and_pairs(tmp_path: Path):
    course = Course(tmp_path)
    store = LiveStore(course)
    store.put("alice", "review-1", {"purpose": "目的です", "action": ""}, "2026-11-30T03:00:00+00:00")
    store.put("bob", "post-1", "after text", "2026-11-30T03:00:01+00:00")
    store.put("bob", "pre-1", "before text", "2026-11-30T03:00:02+00:00")
    cat = course.catalogue
    snap = Feed(store, cat, "review-1").snapshot("ja")
    (card,) = snap["cards"]
    assert "name" not in card and "alice" not in repr(card)
    assert card["lines"] == [{"label": cat.assignment("review-1").fields[0].label("ja"), "text": "目的です"}]
    named = Feed(store, cat, "review-1").snapshot("en", names=True)["cards"][0]
    assert named["name"] == "alice"
    pair = Feed(store, cat, "post-1").snapshot("en")["cards"][0]
    assert pair["pre"] == [{"label": "", "text": "before text"}]
    assert pair["post"] == [{"label": "", "text": "after text"}]
    groups = index_groups(store, cat, "en")
    assert groups[0]["timing"] == "in_class" and [i["id"] for i in groups[0]["items"]][:1] == ["work-1"]
    assert {i["id"]: i["answered"] for g in groups for i in g["items"]}["post-1"] == 1
    course.close()
