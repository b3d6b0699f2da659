"""Parser for Chinese law texts (法律、法规、规章) in the LawRefBook Markdown layout.

Pure Python, no Django: the ``import_laws`` command and the registry importers build on it.

Input layout (see ``../shared/laws/README.md``)::

    # 中华人民共和国行政处罚法

    1996年3月17日 第八届全国人民代表大会第四次会议通过

    2021年1月22日 第十三届全国人民代表大会常务委员会第二十五次会议修订

    <!-- INFO END -->

    ## 第一章 总则

    第一条 为了规范行政处罚的设定和实施，……

    第九条 行政处罚的种类：

    （一）警告、通报批评；

A title line, dated history lines, the ``<!-- INFO END -->`` marker, then optional
``## 第X章`` / ``### 第X节`` headings and articles. An article starts with a paragraph
``第X条 `` (or ``第X条之一 ``); each following plain paragraph is a new 款 (paragraph); a
paragraph starting ``（一）`` / ``(一)`` is a 项 (item) of the 款 before it. Following legal
drafting practice, the items belong to the 款 that introduces them, so
``第五十八条第一款第（三）项`` is the third item under the article's first paragraph.

Citations such as ``《中华人民共和国行政处罚法》第五十八条第一款第（三）项`` are parsed by
:func:`parse_citation` and printed by :func:`format_citation`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

__all__ = [
    "Article",
    "Citation",
    "article_from_text",
    "LawParseError",
    "LawText",
    "article_label",
    "cn_to_int",
    "format_citation",
    "int_to_cn",
    "normalise_title",
    "parse_citation",
    "parse_law",
    "parse_law_file",
]

# --------------------------------------------------------------------------- numerals

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_DIGIT_NAMES = "零一二三四五六七八九"
#: Characters that may make up a numeral in an article, paragraph or item number.
_NUM = r"[零〇一二两三四五六七八九十百千0-9０-９]+"


def cn_to_int(s: str) -> int:
    """Value of a Chinese numeral below ten thousand: 十 → 10, 一百零五 → 105, 一千零一 → 1001.

    Also accepts 两 for 二, 〇 for 零, the colloquial 一百十 (110), and plain ASCII or
    full-width Arabic digits ("51", "５１"). Raises ``ValueError`` for anything else, including
    ambiguous short forms such as 一百五 (150 in speech, never in legal text).
    """
    text = unicodedata.normalize("NFKC", s).strip()
    if not text:
        raise ValueError("空的数字")
    if text.isascii() and text.isdigit():
        return int(text)
    total = 0
    digit: int | None = None  # a digit waiting for its unit
    last_unit = 10_000  # units must strictly decrease: 千 > 百 > 十
    after_zero = False
    for ch in text:
        if ch in ("零", "〇"):
            if digit is not None or last_unit == 10_000 or after_zero:
                raise ValueError(f"数字“{s}”中的“零”位置不正确")
            after_zero = True
        elif ch in _CN_DIGITS:
            if digit is not None:
                raise ValueError(f"数字“{s}”格式不正确")
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit >= last_unit or (after_zero and unit * 10 >= last_unit):
                raise ValueError(f"数字“{s}”的位数顺序不正确")
            if digit is None:
                if unit != 10:  # a bare 百 or 千
                    raise ValueError(f"数字“{s}”缺少“{ch}”前的数字")
                digit = 1  # 十二, 一百十
            if digit == 0:
                raise ValueError(f"数字“{s}”格式不正确")
            total += digit * unit
            digit, last_unit, after_zero = None, unit, False
        else:
            raise ValueError(f"“{s}”不是中文数字")
    if after_zero:
        if digit is None:
            raise ValueError(f"数字“{s}”不能以“零”结尾")
    elif digit is not None and last_unit not in (10, 10_000):
        raise ValueError(f"数字“{s}”有歧义（如“一百五”），请写全")
    return total + (digit or 0)


def int_to_cn(n: int) -> str:
    """The Chinese numeral used in article labels: 10 → 十, 12 → 十二, 105 → 一百零五, 110 → 一百一十."""
    if not isinstance(n, int) or isinstance(n, bool) or not 0 < n < 10_000:
        raise ValueError(f"只支持 1 到 9999 的整数：{n!r}")
    parts: list[str] = []
    pending_zero = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if d:
            if pending_zero:
                parts.append("零")
                pending_zero = False
            parts.append(_DIGIT_NAMES[d] + name)
        elif parts:
            pending_zero = True
    text = "".join(parts)
    return text[1:] if 10 <= n < 20 else text  # 十二, not 一十二


def article_label(number: int, suffix: int = 0) -> str:
    """``第五十八条``, or ``第十条之一`` for an inserted article."""
    label = f"第{int_to_cn(number)}条"
    return f"{label}之{int_to_cn(suffix)}" if suffix else label


# --------------------------------------------------------------------------- law texts


class LawParseError(ValueError):
    """Malformed law text; ``line`` is the 1-based line number (0 when not about a line)."""

    def __init__(self, message: str, line: int = 0, filename: str | None = None):
        self.message = message
        self.line = line
        self.filename = filename
        where = f"第{line}行：" if line else ""
        super().__init__(f"{where}{message}")


@dataclass
class Article:
    """One article (条).

    ``paragraphs`` holds its 款 in order; the first is the text after ``第X条 ``. A 款 that
    introduces items (项) contains them too, one per line after its own text, so that
    ``"\\n".join(paragraphs)`` reproduces the article. ``items[i]`` lists the items of
    ``paragraphs[i]`` (empty when it has none).
    """

    number: int
    suffix: int
    label: str
    chapter: str
    section: str
    paragraphs: list[str]
    items: list[list[str]] = field(default_factory=list)
    line: int = 0  # line of the article heading in the source

    def __post_init__(self) -> None:
        if not self.items:
            self.items = [[] for _ in self.paragraphs]

    @property
    def text(self) -> str:
        """The whole article without its label, paragraphs and items on separate lines."""
        return "\n".join(self.paragraphs)

    @property
    def key(self) -> tuple[int, int]:
        """``(number, suffix)``: sorts inserted articles (之一) after their base article."""
        return (self.number, self.suffix)

    def paragraph(self, n: int) -> str:
        """The n-th 款 (1-based), including its items."""
        if not 1 <= n <= len(self.paragraphs):
            raise KeyError(f"{self.label}没有第{int_to_cn(n) if n > 0 else n}款")
        return self.paragraphs[n - 1]

    def item(self, paragraph: int, n: int) -> str:
        """Item ``（n）`` of the given 款 (1-based both)."""
        self.paragraph(paragraph)
        for text in self.items[paragraph - 1]:
            m = _ITEM_RE.match(text)
            if m and _safe_int(m.group(1)) == n:
                return text
        raise KeyError(f"{self.label}第{int_to_cn(paragraph)}款没有第（{int_to_cn(n) if n > 0 else n}）项")

    def __str__(self) -> str:
        return f"{self.label} {self.text}"


@dataclass
class LawText:
    """A parsed law: title, history (沿革) lines and articles in order."""

    title: str
    version_date: date
    history: list[str]
    articles: list[Article]
    chapters: list[str] = field(default_factory=list)  # chapter headings in order, normalised
    preamble: list[str] = field(default_factory=list)  # text before the first article, if any

    @property
    def short_title(self) -> str:
        """The title without a leading 中华人民共和国: 行政处罚法."""
        return normalise_title(self.title)

    @property
    def history_date(self) -> date | None:
        """The date at the start of the last dated history line (may differ from version_date)."""
        for line in reversed(self.history):
            found = _history_date(line)
            if found:
                return found
        return None

    def article(self, number: int, suffix: int = 0) -> Article:
        """The article ``第number条(之suffix)``; ``KeyError`` when the law has none."""
        for art in self.articles:
            if art.number == number and art.suffix == suffix:
                return art
        raise KeyError(f"《{self.short_title}》没有{article_label(number, suffix)}")

    def cited_text(self, citation: Citation) -> str:
        """Text of the article, 款 or 项 a citation points to (the citation's title is not checked)."""
        art = self.article(citation.article, citation.suffix)
        if citation.item:
            return art.item(citation.paragraph or 1, citation.item)
        if citation.paragraph:
            return art.paragraph(citation.paragraph)
        return art.text


_ZERO_WIDTH = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)
_TITLE_RE = re.compile(r"^#\s+(\S.*)$")
_HEADING_RE = re.compile(r"^(#{1,6})\s*(.*)$")
_STRUCTURE_RE = re.compile(rf"^第({_NUM})(编|章|节)\s*(.*)$")
_ARTICLE_RE = re.compile(rf"^第({_NUM})条(?:之({_NUM}))?(?:\s+(.*))?$")
_ITEM_RE = re.compile(rf"^[（(]\s*({_NUM})\s*[）)]")
_INFO_END = "<!-- INFO END -->"
_FILENAME_DATE_RE = re.compile(r"[（(](\d{4})-(\d{1,2})-(\d{1,2})[）)]")
_HISTORY_DATE_RE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def _safe_int(s: str) -> int | None:
    try:
        return cn_to_int(s)
    except ValueError:
        return None


def _history_date(line: str) -> date | None:
    m = _HISTORY_DATE_RE.match(line)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _clean(line: str) -> str:
    return line.translate(_ZERO_WIDTH).strip()


def _heading_text(number: str, kind: str, name: str) -> str:
    """``第一章 总则`` from ``第一章  总 则``: one space after the label, none inside the name."""
    name = re.sub(r"\s+", "", name)
    label = f"第{number}{kind}"
    return f"{label} {name}" if name else label


def parse_law(text: str, filename: str | None = None) -> LawText:
    """Parse a law text in the LawRefBook Markdown layout.

    ``filename`` (a name or path) supplies the version date when it contains one, as in
    ``行政处罚法(2021-01-22).md``; otherwise the date of the last history line is used.
    Raises :class:`LawParseError` for malformed input.
    """

    def fail(message: str, line: int = 0) -> LawParseError:
        return LawParseError(message, line, filename)

    lines = [_clean(raw) for raw in text.splitlines()]
    numbered = [(i, s) for i, s in enumerate(lines, start=1) if s]
    if not numbered:
        raise fail("文本为空", 1)

    first_line, first = numbered[0]
    m = _TITLE_RE.match(first)
    if not m or first.startswith("##"):
        raise fail(f"缺少标题行（应以“# ”开头，如“# 中华人民共和国行政处罚法”），实际为“{first[:30]}”", first_line)
    title = re.sub(r"\s+", "", m.group(1))
    rest = numbered[1:]

    # Header: history lines up to the INFO END marker, or (without a marker) up to the first
    # heading or article; undated lines there are kept as preamble.
    history: list[str] = []
    preamble: list[str] = []
    marker = next((k for k, (_, s) in enumerate(rest) if s == _INFO_END), None)
    if marker is not None:
        history = [re.sub(r"\s+", " ", s) for _, s in rest[:marker]]
        body = rest[marker + 1:]
    else:
        k = 0
        while k < len(rest) and not (rest[k][1].startswith("#") or _ARTICLE_RE.match(rest[k][1])):
            line = rest[k][1]
            if _history_date(line):
                history.append(re.sub(r"\s+", " ", line))
            else:
                preamble.append(line)
            k += 1
        body = rest[k:]

    articles: list[Article] = []
    chapters: list[str] = []
    chapter = section = ""
    current: Article | None = None
    after_heading = False  # a heading was read since the last article line

    for line_no, s in body:
        if s == _INFO_END:
            raise fail("重复的“<!-- INFO END -->”标记", line_no)
        if s.startswith("#"):
            hm = _HEADING_RE.match(s)
            assert hm is not None
            level, heading = len(hm.group(1)), hm.group(2).strip()
            if not heading:
                raise fail("标题行没有内容", line_no)
            if level == 1:
                raise fail(f"出现第二个一级标题“{heading[:30]}”（每个文件只能有一部法律）", line_no)
            sm = _STRUCTURE_RE.match(heading)
            if sm and _safe_int(sm.group(1)) is None:
                raise fail(f"无法识别的序号“{sm.group(1)}”", line_no)
            kind = sm.group(2) if sm else ("章" if level == 2 else "节")
            normalised = _heading_text(sm.group(1), sm.group(2), sm.group(3)) if sm \
                else re.sub(r"\s+", "", heading)
            if kind == "编":
                chapter = section = ""
            elif kind == "章":
                chapter, section = normalised, ""
                chapters.append(chapter)
            else:
                if not chapter and sm:
                    raise fail(f"“{normalised}”不在任何章之内", line_no)
                section = normalised
            current, after_heading = None, True
            continue

        am = _ARTICLE_RE.match(s)
        if am:
            number = _safe_int(am.group(1))
            suffix = _safe_int(am.group(2)) if am.group(2) else 0
            if number is None or number == 0 or suffix is None:
                raise fail(f"无法识别的条文序号“{s.split()[0]}”", line_no)
            label = article_label(number, suffix)
            if articles and (number, suffix) <= articles[-1].key:
                raise fail(f"条文序号不递增：{label}出现在{articles[-1].label}之后", line_no)
            if current is not None and not current.paragraphs:
                raise fail(f"{current.label}没有内容", current.line)
            current = Article(number=number, suffix=suffix, label=label, chapter=chapter,
                              section=section, paragraphs=[], items=[], line=line_no)
            articles.append(current)
            after_heading = False
            first_text = (am.group(3) or "").strip()
            if first_text:
                _add_paragraph(current, first_text)
            continue

        if current is None:
            if after_heading:
                raise fail(f"章节标题之后应为条文（“第X条 ……”），实际为“{s[:30]}”", line_no)
            preamble.append(s)
            continue
        _add_paragraph(current, s)

    if not articles:
        raise fail("未找到任何条文（应以“第X条 ”开头）", len(lines))
    if not articles[-1].paragraphs:
        raise fail(f"{articles[-1].label}没有内容", articles[-1].line)

    version_date = _filename_date(filename, fail)
    if version_date is None:
        version_date = next((d for d in map(_history_date, reversed(history)) if d), None)
    if version_date is None:
        raise fail("无法确定版本日期：文件名中没有“(YYYY-MM-DD)”，也没有带日期的沿革行", first_line)

    return LawText(title=title, version_date=version_date, history=history, articles=articles,
                   chapters=chapters, preamble=preamble)


def _add_paragraph(article: Article, text: str) -> None:
    """A new 款, or an item (项) appended to the current 款."""
    if _ITEM_RE.match(text) and article.paragraphs:
        article.paragraphs[-1] += "\n" + text
        article.items[-1].append(text)
    elif _ITEM_RE.match(text):  # items with no introducing text: they form the first 款
        article.paragraphs.append(text)
        article.items.append([text])
    else:
        article.paragraphs.append(text)
        article.items.append([])


def article_from_text(number: int, suffix: int, text: str, label: str = "") -> Article:
    """Rebuild an article's 款 and 项 from its stored text (``Article.text`` joins them by lines).

    The law database keeps one text per article; citing down to 款/项 needs the structure back,
    which the same rule as the parser gives: an item line belongs to the 款 before it.
    """
    article = Article(number=number, suffix=suffix, label=label or article_label(number, suffix), chapter="",
                      section="", paragraphs=[], items=[])
    for line in text.splitlines():
        line = line.strip()
        if line:
            _add_paragraph(article, line)
    return article


def _filename_date(filename: str | None, fail) -> date | None:
    if not filename:
        return None
    m = _FILENAME_DATE_RE.search(Path(filename).name)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise fail(f"文件名中的日期“{m.group(0)}”无效") from exc


def parse_law_file(path: str | Path) -> LawText:
    """Read (UTF-8, with or without BOM) and parse a law text file; the name supplies the date."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LawParseError(f"文件不是 UTF-8 编码：{exc.reason}", 0, str(path)) from exc
    return parse_law(text, filename=str(path))


# --------------------------------------------------------------------------- citations


@dataclass(frozen=True)
class Citation:
    """A reference to a law's article, optionally down to 款 (paragraph) and 项 (item).

    ``law_title`` is the title as written, without 《》 (may be full or short: compare with
    :func:`normalise_title`). ``paragraph`` and ``item`` are ``None`` when not cited.
    """

    law_title: str
    article: int
    suffix: int = 0
    paragraph: int | None = None
    item: int | None = None

    @property
    def short_title(self) -> str:
        return normalise_title(self.law_title)

    def __str__(self) -> str:
        return format_citation(self)


_VERSION_SUFFIX_RE = re.compile(r"[（(][^（）()]*\d{4}[^（）()]*[）)]$")


def normalise_title(title: str) -> str:
    """Key for matching law titles: no 《》, spaces, leading 中华人民共和国 or trailing version note.

    ``《中华人民共和国行政处罚法》`` and ``行政处罚法（2021年修订）`` both give ``行政处罚法``.
    """
    t = re.sub(r"\s+", "", unicodedata.normalize("NFC", title)).strip("《》〈〉<>")
    t = _VERSION_SUFFIX_RE.sub("", t)
    if t.startswith("中华人民共和国") and len(t) > len("中华人民共和国"):
        t = t[len("中华人民共和国"):]
    return t


_ITEM_REF = rf"第?[（(]\s*(?P<{{name}}>{_NUM})\s*[）)]项|第(?P<{{name}}2>{_NUM})项"
_CITATION_RE = re.compile(
    "|".join([
        r"《(?P<title>[^《》]+)》",
        rf"第(?P<art>{_NUM})条(?:之(?P<suf>{_NUM}))?(?:第(?P<apara>{_NUM})款)?(?:{_ITEM_REF.format(name='aitem')})?",
        rf"第(?P<para>{_NUM})款(?:{_ITEM_REF.format(name='pitem')})?",
        _ITEM_REF.format(name="item"),
        r"(?P<range>至|到)(?=\s*第)",
    ])
)


def parse_citation(s: str, default_title: str = "") -> list[Citation]:
    """All citations in a text such as a legal-basis column.

    Understands ``《中华人民共和国行政处罚法》第五十八条第一款第（三）项``, Arabic numbers
    (``《行政处罚法》第51条``), lists (``第三十四条、第三十六条``), a 款 or 项 continuing the
    previous citation (``第五十一条第一款、第二款``; ``第（一）项、第（二）项``), inserted articles
    (``第十条之一``) and ranges of whole articles (``第十条至第十二条``). Each article takes the
    nearest 《title》 before it, or ``default_title`` when there is none; articles with no title
    at all are left out. Unrecognised text is ignored.
    """
    out: list[Citation] = []
    title = default_title.strip().strip("《》") if default_title else ""
    pending_range = False
    last_end = 0
    for m in _CITATION_RE.finditer(s):
        gap, last_end = s[last_end:m.start()], m.end()
        if m.group("title") is not None:
            title, pending_range = re.sub(r"\s+", "", m.group("title")), False
            continue
        if m.group("range") is not None:
            pending_range = (not gap.strip() and bool(out) and out[-1].law_title == title
                             and out[-1].paragraph is None and out[-1].item is None)
            continue
        last = out[-1] if out and out[-1].law_title == title else None
        try:
            if m.group("art") is not None:
                number = cn_to_int(m.group("art"))
                suffix = cn_to_int(m.group("suf")) if m.group("suf") else 0
                paragraph = _opt_int(m.group("apara"))
                item = _opt_int(m.group("aitem") or m.group("aitem2"))
                if (pending_range and last is not None and not suffix and paragraph is None
                        and item is None and last.suffix == 0 and 0 < number - last.article <= 200):
                    out.extend(Citation(title, n) for n in range(last.article + 1, number))
                cite = Citation(title, number, suffix, paragraph, item)
            elif m.group("para") is not None:
                if last is None:
                    continue
                cite = Citation(title, last.article, last.suffix, cn_to_int(m.group("para")),
                                _opt_int(m.group("pitem") or m.group("pitem2")))
            else:
                if last is None:
                    continue
                cite = Citation(title, last.article, last.suffix, last.paragraph,
                                cn_to_int(m.group("item") or m.group("item2")))
        except ValueError:
            continue  # e.g. 第十十条: not a citation
        finally:
            pending_range = False
        if cite.law_title and cite.article > 0 and cite not in out:
            out.append(cite)
    return out


def _opt_int(s: str | None) -> int | None:
    return cn_to_int(s) if s else None


def format_citation(c: Citation, *, full_title: bool = False) -> str:
    """``《行政处罚法》第五十八条第一款第（三）项`` (short title unless ``full_title``)."""
    title = c.law_title.strip("《》") if full_title else normalise_title(c.law_title)
    text = f"《{title}》{article_label(c.article, c.suffix)}"
    if c.paragraph:
        text += f"第{int_to_cn(c.paragraph)}款"
    if c.item:
        text += f"第（{int_to_cn(c.item)}）项"
    return text


def provision_text(*, law, article: int, suffix: int = 0, paragraph: int | None = None,
                   item: int | None = None, prefix: str = "") -> str:
    """The exact text of the cited 条, 款 or 项 of an imported law (guidance.Law), or a refusal
    naming the field that is wrong.

    `prefix` is put before the field names (e.g. "citations.0.") so a form or an import row can
    show the message beside the right input.
    """
    from sanxiang.common.exceptions import ValidationFailed

    row = law.articles.filter(number=article, suffix=suffix or 0).first() if article else None
    if row is None:
        label = article_label(article, suffix or 0) if article and article > 0 else f"第{article}条"
        raise ValidationFailed(f"《{law.short_title}》（{law.version_date}版）没有{label}，请核对条文序号",
                               field=f"{prefix}article", code="article_unknown")
    parsed = article_from_text(row.number, row.suffix, row.text, row.label)
    if item and not paragraph:
        paragraph = 1  # 第X条第（Y）项: the items of the first 款 (legal drafting practice)
    try:
        if item:
            return parsed.item(paragraph, item)
        if paragraph:
            return parsed.paragraph(paragraph)
    except KeyError as exc:
        field = "item" if item and 1 <= paragraph <= len(parsed.paragraphs) else "paragraph"
        count = len(parsed.paragraphs)
        raise ValidationFailed(f"《{law.short_title}》{exc.args[0]}（该条共{int_to_cn(count)}款）",
                               field=f"{prefix}{field}", code=f"{field}_unknown") from exc
    return parsed.text
