//! Audit rules: `auditctl -l` (the rules the kernel holds), or the rule files
//! (`/etc/audit/audit.rules`, `/etc/audit/rules.d/*.rules`) when it is refused.
//!
//! What regulations.md §11.1 "Logging content" names, each read from the rules:
//! - `logins`: a watch on a login record (`/var/log/lastlog`, `/var/log/wtmp`,
//!   `/var/log/btmp`, `/var/log/faillog`, `/var/log/tallylog`, `/var/run/faillock`,
//!   `/run/faillock`, `/var/run/utmp`, `/run/utmp`);
//! - `execve`: a syscall rule (`-a always,exit`) with `-S execve`: every program started;
//! - `config`: the account and privilege files `/etc/passwd`, `/etc/shadow`, `/etc/group` and
//!   `/etc/sudoers` each under a watch (on the file, or on `/etc` itself);
//! - `privileged`: the privileged commands: an `execve` rule, or an execution rule
//!   (`perm=x`, `-p x`) on `/usr/bin/sudo` or `/usr/bin/su`.
//!
//! A watch is `-w PATH` or `-F path=PATH` / `-F dir=PATH`; a trailing `/` is ignored.

/// The categories the rules cover, in the order above.
pub fn covers(rules: &str) -> Vec<&'static str> {
    let rules: Vec<Rule> = rules.lines().filter_map(Rule::parse).collect();
    let watched = |file: &str| {
        rules.iter().any(|r| {
            r.watches.iter().any(|w| {
                w == file || (file.starts_with(w.as_str()) && file[w.len()..].starts_with('/'))
            })
        })
    };
    let mut out = vec![];
    if LOGIN_RECORDS.iter().any(|f| watched(f)) {
        out.push("logins");
    }
    let execve = rules
        .iter()
        .any(|r| r.exit && r.syscalls.iter().any(|s| s == "execve"));
    if execve {
        out.push("execve");
    }
    if CONFIG_FILES.iter().all(|f| watched(f)) {
        out.push("config");
    }
    let exec_of = |path: &str| {
        rules
            .iter()
            .any(|r| r.executes && r.watches.iter().any(|w| w == path))
    };
    if execve || PRIVILEGED.iter().any(|p| exec_of(p)) {
        out.push("privileged");
    }
    out
}

/// Whether the text is a list of rules (`auditctl -l`'s "No rules" is an empty one).
pub fn is_rule_list(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .all(|l| l.starts_with('-') || l == "No rules")
}

const LOGIN_RECORDS: &[&str] = &[
    "/var/log/lastlog",
    "/var/log/wtmp",
    "/var/log/btmp",
    "/var/log/faillog",
    "/var/log/tallylog",
    "/var/run/faillock",
    "/run/faillock",
    "/var/run/utmp",
    "/run/utmp",
];

const CONFIG_FILES: &[&str] = &["/etc/passwd", "/etc/shadow", "/etc/group", "/etc/sudoers"];

const PRIVILEGED: &[&str] = &["/usr/bin/sudo", "/usr/bin/su", "/bin/su", "/bin/sudo"];

#[derive(Debug, Default)]
struct Rule {
    /// `-a always,exit` (or `exit,always`).
    exit: bool,
    syscalls: Vec<String>,
    /// Paths watched: `-w`, `-F path=`, `-F dir=`, without a trailing `/`.
    watches: Vec<String>,
    /// Watches for execution: `-p` or `perm=` with `x`.
    executes: bool,
}

impl Rule {
    fn parse(line: &str) -> Option<Rule> {
        let line = line.trim();
        if line.starts_with('#') || !line.starts_with('-') {
            return None;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let mut r = Rule::default();
        let mut i = 0;
        while i < words.len() {
            let (flag, value) = (words[i], words.get(i + 1).copied().unwrap_or(""));
            match flag {
                "-a" | "-A" => {
                    let parts: Vec<&str> = value.split(',').collect();
                    r.exit = parts.contains(&"always") && parts.contains(&"exit");
                }
                "-S" => r.syscalls.extend(value.split(',').map(str::to_owned)),
                "-w" => r.watches.push(trim_slash(value)),
                "-p" => r.executes |= value.contains('x'),
                "-F" => {
                    if let Some((key, v)) = value.split_once('=') {
                        match key {
                            "path" | "dir" => r.watches.push(trim_slash(v)),
                            "perm" => r.executes |= v.contains('x'),
                            _ => {}
                        }
                    }
                }
                _ => {
                    i += 1;
                    continue;
                }
            }
            i += 2;
        }
        Some(r)
    }
}

fn trim_slash(p: &str) -> String {
    let t = p.trim_end_matches('/');
    if t.is_empty() { "/".into() } else { t.into() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    macro_rules! fx {
        ($name:literal) => {
            include_str!(concat!("../../../tests/fixtures/collect/audit/", $name))
        };
    }

    #[test]
    fn loaded_rules_as_auditctl_prints_them() {
        assert_eq!(
            covers(fx!("auditctl-l-hardened.txt")),
            ["logins", "execve", "config", "privileged"]
        );
        assert_eq!(covers(fx!("auditctl-l-partial.txt")), ["logins"]);
        assert!(covers(fx!("auditctl-l-minimal.txt")).is_empty());
        assert!(is_rule_list(fx!("auditctl-l-minimal.txt")));
        assert!(!is_rule_list(fx!("auditctl-l-nonroot.txt")));
    }

    #[test]
    fn the_rule_files_read_the_same() {
        for (file, loaded) in [
            (fx!("hardened.rules"), fx!("auditctl-l-hardened.txt")),
            (fx!("partial.rules"), fx!("auditctl-l-partial.txt")),
            (fx!("minimal.rules"), fx!("auditctl-l-minimal.txt")),
        ] {
            assert_eq!(covers(file), covers(loaded));
            assert!(is_rule_list(file));
        }
    }

    #[test]
    fn a_watch_on_etc_covers_its_files_and_sudo_alone_is_privileged() {
        let rules = "-w /etc/ -p wa -k etc\n-w /usr/bin/sudo -p x -k priv\n";
        assert_eq!(covers(rules), ["config", "privileged"]);
        // /etc/passwdx is not under /etc/passwd.
        assert!(covers("-w /etc/passwdx -p wa\n").is_empty());
        // A watch for writes on sudo is not a record of its use.
        assert!(covers("-w /usr/bin/sudo -p wa\n").is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let text = String::from_utf8_lossy(&bytes);
            let _ = covers(&text);
            let _ = is_rule_list(&text);
        }
    }
}
