"""Tests for the law text parser (pure Python: runs with or without the Django plugin)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanxiang.guidance.lawtext import (
    Article,
    Citation,
    LawParseError,
    LawText,
    article_label,
    cn_to_int,
    format_citation,
    int_to_cn,
    normalise_title,
    parse_citation,
    parse_law,
    parse_law_file,
)

# The law texts live in a "shared" folder beside the repository; never copy them in.
LAWS_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "laws"


@pytest.fixture(autouse=True)
def _isolated_storage():
    """Overrides the root conftest's fixture of that name: these tests touch no Django settings
    (and that fixture needs pytest-django, which ``-p no:django`` leaves out)."""
    yield


# --------------------------------------------------------------------------- numerals

KNOWN_NUMERALS = {
    "一": 1, "十": 10, "十一": 11, "十二": 12, "二十": 20, "二十一": 21, "九十九": 99, "一百": 100,
    "一百零五": 105, "一百一十": 110, "一百一十九": 119, "一百二十": 120, "一百二十六": 126,
    "二百": 200, "九百九十九": 999, "一千": 1000, "一千零一": 1001, "一千零一十": 1010,
    "一千一百": 1100, "二千零二十一": 2021, "九千九百九十九": 9999,
}


@pytest.mark.parametrize(("text", "value"), KNOWN_NUMERALS.items())
def test_known_numerals(text, value):
    assert cn_to_int(text) == value
    assert int_to_cn(value) == text


@pytest.mark.parametrize(("text", "value"), [
    ("两百", 200), ("一百十", 110), ("一〇〇一", None), ("一千零五十", 1050), ("51", 51), ("５１", 51),
    (" 十二 ", 12),
])
def test_lenient_numerals(text, value):
    if value is None:
        with pytest.raises(ValueError):
            cn_to_int(text)
    else:
        assert cn_to_int(text) == value


@pytest.mark.parametrize("text", ["", "  ", "百", "千", "一二", "十十", "百十", "零五", "一百五", "一千五",
                                  "一千零", "一千零一百", "一百零零五", "abc", "十a", "5十", "一万"])
def test_invalid_numerals(text):
    with pytest.raises(ValueError):
        cn_to_int(text)


def test_numerals_round_trip_1_to_1000():
    seen = set()
    for n in range(1, 1001):
        text = int_to_cn(n)
        assert cn_to_int(text) == n
        seen.add(text)
    assert len(seen) == 1000


@given(st.integers(min_value=1, max_value=9999))
def test_numerals_round_trip_property(n):
    assert cn_to_int(int_to_cn(n)) == n
    assert cn_to_int(str(n)) == n


@pytest.mark.parametrize("bad", [0, -1, 10_000, True, 1.5])
def test_int_to_cn_range(bad):
    with pytest.raises(ValueError):
        int_to_cn(bad)


def test_article_label():
    assert article_label(58) == "第五十八条"
    assert article_label(10, 1) == "第十条之一"
    assert article_label(120) == "第一百二十条"


# --------------------------------------------------------------------------- inline fixture law

FIXTURE = """\
# 中华人民共和国示例管理法

2019年4月23日 第十三届全国人民代表大会常务委员会第十次会议通过

2021年6月10日  第十三届全国人民代表大会常务委员会第二十九次会议修正\u3000

<!-- INFO END -->

## 第一章 总 则

第一条 为了规范示例管理，制定本法。

第二条 本法所称示例，是指依照本法登记的事项。

前款所称登记，包括设立登记和变更登记。

## 第二章  管理措施

### 第一节 一般规定

第三条 有下列情形之一的，应当登记：

（一）新设示例的；

（二）变更示例的；

(三)注销示例的。

登记机关应当在五日内办结。

第十条 登记机关应当公示登记信息。

第十条之一 公示信息涉及个人隐私的，应当去标识化处理。

### 第二节 特别规定

第一百零五条 有下列行为之一的，处二百元以上三千元以下罚款：

（一）未登记的；

（二）提供虚假材料的。

有前款第（二）项行为，情节严重的，处一万元以下罚款。

## 第三章 附则

第一百二十条 本法自2021年9月1日起施行。
"""


@pytest.fixture
def law() -> LawText:
    return parse_law(FIXTURE)


def test_fixture_header(law):
    assert law.title == "中华人民共和国示例管理法"
    assert law.short_title == "示例管理法"
    assert law.history == [
        "2019年4月23日 第十三届全国人民代表大会常务委员会第十次会议通过",
        "2021年6月10日 第十三届全国人民代表大会常务委员会第二十九次会议修正",
    ]
    assert law.version_date == date(2021, 6, 10)  # no file name: the last history line
    assert law.history_date == date(2021, 6, 10)
    assert law.chapters == ["第一章 总则", "第二章 管理措施", "第三章 附则"]
    assert law.preamble == []


def test_fixture_filename_date_wins(law):
    dated = parse_law(FIXTURE, filename="/some/where/示例管理法(2021-06-30).md")
    assert dated.version_date == date(2021, 6, 30)
    assert dated.history_date == date(2021, 6, 10)
    assert parse_law(FIXTURE, filename="示例管理法（2021-06-30）.md").version_date == date(2021, 6, 30)
    assert parse_law(FIXTURE, filename="示例管理法.md").version_date == date(2021, 6, 10)


def test_fixture_articles(law):
    assert [a.key for a in law.articles] == [(1, 0), (2, 0), (3, 0), (10, 0), (10, 1), (105, 0), (120, 0)]
    assert [a.label for a in law.articles] == [
        "第一条", "第二条", "第三条", "第十条", "第十条之一", "第一百零五条", "第一百二十条"]
    first = law.article(1)
    assert first.paragraphs == ["为了规范示例管理，制定本法。"]
    assert first.text == "为了规范示例管理，制定本法。"
    assert (first.chapter, first.section) == ("第一章 总则", "")
    assert str(first) == "第一条 为了规范示例管理，制定本法。"

    second = law.article(2)
    assert len(second.paragraphs) == 2
    assert second.paragraph(2) == "前款所称登记，包括设立登记和变更登记。"
    assert second.items == [[], []]


def test_fixture_paragraphs_and_items(law):
    art = law.article(3)
    assert (art.chapter, art.section) == ("第二章 管理措施", "第一节 一般规定")
    assert len(art.paragraphs) == 2  # the items belong to the first 款
    assert art.paragraphs[0].splitlines() == [
        "有下列情形之一的，应当登记：", "（一）新设示例的；", "（二）变更示例的；", "(三)注销示例的。"]
    assert art.items == [["（一）新设示例的；", "（二）变更示例的；", "(三)注销示例的。"], []]
    assert art.item(1, 3) == "(三)注销示例的。"
    assert art.paragraph(2) == "登记机关应当在五日内办结。"
    assert art.text.count("\n") == 4
    with pytest.raises(KeyError):
        art.paragraph(3)
    with pytest.raises(KeyError):
        art.item(1, 4)
    with pytest.raises(KeyError):
        art.item(2, 1)


def test_fixture_inserted_article_and_sections(law):
    inserted = law.article(10, 1)
    assert inserted.label == "第十条之一"
    assert inserted.text == "公示信息涉及个人隐私的，应当去标识化处理。"
    assert inserted.section == "第一节 一般规定"
    assert law.article(10).suffix == 0
    big = law.article(105)
    assert (big.chapter, big.section) == ("第二章 管理措施", "第二节 特别规定")
    last = law.article(120)
    assert (last.chapter, last.section) == ("第三章 附则", "")  # a new chapter resets the section
    with pytest.raises(KeyError, match="第四条"):
        law.article(4)
    with pytest.raises(KeyError):
        law.article(3, 1)


def test_fixture_cited_text(law):
    assert law.cited_text(Citation("示例管理法", 105, paragraph=1, item=2)) == "（二）提供虚假材料的。"
    assert law.cited_text(Citation("示例管理法", 105, item=1)) == "（一）未登记的；"
    assert law.cited_text(Citation("示例管理法", 105, paragraph=2)).startswith("有前款第（二）项行为")
    assert law.cited_text(Citation("示例管理法", 10, 1)) == law.article(10, 1).text


def test_line_endings_bom_zero_width_and_ideographic_space():
    text = "\ufeff" + FIXTURE.replace("第一条 ", "第一条\u3000").replace("## 第一章 总 则", "## 第一章 总 则\n\n\u200b")
    variant = parse_law(text.replace("\n", "\r\n"))
    assert [a.key for a in variant.articles] == [a.key for a in parse_law(FIXTURE).articles]
    assert variant.article(1).text == "为了规范示例管理，制定本法。"
    assert "\u200b" not in "".join(a.text for a in variant.articles)


def test_without_marker_or_chapters():
    law = parse_law("# 某某条例\n\n2014年8月7日 国务院令第654号公布\n\n第一条 甲。\n\n第二条 乙：\n\n(一)丙；\n")
    assert law.history == ["2014年8月7日 国务院令第654号公布"]
    assert law.version_date == date(2014, 8, 7)
    assert law.short_title == "某某条例"
    assert [a.chapter for a in law.articles] == ["", ""]
    assert law.chapters == []
    assert law.article(2).items == [["(一)丙；"]]


def test_preamble_kept():
    law = parse_law("# 某法\n\n2020年1月1日 通过\n\n<!-- INFO END -->\n\n序言文字。\n\n## 第一章 总则\n\n第一条 甲。")
    assert law.preamble == ["序言文字。"]
    assert law.article(1).chapter == "第一章 总则"


def test_parse_law_file(tmp_path):
    path = tmp_path / "示例管理法(2021-06-30).md"
    path.write_text(FIXTURE, encoding="utf-8-sig")
    law = parse_law_file(path)
    assert law.version_date == date(2021, 6, 30)
    assert len(law.articles) == 7
    bad = tmp_path / "乱码(2021-06-30).md"
    bad.write_bytes(FIXTURE.encode("gb18030"))
    with pytest.raises(LawParseError, match="UTF-8"):
        parse_law_file(bad)


# --------------------------------------------------------------------------- malformed input

HEAD = "# 某法\n\n2020年1月1日 通过\n\n<!-- INFO END -->\n\n"


@pytest.mark.parametrize(("text", "line", "message"), [
    ("", 1, "文本为空"),
    ("\n\n  \n", 1, "文本为空"),
    ("某法\n\n第一条 甲。", 1, "缺少标题行"),
    ("\n## 第一章 总则\n\n第一条 甲。", 2, "缺少标题行"),
    (HEAD + "## 第一章 总则\n", 7, "未找到任何条文"),
    (HEAD + "第一条 甲。\n\n第三条 乙。\n\n第二条 丙。", 11, "条文序号不递增：第二条出现在第三条之后"),
    (HEAD + "第一条 甲。\n\n第一条 乙。", 9, "条文序号不递增"),
    (HEAD + "第十一条 甲。\n\n第十条之一 乙。", 9, "条文序号不递增：第十条之一出现在第十一条之后"),
    (HEAD + "第一条\n\n第二条 乙。", 7, "第一条没有内容"),
    (HEAD + "第一条 甲。\n\n第二条", 9, "第二条没有内容"),
    (HEAD + "第十十条 甲。", 7, "无法识别的条文序号"),
    (HEAD + "第零条 甲。", 7, "无法识别的条文序号"),
    (HEAD + "第一条 甲。\n\n## 第二章 乙\n\n本章说明。\n\n第二条 丙。", 11, "章节标题之后应为条文"),
    (HEAD + "第一条 甲。\n\n# 另一部法", 9, "第二个一级标题"),
    (HEAD + "第一条 甲。\n\n##\n\n第二条 乙。", 9, "标题行没有内容"),
    (HEAD + "### 第一节 一般规定\n\n第一条 甲。", 7, "不在任何章之内"),
    (HEAD + "第一条 甲。\n\n<!-- INFO END -->", 9, "重复"),
    ("# 某法\n\n<!-- INFO END -->\n\n第一条 甲。", 1, "无法确定版本日期"),
])
def test_malformed(text, line, message):
    with pytest.raises(LawParseError) as info:
        parse_law(text)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.line == line
    assert message in err.message
    assert str(err) == f"第{line}行：{err.message}"


def test_malformed_filename_date():
    with pytest.raises(LawParseError, match="日期"):
        parse_law(FIXTURE, filename="示例管理法(2021-02-30).md")


# --------------------------------------------------------------------------- citations


@pytest.mark.parametrize(("text", "expected"), [
    ("《中华人民共和国行政处罚法》第五十八条第一款第（三）项",
     [Citation("中华人民共和国行政处罚法", 58, 0, 1, 3)]),
    ("《行政处罚法》第51条", [Citation("行政处罚法", 51)]),
    ("《城市市容和环境卫生管理条例》第三十四条、第三十六条",
     [Citation("城市市容和环境卫生管理条例", 34), Citation("城市市容和环境卫生管理条例", 36)]),
    ("《行政处罚法》第五十一条第一款、第二款",
     [Citation("行政处罚法", 51, 0, 1), Citation("行政处罚法", 51, 0, 2)]),
    ("《行政处罚法》第五十八条第一款第（一）项、第（三）项",
     [Citation("行政处罚法", 58, 0, 1, 1), Citation("行政处罚法", 58, 0, 1, 3)]),
    ("《行政处罚法》第五十八条第(三)项", [Citation("行政处罚法", 58, 0, None, 3)]),
    ("《行政处罚法》第五十八条第一款第三项", [Citation("行政处罚法", 58, 0, 1, 3)]),
    ("《示例法》第十条之一", [Citation("示例法", 10, 1)]),
    ("《示例法》第十条至第十二条", [Citation("示例法", 10), Citation("示例法", 11), Citation("示例法", 12)]),
    ("依据《示例法》第十条规定处二百元至三千元罚款，第十二条", [Citation("示例法", 10), Citation("示例法", 12)]),
    ("《中华人民共和国行政处罚法》第五十一条，《城市市容和环境卫生管理条例》第三十四条和第三十六条",
     [Citation("中华人民共和国行政处罚法", 51), Citation("城市市容和环境卫生管理条例", 34),
      Citation("城市市容和环境卫生管理条例", 36)]),
    ("《行政处罚法》第一百二十条；《行政处罚法》第一百二十条", [Citation("行政处罚法", 120)]),
    ("第五十一条", []),  # no law named
    ("《行政处罚法》", []),
    ("", []),
    ("见说明", []),
])
def test_parse_citation(text, expected):
    assert parse_citation(text) == expected


def test_parse_citation_default_title():
    assert parse_citation("第五十一条第二款", default_title="《行政处罚法》") == [
        Citation("行政处罚法", 51, 0, 2)]


@pytest.mark.parametrize(("citation", "text"), [
    (Citation("中华人民共和国行政处罚法", 58, 0, 1), "《行政处罚法》第五十八条第一款"),
    (Citation("中华人民共和国行政处罚法", 58, 0, 1, 3), "《行政处罚法》第五十八条第一款第（三）项"),
    (Citation("行政处罚法", 58, 0, None, 3), "《行政处罚法》第五十八条第（三）项"),
    (Citation("《示例法》", 10, 1), "《示例法》第十条之一"),
    (Citation("城市市容和环境卫生管理条例", 34), "《城市市容和环境卫生管理条例》第三十四条"),
])
def test_format_citation(citation, text):
    assert format_citation(citation) == text
    assert str(citation) == text


def test_format_citation_full_title():
    c = Citation("中华人民共和国行政处罚法", 51)
    assert format_citation(c, full_title=True) == "《中华人民共和国行政处罚法》第五十一条"
    assert c.short_title == "行政处罚法"


@given(st.integers(1, 999), st.integers(0, 9), st.one_of(st.none(), st.integers(1, 9)),
       st.one_of(st.none(), st.integers(1, 20)))
def test_citation_round_trip(article, suffix, paragraph, item):
    c = Citation("行政处罚法", article, suffix, paragraph, item)
    assert parse_citation(format_citation(c)) == [c]


@pytest.mark.parametrize(("title", "short"), [
    ("中华人民共和国行政处罚法", "行政处罚法"),
    ("《中华人民共和国行政处罚法》", "行政处罚法"),
    ("《行政处罚法》", "行政处罚法"),
    (" 行政 处罚法 ", "行政处罚法"),
    ("中华人民共和国行政处罚法（2021年修订）", "行政处罚法"),
    ("城市市容和环境卫生管理条例", "城市市容和环境卫生管理条例"),
    ("洛阳市城市市容和环境卫生管理条例", "洛阳市城市市容和环境卫生管理条例"),
    ("中华人民共和国", "中华人民共和国"),
])
def test_normalise_title(title, short):
    assert normalise_title(title) == short


# --------------------------------------------------------------------------- the shared law texts

LAW_FILES = sorted(p for p in LAWS_DIR.glob("*.md") if p.name.lower() != "readme.md") if LAWS_DIR.is_dir() else []
SHARED_PARAMS = [pytest.param(p, id=p.stem) for p in LAW_FILES] or [
    pytest.param(None, marks=pytest.mark.skip(reason=f"{LAWS_DIR} is absent"), id="no-shared-laws")]

# Article counts of the files as shipped; each equals the largest article number (no gaps).
EXPECTED_COUNTS = {
    "个人信息保护法(2021-08-20)": 74,
    "企业信息公示暂行条例(2014-08-07)": 25,
    "会计法(2024-06-28)": 51,
    "固体废物污染环境防治法(2020-04-29)": 126,
    "城乡规划法(2019-04-23)": 70,
    "城市市容和环境卫生管理条例(2017-03-01)": 45,
    "大气污染防治法(2018-10-26)": 129,
    "安全生产法(2021-06-10)": 119,
    "市场监督管理行政处罚信息公示规定(2021-07-30)": 19,
    "平顶山市城市市容和环境卫生管理条例(2019-11-14)": 58,
    "政府信息公开条例(2019-04-03)": 56,
    "水污染防治法(2017-06-27)": 103,
    "洛阳市城市市容和环境卫生管理条例(2019-01-14)": 47,
    "消防法(2021-04-29)": 74,
    "环境保护法(2014-04-24)": 70,
    "行政处罚法(2021-01-22)": 86,
    "行政复议法(2023-09-01)": 90,
    "行政强制法(2011-06-30)": 71,
    "行政许可法(2019-04-23)": 83,
    "行政诉讼法(2017-06-27)": 103,
    "财政违法行为处罚处分条例(2011-01-08)": 35,
}
# Files whose article numbering legitimately has gaps or inserted (之一) articles: none so far.
GAPPED: set[str] = set()


def _shared(name: str) -> LawText:
    path = LAWS_DIR / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return parse_law_file(path)


@pytest.mark.shared
@pytest.mark.parametrize("path", SHARED_PARAMS)
def test_shared_file_parses(path: Path):
    law = parse_law_file(path)
    assert law.title and not law.title.startswith("#")
    assert law.history, "every file has history lines"
    assert law.version_date == date.fromisoformat(re.search(r"\((\d{4}-\d{2}-\d{2})\)", path.name).group(1))
    keys = [a.key for a in law.articles]
    assert all(a < b for a, b in zip(keys, keys[1:], strict=False)), "article numbers strictly increase"
    for art in law.articles:
        assert isinstance(art, Article)
        assert art.label == article_label(art.number, art.suffix)
        assert art.paragraphs and all(p.strip() for p in art.paragraphs)
        assert len(art.items) == len(art.paragraphs)
        assert not art.text.startswith("第"), art.label  # the label is not repeated in the text
        if law.chapters:
            assert art.chapter in law.chapters
    if path.stem in EXPECTED_COUNTS:
        assert len(law.articles) == EXPECTED_COUNTS[path.stem]
    if path.stem not in GAPPED:
        assert len(law.articles) == law.articles[-1].number
        assert keys == [(n, 0) for n in range(1, len(keys) + 1)]


@pytest.mark.shared
def test_shared_administrative_penalty_law():
    law = _shared("行政处罚法(2021-01-22).md")
    assert law.title == "中华人民共和国行政处罚法"
    assert law.short_title == "行政处罚法"
    assert law.version_date == date(2021, 1, 22)
    assert len(law.history) == 4
    assert len(law.articles) == 86
    assert len(law.chapters) == 8
    art51 = law.article(51)
    assert "二百元" in art51.text and "三千元" in art51.text
    assert (art51.chapter, art51.section) == ("第五章 行政处罚的决定", "第二节 简易程序")
    art58 = law.article(58)
    assert "法制审核" in art58.paragraphs[0]
    assert len(art58.paragraphs) == 2 and len(art58.items[0]) == 4
    assert art58.chapter == "第五章 行政处罚的决定"
    assert law.cited_text(parse_citation("《中华人民共和国行政处罚法》第五十八条第一款第（三）项")[0]) == \
        "（三）案件情况疑难复杂、涉及多个法律关系的；"
    assert law.article(9).chapter == "第二章 行政处罚的种类和设定"
    assert len(law.article(9).items[0]) == 6
    assert law.article(86).chapter == "第八章 附则"


@pytest.mark.shared
def test_shared_local_regulation():
    law = _shared("洛阳市城市市容和环境卫生管理条例(2019-01-14).md")
    assert law.short_title == law.title == "洛阳市城市市容和环境卫生管理条例"
    assert law.version_date == date(2019, 1, 14)
    assert law.history_date == date(2018, 11, 29)  # the file name carries a later date
    assert law.chapters[0] == "第一章 总则"  # "## 第一章  总则" with two spaces
    assert law.chapters[-1] == "第六章 附则"
    assert len(law.articles) == 47


@pytest.mark.shared
def test_shared_variations():
    # no chapters at all, half-width item markers
    finance = _shared("财政违法行为处罚处分条例(2011-01-08).md")
    assert finance.chapters == [] and {a.chapter for a in finance.articles} == {""}
    assert finance.article(3).items[0][0].startswith("(一)")
    # a zero-width space line after a chapter heading
    review = _shared("行政复议法(2023-09-01).md")
    assert review.article(1).chapter == "第一章 总则"  # "## 第一章 总 则"
    assert all("\u200b" not in a.text for a in review.articles)
    # 一百二十 and beyond
    air = _shared("大气污染防治法(2018-10-26).md")
    assert air.article(120).label == "第一百二十条"
    assert air.article(129).chapter == "第八章 附则"
    # the national urban-appearance regulation, cited in the enforcement items
    city = _shared("城市市容和环境卫生管理条例(2017-03-01).md")
    cites = parse_citation("《城市市容和环境卫生管理条例》第三十四条、第三十六条")
    assert all(c.short_title == city.short_title for c in cites)
    assert [city.cited_text(c) for c in cites] == [city.article(34).text, city.article(36).text]
