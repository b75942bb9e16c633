//! Writing what capdo produces to files: atomically, so a reader sees the old file or the new
//! one, never a torn one. Used by every command and by the evidence bundle; knows nothing of the
//! command line.
//!
//! The temporary file of a write has an unpredictable name and is created with
//! `O_CREAT|O_EXCL` in the target's folder (through `tempfile`), so nothing planted there (a
//! file, a symlink) can receive the bytes; the rename then replaces the target itself, never
//! what a symlink at the target points to. Reports keep the user's umask; what holds raw host
//! output ([`Mode::Private`]: facts files, evidence bundles) is readable by its owner only.
//!
//! Standard output and standard error go through [`TerminalSafe`]: whatever a command writes
//! there (a report, a diagnostic, a file name, a host's error), no control character from an
//! input or a host reaches the terminal or a CI log that renders escape sequences. capdo's own
//! colours travel apart from the text ([`WriteColor::set_color`], [`Styled`]), so they are the
//! only escape sequences written. Files written with [`write_atomic`] are left byte for byte as
//! their writer made them.

use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
use std::path::Path;

use anyhow::{Context as _, anyhow, bail};
use codespan_reporting::term::termcolor::{ColorSpec, HyperlinkSpec, WriteColor};

/// Who may read a written file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `0666` less the umask, as any program's output (reports, rendered files).
    Shared,
    /// `0600`: raw host output and what is derived from it (facts files, evidence bundles).
    Private,
}

/// Write `bytes` to `path` with the umask's permissions, through a temporary file in the same
/// folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic_mode(path, bytes, Mode::Shared)
}

/// Write `bytes` to `path` with `mode`, through a temporary file in the same folder and a
/// rename.
pub fn write_atomic_mode(path: &Path, bytes: &[u8], mode: Mode) -> anyhow::Result<()> {
    let mut file = AtomicFile::create(path, mode)?;
    file.write_all(bytes)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    file.commit()
}

/// A file being written atomically: the bytes go to a temporary file in the target's folder,
/// and [`AtomicFile::commit`] renames it over the target. Dropped without a commit, the
/// temporary file is removed and the target is left as it was: a writer that streams into it
/// and fails half-way leaves nothing behind.
pub struct AtomicFile {
    path: std::path::PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl AtomicFile {
    /// Start writing `path` with `mode`.
    pub fn create(path: &Path, mode: Mode) -> anyhow::Result<AtomicFile> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .ok_or_else(|| anyhow!("`{}` is not a file name", path.display()))?;
        let bits = match mode {
            Mode::Shared => 0o666,
            Mode::Private => 0o600,
        };
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{}.", name.to_string_lossy()))
            .suffix(".tmp")
            .permissions(std::fs::Permissions::from_mode(bits))
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a temporary file in `{}`", dir.display()))?;
        Ok(AtomicFile {
            path: path.to_owned(),
            tmp,
        })
    }

    /// The file it will become.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sync the bytes written and rename the temporary file over the target.
    pub fn commit(self) -> anyhow::Result<()> {
        let AtomicFile { path, tmp } = self;
        tmp.as_file()
            .sync_all()
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        // On failure the temporary file is removed when it is dropped.
        tmp.persist(&path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        Ok(())
    }
}

impl std::io::Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tmp.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.tmp.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.tmp.flush()
    }
}

/// Create `dir` and its missing parents; the folders created are `0700` for [`Mode::Private`].
pub fn create_dir_all(dir: &Path, mode: Mode) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    if mode == Mode::Private {
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .with_context(|| format!("cannot create `{}`", dir.display()))
}

/// Refuse a path under `root` that passes through a symbolic link (`root` itself, which the
/// user named, may be one): what is written into a tree stays in that tree.
pub fn refuse_symlinks_below(root: &Path, path: &Path) -> anyhow::Result<()> {
    let Ok(rest) = path.strip_prefix(root) else {
        bail!("`{}` is not inside `{}`", path.display(), root.display());
    };
    let mut at = root.to_path_buf();
    for part in rest.components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => bail!(
                "`{}` is a symbolic link; capdo does not write through links inside `{}`",
                at.display(),
                root.display()
            ),
            _ => {}
        }
    }
    Ok(())
}

/// A writer to a terminal-like stream (standard output or error, which may also be a CI log or
/// `less -R`): every control character written through it is masked as
/// [`crate::escape::terminal`] masks it (one `?` per byte; tab and line ends kept), and so are
/// bytes that are not UTF-8 (a lone `0x9b` is a CSI on an 8-bit terminal). Colours set through
/// [`WriteColor`] pass to the inner writer untouched: they are capdo's, never the data's.
///
/// Text is masked as it streams: a character split between two writes, or a carriage return
/// whose line feed may follow in the next write, is held until the next write, a colour change,
/// or [`TerminalSafe::finish`] (also run on drop).
pub struct TerminalSafe<W: WriteColor> {
    inner: W,
    /// Bytes held back: the start of a UTF-8 character, or a final carriage return.
    held: Vec<u8>,
}

impl<W: WriteColor> TerminalSafe<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            held: Vec::new(),
        }
    }

    /// Write what is held back, as if the stream ended here, and flush.
    pub fn finish(&mut self) -> std::io::Result<()> {
        let held = std::mem::take(&mut self.held);
        let (text, _) = mask_bytes(&held, true);
        self.inner.write_all(text.as_bytes())?;
        self.inner.flush()
    }
}

/// `bytes` masked for a terminal, and how many bytes at the end were held back (none when
/// `last`): an unfinished UTF-8 character, or a carriage return that a line feed may follow.
fn mask_bytes(bytes: &[u8], last: bool) -> (String, usize) {
    let mut keep = 0;
    if !last && let Some(tail) = bytes.utf8_chunks().last() {
        let unfinished = tail.invalid();
        if unfinished.is_empty() {
            if tail.valid().ends_with('\r') {
                keep = 1;
            }
        } else if std::str::from_utf8(unfinished).is_err_and(|e| e.error_len().is_none()) {
            // The start of a character the next write may finish.
            keep = unfinished.len();
        }
    }
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes[..bytes.len() - keep].utf8_chunks() {
        out.push_str(&crate::escape::terminal(chunk.valid()));
        // Not UTF-8: each byte shown as `?`.
        out.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    (out, keep)
}

impl<W: WriteColor> std::io::Write for TerminalSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.held.extend_from_slice(buf);
        let (text, keep) = mask_bytes(&self.held, false);
        self.held.drain(..self.held.len() - keep);
        self.inner.write_all(text.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<W: WriteColor> WriteColor for TerminalSafe<W> {
    fn supports_color(&self) -> bool {
        self.inner.supports_color()
    }

    fn set_color(&mut self, spec: &ColorSpec) -> std::io::Result<()> {
        // What was held belongs before the colour change.
        self.finish()?;
        self.inner.set_color(spec)
    }

    fn reset(&mut self) -> std::io::Result<()> {
        self.finish()?;
        self.inner.reset()
    }

    fn is_synchronous(&self) -> bool {
        self.inner.is_synchronous()
    }

    fn set_hyperlink(&mut self, _link: &HyperlinkSpec) -> std::io::Result<()> {
        // A hyperlink's URI is an escape sequence capdo never needs.
        Ok(())
    }

    fn supports_hyperlinks(&self) -> bool {
        false
    }
}

impl<W: WriteColor> Drop for TerminalSafe<W> {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// Text for a terminal with capdo's own colours kept apart from it: [`Styled::plain`] for a
/// file, [`Styled::write_to`] for a stream that takes colour. Every piece of text is masked as
/// [`crate::escape::terminal`] masks it when it is added, so a writer that builds a `Styled`
/// cannot forget a value; only [`Styled::paint`]'s colour is ever an escape sequence.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Styled {
    parts: Vec<(Option<ColorSpec>, String)>,
}

impl Styled {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add `text`, masked.
    pub fn text(&mut self, text: &str) {
        let text = crate::escape::terminal(text);
        match self.parts.last_mut() {
            Some((None, last)) => last.push_str(&text),
            _ => self.parts.push((None, text)),
        }
    }

    /// Add `text`, masked, in `color`.
    pub fn paint(&mut self, color: &ColorSpec, text: &str) {
        self.parts
            .push((Some(color.clone()), crate::escape::terminal(text)));
    }

    /// The text without colour.
    pub fn plain(&self) -> String {
        self.parts.iter().map(|(_, t)| t.as_str()).collect()
    }

    /// The text to `w`, coloured where `w` takes colour.
    pub fn write_to(&self, w: &mut dyn WriteColor) -> std::io::Result<()> {
        for (color, text) in &self.parts {
            match color {
                Some(c) => {
                    w.set_color(c)?;
                    w.write_all(text.as_bytes())?;
                    w.reset()?;
                }
                None => w.write_all(text.as_bytes())?,
            }
        }
        Ok(())
    }
}

impl std::fmt::Write for Styled {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.text(s);
        Ok(())
    }
}

/// "1 server", "2 servers".
pub fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::MetadataExt as _;

    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn an_atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.txt");
        write_atomic(&path, b"one").expect("first write");
        write_atomic(&path, b"two").expect("second write");
        assert_eq!(std::fs::read(&path).expect("read back"), b"two");
        assert_eq!(names(dir.path()), ["out.txt"]);
    }

    #[test]
    fn a_symlink_planted_at_the_old_temporary_name_receives_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"keep").expect("victim");
        // The name the previous implementation used: `.NAME.tmpPID`.
        let planted = dir
            .path()
            .join(format!(".report.json.tmp{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).expect("plant");
        let path = dir.path().join("report.json");
        write_atomic(&path, b"{}").expect("write");
        assert_eq!(std::fs::read(&victim).expect("victim"), b"keep");
        assert_eq!(std::fs::read(&path).expect("report"), b"{}");
    }

    #[test]
    fn a_symlink_at_the_target_is_replaced_not_followed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"keep").expect("victim");
        let path = dir.path().join("out");
        std::os::unix::fs::symlink(&victim, &path).expect("link");
        write_atomic(&path, b"new").expect("write");
        assert_eq!(std::fs::read(&victim).expect("victim"), b"keep");
        assert!(
            !std::fs::symlink_metadata(&path)
                .expect("meta")
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn private_files_and_folders_are_for_the_owner_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let sub = dir.path().join("a/b");
        create_dir_all(&sub, Mode::Private).expect("dirs");
        assert_eq!(std::fs::metadata(&sub).expect("meta").mode() & 0o777, 0o700);
        let path = sub.join("facts.json");
        write_atomic_mode(&path, b"{}", Mode::Private).expect("write");
        assert_eq!(
            std::fs::metadata(&path).expect("meta").mode() & 0o777,
            0o600
        );
        let shared = sub.join("report.json");
        write_atomic(&shared, b"{}").expect("write");
        // Whatever the umask, a shared file is at least readable by its owner and never
        // executable.
        let m = std::fs::metadata(&shared).expect("meta").mode() & 0o777;
        assert!(m & 0o600 == 0o600 && m & 0o111 == 0, "{m:o}");
    }

    #[test]
    fn a_link_inside_the_output_tree_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("out");
        std::fs::create_dir_all(root.join("web01")).expect("dirs");
        std::os::unix::fs::symlink("/etc", root.join("web01/etc")).expect("link");
        let err = refuse_symlinks_below(&root, &root.join("web01/etc/ssh/sshd_config"))
            .expect_err("refused");
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(refuse_symlinks_below(&root, &root.join("db01/etc/x")).is_ok());
    }

    /// What `write` does through a [`TerminalSafe`] over an ANSI buffer, as text.
    fn through(write: impl FnOnce(&mut dyn WriteColor) -> std::io::Result<()>) -> String {
        use codespan_reporting::term::termcolor::Buffer;
        let mut buffer = Buffer::ansi();
        {
            let mut safe = TerminalSafe::new(&mut buffer);
            write(&mut safe).expect("write");
        }
        String::from_utf8(buffer.into_inner()).expect("the output is UTF-8")
    }

    #[test]
    fn a_terminal_stream_never_carries_a_control_character_from_the_text() {
        let hostile = "a\u{1b}[31mb\u{9b}2Jc\u{1b}]8;;http://x\u{7}d\u{85}\u{202e}e\r\nf\rg\u{0}";
        let out = through(|w| w.write_all(hostile.as_bytes()));
        assert_eq!(out, "a?[31mb??2Jc?]8;;http://x?d?????e\r\nf?g?");
        // A byte that is not UTF-8 (a raw CSI on an 8-bit terminal) is masked too.
        assert_eq!(through(|w| w.write_all(b"x\x9b1m\xffy")), "x?1m?y");
    }

    #[test]
    fn masking_holds_across_writes_that_split_a_character_or_a_line_end() {
        // Byte by byte: C1 and bidirectional controls split in the middle are still masked,
        // other characters and CRLF come out whole.
        let text = "é\u{9b}ệ\r\n\u{202e}z\r";
        let out = through(|w| {
            for b in text.as_bytes() {
                w.write_all(&[*b])?;
            }
            Ok(())
        });
        assert_eq!(out, "é??ệ\r\n???z?");
    }

    #[test]
    fn colours_set_on_the_stream_pass_and_colours_in_the_text_do_not() {
        let out = through(|w| {
            w.set_color(ColorSpec::new().set_bold(true))?;
            w.write_all(b"FAIL")?;
            w.reset()?;
            w.write_all(b" \x1b[32mname")
        });
        assert_eq!(out, "\u{1b}[0m\u{1b}[1mFAIL\u{1b}[0m ?[32mname");
    }

    #[test]
    fn styled_text_is_masked_and_keeps_its_colours_apart() {
        use std::fmt::Write as _;
        let mut s = Styled::new();
        s.paint(ColorSpec::new().set_bold(true), "── system x: \u{1b}[2J");
        let ticket = "T-1\u{9b}31m";
        let _ = writeln!(s, " ticket {ticket}");
        assert_eq!(s.plain(), "── system x: ?[2J ticket T-1??31m\n");
        let coloured = through(|w| s.write_to(w));
        assert_eq!(
            coloured,
            "\u{1b}[0m\u{1b}[1m── system x: ?[2J\u{1b}[0m ticket T-1??31m\n"
        );
    }

    #[test]
    fn plural_counts() {
        assert_eq!(plural(1, "host"), "1 host");
        assert_eq!(plural(0, "host"), "0 hosts");
    }
}
