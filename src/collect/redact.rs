//! Secrets never leave capdo's hands: the one redaction applied to a host's collector output
//! before it is parsed, kept or written (facts, the report's facts, `--facts-out` files, the
//! evidence bundle's raw output). The collector already strips the same patterns on the host
//! (`scrub` in `collector.sh`); this is the second line, for hosts running an older or a
//! tampered collector and for replayed facts files.
//!
//! Patterns (docs/collector.md "Secrets"), each with a unit test below:
//!
//! | what | example | becomes |
//! |---|---|---|
//! | PEM private key blocks | `-----BEGIN RSA PRIVATE KEY-----` … `-----END …` | both marker lines kept, the body dropped |
//! | systemd `Environment=` | `Environment=PGPASSWORD=s3cret` | `Environment=[redacted by capdo]` |
//! | `--password=` / `--passwd=` | `--password=s3cret` | `--password=[redacted-by-capdo]` |
//! | `-p<pw>` of mysql/mariadb tools (any line naming them) and of systemd `Exec*=` lines (unless digits: a port) | `mysqldump -ps3cret` | `-p[redacted-by-capdo]` |
//! | rsyslog `pwd="…"` | `pwd="s3cret"` | `pwd="[redacted by capdo]"` |
//! | `Authorization:` headers | `Authorization: Bearer abc` | `Authorization: [redacted by capdo]` |
//! | URL credentials | `https://elastic:s3cret@es:9200` | `https://elastic:[redacted-by-capdo]@es:9200` |
//! | in log-shipping configuration (`SECRET_FILES`), any line naming a password, token, key, … (`SECRET_WORDS`) | `password: s3cret` | `password: [redacted by capdo]` |
//!
//! Section marker lines are never changed, so the output still splits into the same sections.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::{Regex, RegexSet};

/// What replaces a value that runs to the end of its line or its quotes.
pub const MARK: &str = "[redacted by capdo]";
/// What replaces a secret inside a word (a URL, a command-line option): no spaces, so the
/// words around it stay words.
pub const MARK_WORD: &str = "[redacted-by-capdo]";

/// Words that mark a configuration line as holding a secret.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "_pass",
    "secret",
    "token",
    "api_key",
    "apikey",
    "api-key",
    "private_key",
    "privatekey",
    "auth_key",
    "authkey",
    "credential",
];

/// Configuration files that may carry credentials (an Elasticsearch password in filebeat.yml,
/// a journal-upload key, …): every line naming a secret loses its value.
const SECRET_FILES: &[&str] = &[
    "/etc/filebeat/",
    "/var/ossec/",
    "/etc/systemd/journal-upload",
    "/etc/rsyslog",
    "/etc/syslog-ng/",
];

struct Rules {
    /// Every pattern [`redact_line`] replaces: a line that matches none is kept as it is.
    any: RegexSet,
    environment: Regex,
    password_option: Regex,
    dash_p: Regex,
    dash_p_word: Regex,
    mysql: Regex,
    exec: Regex,
    pwd: Regex,
    authorization: Regex,
    url: Regex,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        // The patterns are constants: a failure to compile is a bug caught by every test.
        let re = |p: &str| Regex::new(p).unwrap_or_else(|e| panic!("redaction pattern {p}: {e}"));
        let replaced = [
            r"^(\s*Environment\s*=).*$",
            r#"(?i)(--pass(?:word|wd)=)[^\s"']*"#,
            r#"(\s-p)[^\s"']+"#,
            r#"(\s-p)[^\s"'0-9][^\s"']*"#,
            r#"(?i)(\bpwd\s*=\s*)(?:"[^"]*"|'[^']*')"#,
            r"(?i)(authorization\s*:).*$",
            r#"(?i)(\b[a-z][a-z0-9+.-]*://[^/@\s"'<>:]*:)[^/@\s"'<>]*@"#,
        ];
        let [
            environment,
            password_option,
            dash_p,
            dash_p_word,
            pwd,
            authorization,
            url,
        ] = replaced.map(re);
        Rules {
            any: RegexSet::new(replaced).unwrap_or_else(|e| panic!("redaction patterns: {e}")),
            environment,
            password_option,
            dash_p,
            dash_p_word,
            mysql: re(r"(?i)mysql|mariadb"),
            exec: re(r"^\s*Exec[A-Za-z]*\s*="),
            pwd,
            authorization,
            url,
        }
    })
}

/// One line (without its line break) with the patterns of the table above applied; borrowed
/// when nothing matched.
pub fn redact_line(line: &str) -> Cow<'_, str> {
    let r = rules();
    // Nearly every line holds no secret: one pass over it instead of one per pattern, and none
    // over a line without `=`, `:` or `-`, one of which every pattern needs.
    if !line.bytes().any(|b| matches!(b, b'=' | b':' | b'-')) || !r.any.is_match(line) {
        return Cow::Borrowed(line);
    }
    replace_all(r, line)
}

/// [`redact_line`] without its first pass.
fn replace_all<'a>(r: &Rules, line: &'a str) -> Cow<'a, str> {
    let mut out = Cow::Borrowed(line);
    let mut apply = |re: &Regex, with: &str| {
        if let Cow::Owned(s) = re.replace_all(&out, with) {
            out = Cow::Owned(s);
        }
    };
    apply(&r.environment, &format!("${{1}}{MARK}"));
    apply(&r.password_option, &format!("${{1}}{MARK_WORD}"));
    apply(&r.pwd, &format!("${{1}}\"{MARK}\""));
    apply(&r.authorization, &format!("${{1}} {MARK}"));
    apply(&r.url, &format!("${{1}}{MARK_WORD}@"));
    if r.mysql.is_match(line) {
        apply(&r.dash_p, &format!("${{1}}{MARK_WORD}"));
    } else if r.exec.is_match(line) {
        apply(&r.dash_p_word, &format!("${{1}}{MARK_WORD}"));
    }
    out
}

/// In a log-shipping file: keep the key (what precedes the first `=` or `:`, or nothing) of a
/// line that names a secret, and drop its value.
fn secret_word_line(line: &str) -> Option<String> {
    let lower = line.to_ascii_lowercase();
    SECRET_WORDS
        .iter()
        .any(|w| lower.contains(w))
        .then(|| match line.find(['=', ':']) {
            Some(i) => format!("{} {MARK}", &line[..=i]),
            None => MARK.to_owned(),
        })
}

/// Where a PEM private key block starts or ends on a line.
fn pem_begin(line: &str) -> Option<usize> {
    let i = line.find("-----BEGIN ")?;
    let end = line[i..].find("PRIVATE KEY-----")?;
    Some(i + end + "PRIVATE KEY-----".len())
}

fn pem_end(line: &str) -> Option<usize> {
    let i = line.find("-----END ")?;
    line[i..].contains("PRIVATE KEY-----").then_some(i)
}

/// A host's collector output (sections framed with `nonce`) with every secret of the table
/// above removed. Borrowed when there was nothing to remove, so the output is not copied.
pub fn redact<'a>(text: &'a str, nonce: &str) -> Cow<'a, str> {
    let begin = format!("@@{nonce} begin ");
    let marker = format!("@@{nonce} ");
    let mut out: Option<String> = None;
    let mut secret_file = false;
    let mut in_pem = false;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let (bare, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let new: Option<Cow<str>> = if line.starts_with(&marker) {
            // Section boundaries are never touched; a block never spans sections.
            in_pem = false;
            secret_file = bare
                .strip_prefix(&begin)
                .and_then(|n| n.strip_prefix("file "))
                .is_some_and(|p| SECRET_FILES.iter().any(|f| p.starts_with(f)));
            None
        } else if in_pem {
            match pem_end(bare) {
                Some(i) => {
                    in_pem = false;
                    Some(Cow::Owned(bare[i..].to_owned()))
                }
                None => Some(Cow::Borrowed("")),
            }
        } else if let Some(b) = pem_begin(bare) {
            // Keep the BEGIN marker; the key, on this line or the next ones, goes.
            let tail = match bare[b..]
                .find("-----END ")
                .filter(|_| pem_end(&bare[b..]).is_some())
            {
                Some(e) => &bare[b + e..],
                None => {
                    in_pem = true;
                    ""
                }
            };
            Some(Cow::Owned(
                format!("{} {MARK} {tail}", &bare[..b])
                    .trim_end()
                    .to_owned(),
            ))
        } else {
            let l = redact_line(bare);
            let l = if secret_file {
                secret_word_line(&l).map(Cow::Owned).unwrap_or(l)
            } else {
                l
            };
            match l {
                Cow::Borrowed(_) => None,
                owned => Some(owned),
            }
        };
        // A line already redacted (by the collector on the host) comes out the same: no copy.
        let new = new.filter(|n| !(n == bare && !(in_pem && n.is_empty())));
        match (new, &mut out) {
            (Some(n), Some(o)) => {
                // A dropped PEM body line leaves no empty line behind.
                if !(in_pem && n.is_empty()) {
                    o.push_str(&n);
                    o.push_str(nl);
                }
            }
            (Some(n), None) => {
                let mut o = String::with_capacity(text.len());
                o.push_str(&text[..start]);
                if !(in_pem && n.is_empty()) {
                    o.push_str(&n);
                    o.push_str(nl);
                }
                out = Some(o);
            }
            (None, Some(o)) => o.push_str(line),
            (None, None) => {}
        }
    }
    match out {
        Some(o) => Cow::Owned(o),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The first pass lets through every line that a pattern would change.
        #[test]
        fn the_first_pass_misses_no_secret(line in proptest::collection::vec(
            proptest::sample::select(vec![
                "Environment=", " Environment =", "--password=", "--PASSWD=", " -p", "-p", "s3cret",
                "9", "pwd=", "PWD = ", "\"", "'", "Authorization:", "authorization :", "https://",
                "u:", "@", "/", "mysql", "MariaDB", "Exec", "ExecStart=", " ", "\t", "x", "é",
            ]),
            0..10,
        )) {
            let line = line.concat();
            proptest::prop_assert_eq!(redact_line(&line), replace_all(rules(), &line));
        }
    }

    const N: &str = "0123456789abcdef";

    fn file(path: &str, body: &str) -> String {
        format!("@@{N} begin file {path}\n{body}\n@@{N} end file {path} 0\n")
    }

    /// `body` in a section of `path`, redacted, back as the body.
    fn redacted(path: &str, body: &str) -> String {
        let text = file(path, body);
        let r = redact(&text, N).into_owned();
        let sections = crate::collect::parse::sections::split(&r, N);
        assert_eq!(sections.len(), 1, "{r}");
        sections[0].body.clone()
    }

    #[test]
    fn pem_private_key_blocks_lose_their_body() {
        let body = "ssl:\n  key: |\n    -----BEGIN RSA PRIVATE KEY-----\n    MIIEpAIBAAKCAQEA7s3cr3t\n    QUJDRA==\n    -----END RSA PRIVATE KEY-----\n  certificate: /etc/pki/c.pem";
        let r = redacted("/etc/filebeat/filebeat.yml", body);
        assert!(
            !r.contains("MIIEpAIBAAKCAQEA7s3cr3t") && !r.contains("QUJDRA=="),
            "{r}"
        );
        assert_eq!(
            r,
            "ssl:\n  key: |\n    -----BEGIN RSA PRIVATE KEY----- [redacted by capdo]\n-----END RSA PRIVATE KEY-----\n  certificate: /etc/pki/c.pem"
        );
        // On one line (an escaped YAML or JSON string), and an OpenSSH key anywhere.
        let one = r#"key: "-----BEGIN PRIVATE KEY-----\nMIIEs3cr3t\n-----END PRIVATE KEY-----\n""#;
        let r = redacted("/etc/cron.d/x", one);
        assert!(!r.contains("MIIEs3cr3t"), "{r}");
        assert!(r.contains("-----END PRIVATE KEY-----"), "{r}");
        // A block that never ends is cut to the end of its section, never beyond.
        let text = format!(
            "{}{}",
            file(
                "/etc/a",
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk"
            ),
            file("/etc/b", "kept")
        );
        let r = redact(&text, N);
        assert!(
            !r.contains("b3BlbnNzaC1rZXk") && r.contains("\nkept\n"),
            "{r}"
        );
    }

    #[test]
    fn systemd_environment_lines_lose_their_value() {
        assert_eq!(
            redact_line("Environment=PGPASSWORD=s3cret \"TOKEN=x y\""),
            "Environment=[redacted by capdo]"
        );
        assert_eq!(
            redact_line("  Environment = A=1"),
            "  Environment =[redacted by capdo]"
        );
        // The path of an environment file is kept: the collector never reads the file.
        assert_eq!(
            redact_line("EnvironmentFile=-/etc/default/backup"),
            "EnvironmentFile=-/etc/default/backup"
        );
    }

    #[test]
    fn password_options_lose_their_value() {
        assert_eq!(
            redact_line("ExecStart=/usr/bin/pg_dump --password=s3cret --host db"),
            "ExecStart=/usr/bin/pg_dump --password=[redacted-by-capdo] --host db"
        );
        assert_eq!(
            redact_line("0 2 * * * root tool --PASSWD='x'"),
            "0 2 * * * root tool --PASSWD=[redacted-by-capdo]'x'"
        );
    }

    #[test]
    fn dash_p_passwords_of_mysql_tools_and_exec_lines_are_removed_but_ports_kept() {
        assert_eq!(
            redact_line("30 1 * * * root mysqldump -uroot -pS3cret db > /b/db.sql"),
            "30 1 * * * root mysqldump -uroot -p[redacted-by-capdo] db > /b/db.sql"
        );
        assert_eq!(
            redact_line("ExecStart=/usr/local/bin/dump -pS3cret /srv"),
            "ExecStart=/usr/local/bin/dump -p[redacted-by-capdo] /srv"
        );
        // An option -p with digits in a unit is a port; elsewhere -p is left alone.
        assert_eq!(
            redact_line("ExecStart=/usr/bin/rsync -e \"ssh -p2222\" /a b:/c"),
            "ExecStart=/usr/bin/rsync -e \"ssh -p2222\" /a b:/c"
        );
        assert_eq!(
            redact_line("mkdir -p /var/backups"),
            "mkdir -p /var/backups"
        );
    }

    #[test]
    fn rsyslog_pwd_loses_its_value() {
        assert_eq!(
            redact_line(
                r#"action(type="omelasticsearch" server="10.0.0.5" uid="log" pwd="s3cret" serverport="9200")"#
            ),
            r#"action(type="omelasticsearch" server="10.0.0.5" uid="log" pwd="[redacted by capdo]" serverport="9200")"#
        );
        assert_eq!(redact_line("PWD = 'x'"), "PWD = \"[redacted by capdo]\"");
    }

    #[test]
    fn authorization_headers_lose_their_value() {
        assert_eq!(
            redact_line(r#"    httpheaders=["Authorization: Bearer eyJhbGciOi.s3cret"]"#),
            r#"    httpheaders=["Authorization: [redacted by capdo]"#
        );
        assert_eq!(
            redact_line("  authorization:Basic dXNlcjpwYXNz"),
            "  authorization: [redacted by capdo]"
        );
    }

    #[test]
    fn url_credentials_lose_the_password_and_keep_the_target() {
        assert_eq!(
            redact_line(r#"  hosts: ["https://elastic:s3:cret@10.0.0.5:9200"]"#),
            r#"  hosts: ["https://elastic:[redacted-by-capdo]@10.0.0.5:9200"]"#
        );
        assert_eq!(
            redact_line("*/5 * * * * root curl -s ftp://u:p@h/x"),
            "*/5 * * * * root curl -s ftp://u:[redacted-by-capdo]@h/x"
        );
        // No password, nothing to hide.
        assert_eq!(redact_line("https://u@h:1/"), "https://u@h:1/");
        // The target is still read from a redacted URL.
        let body = redacted(
            "/etc/filebeat/filebeat.yml",
            "output.elasticsearch:\n  hosts: [\"https://elastic:s3cret@10.0.0.5:9200\"]",
        );
        let targets =
            crate::collect::parse::logfwd::parse(&[("/etc/filebeat/filebeat.yml".into(), body)]);
        assert_eq!(
            targets
                .iter()
                .map(|t| format!("{}:{}", t.host, t.port))
                .collect::<Vec<_>>(),
            ["10.0.0.5:9200"]
        );
    }

    #[test]
    fn secrets_in_log_shipping_configuration_are_redacted_and_the_rest_kept() {
        let n = N;
        let text = format!(
            "@@{n} begin file /etc/filebeat/filebeat.yml\noutput.elasticsearch:\n  hosts: [\"10.0.0.5:9200\"]\n  password: \"hunter2\"\nAPI_KEY=abc123\n\
             <authd_pass>s3cr3t</authd_pass>\n\n@@{n} end file /etc/filebeat/filebeat.yml 0\n\
             @@{n} begin sshd-t\npasswordauthentication no\n\n@@{n} end sshd-t 0\n"
        );
        let r = redact(&text, n);
        assert!(
            !r.contains("hunter2") && !r.contains("s3cr3t") && !r.contains("abc123"),
            "{r}"
        );
        assert!(r.contains("  hosts: [\"10.0.0.5:9200\"]\n"));
        assert!(r.contains("  password: [redacted by capdo]\n"));
        assert!(r.contains("API_KEY= [redacted by capdo]\n"));
        // Facts outside those files are untouched.
        assert!(r.contains("passwordauthentication no\n"));
        let facts = crate::collect::host::HostFacts::from_output(&r, n, false, &[]);
        assert_eq!(
            facts.sshd.map(|(s, _)| s.password_authentication),
            Ok(Some(false))
        );
    }

    #[test]
    fn output_without_secrets_is_not_copied_and_markers_are_never_changed() {
        let raw = include_str!("../../tests/fixtures/collect/sections/collector-debian12-full.txt");
        let nonce = "5e1f0c9a7b3d2e41";
        let r = redact(raw, nonce);
        // The captured host holds no secret of these kinds: the same text, not a copy.
        assert!(matches!(r, Cow::Borrowed(_)));
        // A marker line that looks like a secret stays as it is.
        let text = format!(
            "@@{N} begin file /etc/Environment=x\nEnvironment=y\n@@{N} end file /etc/Environment=x 0\n"
        );
        assert_eq!(
            redact(&text, N),
            format!(
                "@@{N} begin file /etc/Environment=x\nEnvironment=[redacted by capdo]\n@@{N} end file /etc/Environment=x 0\n"
            )
        );
    }
}
