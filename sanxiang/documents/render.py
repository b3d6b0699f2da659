"""Two renderers of one structured document: Word (python-docx) and PDF (WeasyPrint).

Typesetting follows GB/T 9704 (党政机关公文格式) as far as enforcement documents use it: A4,
margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (forms: top 25 mm, bottom 28 mm); the agency name and the title centred in
a bold Song face (二号 22 pt for the title), body text in 仿宋 三号 (16 pt) for letters and 四号
(14 pt) for forms and records, first-line indent of two characters, page number "— N —" at the
foot. Word gets the East Asian font names offices have (仿宋_GB2312, 宋体, set through w:eastAsia);
the PDF embeds Noto Serif CJK SC, which is installed with the fonts-noto-cjk package.
"""

from __future__ import annotations

import base64
import io

from django.template.loader import render_to_string

# Sizes in points (Chinese font-size names): 二号 22, 小二 18, 三号 16, 四号 14, 小四 12, 五号 10.5.
TITLE_PT, AGENCY_PT, LETTER_PT, FORM_PT, CELL_PT, NOTE_PT = 22, 18, 16, 14, 12, 10.5
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
# Forms and records (审批表、笔录、回证) keep the side margins but use less height, as printed
# enforcement forms do, so that a form fits its page.
FORM_MARGINS_MM = {"top": 25, "bottom": 28, "left": 28, "right": 26}
BODY_FONT, TITLE_FONT, LATIN_FONT = "仿宋_GB2312", "宋体", "Times New Roman"


def group_blocks(blocks: list[dict]) -> list[dict]:
    """Consecutive form rows (fields, opinion) become one bordered table: {"type": "form", "rows"}.

    A form row is {"pairs": [[label, value], ...]} or {"opinion": {...}}.
    """
    out: list[dict] = []
    for block in blocks:
        if block["type"] in ("fields", "opinion"):
            if not out or out[-1]["type"] != "form":
                out.append({"type": "form", "rows": []})
            if block["type"] == "fields":
                out[-1]["rows"] += [{"pairs": row} for row in block["rows"]]
            else:
                out[-1]["rows"].append({"opinion": block})
        else:
            out.append(block)
    return out


def verification_text(content: dict, content_sha256: str) -> str:
    """What the QR code and the footer carry: enough to find the ledger entry of this version."""
    return f"SANXIANG-DOC {content['number']} v{content['version']} sha256:{content_sha256}"


# --- Word --------------------------------------------------------------------------------------


def _set_font(run, *, size: float | None = None, bold: bool | None = None, east: str = BODY_FONT) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = LATIN_FONT
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold


def _para(container, text: str = "", *, size: float, align=None, bold=False, indent=False, east=BODY_FONT,
          space_after: float = 0, exact: float | None = None):
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    p = container.add_paragraph()
    fmt = p.paragraph_format
    if align is not None:
        p.alignment = align
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    fmt.space_after = Pt(space_after)
    fmt.space_before = Pt(0)
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(exact)
    else:
        fmt.line_spacing = 1.25
    if text:
        _set_font(p.add_run(text), size=size, bold=bold, east=east)
    return p


def _cell_text(cell, text: str, *, size: float, bold=False, align=None) -> None:
    lines = (text or "").split("\n")
    first = cell.paragraphs[0]
    for i, chunk in enumerate(lines):
        p = first if i == 0 else cell.add_paragraph()
        if align is not None:
            p.alignment = align
        p.paragraph_format.space_after = 0
        p.paragraph_format.line_spacing = 1.2
        if chunk:
            _set_font(p.add_run(chunk), size=size, bold=bold)


def _set_widths(table, widths_cm: list[float]) -> None:
    from docx.shared import Cm

    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(width)


def _field(paragraph, instruction: str, size: float) -> None:
    """A Word field (PAGE, NUMPAGES) so that the number is right on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    _set_font(run, size=size, east=TITLE_FONT)
    for kind, text in (("begin", None), (None, instruction), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _footer(section, content: dict, content_sha256: str, form: bool) -> None:
    """Page number (— N — for letters, 第 N 页 共 M 页 for forms), the per-page signature line of
    a 笔录, and the verification reference."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    footer = section.footer
    footer.is_linked_to_previous = False
    numbers = footer.paragraphs[0]
    numbers.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if content.get("page_sign"):
        sign = footer.add_paragraph()
        sign.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _set_font(sign.add_run(content["page_sign"]), size=12)
        footer._element.remove(sign._p)
        numbers._p.addprevious(sign._p)
    parts = (("第 ", "PAGE", " 页 共 ", "NUMPAGES", " 页") if form else ("— ", "PAGE", " —"))
    for part in parts:
        if part.isupper():
            _field(numbers, part, 14 if not form else 12)
        else:
            _set_font(numbers.add_run(part), size=14 if not form else 12, east=TITLE_FONT)
    ref = footer.add_paragraph()
    ref.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(ref.add_run(f"文书核验：{content['number']} 第{content['version']}版 "
                          f"SHA-256 {content_sha256[:32]}…"), size=8)


def render_docx(content: dict, content_sha256: str) -> bytes:
    import docx
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    form = content.get("layout") == "form"
    size = FORM_PT if form else LETTER_PT
    exact = None if form else 28.0  # 22 lines per page of 225 mm, as GB/T 9704 sets for 三号 text
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    margins = FORM_MARGINS_MM if form else MARGINS_MM
    section.top_margin, section.bottom_margin = Mm(margins["top"]), Mm(margins["bottom"])
    section.left_margin, section.right_margin = Mm(margins["left"]), Mm(margins["right"])
    section.footer_distance = Mm(10 if form else 20)
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(size)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    props = document.core_properties
    props.title = f"{content['title']} {content['number']}"
    props.author = content.get("agency", "")
    props.subject = verification_text(content, content_sha256)

    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    _para(document, content.get("agency", ""), size=AGENCY_PT, align=center, bold=True, east=TITLE_FONT)
    _para(document, content["title"], size=TITLE_PT, align=center, bold=True, east=TITLE_FONT, space_after=6)
    _para(document, content["number"], size=size, align=right if not form else center, space_after=12)

    for block in group_blocks(content["blocks"]):
        kind = block["type"]
        if kind == "form":
            table = document.add_table(rows=0, cols=4)
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for row in block["rows"]:
                cells = table.add_row().cells
                if "opinion" in row:
                    op = row["opinion"]
                    _cell_text(cells[0], op["label"], size=CELL_PT, bold=True, align=center)
                    merged = cells[1].merge(cells[3])
                    _cell_text(merged, op["text"], size=CELL_PT)
                    for i, text in enumerate((f"签名：{op['signer'] or '　' * 6}", f"日期：{op['date'] or '　' * 6}")):
                        p = merged.add_paragraph()
                        p.alignment = right
                        p.paragraph_format.space_before = Pt(18 if i == 0 else 0)
                        _set_font(p.add_run(text), size=CELL_PT)
                    continue
                pairs = row["pairs"]
                if len(pairs) == 1:
                    _cell_text(cells[0], pairs[0][0], size=CELL_PT, bold=True, align=center)
                    _cell_text(cells[1].merge(cells[3]), pairs[0][1], size=CELL_PT)
                else:
                    for i, (label, value) in enumerate(pairs[:2]):
                        _cell_text(cells[2 * i], label, size=CELL_PT, bold=True, align=center)
                        _cell_text(cells[2 * i + 1], value, size=CELL_PT)
            _set_widths(table, [3.0, 4.8, 3.0, 4.8])  # 15.6 cm: the text width
            _para(document, size=6)
        elif kind == "table":
            table = document.add_table(rows=1, cols=len(block["columns"]))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, title in zip(table.rows[0].cells, block["columns"], strict=True):
                _cell_text(cell, title, size=CELL_PT, bold=True, align=center)
            for values in block["rows"]:
                for cell, value in zip(table.add_row().cells, values, strict=False):
                    _cell_text(cell, value, size=CELL_PT)
            _para(document, size=6)
        elif kind == "heading":
            _para(document, block["text"], size=size, bold=True, exact=exact, east=TITLE_FONT, indent=not form)
        elif kind == "paragraph":
            _para(document, block["text"], size=size, indent=block.get("indent", True), exact=exact,
                  align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        elif kind == "line":
            _para(document, block["text"], size=size, exact=exact)
        elif kind == "qa":
            for item in block["items"]:
                for label, text in (("问：", item["q"]), ("答：", item["a"])):
                    p = _para(document, size=size, exact=exact)
                    _set_font(p.add_run(label), size=size, bold=True, east=TITLE_FONT)
                    _set_font(p.add_run(text), size=size)
        elif kind == "signatures":
            # Two signature lines per paragraph, as in the PDF.
            items = block["items"]
            for start in range(0, len(items), 2):
                p = _para(document, size=size, space_after=8)
                p.paragraph_format.space_before = Pt(8 if start == 0 else 0)
                for i, (label, value) in enumerate(items[start:start + 2]):
                    _set_font(p.add_run(("　　" if i else "") + f"{label}："), size=size)
                    run = p.add_run(value or "　" * 6)
                    _set_font(run, size=size)
                    run.font.underline = not value
        elif kind == "seal":
            _para(document, size=size, exact=exact)
            for text in (block["agency"], block["date"]):
                p = _para(document, text, size=size, align=right, exact=exact)
                p.paragraph_format.right_indent = Pt(size * 2)
            p = _para(document, "（印章）", size=size - 2, align=right)
            p.paragraph_format.right_indent = Pt(size * 3)
        elif kind == "note":
            _para(document, block["text"], size=NOTE_PT + 1.5, space_after=4)
    _footer(section, content, content_sha256, form)
    for table in document.tables:
        for cell in table._cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- PDF ---------------------------------------------------------------------------------------


def qr_svg_data_uri(text: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=1)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


def render_html(content: dict, content_sha256: str) -> str:
    form = content.get("layout") == "form"
    verify = verification_text(content, content_sha256)
    return render_to_string("documents/pdf.html", {
        "doc": content, "groups": group_blocks(content["blocks"]), "form": form,
        "size": FORM_PT if form else LETTER_PT, "cell_size": CELL_PT,
        "margins": FORM_MARGINS_MM if form else MARGINS_MM,
        "sha256": content_sha256,
        "verify": verify, "qr": qr_svg_data_uri(verify),
    })


def render_pdf(content: dict, content_sha256: str) -> bytes:
    from weasyprint import HTML

    html = render_html(content, content_sha256)
    return HTML(string=html, base_url=None).write_pdf()
