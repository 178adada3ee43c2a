"""The English translation: every string of the catalogue is translated and compiled, and a user
who switches to English reads the menu and the headings of the main pages in English."""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.councils.tests.factories import ActivityFactory, active_council
from sandan.program.defaults import load_program_year
from sandan.registry.tests.factories import zone

PO_FILE = Path(settings.BASE_DIR) / "sandan" / "locale" / "en" / "LC_MESSAGES" / "django.po"
HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
# printf-style placeholders (%(name)s, %(pct).1f, %s, %d) and str.format fields ({name}); a literal
# %% may be reworded ("90%% 값" → "90th percentile"): msgfmt checks that the rest stays valid.
PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{\w*\}"
)
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


@dataclass(frozen=True)
class Entry:
    line: int
    context: str | None
    msgid: str
    plural: str | None
    msgstrs: tuple[str, ...]
    fuzzy: bool

    def __str__(self) -> str:
        where = f"[{self.context}] " if self.context else ""
        return f"django.po:{self.line} {where}{self.msgid!r}"


def read_po(text: str) -> list[Entry]:
    """The live entries of a .po file (the header and obsolete `#~` entries left out)."""
    entries = []
    for match in re.finditer(r"(?:^|\n\n)(.+?)(?=\n\n|\n*$)", text, flags=re.S):
        block = match.group(1)
        line = text.count("\n", 0, match.start(1)) + 1
        fields: dict[str, str] = {}
        fuzzy, key = False, ""
        for raw in block.split("\n"):
            if raw.startswith("#~"):
                fields = {}
                break
            if raw.startswith("#,"):
                fuzzy = "fuzzy" in (flag.strip() for flag in raw[2:].split(","))
            elif raw.startswith("#") or not raw.strip():
                continue
            elif raw.startswith('"'):
                fields[key] += ast.literal_eval(raw)
            else:
                key, _space, value = raw.partition(" ")
                fields[key] = ast.literal_eval(value)
        if not fields.get("msgid"):
            continue
        msgstrs = tuple(v for k, v in sorted(fields.items()) if k.startswith("msgstr"))
        entries.append(
            Entry(
                line=line,
                context=fields.get("msgctxt"),
                msgid=fields["msgid"],
                plural=fields.get("msgid_plural"),
                msgstrs=msgstrs,
                fuzzy=fuzzy,
            )
        )
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return read_po(PO_FILE.read_text(encoding="utf-8"))


def test_the_reader_sees_empty_fuzzy_context_and_plural_entries() -> None:
    # The checks below are only as good as the reader: it must not skip what they look for.
    sample = (
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1\n#, fuzzy\n#| msgid "협의체 번호"\nmsgid "협의체"\nmsgstr "Council number"\n\n'
        'msgctxt "menu"\nmsgid "성과"\nmsgstr ""\n\n'
        'msgid "회원 %(n)s곳"\nmsgid_plural "회원 %(n)s곳"\nmsgstr[0] "%(n)s member"\n'
        'msgstr[1] ""\n\n'
        'msgid ""\n"긴 "\n"문장"\nmsgstr ""\n"A long "\n"sentence"\n\n'
        '#~ msgid "옛 문장"\n#~ msgstr ""\n'
    )

    entries = read_po(sample)

    assert [(e.context, e.msgid, e.msgstrs, e.fuzzy) for e in entries] == [
        (None, "협의체", ("Council number",), True),
        ("menu", "성과", ("",), False),
        (None, "회원 %(n)s곳", ("%(n)s member", ""), False),
        (None, "긴 문장", ("A long sentence",), False),
    ]
    assert entries[1].line == 11


def test_every_string_is_translated(catalogue: list[Entry]) -> None:
    assert len(catalogue) > 900
    untranslated = [str(e) for e in catalogue if e.fuzzy or not all(e.msgstrs)]
    assert not untranslated, "empty or fuzzy in the English catalogue:\n" + "\n".join(untranslated)


def test_no_korean_is_left_in_the_translations(catalogue: list[Entry]) -> None:
    korean = [str(e) for e in catalogue if any(HANGUL.search(s) for s in e.msgstrs)]
    assert not korean, "Korean text in English translations:\n" + "\n".join(korean)


def test_placeholders_and_markup_survive_translation(catalogue: list[Entry]) -> None:
    broken = []
    for entry in catalogue:
        sources = [entry.msgid] + [entry.plural or entry.msgid] * (len(entry.msgstrs) - 1)
        for source, target in zip(sources, entry.msgstrs, strict=True):
            if _placeholders(source) != _placeholders(target):
                broken.append(f"{entry}: placeholders differ in {target!r}")
            if Counter(TAG.findall(source)) != Counter(TAG.findall(target)):
                broken.append(f"{entry}: HTML differs in {target!r}")
            if source.endswith("\n") != target.endswith("\n"):
                broken.append(f"{entry}: trailing newline differs in {target!r}")
    assert not broken, "\n".join(broken)


def test_the_compiled_catalogue_matches_the_po_file(catalogue: list[Entry]) -> None:
    # The .mo file is committed: a .po edited without compilemessages leaves the UI in Korean.
    stale = []
    with translation.override("en"):
        for entry in catalogue:
            if entry.plural is not None:
                got: tuple[str, ...] = tuple(
                    translation.npgettext(entry.context, entry.msgid, entry.plural, n)
                    if entry.context
                    else translation.ngettext(entry.msgid, entry.plural, n)
                    for n in (1, 2)
                )
            elif entry.context:
                got = (translation.pgettext(entry.context, entry.msgid),)
            else:
                got = (translation.gettext(entry.msgid),)
            if got != entry.msgstrs:
                stale.append(f"{entry}: compiled {got!r}, po {entry.msgstrs!r}")
    assert not stale, "run `sandan compilemessages -l en`:\n" + "\n".join(stale)


class _Texts(HTMLParser):
    """Collects the text of the parts of a page that are interface, not data: the main menu,
    the page title, headings (without their `.sub` line of data), column headers, form labels
    and buttons."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.found: list[tuple[str, str]] = []
        self.menu: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if not text or any("sub" in a.get("class", "").split() for _t, a in self.stack):
            return
        for tag, attrs in reversed(self.stack):
            in_menu = tag == "nav" and "main-nav" in attrs.get("class", "")
            if in_menu and self.stack[-1][0] == "a":
                self.menu.append(text)
            if (
                in_menu
                or (tag == "title" and any(t == "head" for t, _a in self.stack))
                or tag in {"h1", "h2", "h3", "label", "button", "legend"}
                or (tag == "th" and attrs.get("scope") == "col")
            ):
                self.found.append((tag, text))
                return


def _texts(client: Client, url: str) -> _Texts:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _Texts()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def english_hq(db: None) -> Client:
    """An HQ staff member (who sees every menu entry) after choosing English in the header."""
    client = Client()
    client.force_login(user_with_role(Role.HQ_STAFF))
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    return client


def test_the_main_menu_is_in_english_after_switching(english_hq: Client) -> None:
    korean = Client()
    korean.force_login(user_with_role(Role.HQ_STAFF, username="korean_reader"))
    menu_ko = _texts(korean, reverse("analytics:dashboard")).menu

    menu_en = _texts(english_hq, reverse("analytics:dashboard")).menu

    assert "대시보드" in menu_ko and "협의체 목록" in menu_ko
    assert len(menu_en) == len(menu_ko)
    assert [item for item in menu_en if HANGUL.search(item)] == []
    for item in (
        "Dashboard",
        "Industrial complexes",
        "Organisations",
        "Experts",
        "Program years & designations",
        "Councils",
        "Activity calendar",
        "Data import",
        "Audit log",
    ):
        assert item in menu_en


def test_main_pages_have_english_menus_headings_and_labels(english_hq: Client) -> None:
    for code in ("capital", "chungcheong", "honam", "daegyeong", "dongnam", "gangwon", "jeju"):
        zone(code)
    load_program_year(2010)
    council = active_council(firms=2)
    ActivityFactory(council=council)
    pages = [
        reverse("analytics:dashboard"),
        reverse("analytics:overview"),
        reverse("privacy"),
        reverse("registry:complex_list"),
        reverse("registry:organisation_list"),
        reverse("registry:expert_list"),
        reverse("program:year_list"),
        reverse("program:year_detail", args=[2010]),
        reverse("program:designations", args=[2010]),
        reverse("program:planner", args=[2010]),
        reverse("councils:council_list"),
        reverse("councils:activity_list"),
        reverse("councils:calendar"),
        reverse("registry:import"),
        reverse("core:audit_log"),
    ]

    korean = {
        url: [
            f"<{tag}> {text}" for tag, text in _texts(english_hq, url).found if HANGUL.search(text)
        ]
        for url in pages
    }

    assert {url: found for url, found in korean.items() if found} == {}
    for url, heading in (
        (reverse("analytics:dashboard"), "Cluster program nationwide"),
        (reverse("analytics:overview"), "Industrial complexes nationwide"),
        (reverse("program:year_list"), "Program year"),
        (reverse("councils:calendar"), "Activity calendar"),
    ):
        assert ("h1", heading) in _texts(english_hq, url).found
