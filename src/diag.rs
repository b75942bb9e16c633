//! Input diagnostics: problems in an input file (the inventory, a policy pack, the waivers),
//! each pointing at a file, a byte span and, where one fits, a hint ("did you mean …", through
//! [`suggest`]). They are collected, never thrown: a loader gathers every problem it can find and
//! the caller renders them all at once (exit 2).
//!
//! This module owns the source files that diagnostics and findings point into ([`Sources`]) and
//! the rendering through codespan-reporting. It never prints: rendering writes into a caller's
//! writer or string.

use std::ops::Range;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::Files;
use codespan_reporting::term::{self, Config, termcolor::WriteColor};
use std::io::Write as _;

/// Index of a file in [`Sources`].
pub type FileId = usize;

/// A place in an input file: the file and a byte range in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    pub file: FileId,
    pub span: Range<usize>,
}

impl Loc {
    pub fn new(file: FileId, span: Range<usize>) -> Self {
        Self { file, span }
    }
}

/// Terminal escaping lives with the other escapers; diagnostics and older callers use it by
/// this name.
pub use crate::escape::terminal as mask_controls;

/// A resolved location, 1-based, as shown to users and written in reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LineCol {
    /// Shared by every location in the same file (a report holds one per finding).
    pub file: std::sync::Arc<str>,
    pub line: usize,
    pub column: usize,
}

/// The text of every input file read, so diagnostics and findings can quote them.
///
/// Each file also owns a range of a "global" offset space (its text starts at `base`), so spans
/// from several files can live in one parsed tree and still say which file they come from.
#[derive(Default)]
pub struct Sources {
    /// What diagnostics quote, per file: its masked name and, only where masking changed
    /// something (or the file is never quoted), its masked text; otherwise the text as read is
    /// quoted, so a large file is not held twice.
    files: Vec<Shown>,
    /// The texts as read, for parsing.
    texts: Vec<String>,
    paths: Vec<PathBuf>,
    /// The paths as [`LineCol`] shows them.
    displays: Vec<std::sync::Arc<str>>,
    bases: Vec<usize>,
    next_base: usize,
    /// Files whose content is never quoted (not valid UTF-8: maybe not a text file at all).
    unshown: std::collections::HashSet<FileId>,
}

impl Sources {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, path: &Path, text: String) -> FileId {
        self.paths.push(path.to_path_buf());
        self.displays.push(path.display().to_string().into());
        self.bases.push(self.next_base);
        // One spare byte so an empty span at the end of a file stays in that file.
        self.next_base += text.len() + 1;
        let shown = mask_controls(&text);
        let line_starts = codespan_reporting::files::line_starts(&text).collect();
        let masked = (shown != text).then_some(shown);
        self.texts.push(text);
        // A file name is input too (a merge request names its files): codespan prints it as
        // given, so it is masked here as well as on the stream.
        let name = mask_controls(&path.display().to_string());
        self.files.push(Shown {
            name,
            masked,
            line_starts,
        });
        self.files.len() - 1
    }

    /// Add a file whose content diagnostics never quote: they give its file:line:col only.
    pub fn add_unshown(&mut self, path: &Path, text: String) -> FileId {
        let id = self.add(path, String::new());
        // Offsets still count in the real text, so spans into it stay valid.
        self.next_base += text.len();
        self.texts[id] = text;
        self.files[id].masked = Some(String::new());
        self.unshown.insert(id);
        id
    }

    /// Where `file`'s text starts in the global offset space.
    pub fn base(&self, file: FileId) -> usize {
        self.bases[file]
    }

    /// The file and local span of a global span.
    pub fn locate(&self, global: Range<usize>) -> Loc {
        let file = self
            .bases
            .partition_point(|&b| b <= global.start)
            .saturating_sub(1);
        let base = self.bases.get(file).copied().unwrap_or(0);
        let len = self.text(file).len();
        let start = (global.start - base).min(len);
        let end = global.end.saturating_sub(base).clamp(start, len);
        Loc::new(file, start..end)
    }

    pub fn len(&self) -> usize {
        self.paths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    pub fn text(&self, file: FileId) -> &str {
        self.texts.get(file).map(String::as_str).unwrap_or("")
    }

    pub fn path(&self, file: FileId) -> &Path {
        &self.paths[file]
    }

    /// Line and column (1-based, columns counted in characters) of the start of `loc`.
    pub fn line_col(&self, loc: &Loc) -> LineCol {
        let file = std::sync::Arc::clone(&self.displays[loc.file]);
        if self.unshown.contains(&loc.file) {
            let text = self.text(loc.file);
            let before = &text[..loc.span.start.min(text.len())];
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            return LineCol {
                file,
                line: before.matches('\n').count() + 1,
                column: before[line_start..].chars().count() + 1,
            };
        }
        match self.location(loc.file, loc.span.start) {
            Ok(l) => LineCol {
                file,
                line: l.line_number,
                column: l.column_number,
            },
            Err(_) => LineCol {
                file,
                line: 1,
                column: 1,
            },
        }
    }
}

/// What diagnostics show of one file.
struct Shown {
    name: String,
    /// The text with control characters masked, when that differs from the text as read.
    masked: Option<String>,
    /// Byte offsets of the starts of its lines.
    line_starts: Vec<usize>,
}

impl Sources {
    fn shown(&self, id: FileId) -> Result<&Shown, codespan_reporting::files::Error> {
        self.files
            .get(id)
            .ok_or(codespan_reporting::files::Error::FileMissing)
    }

    fn line_start(
        &self,
        id: FileId,
        line_index: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        let starts = &self.shown(id)?.line_starts;
        match line_index.cmp(&starts.len()) {
            std::cmp::Ordering::Less => Ok(starts[line_index]),
            std::cmp::Ordering::Equal => Ok(self.source(id)?.len()),
            std::cmp::Ordering::Greater => Err(codespan_reporting::files::Error::LineTooLarge {
                given: line_index,
                max: starts.len().saturating_sub(1),
            }),
        }
    }
}

/// The files as codespan quotes them: masked names, masked texts where masking changed them.
impl<'a> Files<'a> for Sources {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(&self.shown(id)?.name)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        let shown = self.shown(id)?;
        Ok(shown.masked.as_deref().unwrap_or_else(|| self.text(id)))
    }

    fn line_index(
        &'a self,
        id: FileId,
        byte_index: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        Ok(self
            .shown(id)?
            .line_starts
            .binary_search(&byte_index)
            .unwrap_or_else(|next| next.saturating_sub(1)))
    }

    fn line_range(
        &'a self,
        id: FileId,
        line_index: usize,
    ) -> Result<Range<usize>, codespan_reporting::files::Error> {
        Ok(self.line_start(id, line_index)?..self.line_start(id, line_index + 1)?)
    }
}

/// One input problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable kebab-case code, e.g. `unknown-key`; documented in docs/inventory.md.
    pub code: &'static str,
    pub message: String,
    /// Where the problem is, with a short label; `None` for problems of the whole input.
    pub primary: Option<(Loc, String)>,
    /// Other places involved (e.g. the first definition of a duplicate).
    pub secondary: Vec<(Loc, String)>,
    /// A hint on how to fix it ("did you mean …").
    pub hint: Option<String>,
    /// A warning: the input is valid but leaves something undecided (validate still exits 0).
    pub warning: bool,
}

impl Diagnostic {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            hint: None,
            warning: false,
        }
    }

    /// Make it a warning: the input is valid, but something is left undecided.
    pub fn warning(mut self) -> Self {
        self.warning = true;
        self
    }

    /// "error" or "warning", as the plain fallback line writes it.
    fn severity_word(&self) -> &'static str {
        if self.warning { "warning" } else { "error" }
    }

    fn severity(&self) -> CsDiagnostic<FileId> {
        if self.warning {
            CsDiagnostic::warning()
        } else {
            CsDiagnostic::error()
        }
    }

    pub fn at(mut self, loc: Loc, label: impl Into<String>) -> Self {
        self.primary = Some((loc, label.into()));
        self
    }

    pub fn also(mut self, loc: Loc, label: impl Into<String>) -> Self {
        self.secondary.push((loc, label.into()));
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn hint_opt(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    fn to_codespan(&self) -> CsDiagnostic<FileId> {
        let mut labels = Vec::new();
        if let Some((loc, text)) = &self.primary {
            labels.push(Label::primary(loc.file, loc.span.clone()).with_message(text));
        }
        for (loc, text) in &self.secondary {
            labels.push(Label::secondary(loc.file, loc.span.clone()).with_message(text));
        }
        let mut d = self
            .severity()
            .with_code(self.code)
            .with_message(&self.message)
            .with_labels(labels);
        if let Some(hint) = &self.hint {
            d = d.with_notes(vec![format!("hint: {hint}")]);
        }
        d
    }
}

/// At most this many diagnostics are shown; the rest are counted.
pub const MAX_SHOWN: usize = 100;

/// Source lines longer than this are not quoted (a snippet would flood the terminal); the
/// diagnostic then gives file:line:col only.
const MAX_QUOTED_LINE: usize = 300;

impl Sources {
    /// Whether every labelled place of `d` lies on a line short enough to quote, in a file
    /// that may be quoted.
    fn quotable(&self, d: &Diagnostic) -> bool {
        d.primary.iter().chain(&d.secondary).all(|(loc, _)| {
            if self.unshown.contains(&loc.file) {
                return false;
            }
            let text = self.text(loc.file);
            let start = loc.span.start.min(text.len());
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            line_end - line_start <= MAX_QUOTED_LINE && loc.span.len() <= MAX_QUOTED_LINE
        })
    }

    /// The diagnostic as codespan renders it, or without snippets when its lines are too long.
    fn printable(&self, d: &Diagnostic) -> CsDiagnostic<FileId> {
        if self.quotable(d) {
            return d.to_codespan();
        }
        let mut notes = Vec::new();
        for (loc, label) in d.primary.iter().chain(&d.secondary) {
            let at = self.line_col(loc);
            let why = if self.unshown.contains(&loc.file) {
                "not shown: the file is not valid UTF-8"
            } else {
                "line too long to show"
            };
            notes.push(format!(
                "at {}:{}:{}: {label} ({why})",
                at.file, at.line, at.column
            ));
        }
        if let Some(h) = &d.hint {
            notes.push(format!("hint: {h}"));
        }
        d.severity()
            .with_code(d.code)
            .with_message(&d.message)
            .with_notes(notes)
    }
}

fn more_line(n: usize) -> Option<String> {
    (n > MAX_SHOWN).then(|| {
        format!(
            "… and {} more problems not shown (fix these first, then validate again)\n\n",
            n - MAX_SHOWN
        )
    })
}

/// Render diagnostics as plain text (no colour), one after another, at most [`MAX_SHOWN`].
pub fn render_plain(sources: &Sources, diags: &[Diagnostic]) -> String {
    let config = Config::default();
    let mut out = String::new();
    for d in diags.iter().take(MAX_SHOWN) {
        // Rendering fails only if a span lies outside its file, which would be our bug; fall
        // back to the message alone rather than lose the problem.
        match term::emit_into_string(&config, sources, &sources.printable(d)) {
            Ok(s) => out.push_str(&s),
            Err(_) => out.push_str(&format!(
                "{}[{}]: {}\n\n",
                d.severity_word(),
                d.code,
                d.message
            )),
        }
    }
    out.extend(more_line(diags.len()));
    out
}

/// Render diagnostics to a terminal writer, with colour if the writer supports it.
pub fn render_to(
    w: &mut dyn WriteColor,
    sources: &Sources,
    diags: &[Diagnostic],
) -> std::io::Result<()> {
    let config = Config::default();
    let styles = term::Styles::default();
    let mut sw = term::StylesWriter::new(w, &styles);
    for d in diags.iter().take(MAX_SHOWN) {
        if term::emit_to_write_style(&mut sw, &config, sources, &sources.printable(d)).is_err() {
            writeln!(sw, "{}[{}]: {}", d.severity_word(), d.code, d.message)?;
        }
    }
    if let Some(more) = more_line(diags.len()) {
        write!(sw, "{more}")?;
    }
    Ok(())
}

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(word, c);
        if score > 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// "did you mean `x`?" as a hint string.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    did_you_mean(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// Did-you-mean over a fixed set of candidates, for many questions: built once, each question
/// then costs about the length of the word, not the number of candidates (4,000 unknown flow
/// endpoints against 50,000 ids would otherwise be 200 million comparisons).
///
/// The answer is the one [`did_you_mean`] gives over the candidates that lie within one
/// deletion of the word on either side (a substitution, an insertion, a deletion, a swap of two
/// neighbours, or two of these): typos, which is what a suggestion is for. A small set is
/// searched whole, exactly as [`did_you_mean`] does.
#[derive(Debug, Default)]
pub struct Suggester {
    /// Sorted, once each: ties go to the first, as in [`did_you_mean`] over a sorted list.
    words: Vec<String>,
    /// Every candidate and every candidate with one character deleted → candidate indices.
    deletes: std::collections::HashMap<String, Vec<u32>>,
}

/// Below this many candidates a question reads them all.
const SCAN_ALL: usize = 256;

impl Suggester {
    pub fn new<'a>(candidates: impl IntoIterator<Item = &'a str>) -> Suggester {
        let mut words: Vec<String> = candidates.into_iter().map(str::to_owned).collect();
        words.sort_unstable();
        words.dedup();
        let mut deletes: std::collections::HashMap<String, Vec<u32>> =
            std::collections::HashMap::new();
        if words.len() > SCAN_ALL {
            for (i, w) in words.iter().enumerate() {
                for d in one_deletion(w) {
                    let list = deletes.entry(d).or_default();
                    if list.last() != Some(&(i as u32)) {
                        list.push(i as u32);
                    }
                }
            }
        }
        Suggester { words, deletes }
    }

    /// The closest candidate to `word`, if one is close enough to be a likely typo.
    pub fn best(&self, word: &str) -> Option<&str> {
        if self.words.len() <= SCAN_ALL {
            return did_you_mean(word, self.words.iter().map(String::as_str));
        }
        let mut near: Vec<u32> = one_deletion(word)
            .filter_map(|d| self.deletes.get(&d))
            .flatten()
            .copied()
            .collect();
        near.sort_unstable();
        near.dedup();
        did_you_mean(word, near.iter().map(|&i| self.words[i as usize].as_str()))
    }

    /// "did you mean `x`?" as a hint string.
    pub fn suggest(&self, word: &str) -> Option<String> {
        self.best(word).map(|c| format!("did you mean `{c}`?"))
    }
}

/// `word` itself and `word` with each one of its characters deleted.
fn one_deletion(word: &str) -> impl Iterator<Item = String> + '_ {
    std::iter::once(word.to_owned()).chain(word.char_indices().map(move |(i, c)| {
        let mut d = String::with_capacity(word.len());
        d.push_str(&word[..i]);
        d.push_str(&word[i + c.len_utf8()..]);
        d
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_finds_typos_among_many_candidates_as_a_full_scan_would() {
        let ids: Vec<String> = (0..5000).map(|i| format!("web{i:04}")).collect();
        let mut all: Vec<&str> = ids.iter().map(String::as_str).collect();
        all.extend(["dvc-db01", "dvc-db02", "portal-app01"]);
        let s = Suggester::new(all.iter().copied());
        let mut sorted = all.clone();
        sorted.sort_unstable();
        for typo in ["dvc-bd01", "dvc-db1", "portal-ap01", "web00x1", "wbe0042"] {
            assert_eq!(
                s.best(typo),
                did_you_mean(typo, sorted.iter().copied()),
                "{typo}"
            );
        }
        assert_eq!(s.best("dvc-bd01"), Some("dvc-db01"));
        assert_eq!(s.best("zzzzzz"), None);
        // A small set is searched whole.
        let small = Suggester::new(["server", "system", "network"]);
        assert_eq!(
            small.suggest("sytem").as_deref(),
            Some("did you mean `system`?")
        );
    }
}
