//! Escaping, one function per output language capdo writes: the terminal, HTML, Markdown, XML,
//! Graphviz DOT and Mermaid labels, CSV cells; and [`base64()`], the one encoding of bytes as text
//! capdo writes (host key fingerprints, CSP hashes). Every writer calls these; none keeps its
//! own rules.
//!
//! Text that reaches an output comes from the inventory, a report file or a host, so none of it
//! is trusted: each escaper makes sure such text stays text in its language (never markup, never
//! the end of a quoted string, a table cell or a code fence) and never sends control characters
//! to a screen. Pure functions; nothing here reads or writes.

/// Text for a terminal: every character that could steer one (C0 and C1 controls but tab and
/// line ends, DEL, bidirectional overrides) is replaced by as many `?` as it has bytes, so byte
/// offsets stay valid: an inventory or a host can never send escape sequences to the operator's
/// screen.
pub fn terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Runs of harmless text are copied whole.
    let mut clean = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if steers(c, chars.peek().map(|&(_, next)| next)) {
            out.push_str(&text[clean..i]);
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
            clean = i + c.len_utf8();
        }
    }
    out.push_str(&text[clean..]);
    out
}

/// Whether `c`, followed by `next`, could steer a terminal (see [`terminal`]).
fn steers(c: char, next: Option<char>) -> bool {
    // A carriage return is only harmless as part of a CRLF line end.
    let lone_cr = c == '\r' && next != Some('\n');
    lone_cr
        || (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// HTML text or attribute value: handlebars' HTML escaping (`& < > " ' \` =`), with the
/// terminal's control characters (ANSI escapes from a host, bidirectional overrides) shown as
/// `?`, as on a terminal.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    html_into(s, &mut out);
    out
}

/// [`html`] appended to `out`: for writers that put many values into one buffer.
pub fn html_into(s: &str, out: &mut String) {
    // In one pass, as `handlebars::html_escape(&terminal(s))` would write it (none of the
    // characters escaped is one a terminal masks): a report escapes every value of every row.
    let mut clean = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let entity = match c {
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '&' => "&amp;",
            '\'' => "&#x27;",
            '`' => "&#x60;",
            '=' => "&#x3D;",
            c if steers(c, chars.peek().map(|&(_, next)| next)) => "?",
            _ => continue,
        };
        out.push_str(&s[clean..i]);
        if entity == "?" {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push_str(entity);
        }
        clean = i + c.len_utf8();
    }
    out.push_str(&s[clean..]);
}

/// Markdown, including inside a table cell: Markdown and HTML punctuation is neutralised, a line
/// break becomes `<br>` so a cell stays on its row, and control characters (ANSI escapes from a
/// host, bidirectional overrides) become `?` as on a terminal. For reports.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    markdown_into(s, &mut out);
    out
}

/// [`markdown`] appended to `out`: for writers that put many values into one buffer.
pub fn markdown_into(s: &str, out: &mut String) {
    markdown_with_into(s, MARKUP, "<br>", out)
}

/// [`markdown`] where a line break becomes a space: for tables that are pasted into tickets and
/// change requests (`capdo diff --format md`), whose renderers may show `<br>` as it is written.
pub fn markdown_line(s: &str) -> String {
    markdown_with(s, MARKUP, " ")
}

/// Markdown for the documents a security unit hands in and edits as text (the dossier, the
/// annual report): only what could end a table cell, open a code span, a link or an image, or
/// become HTML is escaped. Emphasis characters stay as typed, so that identifiers quoted from
/// the inventory (`always_on`, `protection.measures`) read the same in the Markdown source as in
/// the rendered page; in a table cell they cannot break anything. Kept apart from [`markdown`]
/// because the dossier snapshots pin this text.
pub fn markdown_prose(s: &str) -> String {
    markdown_with(s, &['|', '\\', '`', '[', ']'], "<br>")
}

/// Every character that Markdown could read as markup.
const MARKUP: &[char] = &['\\', '|', '*', '_', '`', '[', ']', '#', '~', '!'];

/// `s` with terminal controls masked, `& < >` as entities, each of `escaped` backslash-escaped
/// and a line end (CRLF, LF) written as `line_break`.
fn markdown_with(s: &str, escaped: &[char], line_break: &str) -> String {
    let mut out = String::with_capacity(s.len());
    markdown_with_into(s, escaped, line_break, &mut out);
    out
}

/// [`markdown_with`] appended to `out`.
fn markdown_with_into(s: &str, escaped: &[char], line_break: &str, out: &mut String) {
    let s = terminal(s);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str(line_break),
            c if escaped.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// XML character data and attribute values. XML 1.0 forbids most control characters even as
/// character references, so they become U+FFFD.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && !matches!(c, '\n' | '\t') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A CSV cell that a spreadsheet opens as text, never as a formula (OWASP, "CSV Injection"): a
/// cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`, which
/// Excel and LibreOffice read as "text follows" (`=HYPERLINK(…)` stays the text it was). The CSV
/// quoting itself (commas, quotes, line breaks) is the `csv` writer's.
pub fn csv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// The inside of a double-quoted Graphviz DOT string (an id or a label): a backslash or a quote
/// can neither end the string nor start an escape of the caller's, and terminal controls are
/// masked (`capdo graph` prints DOT on a terminal).
pub fn dot(s: &str) -> String {
    terminal(s).replace('\\', "\\\\").replace('"', "\\\"")
}

/// The inside of a double-quoted Mermaid label. Mermaid renders labels as HTML, so `<`, `>` and
/// backticks become Mermaid entity codes and a line break a space: a name never becomes markup
/// nor ends the label or a Markdown code fence around the chart; a quote becomes `#quot;` so
/// quotes pair up; terminal controls are masked (`capdo graph` prints Mermaid on a terminal).
/// Line breaks the caller wants (`<br/>`) go between escaped parts.
pub fn mermaid(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in terminal(s).chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#60;"),
            '>' => out.push_str("#62;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648 §4): how OpenSSH writes host keys and their SHA-256
/// fingerprints, and how a CSP writes a script's hash.
pub fn base64(bytes: &[u8]) -> String {
    use ::base64::Engine as _;
    ::base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_rfc_4648() {
        // The test vectors of RFC 4648 §10.
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn masking_keeps_byte_offsets_and_removes_every_terminal_control() {
        let text = "a\u{1b}[2J\u{7}b\tc\r\nd\u{0}e\u{85}f\u{202e}g\u{7f}h\ri";
        let masked = terminal(text);
        assert_eq!(masked.len(), text.len());
        assert_eq!(masked, "a?[2J?b\tc\r\nd?e??f???g?h?i");
        assert!(
            masked
                .chars()
                .all(|c| !c.is_control() || matches!(c, '\t' | '\r' | '\n'))
        );
    }

    #[test]
    fn html_escape_masks_terminal_controls() {
        assert_eq!(
            html("<b x='1'>\x1b[31m\u{202e}"),
            "&lt;b x&#x3D;&#x27;1&#x27;&gt;?[31m???"
        );
    }

    proptest::proptest! {
        /// The one-pass HTML escaper writes what handlebars' escaper writes over the masked
        /// text, byte for byte (reports are compared with those of earlier releases).
        #[test]
        fn html_escape_is_handlebars_escaping_of_the_masked_text(
            s in "(\\PC|[<>\"&'`=\r\n\t\u{0}-\u{1f}\u{7f}-\u{9f}\u{202a}-\u{202e}\u{2066}-\u{2069}]){0,40}"
        ) {
            proptest::prop_assert_eq!(html(&s), handlebars::html_escape(&terminal(&s)));
        }
    }

    #[test]
    fn markdown_escape_neutralises_tables_html_and_emphasis() {
        assert_eq!(
            markdown("<script>a|b*c_d`e[f]\ng</script>"),
            "&lt;script&gt;a\\|b\\*c\\_d\\`e\\[f\\]<br>g&lt;/script&gt;"
        );
        assert_eq!(markdown("a\r\nb\x1b[31m"), "a<br>b?\\[31m");
    }

    #[test]
    fn markdown_cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(
            markdown_line("a|b <script>x</script>\n*y*"),
            r"a\|b &lt;script&gt;x&lt;/script&gt; \*y\*"
        );
        assert_eq!(markdown_line("a\r\nb\x1b!"), r"a b?\!");
    }

    #[test]
    fn markdown_escaping_keeps_table_cells_and_html_out() {
        assert_eq!(
            markdown_prose("a|b\nc\r\nd <script>&"),
            "a\\|b<br>c<br>d &lt;script&gt;&amp;"
        );
        assert_eq!(
            markdown_prose("![x](http://e/) `c` a\\b"),
            "!\\[x\\](http://e/) \\`c\\` a\\\\b"
        );
        assert_eq!(markdown_prose("always_on *x*"), "always_on *x*");
    }

    #[test]
    fn xml_escape_covers_markup_quotes_and_forbidden_controls() {
        assert_eq!(
            xml("<a href=\"x\">'&'</a>\u{1b}\n\t"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\u{fffd}\n\t"
        );
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_become_text() {
        for formula in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(csv_cell(formula), format!("'{formula}"));
        }
        for text in ["Cổng dịch vụ công", "1", "—", "a=b", ""] {
            assert_eq!(csv_cell(text), text);
        }
    }

    #[test]
    fn dot_escape_keeps_a_quoted_string_closed() {
        assert_eq!(dot(r#"a"b\"#), r#"a\"b\\"#);
        assert_eq!(dot("cấp độ"), "cấp độ");
        assert_eq!(dot("a\u{1b}[31m\u{9b}b"), "a?[31m??b");
    }

    #[test]
    fn mermaid_labels_never_carry_markup_quotes_or_line_breaks() {
        assert_eq!(
            mermaid("<script>x</script> \"q\""),
            "#60;script#62;x#60;/script#62; #quot;q#quot;"
        );
        // A name with a code fence and a line break stays one label inside the fence.
        assert_eq!(mermaid("x```\r\n<b>"), "x#96;#96;#96;  #60;b#62;");
        assert_eq!(mermaid("a\u{1b}]8;;x\u{7}b"), "a?]8;;x?b");
    }
}
