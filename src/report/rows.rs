//! The finding rows of the shipped report templates, written without the template engine: the
//! HTML page's `{{#each findings}}` row and the Markdown page's `{{#each attention}}` row, as
//! plain appends to a buffer with the escaper the engine would call (issue 19: at 50,000
//! servers, handlebars rendering the rows one by one was most of the HTML report's CPU).
//!
//! Each writer produces exactly the bytes its block of the shipped template renders for the
//! same row, and only stands in for that block when the page is the shipped template (a
//! `--templates` override is rendered by handlebars, rows included: see [`super::stream`]). The
//! tests below render the block as it is written in `templates/report/` through handlebars and
//! compare, so a change to the shipped row that is not made here too fails them.

use std::fmt::Write as _;

use super::view::{FindingRow, Labels};
use crate::escape;
use crate::policy::Status;

/// The words a row writer takes from the page's `t.*`, escaped once for the page.
#[derive(Debug)]
pub(crate) struct Words {
    transition_debt: String,
    evidence: String,
    basis: String,
    remediation: String,
    location: String,
    waiver: String,
    unconfirmed: String,
}

impl Words {
    fn of(t: &Labels, escape: fn(&str) -> String) -> Words {
        Words {
            transition_debt: escape(t.transition_debt),
            evidence: escape(t.evidence),
            basis: escape(t.basis),
            remediation: escape(t.remediation),
            location: escape(t.location),
            waiver: escape(t.waiver),
            unconfirmed: escape(t.unconfirmed),
        }
    }
}

/// A row writer: the page's words, the row's `@index`, the row, the buffer appended to.
pub(crate) type Write = fn(&Words, usize, &FindingRow, &mut String);

/// The one block of a shipped page that a writer renders.
pub(crate) struct Direct {
    /// The list the block iterates (`findings`, `attention`).
    pub list: &'static str,
    pub write: Write,
    pub words: Words,
}

impl Direct {
    /// The HTML page's `{{#each findings}}` row.
    pub(crate) fn html(t: &Labels) -> Direct {
        Direct {
            list: "findings",
            write: html_finding,
            words: Words::of(t, escape::html),
        }
    }

    /// The Markdown page's `{{#each attention}}` row.
    pub(crate) fn markdown(t: &Labels) -> Direct {
        Direct {
            list: "attention",
            write: markdown_attention,
            words: Words::of(t, escape::markdown),
        }
    }
}

/// `{{#if level}}{{level}}`: handlebars holds 0 false.
fn level(r: &FindingRow) -> Option<u8> {
    r.level.filter(|&l| l != 0)
}

/// The row's level, or `none` when it has none.
fn push_level(r: &FindingRow, none: &str, out: &mut String) {
    match level(r) {
        Some(l) => {
            let _ = write!(out, "{l}");
        }
        None => out.push_str(none),
    }
}

/// ` [regime]` after the control under `--regime both`, escaped with `e`.
fn push_regime(r: &FindingRow, e: fn(&str, &mut String), out: &mut String) {
    if let Some(regime) = r.regime {
        out.push_str(" [");
        e(regime.as_str(), out);
        out.push(']');
    }
}

/// A string value as `{{#if x}}` reads it: present and not empty.
fn given(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

/// The row of `templates/report/report.html.hbs`'s `{{#each findings}}`.
fn html_finding(w: &Words, i: usize, r: &FindingRow, out: &mut String) {
    let e = escape::html_into;
    let status = r.status.as_str();
    let _ = write!(out, "<tr data-order=\"{i}\" data-status=\"");
    e(status, out);
    let _ = write!(
        out,
        "\" data-severity=\"{}\" data-level=\"",
        r.severity_rank
    );
    push_level(r, "none", out);
    out.push_str("\"><td><span class=\"badge st-");
    e(status, out);
    out.push_str("\">");
    e(r.status_label, out);
    out.push_str("</span>");
    if r.transition_debt {
        out.push_str(" <span class=\"debt\">");
        out.push_str(&w.transition_debt);
        out.push_str("</span>");
    }
    out.push_str("</td><td>");
    e(r.severity.as_str(), out);
    out.push_str("</td><td class=\"n\">");
    push_level(r, "–", out);
    out.push_str("</td><td><code>");
    e(r.control, out);
    out.push_str("</code>");
    push_regime(r, e, out);
    out.push_str("</td><td>");
    e(r.target, out);
    out.push_str("</td><td class=\"msg\"><strong>");
    e(r.title, out);
    out.push_str("</strong><br>");
    e(r.message, out);
    if !matches!(r.status, Status::Pass | Status::NotApplicable) {
        let term = |out: &mut String, label: &str, value: Option<&str>, code: bool| {
            if let Some(value) = given(value) {
                out.push_str("<dt>");
                out.push_str(label);
                out.push_str(if code { "</dt><dd><code>" } else { "</dt><dd>" });
                e(value, out);
                out.push_str(if code { "</code></dd>" } else { "</dd>" });
            }
            out.push('\n');
        };
        out.push_str("\n<details><summary>");
        out.push_str(&w.evidence);
        out.push_str(", ");
        out.push_str(&w.basis);
        out.push_str(", ");
        out.push_str(&w.remediation);
        out.push_str("</summary><dl>\n");
        term(out, &w.evidence, Some(r.evidence), false);
        term(out, &w.basis, Some(&r.basis), false);
        term(out, &w.location, r.location.as_deref(), true);
        term(out, &w.waiver, r.waiver.as_deref(), false);
        term(out, &w.unconfirmed, r.unconfirmed, false);
        out.push_str("<dt>");
        out.push_str(&w.remediation);
        out.push_str("</dt><dd>");
        e(r.remediation, out);
        out.push_str("</dd>\n</dl></details>");
    }
    out.push_str("</td></tr>\n");
}

/// The row of `templates/report/report.md.hbs`'s `{{#each attention}}`.
fn markdown_attention(w: &Words, _: usize, r: &FindingRow, out: &mut String) {
    let e = escape::markdown_into;
    out.push_str("| ");
    e(r.status_label, out);
    if r.transition_debt {
        out.push_str(" (");
        out.push_str(&w.transition_debt);
        out.push(')');
    }
    out.push_str(" | ");
    e(r.severity.as_str(), out);
    out.push_str(" | ");
    e(r.control, out);
    push_regime(r, e, out);
    out.push_str(" | ");
    e(r.target, out);
    out.push_str(" | ");
    push_level(r, "–", out);
    out.push_str(" | ");
    e(r.message, out);
    for (label, value) in [
        (&w.evidence, Some(r.evidence)),
        (&w.waiver, r.waiver.as_deref()),
        (&w.unconfirmed, r.unconfirmed),
    ] {
        if let Some(value) = given(value) {
            out.push_str("<br>");
            out.push_str(label);
            out.push_str(": ");
            e(value, out);
        }
    }
    out.push_str(" | ");
    e(&r.basis, out);
    out.push_str(" | ");
    match given(r.location.as_deref()) {
        Some(l) => e(l, out),
        None => out.push('–'),
    }
    out.push_str(" | ");
    e(r.remediation, out);
    out.push_str(" |\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Regime;
    use crate::policy::Severity;
    use crate::report::view::{self, labels};

    /// Rows with every optional part present and absent, and text no page should trust: HTML
    /// and Markdown metacharacters, quotes, Vietnamese, line ends, template syntax, controls.
    fn hostile() -> Vec<FindingRow<'static>> {
        let texts = [
            "<script>alert('x')</script> & \"q\" `b` a=b",
            "Máy chủ không đạt | *đậm* _nghiêng_ [liên kết](x) #1 ~g~ !ảnh \\",
            "dòng 1\ndòng 2\r\ndòng 3\rkết\u{1b}[31m\u{202e}",
            "{{t.title}} {{{graph_svg}}} {{#each findings}}",
            "",
        ];
        let statuses = [
            Status::Pass,
            Status::Fail,
            Status::Error,
            Status::Waived,
            Status::NotApplicable,
            Status::Manual,
        ];
        let mut rows = Vec::new();
        for (i, status) in statuses.into_iter().enumerate() {
            for (j, text) in texts.into_iter().enumerate() {
                let some = (i + j) % 2 == 0;
                let other = texts[(j + 1) % texts.len()];
                rows.push(FindingRow {
                    control: text,
                    target: other,
                    status,
                    status_label: "Không đạt <b>",
                    severity: [Severity::Info, Severity::Critical][j % 2],
                    severity_rank: (j % 5) as u8,
                    level: [None, Some(0), Some(3), Some(5), None][j],
                    title: other,
                    message: text,
                    evidence: if some { text } else { "" },
                    basis: format!("{text}; {other}"),
                    location: some.then(|| format!("{text}:1:2")),
                    waiver: (!some).then(|| format!("{other} (a, until b) — c")),
                    remediation: text,
                    regime: [None, Some(Regime::Nd85), Some(Regime::Nd331)][j % 3],
                    transition_debt: some,
                    unconfirmed: [None, Some(""), Some(text)][(i + j) % 3],
                });
            }
        }
        rows
    }

    /// The body of the shipped `{{#each list}}` block of `template`, which must be its only
    /// block over `list` and hold no other `each`.
    fn block(template: &str, list: &str) -> String {
        let open = format!("{{{{#each {list}}}}}");
        assert_eq!(template.matches(&open).count(), 1, "one {open}");
        let start = template.find(&open).expect("block") + open.len();
        let len = template[start..].find("{{/each}}").expect("end");
        let body = &template[start..start + len];
        assert!(!body.contains("{{#each"), "no nested each");
        body.to_owned()
    }

    /// `rows` rendered by handlebars through the shipped block, as the page renders it: the
    /// block standalone on its lines, the page's `t` at the root.
    fn through_handlebars(
        template: (&str, &str),
        list: &str,
        escape: fn(&str) -> String,
        t: &Labels,
        rows: &[FindingRow],
    ) -> String {
        let text = format!(
            "x\n{{{{#each rows}}}}{}{{{{/each}}}}\ny",
            block(template.1, list)
        );
        let hb = crate::template::engine(escape, &[("row", &text)], None).expect("engine");
        let data = serde_json::json!({ "t": t, "rows": rows });
        hb.render("row", &data).expect("render")
    }

    fn direct(d: &Direct, rows: &[FindingRow]) -> String {
        let mut out = String::from("x\n");
        for (i, r) in rows.iter().enumerate() {
            (d.write)(&d.words, i, r, &mut out);
        }
        out.push('y');
        out
    }

    #[test]
    fn the_html_row_writer_writes_what_the_shipped_template_renders() {
        let rows = hostile();
        for lang in [crate::policy::Lang::Vi, crate::policy::Lang::En] {
            let t = labels(lang);
            let engine =
                through_handlebars(view::HTML_TEMPLATE, "findings", escape::html, t, &rows);
            assert!(engine.contains("&lt;script&gt;") && engine.contains("{{t.title}}"));
            assert_eq!(direct(&Direct::html(t), &rows), engine);
        }
    }

    #[test]
    fn the_markdown_row_writer_writes_what_the_shipped_template_renders() {
        let rows = hostile();
        for lang in [crate::policy::Lang::Vi, crate::policy::Lang::En] {
            let t = labels(lang);
            let engine = through_handlebars(
                view::MARKDOWN_TEMPLATE,
                "attention",
                escape::markdown,
                t,
                &rows,
            );
            assert!(engine.contains("dòng 1<br>dòng 2"));
            assert_eq!(direct(&Direct::markdown(t), &rows), engine);
        }
    }
}
