#!/usr/bin/env python3
"""What a reader sees in a capdo document, as JSON on standard output, for tests/docx.rs.

    read.py docx FILE.docx   python-docx (Debian's python3-docx) opens the Word file
    read.py html FILE.html   the standard library's HTML parser reads the HTML dossier

docx: the page setup of every section (mm), the default font and size, every body-level
element in order (paragraphs with their style, text, page break and highlighted runs;
tables with their style and cell texts), whether a TOC field is present, the inline pictures,
the texts that are not in Unicode NFC.
html: the headings (h1-h4), the tables (cell texts) and the text blocks (p, li, br-separated),
leaving out <pre> (the Mermaid source, which the Word file shows as a picture).
Text is whitespace-normalised on both sides; nothing is compared here.
"""

import json
import sys
import unicodedata
from html.parser import HTMLParser


def norm(s):
    return " ".join(s.split())


def read_docx(path):
    import docx
    from docx.oxml.ns import qn

    d = docx.Document(path)

    def text_of(p_el):
        out = []
        for el in p_el.iter():
            if el.tag == qn("w:t"):
                out.append(el.text or "")
            elif el.tag == qn("w:tab"):
                out.append("\t")
            elif el.tag in (qn("w:br"), qn("w:cr")):
                out.append("\n")
        return "".join(out)

    def highlighted(p_el):
        runs = []
        for r in p_el.iter(qn("w:r")):
            rpr = r.find(qn("w:rPr"))
            if rpr is not None and rpr.find(qn("w:highlight")) is not None:
                runs.append("".join(t.text or "" for t in r.iter(qn("w:t"))))
        return runs

    def page_break(p_el):
        ppr = p_el.find(qn("w:pPr"))
        if ppr is not None and ppr.find(qn("w:pageBreakBefore")) is not None:
            return True
        return any(br.get(qn("w:type")) == "page" for br in p_el.iter(qn("w:br")))

    styles = {s.style_id: s.name for s in d.styles}

    def style_name(x):
        # None when the element names no style and the file declares no default one.
        s = x.style if x is not None else None
        return s.name if s is not None else ""
    body = []
    paragraphs = {p._p: p for p in d.paragraphs}
    tables = {t._tbl: t for t in d.tables}
    for el in d.element.body.iterchildren():
        if el.tag == qn("w:p"):
            p = paragraphs.get(el)
            body.append(
                {
                    "kind": "p",
                    "style": style_name(p),
                    "text": norm(text_of(el)),
                    "page_break": page_break(el),
                    "section_break": el.find(qn("w:pPr")) is not None
                    and el.find(qn("w:pPr")).find(qn("w:sectPr")) is not None,
                    "highlighted": highlighted(el),
                }
            )
        elif el.tag == qn("w:tbl"):
            t = tables[el]
            rows = [[norm(c.text) for c in r.cells] for r in t.rows]
            inner = [
                {"text": norm(text_of(p)), "highlighted": highlighted(p)}
                for p in el.iter(qn("w:p"))
            ]
            body.append(
                {
                    "kind": "table",
                    "style": style_name(t),
                    "rows": rows,
                    "paragraphs": inner,
                }
            )

    sections = []
    for s in d.sections:
        sections.append(
            {
                "orientation": "landscape" if s.orientation == 1 else "portrait",
                "width_mm": round(s.page_width.mm, 1),
                "height_mm": round(s.page_height.mm, 1),
                "top_mm": round(s.top_margin.mm, 1),
                "bottom_mm": round(s.bottom_margin.mm, 1),
                "left_mm": round(s.left_margin.mm, 1),
                "right_mm": round(s.right_margin.mm, 1),
            }
        )

    # The document defaults (w:docDefaults), which the Normal style inherits.
    rpr = d.styles.element.find(qn("w:docDefaults"))
    fonts, size = {}, None
    if rpr is not None:
        rf = rpr.find(".//" + qn("w:rFonts"))
        if rf is not None:
            fonts = {k.split("}")[1]: v for k, v in rf.attrib.items()}
        sz = rpr.find(".//" + qn("w:sz"))
        if sz is not None:
            size = int(sz.get(qn("w:val"))) / 2

    # Every text node of the document in Unicode NFC (Vietnamese precomposed).
    not_nfc = [
        t.text
        for t in d.element.body.iter(qn("w:t"))
        if t.text and not unicodedata.is_normalized("NFC", t.text)
    ]
    instr = " ".join(e.text or "" for e in d.element.body.iter(qn("w:instrText")))
    return {
        "sections": sections,
        "default_fonts": fonts,
        "default_size_pt": size,
        "heading_styles": sorted(n for n in styles.values() if n and n.startswith("Heading")),
        "body": body,
        "toc_field": "TOC" in instr.split(),
        "pictures": len(d.inline_shapes),
        "not_nfc": not_nfc,
        "core_created": str(d.core_properties.created),
    }


class Html(HTMLParser):
    BLOCK = {"p", "li", "ul", "ol", "div", "table", "tr", "h1", "h2", "h3", "h4", "pre", "br"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings, self.tables, self.blocks = [], [], []
        self.buf, self.skip, self.cell, self.row, self.table = [], 0, None, None, None
        self.heading = None

    def flush(self):
        t = norm("".join(self.buf))
        self.buf = []
        if t and self.cell is None and self.heading is None and not self.skip:
            self.blocks.append(t)

    def handle_starttag(self, tag, attrs):
        if tag in ("head", "pre", "style", "title", "script"):
            self.flush()
            self.skip += 1
            return
        if tag in ("th", "td"):
            self.flush()
            self.cell = []
        elif tag == "tr":
            self.row = []
        elif tag == "table":
            self.flush()
            self.table = []
        elif tag in ("h1", "h2", "h3", "h4"):
            self.flush()
            self.heading = (int(tag[1]), [])
        elif tag in self.BLOCK:
            self.flush()

    def handle_endtag(self, tag):
        if tag in ("head", "pre", "style", "title", "script"):
            self.skip -= 1
            self.buf = []
            return
        if tag in ("th", "td"):
            self.row.append(norm("".join(self.cell)))
            self.cell = None
        elif tag == "tr":
            self.table.append(self.row)
            self.row = None
        elif tag == "table":
            self.tables.append(self.table)
            self.table = None
        elif tag in ("h1", "h2", "h3", "h4"):
            self.headings.append([self.heading[0], norm("".join(self.heading[1]))])
            self.heading = None
        elif tag in self.BLOCK:
            self.flush()

    def handle_data(self, data):
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data)
        elif self.heading is not None:
            self.heading[1].append(data)
        else:
            self.buf.append(data)


def read_html(path):
    h = Html()
    with open(path, encoding="utf-8") as f:
        h.feed(f.read())
    h.close()
    h.flush()
    return {"headings": h.headings, "tables": h.tables, "blocks": h.blocks}


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    out = read_docx(path) if kind == "docx" else read_html(path)
    json.dump(out, sys.stdout, ensure_ascii=False)
