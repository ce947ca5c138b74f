"""The value model: formulas, ranges and conventions (Hypothesis properties)."""
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsvalue_lab.model import (
    DEFAULT_MODEL,
    PROACTIVITY_BOUNDARY,
    ReferenceActivity,
    Repeatability,
    SolutionLevel,
    Task,
    ValueModel,
    check_availability,
    classify_proactivity,
    productivity,
    tasks_from_data,
)

LEVELS = list(SolutionLevel)
REPS = list(Repeatability)
proactivity = st.floats(min_value=0.0, max_value=2.0, allow_nan=False)
levels = st.sampled_from(LEVELS)
hours = st.floats(min_value=0.0, max_value=1e6, allow_nan=False)


@given(levels, proactivity, proactivity)
def test_service_value_monotone_in_proactivity(level, p1, p2):
    lo, hi = sorted((p1, p2))
    assert DEFAULT_MODEL.service_value(level, lo) <= DEFAULT_MODEL.service_value(level, hi)


@given(st.integers(0, 3), st.integers(0, 3), proactivity)
def test_service_value_monotone_in_level(i, j, p):
    lo, hi = sorted((i, j))
    assert DEFAULT_MODEL.service_value(LEVELS[lo], p) <= DEFAULT_MODEL.service_value(LEVELS[hi], p)


@given(proactivity)
def test_unsolved_is_always_zero(p):
    assert DEFAULT_MODEL.service_value(SolutionLevel.UNSOLVED, p) == 0.0


@given(st.sampled_from(LEVELS[1:]), st.floats(0.0, 0.999), st.floats(1.001, 2.0))
def test_proactive_beats_reactive_at_the_same_level(level, reactive, proactive):
    assert classify_proactivity(reactive) == "reactive"
    assert classify_proactivity(proactive) == "proactive"
    assert DEFAULT_MODEL.service_value(level, proactive) > DEFAULT_MODEL.service_value(level, reactive)


def test_boundary_is_its_own_class():
    assert classify_proactivity(PROACTIVITY_BOUNDARY) == "boundary"


@given(st.one_of(st.floats(max_value=-1e-9), st.floats(min_value=2.0 + 1e-9), st.just(math.nan),
                 st.just(math.inf)))
def test_out_of_range_proactivity_names_value_and_range(p):
    with pytest.raises(ValueError) as e:
        DEFAULT_MODEL.service_value(SolutionLevel.ROOT, p)
    msg = str(e.value)
    assert "proactivity" in msg and repr(p) in msg and "0.0 – 2.0" in msg


@given(st.floats(max_value=-1e-9) | st.floats(min_value=100 + 1e-9) | st.just(math.nan))
def test_out_of_range_availability(v):
    with pytest.raises(ValueError, match=r"availability\.desk .* 0 – 100"):
        check_availability("desk", v)


@given(hours, hours, st.integers(0, 3), st.integers(0, 3))
def test_delivery_value_lower_with_shorter_time_and_better_repeatability(t1, t2, i, j):
    (ta, tb), (ra, rb) = sorted((t1, t2)), sorted((i, j))
    # shorter lead time and higher repeatability level never make delivery value worse (higher)
    assert DEFAULT_MODEL.delivery_value(ta, REPS[rb]) <= DEFAULT_MODEL.delivery_value(tb, REPS[ra])


def test_delivery_value_rejects_negative_time():
    with pytest.raises(ValueError, match="lead_time -1 .* 0 – ∞"):
        DEFAULT_MODEL.delivery_value(-1, Repeatability.OBJECTIVE)


@given(st.floats(0, 1e6), st.floats(1e-6, 1e6), st.floats(1e-6, 1e6))
def test_productivity_is_quality_over_delivery_times_cost(q, d, c):
    assert productivity(q, d, c) == pytest.approx(q / (d * c))


@pytest.mark.parametrize("args, name", [((1, 0, 1), "delivery"), ((1, 1, 0), "cost"), ((-1, 1, 1), "quality")])
def test_productivity_rejects_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        productivity(*args)


def test_conventions_match_the_lecture_order():
    conv = DEFAULT_MODEL.conventions()
    scores = [lv["score"] for lv in conv["levels"]]
    assert [lv["ja"] for lv in conv["levels"]] == ["未解決", "形式的解決", "実質的解決", "根本解決"]
    assert scores[0] == 0 and scores == sorted(set(scores))
    coefs = [r["coefficient"] for r in conv["repeatability"]]
    assert coefs == sorted(coefs, reverse=True) and len(set(coefs)) == 4
    assert conv["proactivity"]["reactive"] == [0.1, 0.9] and conv["proactivity"]["proactive"] == [1.1, 2.0]


def test_reference_activities_sit_where_the_lecture_puts_them():
    from opsvalue_lab.catalogue import catalogue
    ref = {a.key: a for a in catalogue().model.reference_activities}
    for key in ("incident_response", "ops_cover"):
        assert classify_proactivity(ref[key].proactivity) == "reactive"
        assert ref[key].level in (SolutionLevel.UNSOLVED, SolutionLevel.FORMAL)
    assert ref["problem_management"].level is SolutionLevel.ROOT
    for key in ("automation", "documentation"):
        assert classify_proactivity(ref[key].proactivity) == "proactive"


def test_reference_activities_are_data_not_code():
    """The figures live only in exercises/model.toml: the bare model has none, the conventions list the loaded ones."""
    assert DEFAULT_MODEL.reference_activities == () and DEFAULT_MODEL.conventions()["reference_activities"] == []
    a = ReferenceActivity("x", {"ja": "例", "en": "Example"}, "root", 0.8)
    conv = ValueModel(reference_activities=(a,)).conventions()["reference_activities"]
    assert conv == [{"key": "x", "ja": "例", "en": "Example", "level": "root", "proactivity": 0.8,
                     "service_value": DEFAULT_MODEL.service_value("root", 0.8)}]


@pytest.mark.parametrize("kwargs, fragment", [
    ({"key": " "}, "key must be"),
    ({"label": {"ja": "例"}}, "en must be"),
    ({"level": "great"}, "great"),
    ({"proactivity": 2.5}, "outside the allowed range"),
])
def test_reference_activity_refuses_a_bad_field(kwargs, fragment):
    args = {"key": "x", "label": {"ja": "例", "en": "Example"}, "level": "root", "proactivity": 0.8, **kwargs}
    with pytest.raises(ValueError, match=fragment):
        ReferenceActivity(**args)
    a = ReferenceActivity("x", {"ja": "例", "en": "Example"}, SolutionLevel.ROOT, 0.8)
    with pytest.raises(ValueError, match="'x' appears twice"):
        ValueModel(reference_activities=(a, a))


@pytest.mark.parametrize("scores, fragment", [
    ({SolutionLevel.UNSOLVED: 1, SolutionLevel.FORMAL: 2, SolutionLevel.SUBSTANTIAL: 3, SolutionLevel.ROOT: 4},
     "must be 0"),
    ({SolutionLevel.UNSOLVED: 0, SolutionLevel.FORMAL: 2, SolutionLevel.SUBSTANTIAL: 2, SolutionLevel.ROOT: 4},
     "rise strictly"),
    ({SolutionLevel.UNSOLVED: 0}, "each of the four"),
])
def test_custom_scores_are_validated(scores, fragment):
    with pytest.raises(ValueError, match=fragment):
        ValueModel(level_scores=scores)


def test_custom_scores_change_the_value():
    m = ValueModel(level_scores={SolutionLevel.UNSOLVED: 0, SolutionLevel.FORMAL: 1,
                                 SolutionLevel.SUBSTANTIAL: 5, SolutionLevel.ROOT: 10})
    assert m.service_value("root", 1.5) == 15.0


def test_coefficients_must_fall():
    with pytest.raises(ValueError, match="fall strictly"):
        ValueModel(repeatability_coefficients={r: 1.0 for r in Repeatability})


tasks = st.builds(
    Task, name=st.text(min_size=1).filter(str.strip),
    kind=st.sampled_from(["fulfilment", "incident", "transition", "other"]),
    level=levels, proactivity=proactivity, lead_time=hours,
    lead_time_unit=st.sampled_from(["minutes", "hours", "days"]), repeatability=st.sampled_from(REPS),
    availability=st.none() | st.dictionaries(st.sampled_from(["system", "desk", "execution"]),
                                             st.floats(0, 100), max_size=3))


@given(tasks)
def test_task_round_trips_through_dict(task):
    assert Task.from_dict(task.to_dict()) == task
    ev = DEFAULT_MODEL.evaluate(task)
    assert ev["service_value"] == DEFAULT_MODEL.service_value(task.level, task.proactivity)
    assert ev["delivery_value"] == pytest.approx(task.lead_time_hours * DEFAULT_MODEL.coefficient(task.repeatability))


@pytest.mark.parametrize("patch, fragment", [
    ({"level": "great"}, "tasks\\[1\\]: task.level 'great'"),
    ({"proactivity": 3}, "tasks\\[1\\]: proactivity .* 3"),
    ({"kind": "x"}, "tasks\\[1\\]: task.kind 'x'"),
    ({"colour": "red"}, "tasks\\[1\\]: task has unknown field"),
    ({"availability": {"desk": 120}}, "tasks\\[1\\]: availability.desk 120"),
    ({"lead_time_unit": "weeks"}, "tasks\\[1\\]: task.lead_time_unit 'weeks'"),
])
def test_bad_tasks_name_index_and_field(patch, fragment):
    good = {"name": "月次パッチ", "kind": "fulfilment", "level": "formal", "proactivity": 0.5, "lead_time": 3}
    with pytest.raises(ValueError, match=fragment):
        tasks_from_data([good, {**good, **patch}])


def test_missing_field_is_named():
    with pytest.raises(ValueError, match=r"tasks\[0\]: task.lead_time is missing"):
        tasks_from_data([{"name": "a", "kind": "other", "level": "root", "proactivity": 1}])


def test_minutes_and_days_convert_to_hours():
    t = Task("x", "other", "formal", 0.5, 90, "minutes")
    assert t.lead_time_hours == 1.5
    assert Task("x", "other", "formal", 0.5, 2, "days").lead_time_hours == 48


@given(st.text())
def test_non_numbers_are_refused(s):
    with pytest.raises(ValueError, match="must be a number"):
        DEFAULT_MODEL.service_value("formal", s)
