//! The report formats written as streams: each format goes to its writer as it is made, so
//! that the memory a report costs does not grow with the size of the page (issue 19).
//!
//! - JSON and SARIF are serialised straight into the writer (SARIF's results made one at a
//!   time from their findings);
//! - JUnit is written one test suite (target) at a time;
//! - HTML and Markdown are rendered by the same handlebars templates as before, shipped or
//!   overriding: the template context carries everything but the finding rows, and every
//!   `{{#each findings}}` and `{{#each attention}}` block of the page (outside another `each` or
//!   `with`; also `{{#each exposure}}`, one table per scanned server) is taken over by a helper
//!   that renders the rows one at a time, each row made into a template value only while it is
//!   written. When the page is the shipped template (no `--templates` override, or one holding
//!   the shipped text), its finding rows are written by plain code instead (`report/rows.rs`,
//!   the same bytes), on both cores. The HTML page's Content-Security-Policy names the hashes
//!   of its scripts: the shipped page is rendered once without its finding rows to hash them,
//!   then written with the hashes in; an overriding page is spooled to a temporary file while
//!   its scripts are hashed, then copied to the writer with the hashes put in.
//!
//! The output is byte for byte that of the writers that build the whole text in memory
//! ([`super::Renderer::render`]); `tests/stream_identity.rs` compares the two.

use std::io::{BufWriter, Seek as _, Write};

use anyhow::anyhow;
use handlebars::template::{Parameter, TemplateElement};
use handlebars::{
    BlockContext, BlockParams, Context, Handlebars, Helper, HelperDef, HelperResult, Output,
    RenderContext, RenderErrorReason, Renderable as _, Template, to_json,
};

use super::formats::{Format, Renderer};
use super::rows::Direct;
use super::view::{self, FindingRow, Scope, View};
use super::{junit, sarif, svg};
use crate::escape;

/// The helper that streams the finding rows (its name cannot be written in a template).
const ROWS_HELPER: &str = "capdo rows";

/// Rows a row writer renders at a time (about 1.5 KiB each in HTML).
const ROWS_BATCH: usize = 2048;

/// The lists whose rows are streamed.
const STREAMED: [&str; 3] = ["findings", "attention", "exposure"];

/// Where the streamed rows come from: made into template values one at a time, or written by
/// a row writer when the page is the shipped template.
struct Lists<'a> {
    findings: &'a [FindingRow<'a>],
    attention: &'a [FindingRow<'a>],
    exposure: &'a super::exposure::Matrix<'a>,
    /// The page's words, for a row writer.
    t: &'static view::Labels,
}

impl Lists<'_> {
    fn len(&self, list: &str) -> Option<usize> {
        Some(match list {
            "findings" => self.findings.len(),
            "attention" => self.attention.len(),
            "exposure" => self.exposure.len(),
            _ => return None,
        })
    }

    fn finding_rows(&self, list: &str) -> Option<&[FindingRow<'_>]> {
        match list {
            "findings" => Some(self.findings),
            "attention" => Some(self.attention),
            _ => None,
        }
    }

    fn row(&self, list: &str, i: usize) -> serde_json::Value {
        match list {
            "findings" => to_json(&self.findings[i]),
            "attention" => to_json(&self.attention[i]),
            _ => to_json(self.exposure.table(i)),
        }
    }
}

impl Renderer<'_> {
    /// Write `format` to `out` as it is rendered. Fails when a report template does not render
    /// (an overriding template naming a value that does not exist, in strict mode) or when
    /// `out` cannot be written; `out` then holds part of the report.
    pub fn write(&self, format: Format, out: &mut dyn Write) -> anyhow::Result<()> {
        let mut out = BufWriter::with_capacity(1 << 16, out);
        match format {
            Format::Text => out.write_all(self.text().plain().as_bytes())?,
            Format::Json => {
                serde_json::to_writer_pretty(&mut out, self.report)?;
                out.write_all(b"\n")?;
            }
            Format::Sarif => sarif::write(
                self.report,
                &Scope::of(self.inventory, self.graph).names,
                &mut out,
            )?,
            Format::Junit => junit::write(self.report, &mut out)?,
            Format::Html | Format::Md => {
                let scope = Scope::of(self.inventory, self.graph);
                let drawing = if format == Format::Html {
                    svg::dependencies(self.inventory, self.graph, self.report, &scope)
                } else {
                    String::new()
                };
                let matrix = super::exposure::Matrix::of(
                    self.inventory,
                    self.report,
                    view::labels(self.lang).anywhere_else,
                );
                let exposure = view::Rows {
                    rows: Vec::new(),
                    placeholders: Some(if format == Format::Html {
                        matrix.len()
                    } else {
                        0
                    }),
                };
                let mut v = view::build(self.report, &scope, self.lang, drawing, exposure);
                v.findings.placeholders = Some(v.findings.rows.len());
                v.attention.placeholders = Some(v.attention.rows.len());
                let lists = Lists {
                    findings: &v.findings.rows,
                    attention: &v.attention.rows,
                    exposure: &matrix,
                    t: v.t,
                };
                if format == Format::Html {
                    html(&v, &lists, self.templates, &mut out)?
                } else {
                    Page::new(
                        &v,
                        &lists,
                        self.templates,
                        view::MARKDOWN_TEMPLATE,
                        escape::markdown,
                    )?
                    .render(Rows::All, &mut out)?
                }
            }
        }
        out.flush()?;
        Ok(())
    }
}

/// Which finding rows a page is rendered with.
#[derive(Clone, Copy, PartialEq)]
enum Rows {
    /// Every row.
    All,
    /// The page around the rows a row writer stands for, without them.
    Around,
}

/// A report page ready to be rendered: the template `(name, text)` (or its override) over a
/// view, with the helper that renders its finding rows one at a time.
struct Page<'a> {
    hb: Handlebars<'a>,
    name: &'static str,
    lists: &'a Lists<'a>,
    /// The row writer that stands for the shipped page's finding rows, unless an override
    /// changed the page.
    direct: Option<fn(&view::Labels) -> Direct>,
    ctx: Context,
}

impl<'a> Page<'a> {
    fn new(
        v: &View,
        lists: &'a Lists<'a>,
        templates: Option<&std::path::Path>,
        template: (&'static str, &'static str),
        escape: fn(&str) -> String,
    ) -> anyhow::Result<Self> {
        let overrides = templates.map(|d| d.join("report"));
        let (mut hb, changed): (Handlebars, _) =
            crate::template::engine_changed(escape, &[template], overrides.as_deref())?;
        // The shipped page's finding rows are written by plain code (same bytes, see `rows`),
        // also when an override file holds the shipped text; a changed page is handlebars'
        // throughout.
        let direct: Option<fn(&view::Labels) -> Direct> =
            if changed.first().copied().unwrap_or(true) {
                None
            } else if template == view::HTML_TEMPLATE {
                Some(Direct::html)
            } else if template == view::MARKDOWN_TEMPLATE {
                Some(Direct::markdown)
            } else {
                None
            };
        let mut t = hb
            .get_template(template.0)
            .cloned()
            .ok_or_else(|| anyhow!("report template `{}` is not registered", template.0))?;
        take_over_rows(&mut t, 0);
        hb.register_template(template.0, t);
        let ctx = Context::wraps(v).map_err(|e| anyhow!("report view: {e}"))?;
        Ok(Page {
            hb,
            name: template.0,
            lists,
            direct,
            ctx,
        })
    }

    /// Render the page into `out`, with `rows`.
    fn render(&mut self, rows: Rows, out: &mut dyn Write) -> anyhow::Result<()> {
        let direct = self.direct.map(|make| make(self.lists.t));
        let skip = rows == Rows::Around;
        let lists = self.lists;
        self.hb.register_helper(
            ROWS_HELPER,
            Box::new(StreamRows {
                lists,
                direct,
                skip,
            }),
        );
        self.hb
            .render_with_context_to_write(self.name, &self.ctx, out)
            .map_err(|e| anyhow!("report template `{}`: {e}", self.name))
    }
}

/// Hand every `{{#each findings}}` and `{{#each attention}}` block of `t` that iterates the
/// page's own lists (at `depth` 0: not inside a block that changes the context) to
/// [`StreamRows`].
fn take_over_rows(t: &mut Template, depth: usize) {
    for e in &mut t.elements {
        let TemplateElement::HelperBlock(ht) = e else {
            continue;
        };
        let name = match &ht.name {
            Parameter::Name(n) => n.clone(),
            _ => String::new(),
        };
        let list = match ht.params.as_slice() {
            [Parameter::Path(handlebars::Path::Relative((_, raw)))]
                if STREAMED.contains(&raw.as_str()) =>
            {
                Some(raw.clone())
            }
            _ => None,
        };
        if let (0, "each", Some(list)) = (depth, name.as_str(), list) {
            ht.name = Parameter::Name(ROWS_HELPER.to_owned());
            ht.params = vec![Parameter::Literal(serde_json::Value::String(list))];
            continue;
        }
        // `if` and `unless` keep the context; any other block may change it.
        let inner = if name == "if" || name == "unless" {
            depth
        } else {
            depth + 1
        };
        for t in [&mut ht.template, &mut ht.inverse].into_iter().flatten() {
            take_over_rows(t, inner);
        }
    }
}

/// `{{#each findings}}` over the rows themselves: as handlebars' own `each` renders a list
/// (`@index`, `@first`, `@last`, `as |row i|`, `{{else}}` when empty), each row made into a
/// template value only while its block is rendered; or, for the block a row writer stands for
/// (`direct`), written by it.
struct StreamRows<'a> {
    lists: &'a Lists<'a>,
    direct: Option<Direct>,
    /// Leave out the rows `direct` stands for.
    skip: bool,
}

impl HelperDef for StreamRows<'_> {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let list = h.param(0).and_then(|p| p.value().as_str()).unwrap_or("");
        let Some(len) = self.lists.len(list) else {
            return Err(RenderErrorReason::ParamNotFoundForIndex("each", 0).into());
        };
        let Some(t) = h.template() else {
            return Ok(());
        };
        if len == 0
            && let Some(inverse) = h.inverse()
        {
            return inverse.render(r, ctx, rc, out);
        }
        if let Some(d) = self.direct.as_ref().filter(|d| d.list == list)
            && let Some(rows) = self.lists.finding_rows(list)
        {
            if self.skip {
                return Ok(());
            }
            let render = |first: usize, rows: &[FindingRow]| {
                let mut buf = String::new();
                for (i, row) in rows.iter().enumerate() {
                    (d.write)(&d.words, first + i, row, &mut buf);
                }
                Ok::<_, std::io::Error>(buf)
            };
            super::batch::two_at_a_time(rows, ROWS_BATCH, render, |buf: String| out.write(&buf))?;
            return Ok(());
        }
        rc.push_block(BlockContext::new());
        for i in 0..len {
            let value = self.lists.row(list, i);
            if let Some(block) = rc.block_mut() {
                block.set_local_var("first", to_json(i == 0));
                block.set_local_var("last", to_json(i + 1 == len));
                block.set_local_var("index", to_json(i));
                if let Some(name) = h.block_param() {
                    let mut params = BlockParams::new();
                    params.add_value(name, value.clone())?;
                    block.set_block_params(params);
                } else if let Some((name, index)) = h.block_param_pair() {
                    let mut params = BlockParams::new();
                    params.add_value(name, value.clone())?;
                    params.add_value(index, to_json(i))?;
                    block.set_block_params(params);
                }
                block.set_base_value(value);
            }
            t.render(r, ctx, rc, out)?;
        }
        rc.pop_block();
        Ok(())
    }
}

/// The HTML page into `out`, with the hashes of its scripts in the Content-Security-Policy
/// ([`view::SCRIPT_HASHES`]), as [`view::render_html`] does in memory. The hashes are known once
/// the page's scripts are written: when a row writer stands for the finding rows, the page is
/// first rendered without them to hash its scripts (those rows are the shipped row's markup
/// around escaped values, where no script can start), then written straight to `out`; an
/// overriding page, whose rows could hold scripts, is rendered into a spool file while its
/// scripts are hashed, then copied.
fn html(
    v: &View,
    lists: &Lists,
    templates: Option<&std::path::Path>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut page = Page::new(v, lists, templates, view::HTML_TEMPLATE, escape::html)?;
    if page.direct.is_some() {
        let mut scan = Scripts::new(std::io::sink());
        page.render(Rows::Around, &mut scan)?;
        let (sources, _) = scan.finish()?;
        let mut w = ReplaceFirst::new(
            out,
            view::SCRIPT_HASHES.as_bytes(),
            view::script_src(&sources),
        );
        page.render(Rows::All, &mut w)?;
        return Ok(w.finish()?);
    }
    let spool = tempfile::tempfile().map_err(|e| anyhow!("cannot create a spool file: {e}"))?;
    let mut scan = Scripts::new(BufWriter::with_capacity(1 << 16, spool));
    page.render(Rows::All, &mut scan)?;
    let (sources, spool) = scan.finish()?;
    let mut spool = spool.into_inner().map_err(|e| e.into_error())?;
    spool.rewind()?;
    let mut w = ReplaceFirst::new(
        out,
        view::SCRIPT_HASHES.as_bytes(),
        view::script_src(&sources),
    );
    std::io::copy(&mut spool, &mut w)?;
    Ok(w.finish()?)
}

/// Longest inline script hashed: a page is capdo's template around escaped values, whose
/// scripts are a few KiB.
const MAX_SCRIPT: usize = 16 << 20;

/// A writer that passes everything on and hashes each `<script …>…</script` it sees, as
/// [`view::with_script_hashes`] finds them in a whole page.
struct Scripts<W: Write> {
    inner: W,
    state: Scan,
    /// Bytes not yet decided: a possible start of the next tag, or the script being read.
    pending: Vec<u8>,
    sources: Vec<String>,
}

#[derive(PartialEq)]
enum Scan {
    /// Looking for `<script`.
    Outside,
    /// In the opening tag, looking for its `>`.
    Tag,
    /// In a script, looking for `</script`.
    Body,
}

impl<W: Write> Scripts<W> {
    fn new(inner: W) -> Self {
        Scripts {
            inner,
            state: Scan::Outside,
            pending: Vec::new(),
            sources: Vec::new(),
        }
    }

    fn scan(&mut self, data: &[u8]) -> std::io::Result<()> {
        const OPEN: &[u8] = b"<script";
        const CLOSE: &[u8] = b"</script";
        self.pending.extend_from_slice(data);
        loop {
            match self.state {
                Scan::Outside => match find(&self.pending, OPEN) {
                    Some(i) => {
                        self.pending.drain(..i + OPEN.len());
                        self.state = Scan::Tag;
                    }
                    None => {
                        let keep = self.pending.len().saturating_sub(OPEN.len() - 1);
                        self.pending.drain(..keep);
                        return Ok(());
                    }
                },
                Scan::Tag => match self.pending.iter().position(|&b| b == b'>') {
                    Some(i) => {
                        self.pending.drain(..=i);
                        self.state = Scan::Body;
                    }
                    None => {
                        self.pending.clear();
                        return Ok(());
                    }
                },
                Scan::Body => match find(&self.pending, CLOSE) {
                    Some(i) => {
                        let body = String::from_utf8_lossy(&self.pending[..i]);
                        self.sources.push(view::script_source(&body));
                        self.pending.drain(..i);
                        self.state = Scan::Outside;
                    }
                    None if self.pending.len() > MAX_SCRIPT => {
                        return Err(std::io::Error::other(format!(
                            "the page has an inline script longer than {} MiB",
                            MAX_SCRIPT >> 20
                        )));
                    }
                    None => return Ok(()),
                },
            }
        }
    }

    /// The CSP sources of the scripts seen, and the inner writer.
    fn finish(self) -> std::io::Result<(Vec<String>, W)> {
        Ok((self.sources, self.inner))
    }
}

impl<W: Write> Write for Scripts<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write_all(buf)?;
        self.scan(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Where `needle` first starts in `haystack`. Looks for its first byte, then compares: the page
/// passes through here piece by piece and `<` is rare in it.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while let Some(i) = haystack[from..].iter().position(|&b| b == first) {
        let at = from + i;
        if haystack[at + 1..].starts_with(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// A writer that passes everything on to `inner` with the first occurrence of `pattern`
/// replaced by `with`; [`ReplaceFirst::finish`] writes what it held back.
struct ReplaceFirst<'w> {
    inner: &'w mut dyn Write,
    pattern: &'static [u8],
    with: String,
    /// The last bytes written, which could start `pattern`; `None` once it was replaced.
    carry: Option<Vec<u8>>,
}

impl<'w> ReplaceFirst<'w> {
    fn new(inner: &'w mut dyn Write, pattern: &'static [u8], with: String) -> Self {
        ReplaceFirst {
            inner,
            pattern,
            with,
            carry: Some(Vec::new()),
        }
    }

    fn finish(mut self) -> std::io::Result<()> {
        if let Some(carry) = self.carry.take() {
            self.inner.write_all(&carry)?;
        }
        self.inner.flush()
    }
}

impl Write for ReplaceFirst<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let Some(carry) = self.carry.as_mut() else {
            self.inner.write_all(buf)?;
            return Ok(buf.len());
        };
        carry.extend_from_slice(buf);
        if let Some(i) = find(carry, self.pattern) {
            self.inner.write_all(&carry[..i])?;
            self.inner.write_all(self.with.as_bytes())?;
            self.inner.write_all(&carry[i + self.pattern.len()..])?;
            self.carry = None;
        } else {
            let keep = carry.len().saturating_sub(self.pattern.len() - 1);
            self.inner.write_all(&carry[..keep])?;
            carry.drain(..keep);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_split_across_writes_are_hashed_as_in_a_whole_page() {
        let page = format!(
            "<meta content=\"script-src {}\"><p>&lt;script&gt;</p><script>alert(1)</script>\
             <script type=\"module\">x\r\ny</script><scrip",
            view::SCRIPT_HASHES
        );
        let whole = view::with_script_hashes(page.clone());
        for step in [1, 2, 3, 7, 64] {
            let mut scan = Scripts::new(Vec::new());
            for chunk in page.as_bytes().chunks(step) {
                scan.write_all(chunk).expect("write");
            }
            let (sources, bytes) = scan.finish().expect("finish");
            assert_eq!(bytes, page.as_bytes());
            let mut out = Vec::new();
            let mut w =
                ReplaceFirst::new(&mut out, view::SCRIPT_HASHES.as_bytes(), sources.join(" "));
            for chunk in bytes.chunks(step) {
                w.write_all(chunk).expect("write");
            }
            w.finish().expect("finish");
            assert_eq!(String::from_utf8(out).expect("utf-8"), whole, "step {step}");
        }
    }

    #[test]
    fn only_the_pages_own_lists_are_streamed() {
        let mut t = Template::compile(
            "{{#each findings}}a{{/each}}{{#if attention}}{{#each attention}}b{{/each}}{{/if}}\
             {{#each systems}}{{#each findings}}c{{/each}}{{/each}}{{#each levels}}d{{/each}}",
        )
        .expect("template");
        take_over_rows(&mut t, 0);
        let helpers = |t: &Template| -> Vec<String> {
            let mut names = Vec::new();
            fn walk(t: &Template, names: &mut Vec<String>) {
                for e in &t.elements {
                    if let TemplateElement::HelperBlock(ht) = e {
                        if let Parameter::Name(n) = &ht.name {
                            names.push(n.clone());
                        }
                        for t in [&ht.template, &ht.inverse].into_iter().flatten() {
                            walk(t, names);
                        }
                    }
                }
            }
            walk(t, &mut names);
            names
        };
        assert_eq!(
            helpers(&t),
            [ROWS_HELPER, "if", ROWS_HELPER, "each", "each", "each"]
        );
    }
}
