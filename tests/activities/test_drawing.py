"""R23: final exam week's passing-list PDFs drawn in processes beside the worker read as those drawn in it."""

from __future__ import annotations

from activities.drawing import PdfDrawer
from domain.profile import NTUST_V1
from tests.activities.test_passing_list import LONG_TITLE, listed, student, text


def test_a_pdf_drawn_in_a_process_reads_as_one_drawn_in_the_worker() -> None:
    """Same students, names (Chinese too) and signature line, whether a drawing process or the worker draws
    it; the pool starts again after it is closed (a worker stopping and starting)."""
    found = listed(student(1, "林美華", LONG_TITLE), student(2, "Wang Da-Ming", "Beach clean-up at Bali"))
    in_worker = text(PdfDrawer(0).passing_list(found, NTUST_V1))
    drawer = PdfDrawer(1)
    try:
        assert text(drawer.passing_list(found, NTUST_V1)) == in_worker
        drawer.close()
        again = drawer.passing_list(listed(student(3, "陳小華", "Tutoring in Wanhua")), NTUST_V1)
        assert "陳小華" in text(again)
    finally:
        drawer.close()
    assert "林美華" in in_worker and "Wang Da-Ming" in in_worker
