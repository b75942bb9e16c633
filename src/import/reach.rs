//! How Ansible reaches a host, resolved the way Ansible resolves it: which spelling of a
//! connection variable wins (Ansible's SSH plugin reads each option from a list of variables
//! and the last one set wins, so `ansible_ssh_user` beats `ansible_user`), simple `{{ var }}`
//! templates, the connection type, and the first jump host in the SSH arguments. Pure
//! functions over the merged variables of [`Host`]; nothing here reads a file.

use super::ansible::{Host, Origin};

/// The variables of one connection setting, in Ansible's order: the last one set wins.
pub type Keys = [&'static str; 2];

/// Where to connect (`remote_addr`).
pub const HOST: Keys = ["ansible_host", "ansible_ssh_host"];
/// The SSH port.
pub const PORT: Keys = ["ansible_port", "ansible_ssh_port"];
/// The login user (`remote_user`).
pub const USER: Keys = ["ansible_user", "ansible_ssh_user"];
/// The private key file.
pub const KEY: Keys = ["ansible_private_key_file", "ansible_ssh_private_key_file"];

/// A connection setting after templating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    Unset,
    Value(String, Origin),
    /// A template capdo does not resolve (a filter, a lookup, an undefined variable, …): the
    /// setting is left unset, with a TODO naming the variable and the template.
    Template {
        key: &'static str,
        text: String,
        at: Origin,
    },
}

/// The setting read from `keys` (the last one set wins), templated.
pub fn setting(host: &Host, keys: &[&'static str]) -> Setting {
    for key in keys.iter().rev() {
        if let Some((text, at)) = host.var(key) {
            return match render(host, &text) {
                Some(v) => Setting::Value(v, at.clone()),
                None => Setting::Template {
                    key,
                    text,
                    at: at.clone(),
                },
            };
        }
    }
    Setting::Unset
}

/// Templates nested deeper than this (a variable whose value is a template naming a variable
/// whose value is a template, …) are not resolved: a cycle would otherwise never end.
const MAX_DEPTH: usize = 8;

/// `text` with each `{{ name }}` replaced by the host's variable `name`, itself rendered;
/// `None` when any template is more than a variable name (filters, expressions, statements)
/// or names a variable the host does not have as a scalar.
pub fn render(host: &Host, text: &str) -> Option<String> {
    render_at(host, text, 0)
}

fn render_at(host: &Host, text: &str, depth: usize) -> Option<String> {
    if text.contains("{%") || text.contains("{#") {
        return None;
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let j = after.find("}}")?;
        let name = after[..j].trim();
        let plain = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !plain || depth >= MAX_DEPTH {
            return None;
        }
        let value = if name == "inventory_hostname" {
            host.name.clone()
        } else {
            host.var(name)?.0
        };
        out.push_str(&render_at(host, &value, depth + 1)?);
        rest = &after[j + 2..];
    }
    out.push_str(rest);
    Some(out)
}

/// How Ansible connects to a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Ssh,
    /// Another connection plugin (`local`, `winrm`, `network_cli`, `httpapi`, …), as written.
    Other(String),
}

/// The host's `ansible_connection`; unset is SSH (Ansible's default, `smart`, is SSH).
pub fn connection(host: &Host) -> Connection {
    match setting(host, &["ansible_connection"]) {
        Setting::Unset => Connection::Ssh,
        Setting::Value(v, _) if is_ssh(&v) => Connection::Ssh,
        Setting::Value(v, _) => Connection::Other(v),
        Setting::Template { text, .. } => Connection::Other(text),
    }
}

/// Ansible's connection plugins that are SSH (with or without a collection prefix).
fn is_ssh(plugin: &str) -> bool {
    matches!(
        plugin.rsplit('.').next().unwrap_or(plugin),
        "ssh" | "smart" | "paramiko" | "paramiko_ssh"
    )
}

/// The first hop of the SSH arguments, as `ssh` reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Jump {
    /// `ProxyJump [user@]host[:port]`, `-J …`, or `ProxyCommand ssh -W %h:%p … [user@]host`.
    Via { host: String, spec: String },
    /// A `ProxyCommand` that is not `ssh -W`: capdo cannot follow it.
    Command(String),
}

/// The first jump in `ansible_ssh_common_args` and `ansible_ssh_extra_args` (as `ssh` does,
/// the first `ProxyJump`/`ProxyCommand` given wins).
pub fn jump(host: &Host) -> Option<Jump> {
    let args: Vec<String> = ["ansible_ssh_common_args", "ansible_ssh_extra_args"]
        .iter()
        .filter_map(|k| host.var(k).and_then(|(v, _)| render(host, &v)))
        .collect();
    // Ansible splits these arguments as a POSIX shell would (shlex).
    let words = shell_words(&args.join(" "))?;
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let (flag, inline) = if w.len() > 2 && (w.starts_with("-o") || w.starts_with("-J")) {
            (&w[..2], Some(w[2..].to_owned()))
        } else {
            (w, None)
        };
        let value = || inline.clone().or_else(|| words.get(i + 1).cloned());
        match flag {
            "-J" => return value().and_then(|v| via(&v)),
            "-o" => {
                if let Some(option) = value() {
                    let (key, val) = option
                        .split_once(|c: char| c == '=' || c.is_whitespace())
                        .map(|(k, v)| (k.trim(), v.trim().trim_start_matches('=').trim()))
                        .unwrap_or((option.as_str(), ""));
                    if key.eq_ignore_ascii_case("ProxyJump") {
                        return via(val);
                    }
                    if key.eq_ignore_ascii_case("ProxyCommand") {
                        return proxy_command(val);
                    }
                }
                if inline.is_none() {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `[user@]host[:port][,next…]` as a jump (`none` is no jump).
fn via(spec: &str) -> Option<Jump> {
    let first = spec.split(',').next()?.trim();
    if first.is_empty() || first.eq_ignore_ascii_case("none") {
        return None;
    }
    let first = first.strip_prefix("ssh://").unwrap_or(first);
    let host = first.rsplit_once('@').map_or(first, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None if host.matches(':').count() == 1 => host.split(':').next().unwrap_or(host),
        None => host,
    };
    Some(Jump::Via {
        host: host.to_owned(),
        spec: first.to_owned(),
    })
}

/// `ssh … -W %h:%p … [user@]host` is a jump through `host`; any other command is not.
fn proxy_command(command: &str) -> Option<Jump> {
    if command.is_empty() || command.eq_ignore_ascii_case("none") {
        return None;
    }
    let words = shell_words(command).unwrap_or_default();
    let is_ssh = words
        .first()
        .is_some_and(|w| w == "ssh" || w.ends_with("/ssh"));
    if is_ssh
        && words.iter().any(|w| w == "-W")
        && let Some(dest) = words
            .last()
            .filter(|d| !d.starts_with('-') && !d.contains('%'))
    {
        return via(dest);
    }
    Some(Jump::Command(command.to_owned()))
}

/// Split `text` into words as a POSIX shell does: blanks separate, single quotes keep
/// everything, double quotes keep all but `\"` and `\\`, a backslash outside quotes escapes
/// the next character. `None` for an unclosed quote.
pub fn shell_words(text: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        x => cur.push(x),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            x @ ('"' | '\\' | '$' | '`') => cur.push(x),
                            x => {
                                cur.push('\\');
                                cur.push(x);
                            }
                        },
                        x => cur.push(x),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(x) = chars.next() {
                    cur.push(x);
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Some(words)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::super::ansible::{Value, Var, Vars};
    use super::*;

    fn host(vars: &[(&str, &str)]) -> Host {
        let at = Origin {
            file: PathBuf::from("hosts"),
            line: 1,
        };
        Host {
            name: "web01".into(),
            vars: vars
                .iter()
                .map(|(k, v)| {
                    (
                        (*k).to_owned(),
                        Var {
                            value: Value::Str((*v).to_owned()),
                            at: at.clone(),
                        },
                    )
                })
                .collect::<Vars>(),
            groups: Vec::new(),
            at,
        }
    }

    fn value(s: Setting) -> Option<String> {
        match s {
            Setting::Value(v, _) => Some(v),
            _ => None,
        }
    }

    /// Issue 17: the `ansible_ssh_*` spellings win, as in Ansible's SSH plugin.
    #[test]
    fn ssh_spellings_beat_the_short_ones() {
        let h = host(&[
            ("ansible_user", "a"),
            ("ansible_ssh_user", "b"),
            ("ansible_host", "10.0.0.1"),
            ("ansible_ssh_host", "10.0.0.2"),
            ("ansible_port", "22"),
        ]);
        assert_eq!(value(setting(&h, &USER)).as_deref(), Some("b"));
        assert_eq!(value(setting(&h, &HOST)).as_deref(), Some("10.0.0.2"));
        assert_eq!(value(setting(&h, &PORT)).as_deref(), Some("22"));
        assert_eq!(setting(&h, &KEY), Setting::Unset);
    }

    /// Issue 17: `{{ var }}` resolves from the host's variables; anything else is left as a
    /// template (never guessed).
    #[test]
    fn simple_templates_resolve_and_others_do_not() {
        let h = host(&[
            ("ansible_host", "{{myhost}}"),
            ("myhost", "{{ net }}.3"),
            ("net", "127.0.0"),
            ("ansible_port", "{{ ssh_port }}"),
            ("ansible_user", "{{ user | default('root') }}"),
            ("loop", "{{ loop }}"),
        ]);
        assert_eq!(value(setting(&h, &HOST)).as_deref(), Some("127.0.0.3"));
        assert!(matches!(
            setting(&h, &PORT),
            Setting::Template {
                key: "ansible_port",
                ..
            }
        ));
        assert!(matches!(setting(&h, &USER), Setting::Template { .. }));
        assert_eq!(render(&h, "{{ loop }}"), None);
        assert_eq!(
            render(&h, "{{ inventory_hostname }}.lan").as_deref(),
            Some("web01.lan")
        );
        assert_eq!(render(&h, "{% if x %}"), None);
    }

    #[test]
    fn connections_other_than_ssh_are_named() {
        assert_eq!(connection(&host(&[])), Connection::Ssh);
        assert_eq!(
            connection(&host(&[("ansible_connection", "ansible.builtin.ssh")])),
            Connection::Ssh
        );
        assert_eq!(
            connection(&host(&[("ansible_connection", "winrm")])),
            Connection::Other("winrm".into())
        );
    }

    /// Issue 17: quoted `-o ProxyJump="user@host"`, `-J`, and `ProxyCommand ssh -W`.
    #[test]
    fn jumps_are_read_as_ssh_reads_them() {
        let j = |args: &str| jump(&host(&[("ansible_ssh_common_args", args)]));
        let via = |h: &str, spec: &str| {
            Some(Jump::Via {
                host: h.into(),
                spec: spec.into(),
            })
        };
        assert_eq!(
            j(r#"-o ProxyJump="root@172.232.157.107""#),
            via("172.232.157.107", "root@172.232.157.107")
        );
        assert_eq!(
            j("-o StrictHostKeyChecking=no -o ProxyJump=bastion:2222"),
            via("bastion", "bastion:2222")
        );
        assert_eq!(
            j("-J ops@[fd00::1]:22,next"),
            via("fd00::1", "ops@[fd00::1]:22")
        );
        assert_eq!(j("-oProxyJump=b1"), via("b1", "b1"));
        assert_eq!(
            j(r#"-o ProxyCommand="ssh -W %h:%p -q lukianchikovai@89.169.153.61" -o X=no"#),
            via("89.169.153.61", "lukianchikovai@89.169.153.61")
        );
        assert_eq!(
            j("-o 'ProxyCommand nc -X 5 -x proxy:1080 %h %p'"),
            Some(Jump::Command("nc -X 5 -x proxy:1080 %h %p".into()))
        );
        assert_eq!(j("-o StrictHostKeyChecking=no"), None);
        assert_eq!(j("-o ProxyJump=none"), None);
        assert_eq!(j("-o 'unclosed"), None);
    }
}
