//! Checks of the inventory values that reach rendered configuration files (`capdo render`) as
//! text, made where the values enter so a bad one is a located diagnostic, not a unit file that
//! runs something else as root (issue 14, item 1).
//!
//! Most values a template uses are typed by the time they reach it (addresses, ports, zones,
//! schedules) or are ids, whose alphabet `load` already restricts. The free text left is a
//! path, `backup.path`: it becomes an argument of the backup unit's `rsync` command, and the
//! collector reads it as one line of its input. This module only judges values; the renderer
//! still escapes every value for its file's syntax (`render::syntax`), as a second line.

use toml::Spanned;

use crate::diag::{Diagnostic, Loc, Sources};

/// Longest path accepted, in bytes: Linux's `PATH_MAX` less its terminating NUL.
pub const MAX_PATH: usize = 4095;

/// What is wrong with a path meant to be one absolute path, or `None`.
pub fn path_problem(path: &str) -> Option<PathProblem> {
    if path.is_empty() {
        return Some(PathProblem::Empty);
    }
    if path.starts_with('-') {
        return Some(PathProblem::Option);
    }
    if !path.starts_with('/') {
        return Some(PathProblem::Relative);
    }
    for (at, c) in path.char_indices() {
        if c.is_whitespace() {
            return Some(PathProblem::Whitespace { at, c });
        }
        if is_control(c) {
            return Some(PathProblem::Control { at, c });
        }
    }
    if path.len() > MAX_PATH {
        return Some(PathProblem::TooLong(path.len()));
    }
    None
}

/// Control characters: C0, DEL, C1, and the invisible bidirectional controls that make a
/// reviewer read a different path from the one the host gets.
pub fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Why a value is not one absolute path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathProblem {
    Empty,
    /// Starts with `-`: a command reads it as an option.
    Option,
    Relative,
    /// A control character at byte `at`.
    Control {
        at: usize,
        c: char,
    },
    /// A space, tab, line break or other whitespace at byte `at`.
    Whitespace {
        at: usize,
        c: char,
    },
    TooLong(usize),
}

impl PathProblem {
    /// The byte of the value the problem is at, when it is one character.
    fn at(self) -> Option<(usize, char)> {
        match self {
            PathProblem::Control { at, c } | PathProblem::Whitespace { at, c } => Some((at, c)),
            _ => None,
        }
    }

    fn label(self) -> String {
        match self {
            PathProblem::Empty => "empty path".into(),
            PathProblem::Option => "starts with `-`: a command would read it as an option".into(),
            PathProblem::Relative => "not an absolute path".into(),
            PathProblem::Control { c, .. } => format!("control character U+{:04X}", c as u32),
            PathProblem::Whitespace { c: ' ', .. } => "a space".into(),
            PathProblem::Whitespace { c: '\t', .. } => "a tab".into(),
            PathProblem::Whitespace {
                c: '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}',
                ..
            } => "a line break".into(),
            PathProblem::Whitespace { c, .. } => format!("whitespace U+{:04X}", c as u32),
            PathProblem::TooLong(n) => format!("{n} bytes, more than {MAX_PATH}"),
        }
    }

    fn message(self, key: &str) -> String {
        match self {
            PathProblem::Empty | PathProblem::Option | PathProblem::Relative => {
                format!("`{key}` must be an absolute path")
            }
            PathProblem::Control { .. } => format!("`{key}` contains a control character"),
            PathProblem::Whitespace { .. } => format!("`{key}` contains whitespace"),
            PathProblem::TooLong(_) => format!("`{key}` is too long for a path"),
        }
    }

    fn hint(self) -> &'static str {
        match self {
            PathProblem::Empty | PathProblem::Option | PathProblem::Relative => {
                "write the folder's full path, starting with `/`, such as `/var/backups/db01`"
            }
            PathProblem::Control { .. } | PathProblem::Whitespace { .. } => {
                "the path becomes one word of the rendered backup unit's command and of the \
                 collector's input; rename the folder without spaces or control characters"
            }
            PathProblem::TooLong(_) => "Linux paths are at most 4,095 bytes",
        }
    }
}

/// The `invalid-path` diagnostic for `value` (the TOML string at `key`), or `None` when it is
/// one absolute path.
pub fn check_path(value: &Spanned<String>, key: &str, sources: &Sources) -> Option<Diagnostic> {
    let problem = path_problem(value.get_ref())?;
    let loc = sources.locate(value.span());
    let loc = problem
        .at()
        .and_then(|(at, c)| char_in_source(sources, &loc, value.get_ref(), at, c))
        .unwrap_or(loc);
    Some(
        Diagnostic::new("invalid-path", problem.message(key))
            .at(loc, problem.label())
            .hint(problem.hint()),
    )
}

/// The place of the character at byte `at` of `value` in the source, when the source writes
/// the value as a plain quoted string (no escapes, so bytes map one to one).
fn char_in_source(sources: &Sources, loc: &Loc, value: &str, at: usize, c: char) -> Option<Loc> {
    let written = sources.text(loc.file).get(loc.span.clone())?;
    let inner = written
        .strip_prefix('"')
        .and_then(|w| w.strip_suffix('"'))
        .filter(|w| !w.contains('\\'))
        .or_else(|| {
            written
                .strip_prefix('\'')
                .and_then(|w| w.strip_suffix('\''))
        })?;
    if inner != value {
        return None;
    }
    let start = loc.span.start + 1 + at;
    Some(Loc::new(loc.file, start..start + c.len_utf8()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_absolute_path_passes_and_everything_else_says_why() {
        for ok in [
            "/var/backups/db01",
            "/",
            "/srv/a%b/$HOME/\"q\"/'s'/;/\\/é/日本",
        ] {
            assert_eq!(path_problem(ok), None, "{ok}");
        }
        for (bad, want) in [
            ("", PathProblem::Empty),
            ("-e sh", PathProblem::Option),
            ("--rsh=sh", PathProblem::Option),
            ("var/backups", PathProblem::Relative),
            ("~/backups", PathProblem::Relative),
            ("/a b", PathProblem::Whitespace { at: 2, c: ' ' }),
            (
                "/a\nExecStartPre=/x",
                PathProblem::Whitespace { at: 2, c: '\n' },
            ),
            ("/a\u{a0}b", PathProblem::Whitespace { at: 2, c: '\u{a0}' }),
            (
                "/a\u{202e}b",
                PathProblem::Control {
                    at: 2,
                    c: '\u{202e}',
                },
            ),
            ("/a\u{1b}[2J", PathProblem::Control { at: 2, c: '\u{1b}' }),
            ("/a\u{85}", PathProblem::Whitespace { at: 2, c: '\u{85}' }),
            ("/a\u{7f}", PathProblem::Control { at: 2, c: '\u{7f}' }),
            (
                "/a\u{2028}",
                PathProblem::Whitespace {
                    at: 2,
                    c: '\u{2028}',
                },
            ),
        ] {
            assert_eq!(path_problem(bad), Some(want), "{bad:?}");
        }
        let long = format!("/{}", "a".repeat(MAX_PATH));
        assert_eq!(
            path_problem(&long),
            Some(PathProblem::TooLong(MAX_PATH + 1))
        );
    }
}
