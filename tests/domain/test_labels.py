"""Bilingual labels: every code a page, mail, report or export shows has English and Traditional Chinese."""

from __future__ import annotations

import re
from enum import StrEnum

import pytest

from domain.impact import PartnerType
from domain.labels import TABLES, label
from domain.vocabulary import Category, EvidenceKind, HourKind

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("vocabulary", list(TABLES), ids=lambda v: v.__name__)
def test_every_code_has_both_languages(vocabulary: type[StrEnum]) -> None:
    """R5/R6/R7, SPEC §3: no code of these vocabularies shows up untranslated."""
    for member in vocabulary:
        found = label(member)
        assert found.en.strip() and CJK.search(found.zh), member


def test_codes_shared_by_two_vocabularies_keep_their_own_labels() -> None:
    """`club` is a category and a partner type, `reflection` an hour and an evidence kind: each keeps its own."""
    assert label(Category.CLUB) != label(PartnerType.CLUB)
    assert label(HourKind.REFLECTION) != label(EvidenceKind.REFLECTION)
    assert label(Category.CLUB).both() == "Social club activity / 社團活動"
