"""The demo course's cast and projects (`praxis demo`): teachers, students, one project for each stage of
SPEC §3, an approved group with a member's linked project, and the generated photos their evidence carries.
The run that seeds them through the API is `devstack.demo`."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from domain.stages import Stage

# --- the cast ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Teacher:
    id: str
    name: str
    email: str
    rank: str
    department: str
    leaving: bool = False  # leaves NTUST after the demo semester (R13, R22)


@dataclass(frozen=True)
class Pupil:
    id: str
    name: str

    @property
    def email(self) -> str:
        return f"{self.id.lower()}@mail.example.edu"


CHEN = Teacher("T90001", "陳志明 Chen Chih-Ming", "chen.cm@mail.example.edu", "professor", "Civil Engineering")
LIN = Teacher("T90002", "林雅婷 Lin Ya-Ting", "lin.yt@mail.example.edu", "associate_professor", "Design")
WANG = Teacher(
    "T90003", "王大衛 David Wang", "david.wang@mail.example.edu", "professor", "Mechanical Engineering", leaving=True
)
CHANG = Teacher("S90001", "張美玲 Chang Mei-Ling", "chang.ml@mail.example.edu", "staff", "Center for General Education")
FACULTY = (CHEN, LIN, WANG, CHANG)


@dataclass(frozen=True)
class DemoProject:
    """One student's project and the stage the demo leaves it in."""

    stage: Stage
    student: Pupil
    title: str
    plan: str
    category: str = "external"
    tags: tuple[str, ...] = ("volunteer",)
    indicator: str = "civic_consciousness"
    how: str = "The people we serve take the activity over and run it themselves."
    justification: str | None = None
    supervisor: Teacher | None = None
    review_comment: str = ""
    feedback: str = ""

    @property
    def slug(self) -> str:
        return self.stage.value.lower()

    def proposal(self, group_id: str | None = None) -> dict[str, Any]:
        return {
            "title": self.title,
            "plan": self.plan,
            "category": self.category,
            "tags": list(self.tags),
            "indicators": [{"indicator": self.indicator, "how": self.how}],
            "justification": self.justification,
            "group_id": group_id,
        }


def _pupil(n: int, name: str) -> Pupil:
    return Pupil(f"B1139{n:04d}", name)


PROJECTS = (
    DemoProject(
        Stage.PROPOSAL_REVIEW,
        _pupil(1, "林美華 Lin Mei-Hua"),
        "Reading club at Wanhua community library",
        "Twice a week, read with primary school pupils and run a small library of donated books.",
    ),
    DemoProject(
        Stage.CHANGES_REQUESTED,
        _pupil(2, "陳冠宇 Chen Kuan-Yu"),
        "Campus recycling drive",
        "Collect and sort recyclables in the dormitories every Friday for ten weeks.",
        category="internal",
        tags=("campus_office_service",),
        justification="The dormitory office has asked for help; the drive also teaches sorting to new students.",
        review_comment="Say which office hosts the drive and how you will measure what was recycled.",
    ),
    DemoProject(
        Stage.REJECTED,
        _pupil(3, "黃怡君 Huang Yi-Chun"),
        "Barista at a café near campus",
        "Work weekend shifts at a café and learn how a small business runs day to day.",
        category="skill_building",
        tags=("other_non_core",),
        justification="I would like to learn customer service.",
        review_comment="Paid work for a business is not social practice (R5); please propose a service activity.",
    ),
    DemoProject(
        Stage.NEEDS_SUPERVISOR,
        _pupil(4, "張家豪 Chang Chia-Hao"),
        "Beach clean-up at Fulong",
        "Organise four Saturday clean-ups with the Fulong community association and log what we collect.",
        category="public_service",
    ),
    DemoProject(
        Stage.SUPERVISOR_INVITED,
        _pupil(5, "李佳穎 Li Chia-Ying"),
        "Coding workshop for junior-high pupils in Pingtung",
        "Run a six-week Scratch workshop at a rural junior high school, remotely and on two visits.",
        tags=("remote_area_service",),
        indicator="knowledge_into_practice",
        how="Pupils build their own games with what we study in computer science.",
        supervisor=LIN,
    ),
    DemoProject(
        Stage.IN_PROGRESS,
        _pupil(6, "王志偉 Wang Chih-Wei"),
        "Elderly care visits in Daan",
        "Visit elderly residents living alone every week with the district's care centre, and help with errands.",
        supervisor=CHEN,
    ),
    DemoProject(
        Stage.EVALUATION_PENDING,
        _pupil(7, "吳雅雯 Wu Ya-Wen"),
        "Community garden in Beitou",
        "Build raised beds with residents of a Beitou neighbourhood and teach composting.",
        indicator="problem_solving",
        how="We turned an unused lot into a garden the residents now look after.",
        supervisor=WANG,
    ),
    DemoProject(
        Stage.REVISION_REQUESTED,
        _pupil(8, "劉建宏 Liu Chien-Hung"),
        "River clean-up in Keelung",
        "Remove rubbish from the Keelung river banks with a local NGO and map where it accumulates.",
        supervisor=LIN,
        feedback="Tell more about what you learned from the mapping and what the NGO will do with it.",
    ),
    DemoProject(
        Stage.PASSED,
        _pupil(9, "蔡宜蓁 Tsai Yi-Chen"),
        "Tutoring migrant workers' children in Taoyuan",
        "Tutor children of migrant workers in Mandarin and maths twice a week at a church community room.",
        tags=("education_priority_areas",),
        supervisor=CHEN,
    ),
    DemoProject(
        Stage.FAILED,
        _pupil(10, "楊宗翰 Yang Tsung-Han"),
        "Helping at a night market food bank",
        "Collect unsold food at the Shilin night market and bring it to a food bank on Sunday mornings.",
        supervisor=LIN,
        feedback="The hours were logged, but the report and photos show no service to others; see me to start again.",
    ),
    DemoProject(
        Stage.WITHDRAWN,
        _pupil(11, "許淑芬 Hsu Shu-Fen"),
        "Mountain school summer camp in Hualien",
        "Help run a two-week summer camp at a mountain primary school in Hualien.",
        tags=("remote_area_service",),
    ),
)

APPLICANT = _pupil(12, "鄭宇翔 Cheng Yu-Hsiang")
MEMBER = _pupil(13, "謝佩珊 Hsieh Pei-Shan")
GROUP = DemoProject(
    Stage.PROPOSAL_REVIEW,
    APPLICANT,
    "Digital skills for seniors at the Xinyi community centre",
    "A team of two runs weekly smartphone and online-safety classes for seniors at the community centre.",
    category="public_service",
    indicator="cross_disciplinary",
    how="Engineering and design students teach together and adapt the material to each learner.",
)
# R9: the member keeps the group's title and plan, so the linked proposal needs no second review.
LINKED = DemoProject(
    Stage.NEEDS_SUPERVISOR,
    MEMBER,
    GROUP.title,
    GROUP.plan,
    category="public_service",
    indicator="cross_disciplinary",
    how="I adapt what I learn in design to explain phones to people who never used one.",
)
STUDENTS = (*(p.student for p in PROJECTS), APPLICANT, MEMBER)


# --- photos -----------------------------------------------------------------------------------------


def photo(label: str, hue: int, *, size: tuple[int, int] = (640, 480)) -> bytes:
    """A real JPEG (R16 checks that images decode): a sky-to-ground scene with people and a caption strip."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = y * 160 // height
        draw.line([(0, y), (width, y)], fill=((hue + shade) % 256, 120 + shade // 2, 220 - shade))
    for n in range(5):
        x = 70 + n * 115
        draw.ellipse([x, 250, x + 40, 290], fill=(240, 200, 160))
        draw.rectangle([x - 5, 292, x + 45, 390], fill=((hue * (n + 1)) % 256, 80, 140))
    draw.rectangle([0, height - 50, width, height], fill=(20, 20, 20))
    draw.text((16, height - 36), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()
