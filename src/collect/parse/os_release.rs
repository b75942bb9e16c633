//! `/etc/os-release` (os-release(5)): shell-style `KEY=value` lines.
//!
//! Rules: `#` lines and blank lines are skipped; whitespace around the key and `=` is tolerated
//! (as systemd's parser does); a value is shell-quoted text: `'…'` literal, `"…"` with the
//! escapes `\"`, `\\`, `` \` `` and `\$`, unquoted text with `\` escaping the next character,
//! ending at unquoted whitespace. A later assignment of a key wins (as in the shell). Empty
//! values count as unset.

use crate::collect::facts::OsRelease;

pub fn parse(text: &str) -> OsRelease {
    let mut os = OsRelease::default();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let slot = match key.trim() {
            "ID" => &mut os.id,
            "VERSION_ID" => &mut os.version_id,
            "PRETTY_NAME" => &mut os.pretty_name,
            _ => continue,
        };
        let value = unquote(value.trim());
        *slot = (!value.is_empty()).then_some(value);
    }
    os
}

/// One shell word: quotes removed and escapes resolved, up to the first unquoted whitespace.
pub(crate) fn unquote(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    out.push(c);
                }
            }
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some(e @ ('"' | '\\' | '`' | '$')) => out.push(e),
                            Some(other) => {
                                out.push('\\');
                                out.push(other);
                            }
                            None => out.push('\\'),
                        },
                        _ => out.push(c),
                    }
                }
            }
            '\\' => {
                if let Some(e) = chars.next() {
                    out.push(e);
                }
            }
            c if c.is_whitespace() => break,
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn os(id: &str, version: &str, pretty: &str) -> OsRelease {
        OsRelease {
            id: Some(id.into()),
            version_id: Some(version.into()),
            pretty_name: Some(pretty.into()),
        }
    }

    #[test]
    fn debian_12_of_this_machine() {
        let got = parse(include_str!(
            "../../../tests/fixtures/collect/os_release/debian-12.txt"
        ));
        assert_eq!(got, os("debian", "12", "Debian GNU/Linux 12 (bookworm)"));
    }

    #[test]
    fn rhel_9_quotes_every_value() {
        let got = parse(include_str!(
            "../../../tests/fixtures/collect/os_release/rhel-9.4.txt"
        ));
        assert_eq!(
            got,
            os("rhel", "9.4", "Red Hat Enterprise Linux 9.4 (Plow)")
        );
    }

    #[test]
    fn ubuntu_leaves_id_unquoted() {
        let got = parse(include_str!(
            "../../../tests/fixtures/collect/os_release/ubuntu-22.04.txt"
        ));
        assert_eq!(got, os("ubuntu", "22.04", "Ubuntu 22.04.4 LTS"));
    }

    #[test]
    fn single_quotes_escapes_crlf_and_last_assignment_win() {
        let got = parse(include_str!(
            "../../../tests/fixtures/collect/os_release/tricky.txt"
        ));
        assert_eq!(
            got,
            os("ol", "9", r#"Oracle "Linux" Server 8.10 $HOME \ back"#)
        );
    }

    #[test]
    fn empty_and_garbage_give_nothing() {
        assert_eq!(parse(""), OsRelease::default());
        assert_eq!(parse("ID=\nVERSION_ID=''\n=x\n"), OsRelease::default());
        assert_eq!(unquote(r#"a"b c"'d e'f g"#), "ab cd ef");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn never_panics_on_quote_soup(s in "(ID|VERSION_ID|PRETTY_NAME)=[\"'\\\\a $`\n]{0,20}") {
            let _ = parse(&s);
        }
    }
}
