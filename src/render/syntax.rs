//! How a value is written in each configuration language capdo renders, so it stays one value:
//! one argument of a systemd command line, one nftables or rsyslog string, one sshd or chrony
//! word. The templates call these as handlebars helpers (`{{systemd_arg backup.path "/"}}`);
//! every other `{{value}}` goes through [`line()`], which masks control characters so no value
//! can start a line of its own in any format.
//!
//! Values are already checked where they enter (`inventory::rendered`, ids by `load`); these
//! are the second line, for values that bypassed that check or templates from `--templates`.
//! A value a language cannot hold (a `"` in an nftables string, a space in a chrony word) is a
//! rendering error, never a silently changed file.

use std::fmt;

use handlebars::{
    Context, Handlebars, Helper, HelperResult, JsonRender, Output, RenderContext, RenderError,
    RenderErrorReason,
};

/// A value one of the languages cannot hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unwritable {
    pub language: &'static str,
    pub value: String,
    pub why: &'static str,
}

impl fmt::Display for Unwritable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug formatting: the value may hold control characters.
        write!(
            f,
            "{:?} cannot be written as {}: {}",
            self.value, self.language, self.why
        )
    }
}

impl std::error::Error for Unwritable {}

type Written = Result<String, Unwritable>;

/// An escaper: the value written in one language, or why it cannot be.
type Escaper = fn(&str) -> Written;

fn unwritable(language: &'static str, value: &str, why: &'static str) -> Unwritable {
    Unwritable {
        language,
        value: value.to_string(),
        why,
    }
}

/// Control characters, and the Unicode line and paragraph separators.
fn is_control(c: char) -> bool {
    crate::inventory::rendered::is_control(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// The escape of every plain `{{value}}` in a configuration template: control characters
/// (line breaks among them) become `?`, so a value never adds a line, whatever the format.
pub fn line(s: &str) -> String {
    s.chars()
        .map(|c| if is_control(c) { '?' } else { c })
        .collect()
}

/// One argument of a systemd command line (`ExecStart=`), per systemd.service(5) "Command
/// lines" and systemd.syntax(7): `%` doubled (specifiers), `$` doubled (environment
/// substitution happens after parsing, and `$$` is a literal `$`), and the word double-quoted
/// with C escapes when it holds whitespace, a quote, a backslash, `;` (a lone `;` separates
/// commands) or a control character, or is empty. Only NUL cannot be written.
pub fn systemd_arg(s: &str) -> Written {
    if s.contains('\0') {
        return Err(unwritable("a systemd argument", s, "it holds a NUL byte"));
    }
    let quote = s.is_empty()
        || s.chars()
            .any(|c| c.is_whitespace() || is_control(c) || matches!(c, '"' | '\'' | '\\' | ';'));
    let mut out = String::with_capacity(s.len() + 2);
    if quote {
        out.push('"');
    }
    for c in s.chars() {
        match c {
            '%' => out.push_str("%%"),
            '$' => out.push_str("$$"),
            '"' | '\\' if quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if is_control(c) || c.is_whitespace() && !c.is_ascii() => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    if quote {
        out.push('"');
    }
    Ok(out)
}

/// Free text in a systemd setting that takes no quoting (`Description=`): `%` doubled, and a
/// control character (which has no escape there) shown as `?`, as in [`line()`]: the text is
/// for people. The value must not end its line (a trailing backslash would continue it); the
/// templates always follow it with text.
pub fn systemd_text(s: &str) -> Written {
    Ok(line(s).replace('%', "%%"))
}

/// A quoted nftables string (`"…"`). nft's scanner has no escapes inside quotes: a `"` or a
/// control character cannot be written.
pub fn nft_string(s: &str) -> Written {
    if s.chars().any(|c| c == '"' || is_control(c)) {
        return Err(unwritable(
            "an nftables string",
            s,
            "nft strings cannot hold `\"` or control characters",
        ));
    }
    Ok(format!("\"{s}\""))
}

/// A quoted RainerScript string (rsyslog's `action(param="…")`): `\` and `"` backslash-escaped.
pub fn rsyslog_string(s: &str) -> Written {
    if s.chars().any(is_control) {
        return Err(unwritable(
            "an rsyslog string",
            s,
            "it holds a control character",
        ));
    }
    Ok(backslash_quoted(s))
}

/// `s` between double quotes, with `"` and `\` escaped by a backslash: how rsyslog strings and
/// quoted sshd_config arguments are written.
fn backslash_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// One sshd_config argument, as OpenSSH's `argv_split` reads it: bare when it holds nothing
/// special, else double-quoted with `\` and `"` backslash-escaped (an unquoted `#` starts a
/// comment, whitespace splits).
pub fn sshd_value(s: &str) -> Written {
    if s.chars().any(is_control) {
        return Err(unwritable(
            "an sshd_config value",
            s,
            "it holds a control character",
        ));
    }
    let plain = !s.is_empty()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | '#'));
    if plain {
        return Ok(s.to_string());
    }
    Ok(backslash_quoted(s))
}

/// One word of a chrony.conf directive. chrony splits on whitespace and has no quoting, so a
/// word with whitespace or a control character cannot be written.
pub fn chrony_word(s: &str) -> Written {
    if s.is_empty() || s.chars().any(|c| c.is_whitespace() || is_control(c)) {
        return Err(unwritable(
            "a chrony word",
            s,
            "chrony has no quoting: a word cannot be empty or hold whitespace",
        ));
    }
    Ok(s.to_string())
}

/// The helpers, by name.
const HELPERS: &[(&str, Escaper)] = &[
    ("systemd_arg", systemd_arg),
    ("systemd_text", systemd_text),
    ("nft_string", nft_string),
    ("rsyslog_string", rsyslog_string),
    ("sshd_value", sshd_value),
    ("chrony_word", chrony_word),
];

/// Register every escaper as a helper: `{{name a b …}}` writes the parameters joined (strings
/// as they are, numbers in decimal), escaped as one value.
pub fn register(hb: &mut Handlebars<'_>) {
    for &(name, escape) in HELPERS {
        hb.register_helper(
            name,
            Box::new(
                move |h: &Helper<'_>,
                      _: &Handlebars<'_>,
                      _: &Context,
                      _: &mut RenderContext<'_, '_>,
                      out: &mut dyn Output|
                      -> HelperResult {
                    let mut value = String::new();
                    if h.params().is_empty() {
                        return Err(RenderErrorReason::ParamNotFoundForIndex(name, 0).into());
                    }
                    for p in h.params() {
                        match p.value() {
                            serde_json::Value::String(_) | serde_json::Value::Number(_) => {
                                value.push_str(&p.value().render())
                            }
                            _ => {
                                return Err(RenderErrorReason::InvalidParamType(
                                    "a string or a number",
                                )
                                .into());
                            }
                        }
                    }
                    let written = escape(&value).map_err(|e| {
                        RenderError::from(RenderErrorReason::NestedError(Box::new(e)))
                    })?;
                    out.write(&written)?;
                    Ok(())
                },
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_systemd_argument_is_quoted_and_its_specifiers_and_variables_doubled() {
        for (value, written) in [
            ("/var/backups/db01", "/var/backups/db01"),
            ("/a%n/$HOME", "/a%%n/$$HOME"),
            ("", "\"\""),
            (";", "\";\""),
            ("/a b", "\"/a b\""),
            ("/a\"b\\", "\"/a\\\"b\\\\\""),
            ("/a'b", "\"/a'b\""),
            ("/a\nExecStartPre=/x", "\"/a\\x0aExecStartPre=/x\""),
            ("/a\u{85}\u{a0}é", "\"/a\\u0085\\u00a0é\""),
        ] {
            assert_eq!(systemd_arg(value).as_deref(), Ok(written), "{value:?}");
        }
        assert!(systemd_arg("/a\0").is_err());
    }

    #[test]
    fn each_language_writes_one_value_or_refuses() {
        assert_eq!(systemd_text("100% x"), Ok("100%% x".into()));
        assert_eq!(
            systemd_text("a\nExecStartPre=/x"),
            Ok("a?ExecStartPre=/x".into())
        );
        assert_eq!(nft_string("capdo-drop: "), Ok("\"capdo-drop: \"".into()));
        assert!(nft_string("a\" accept").is_err());
        assert_eq!(rsyslog_string("a\"b\\"), Ok("\"a\\\"b\\\\\"".into()));
        assert!(rsyslog_string("a\nb").is_err());
        assert_eq!(sshd_value("no"), Ok("no".into()));
        assert_eq!(sshd_value("a #b"), Ok("\"a #b\"".into()));
        assert_eq!(sshd_value(""), Ok("\"\"".into()));
        assert!(sshd_value("no\nPermitRootLogin yes").is_err());
        assert_eq!(chrony_word("10.0.0.1"), Ok("10.0.0.1".into()));
        assert!(chrony_word("10.0.0.1 iburst\nserver x").is_err());
        assert_eq!(line("a\nb\u{1b}c\u{2028}"), "a?b?c?");
    }

    #[test]
    fn the_helpers_join_their_parameters_and_fail_on_what_they_cannot_write() {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(line);
        register(&mut hb);
        let data = serde_json::json!({"p": "/a b", "n": 22, "bad": "x\"y", "no": null});
        let render = |t: &str| hb.render_template(t, &data);
        assert_eq!(
            render("{{systemd_arg p \"/\"}}").ok(),
            Some("\"/a b/\"".into())
        );
        assert_eq!(render("Port {{sshd_value n}}").ok(), Some("Port 22".into()));
        assert!(render("{{nft_string bad}}").is_err());
        assert!(render("{{systemd_arg no}}").is_err());
        assert!(render("{{systemd_arg missing}}").is_err());
        assert!(render("{{systemd_arg}}").is_err());
    }
}
