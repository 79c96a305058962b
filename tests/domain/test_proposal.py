"""Step 1, the proposal: R4 validation, R6 priority, R7 indicators."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.proposal import IndicatorClaim, priority_of
from domain.vocabulary import HIGH_PRIORITY_TAGS, LOW_PRIORITY_TAGS, Indicator, Priority, PriorityTag
from tests.domain.factories import PROPERTY, claim, proposal

tag_lists = st.lists(st.sampled_from(list(PriorityTag)), max_size=8)


def test_valid_proposal_is_accepted() -> None:
    """R4: a title, a plan, a category and one indicator with a sentence make a valid proposal."""
    valid = proposal()

    assert valid.chosen_indicators == {Indicator.CIVIC_CONSCIOUSNESS}
    assert valid.priority is Priority.NORMAL


def test_indicator_required() -> None:
    """R4: a proposal without any indicator is refused."""
    with pytest.raises(ValidationError, match="indicators"):
        proposal(indicators=[])


def test_indicator_needs_a_sentence_on_how() -> None:
    """R4: an indicator claim needs a sentence on how the project serves it."""
    with pytest.raises(ValidationError):
        IndicatorClaim(indicator=Indicator.USR, how="helps")


def test_indicator_sentence_of_spaces_refused() -> None:
    """R4: a 'sentence' of only spaces does not say how the project serves the indicator."""
    with pytest.raises(ValidationError):
        IndicatorClaim(indicator=Indicator.USR, how=" " * 20)


def test_duplicate_indicators_refused() -> None:
    """R4/R7: each indicator may be claimed once."""
    twice = [claim(Indicator.USR), claim(Indicator.USR, "Again, and said differently.")]

    with pytest.raises(ValidationError, match="each indicator may be claimed once"):
        proposal(indicators=twice)


def test_all_five_indicators_may_be_claimed() -> None:
    """R7: a proposal may frame itself with all five indicators."""
    every = proposal(indicators=[claim(indicator) for indicator in Indicator])

    assert every.chosen_indicators == set(Indicator)


@pytest.mark.parametrize("field", ["title", "plan"])
def test_blank_title_or_plan_refused(field: str) -> None:
    """R4: the topic and the plan are what reviewers judge first, so neither may be blank."""
    with pytest.raises(ValidationError, match=field):
        proposal(**{field: " " * 40})


@pytest.mark.parametrize("field", ["title", "plan"])
def test_padding_does_not_satisfy_minimum_length(field: str) -> None:
    """R4: surrounding spaces do not count toward the minimum length of the title or the plan."""
    with pytest.raises(ValidationError, match=field):
        proposal(**{field: "   ab" + " " * 40})


def test_title_and_plan_are_stripped() -> None:
    """R4: the stored title and plan carry no surrounding whitespace."""
    padded = proposal(title="  Beach clean-up  ", plan="\n  Collect litter on Fulong beach twice a month.  \n")

    assert padded.title == "Beach clean-up"
    assert padded.plan == "Collect litter on Fulong beach twice a month."


def test_low_priority_needs_justification() -> None:
    """R6: a low-priority proposal must carry a justification."""
    with pytest.raises(ValidationError, match="justification"):
        proposal(tags=[PriorityTag.TEACHING_ASSISTANT])


def test_low_priority_blank_justification_refused() -> None:
    """R6: a justification of only spaces is no justification."""
    with pytest.raises(ValidationError, match="justification"):
        proposal(tags=[PriorityTag.RECEPTION_WORK], justification="   ")


def test_low_priority_with_justification_accepted() -> None:
    """R6: with a justification a low-priority proposal is valid and reviewers see it is low."""
    low = proposal(tags=[PriorityTag.CAMPUS_OFFICE_SERVICE], justification="The library runs a literacy programme.")

    assert low.priority is Priority.LOW


def test_high_and_low_tags_need_no_justification() -> None:
    """R6: any high tag makes the proposal high priority, even beside low tags, so no justification is due."""
    mixed = proposal(tags=[PriorityTag.TEACHING_ASSISTANT, PriorityTag.VOLUNTEER])

    assert mixed.priority is Priority.HIGH


@pytest.mark.parametrize("tag", sorted(HIGH_PRIORITY_TAGS))
def test_each_high_tag_is_high(tag: PriorityTag) -> None:
    """R6: each of the five high tags alone makes the proposal high priority."""
    assert priority_of([tag]) is Priority.HIGH


@pytest.mark.parametrize("tag", sorted(LOW_PRIORITY_TAGS))
def test_each_low_tag_is_low(tag: PriorityTag) -> None:
    """R6: each of the six low tags alone makes the proposal low priority."""
    assert priority_of([tag]) is Priority.LOW


def test_no_tags_is_normal() -> None:
    """R6: a proposal with no tags is normal priority."""
    assert priority_of([]) is Priority.NORMAL


def test_tag_sets_match_the_spec() -> None:
    """R6: the high and low tag lists are exactly those the course names, and they do not overlap."""
    assert {t.value for t in HIGH_PRIORITY_TAGS} == {
        "volunteer",
        "remote_area_service",
        "education_priority_areas",
        "usr_program",
        "other_core_values",
    }
    assert {t.value for t in LOW_PRIORITY_TAGS} == {
        "campus_office_service",
        "teaching_assistant",
        "course_or_lab_assistant",
        "reused_internship_proposal",
        "reception_work",
        "other_non_core",
    }


@PROPERTY
@given(tags=tag_lists)
def test_priority_rule_over_any_tag_list(tags: list[PriorityTag]) -> None:
    """R6: high if any high tag, else low if any low tag, else normal, for any list of tags."""
    expected = (
        Priority.HIGH
        if set(tags) & HIGH_PRIORITY_TAGS
        else Priority.LOW
        if set(tags) & LOW_PRIORITY_TAGS
        else Priority.NORMAL
    )

    assert priority_of(tags) is expected


@PROPERTY
@given(tags=tag_lists, high=st.sampled_from(sorted(HIGH_PRIORITY_TAGS)), position=st.integers(min_value=0))
def test_a_high_tag_wins_wherever_it_stands(tags: list[PriorityTag], high: PriorityTag, position: int) -> None:
    """R6: adding one high tag anywhere in any tag list makes the proposal high priority."""
    index = position % (len(tags) + 1)

    assert priority_of([*tags[:index], high, *tags[index:]]) is Priority.HIGH
