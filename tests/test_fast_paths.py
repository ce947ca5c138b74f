"""The fast paths of reading a submission agree with the definitions they stand in for.

`collect` reads thousands of files, so `jsonfile.load` parses with msgspec (which refuses anything
nested too deep), proves "no repeated key" by counting colons, checks the checksum with msgspec's
canonical text, and measures depth on the parsed document where json.loads parsed it; and
`store_values.check_value` takes saved tasks without building `Task` objects. Each is checked here
against the plain definition on arbitrary input (Hypothesis), including input built to fool it.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsvalue_lab.catalogue import catalogue
from opsvalue_lab.json_parse import COMMON_DEPTH, MAX_DEPTH, fast_decoder, fast_doc, no_dupes
from opsvalue_lab.jsonfile import FileFormatError, load
from opsvalue_lab.model import Task, is_saved_task
from opsvalue_lab.store import Workbook
from opsvalue_lab.store_values import MAX_ANSWER_CHARS, MAX_TASKS, canonical, check_value, settled

FMT = "test-format"
keys = st.text(st.characters(exclude_categories=["Cs"]), max_size=6) | st.sampled_from([":", "a:b", '"', "\\"])
scalars = (st.none() | st.booleans() | st.integers(-(10**30), 10**30)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
           | st.sampled_from([":", "\\u003a", "1e+16", '":', "\u2028", "\x00", "\\"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
                      max_leaves=20)


def signed_text(body: dict[str, Any]) -> str:
    digest = hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()
    return json.dumps({**body, "sha256": digest}, ensure_ascii=False, indent=1)


def depth(v: Any) -> int:
    if isinstance(v, dict):
        return 1 + max((depth(x) for x in v.values()), default=0)
    if isinstance(v, list):
        return 1 + max((depth(x) for x in v), default=0)
    return 0


def definition(text: str) -> str:
    """What the definition says about *text*: "ok", or the kind of problem."""
    try:
        json.loads(text, object_pairs_hook=no_dupes)  # the definition
    except ValueError as e:
        return "duplicate" if "duplicate" in str(e) else "invalid"
    except RecursionError:
        return "deep"
    doc = json.loads(text)
    if depth(doc) > MAX_DEPTH:
        return "deep"
    rest = {k: v for k, v in doc.items() if k != "sha256"}
    ok = hashlib.sha256(canonical(rest).encode("utf-8", "surrogatepass")).hexdigest() == doc.get("sha256")
    return "ok" if ok else "checksum"


def loaded(text: str) -> str:
    try:
        load(text.encode("utf-8", "surrogatepass"), "f.json", FMT, (1,), FileFormatError)
    except FileFormatError as e:
        msg = str(e)
        return ("duplicate" if "duplicate key" in msg else "deep" if "nested deeper" in msg
                else "checksum" if "checksum" in msg else "invalid")
    return "ok"


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.dictionaries(keys, values, max_size=5))
def test_a_signed_document_is_read_and_its_numbers_and_strings_survive(body: dict[str, Any]) -> None:
    body = {**body, "format": FMT, "schema_version": 1}
    text = signed_text(body)
    assert loaded(text) == definition(text)
    if definition(text) == "ok":
        doc = load(text.encode("utf-8"), "f.json", FMT, (1,), FileFormatError)
        assert canonical({k: v for k, v in doc.items() if k != "sha256"}) == canonical(body)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.dictionaries(keys, values, min_size=1, max_size=5), data=st.data())
def test_a_repeated_key_is_found_even_when_colons_are_hidden_to_balance_the_count(body, data) -> None:
    """Repeat one key of some object in the text, then add colons inside strings or as \\u003a
    escapes so that a naive colon count could balance; the load must still name the duplicate."""
    body = {**body, "format": FMT, "schema_version": 1}
    text = signed_text(body)
    key = data.draw(st.sampled_from(sorted(body)))
    dup_value = data.draw(st.sampled_from(['"x"', '"\\u003a"', '":::"', "{}", '{"a:": "b"}', "1e+16"]))
    evil = text.replace("{\n", "{\n " + json.dumps(key, ensure_ascii=False) + ": " + dup_value + ",\n", 1)
    assert definition(evil) in ("duplicate", "deep")
    assert loaded(evil) == definition(evil)


@settings(max_examples=100)
@given(value=st.sampled_from(['"x"', "1", "[]", '""']))
def test_a_repeated_key_is_found_when_an_escaped_colon_balances_the_count(value: str) -> None:
    """The signed text may write a ':' inside a string as \u003a (same value, same checksum): one
    colon fewer in the text, which an added repeated key would balance in a plain count."""
    text = signed_text({"format": FMT, "schema_version": 1, "at": "12:34"})
    evil = text.replace('"12:34"', '"12\\u003a34"').replace("{\n", '{\n "format": ' + value + ",\n", 1)
    assert definition(evil) == "duplicate"
    assert loaded(evil) == "duplicate"


@pytest.mark.parametrize("number", ["1e+16", "1E16", "1e16", "0.00001", "1e-05", "123456789012345678901234567890",
                                    "-0.0", "5e-324", "1.7976931348623157e308"])
def test_numbers_written_differently_by_msgspec_still_verify(number: str) -> None:
    body = {"format": FMT, "schema_version": 1, "n": json.loads(number)}
    assert loaded(signed_text(body)) == "ok"


def test_a_number_json_cannot_carry_is_a_clear_error_not_a_crash() -> None:
    text = '{"format": "' + FMT + '", "schema_version": 1, "n": 1e400, "sha256": "' + "0" * 64 + '"}'
    with pytest.raises(FileFormatError, match="too large"):
        load(text.encode(), "f.json", FMT, (1,), FileFormatError)


@pytest.mark.parametrize("levels", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 5000])
def test_depth_is_measured_on_the_document_as_on_the_text(levels: int) -> None:
    inner: Any = 1
    for _ in range(levels):
        inner = [inner]
    raw = '{"format": "' + FMT + '", "schema_version": 1, "deep": ' + "[" * levels + "1" + "]" * levels + "}"
    text = signed_text({"format": FMT, "schema_version": 1, "deep": inner}) if levels < 900 else raw
    assert loaded(text) == ("ok" if levels + 1 <= MAX_DEPTH else "deep")


@pytest.mark.parametrize("levels", range(1, MAX_DEPTH + 2))
def test_the_fast_parse_takes_every_depth_the_definition_takes_and_no_more(levels: int) -> None:
    """Two decoders: COMMON_DEPTH first (cheap to build), MAX_DEPTH for the rare file nested deeper."""
    inner: Any = 1
    for i in range(levels - 1):
        inner = {"a": inner} if i % 2 else [inner]
    doc = {"deep": inner}
    raw = json.dumps(doc).encode()
    assert depth(doc) == levels
    assert fast_doc(raw) == (doc if levels <= MAX_DEPTH else None)
    with pytest.raises(msgspec.ValidationError) if levels > COMMON_DEPTH else contextlib.nullcontext():
        fast_decoder()(raw)  # the first decoder steps aside for depths past COMMON_DEPTH only


def test_the_deepest_submission_the_workbook_writes_takes_the_first_decoder(tmp_path: Path) -> None:
    """Tasks with availability, in the history too: the deepest a real submission nests."""
    cat = catalogue()
    before, _after = cat.self_assessment_ids
    task = {"name": "Nightly batch rerun", "kind": "incident", "level": "formal", "proactivity": 0.3,
            "lead_time": 2.0, "lead_time_unit": "hours", "repeatability": "verbalised",
            "availability": {"system": 100.0, "desk": 97.5}}
    with Workbook.open(tmp_path / "ws") as wb:
        wb.save(before, [task])
        wb.save(before, [task, {**task, "name": "Capacity upgrade"}])
        path = wb.export(tmp_path / "s.opsvalue.json")
    raw = path.read_bytes()
    doc = json.loads(raw)
    assert doc["history"][before][0]["value"][0]["availability"]  # the nesting this test is about
    assert depth(doc) <= COMMON_DEPTH
    assert fast_decoder()(raw) == doc


deep_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=2) | st.dictionaries(keys, inner, max_size=2),
    max_leaves=14)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(doc=st.dictionaries(keys, deep_values, max_size=3), ascii=st.booleans(), data=st.data())
def test_the_msgspec_parse_is_json_loads_or_steps_aside(doc: dict[str, Any], ascii: bool, data) -> None:
    """Wherever the fast parse answers, it is json.loads's document and within MAX_DEPTH; nesting
    past the limit, numbers JSON cannot carry, lone surrogates and broken bytes send it to json.loads."""
    raw = json.dumps(doc, ensure_ascii=ascii).encode("utf-8", "surrogatepass")
    cut = data.draw(st.integers(0, len(raw)))
    for b in (raw, raw[:cut] + data.draw(st.sampled_from([b"", b"\xff", b"1e400", b"[", b"]", b"\\ud800", b":"]))
              + raw[cut:]):
        fast = fast_doc(b)
        if fast is not None:
            assert type(fast) is dict and canonical(fast) == canonical(json.loads(b))  # 1 and 1.0 differ here
            assert depth(fast) <= MAX_DEPTH
    if depth(doc) <= MAX_DEPTH and "\\u" not in raw.decode("utf-8", "surrogatepass"):
        assert fast_doc(raw) == doc  # the common case takes the fast path


valid_tasks = st.fixed_dictionaries(
    {"name": st.text(min_size=1, max_size=5).filter(str.strip), "kind": st.sampled_from(["incident", "other"]),
     "level": st.sampled_from(["unsolved", "root"]), "proactivity": st.floats(0, 2),
     "lead_time": st.floats(0, 1e20), "lead_time_unit": st.sampled_from(["hours", "days"]),
     "repeatability": st.sampled_from(["verbalised", "objective"])},
    optional={"availability": st.dictionaries(st.sampled_from(["system", "desk"]), st.floats(0, 100), max_size=2)})
odd_values = st.sampled_from([None, 1, 0, 2, True, "1", "", " ", -0.5, 2.5, 1e309, float("nan"), "x", ["a"],
                              {"a": 1}, {"system": 50}, {"system": 150.0}, {"x": 1.0}, "weeks", "L9"])


@settings(max_examples=600)
@given(base=valid_tasks, field=st.sampled_from(["name", "kind", "level", "proactivity", "lead_time",
                                                "lead_time_unit", "repeatability", "availability", "extra"]),
       odd=odd_values, drop=st.booleans())
def test_the_saved_task_fast_check_never_accepts_what_task_would_change_or_refuse(base, field, odd, drop) -> None:
    d = dict(base)
    if drop:
        d.pop(field, None)
    else:
        d[field] = odd
    try:
        round_trip = Task.from_dict(d).to_dict()
    except (ValueError, TypeError):
        round_trip = None
    if is_saved_task(d):
        assert round_trip is not None and json.dumps(round_trip, sort_keys=True) == json.dumps(d, sort_keys=True)


@settings(max_examples=200)
@given(d=valid_tasks)
def test_every_task_the_workbook_saves_takes_the_fast_path(d: dict[str, Any]) -> None:
    saved = Task.from_dict(d).to_dict()
    assert is_saved_task(saved) and saved == d


CAT = catalogue()
plain_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=8)  # as a loaded file holds: UTF-8


def answer_values(a) -> st.SearchStrategy:
    """Values for assignment *a*: as the workbook saves them, and odd ones beside them."""
    odd = st.none() | st.integers() | st.floats() | st.booleans() | plain_text | st.just("x" * (MAX_ANSWER_CHARS + 1))
    if a.kind == "choice":
        return st.sampled_from([*a.option_keys, "", "nope"]) | odd
    if a.kind == "fields":
        big = st.just("y" * (MAX_ANSWER_CHARS // 2 + 1))
        return st.dictionaries(st.sampled_from([*a.field_keys, "zzz"]), plain_text | big | odd, max_size=4) | odd
    if a.kind == "self_assessment":
        tasks = valid_tasks | st.dictionaries(st.sampled_from(["name", "kind", "x"]), odd_values, max_size=3)
        return st.lists(tasks, max_size=3) | st.lists(valid_tasks, min_size=MAX_TASKS + 1, max_size=MAX_TASKS + 1) | odd
    return plain_text | odd


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_settled_answer_fast_check_never_accepts_what_check_value_would_change_or_refuse(data) -> None:
    a = data.draw(st.sampled_from(CAT.assignments))
    value = data.draw(answer_values(a))
    try:
        normal = check_value(CAT, a.id, value)
    except ValueError:
        normal = ValueError
    if settled(CAT, a.id, value):
        assert normal is not ValueError and json.dumps(normal, sort_keys=True) == json.dumps(value, sort_keys=True)
    elif normal is not ValueError:  # what check_value makes of it, as the workbook saves it, is settled
        assert settled(CAT, a.id, normal)
    assert not settled(CAT, "no-such-exercise", value)
