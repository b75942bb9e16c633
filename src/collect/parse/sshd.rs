//! sshd settings: `sshd -T` output, or the configuration files when `sshd -T` is refused.
//!
//! Values are normalised to lowercase; `permitrootlogin without-password` (the old name, which
//! OpenSSH 9.2's `sshd -T` still prints for the default) becomes `prohibit-password`.
//!
//! Rules for the files ([`from_files`]), following sshd_config(5) as OpenSSH 9.x reads it:
//! - The root is `/etc/ssh/sshd_config` (else the first file given). `Include` takes one or
//!   more paths or globs; relative ones are under `/etc/ssh`; a glob's matches are read in
//!   lexical order; only files the caller passed exist. Includes nest at most 16 deep, and a
//!   work budget bounds the lines read.
//! - Keywords match case-insensitively; `Keyword value` and `Keyword=value` both work; `#`
//!   starts a comment at the start of a word; `"…"` groups a word.
//! - The first value of a single-valued keyword wins. `Port` and `AllowUsers` accumulate.
//! - `Match` starts a block that lasts to the next `Match` or the end of the file it is in
//!   (an included file's blocks end with that file; an `Include` inside a block applies the
//!   file within that block). Settings in blocks do not change the global values; a block that
//!   sets `PermitRootLogin` or `PasswordAuthentication` adds `Match <criteria>: key value` to
//!   `match_overrides` (its first value for each key). `Match all` is global again, as sshd
//!   reads it.
//! - Unset values take OpenSSH 9.x's defaults: `permitrootlogin prohibit-password`,
//!   `passwordauthentication yes`, port 22, `clientaliveinterval 0`, `clientalivecountmax 3`,
//!   so the result compares with `sshd -T` of the same files.

use std::collections::HashMap;

use super::{Budget, MAX_DEPTH, glob_match, has_glob};
use crate::collect::facts::Sshd;

/// `sshd -T` output: lowercase "keyword value" lines, one per value. Lines that are not
/// settings (an error message) are ignored; nothing is defaulted.
pub fn from_t(text: &str) -> Sshd {
    let mut s = Sshd::default();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let Some(key) = words.next() else {
            continue;
        };
        let values: Vec<&str> = words.collect();
        let Some(first) = values.first().copied() else {
            continue;
        };
        match key.to_ascii_lowercase().as_str() {
            "permitrootlogin" => {
                s.permit_root_login.get_or_insert_with(|| root_login(first));
            }
            "passwordauthentication" if s.password_authentication.is_none() => {
                s.password_authentication = yes_no(first);
            }
            "port" => s.ports.extend(first.parse::<u16>().ok()),
            "clientaliveinterval" if s.client_alive_interval.is_none() => {
                s.client_alive_interval = first.parse().ok();
            }
            "clientalivecountmax" if s.client_alive_count_max.is_none() => {
                s.client_alive_count_max = first.parse().ok();
            }
            "allowusers" => s.allow_users.extend(values.iter().map(|v| (*v).to_owned())),
            "authenticationmethods" if s.authentication_methods.is_empty() => {
                s.authentication_methods = values.iter().map(|v| (*v).to_owned()).collect();
            }
            "allowgroups" => s
                .allow_groups
                .extend(values.iter().map(|v| (*v).to_owned())),
            "usepam" if s.use_pam.is_none() => s.use_pam = yes_no(first),
            "kbdinteractiveauthentication" | "challengeresponseauthentication"
                if s.kbd_interactive.is_none() =>
            {
                s.kbd_interactive = yes_no(first);
            }
            "ciphers" if s.ciphers.is_none() => s.ciphers = Some(algorithms(first)),
            "macs" if s.macs.is_none() => s.macs = Some(algorithms(first)),
            "kexalgorithms" if s.kex_algorithms.is_none() => {
                s.kex_algorithms = Some(algorithms(first));
            }
            _ => {}
        }
    }
    s.ports.dedup();
    s
}

/// The configuration files: (path, content) of `/etc/ssh/sshd_config` and whatever else exists
/// that it may include.
pub fn from_files(files: &[(String, String)]) -> Sshd {
    let root = files
        .iter()
        .find(|(p, _)| p == "/etc/ssh/sshd_config")
        .or_else(|| files.first());
    let mut r = Reader {
        files,
        budget: Budget::new(200_000),
        single: HashMap::new(),
        ports: vec![],
        allow_users: vec![],
        allow_groups: vec![],
        match_addresses: vec![],
        overrides: vec![],
    };
    if let Some((_, content)) = root {
        r.read(content, &Block::Global, 0);
    }
    let single = r.single;
    let mut ports = r.ports;
    let mut seen = std::collections::HashSet::new();
    ports.retain(|p| seen.insert(*p));
    if ports.is_empty() {
        ports.push(22);
    }
    Sshd {
        permit_root_login: Some(
            single
                .get("permitrootlogin")
                .map_or_else(|| "prohibit-password".to_owned(), |v| root_login(v)),
        ),
        password_authentication: Some(
            single
                .get("passwordauthentication")
                .and_then(|v| yes_no(v))
                .unwrap_or(true),
        ),
        ports,
        client_alive_interval: Some(
            single
                .get("clientaliveinterval")
                .and_then(|v| seconds(v))
                .unwrap_or(0),
        ),
        client_alive_count_max: Some(
            single
                .get("clientalivecountmax")
                .and_then(|v| v.parse().ok())
                .unwrap_or(3),
        ),
        allow_users: r.allow_users,
        allow_groups: r.allow_groups,
        // OpenSSH's default is `any`: one method suffices.
        authentication_methods: single.get("authenticationmethods").map_or_else(
            || vec!["any".to_owned()],
            |v| v.split_whitespace().map(str::to_owned).collect(),
        ),
        match_addresses: {
            let mut seen = std::collections::HashSet::new();
            r.match_addresses
                .into_iter()
                .filter(|a| seen.insert(a.clone()))
                .collect()
        },
        match_overrides: {
            let mut seen = std::collections::HashSet::new();
            r.overrides
                .into_iter()
                .filter(|o| seen.insert(o.clone()))
                .collect()
        },
        // OpenSSH's defaults: UsePAM no, KbdInteractiveAuthentication yes.
        use_pam: Some(
            single
                .get("usepam")
                .and_then(|v| yes_no(v))
                .unwrap_or(false),
        ),
        kbd_interactive: Some(
            single
                .get("kbdinteractiveauthentication")
                .or_else(|| single.get("challengeresponseauthentication"))
                .and_then(|v| yes_no(v))
                .unwrap_or(true),
        ),
        ciphers: written_list(single.get("ciphers")),
        macs: written_list(single.get("macs")),
        kex_algorithms: written_list(single.get("kexalgorithms")),
    }
}

/// A comma-separated algorithm list, as `sshd -T` prints it (lowercase).
fn algorithms(value: &str) -> Vec<String> {
    value
        .split(',')
        .filter(|a| !a.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// An algorithm list from the files: known only when written in full. Unset, the compiled-in
/// default applies; `+`, `-` and `^` change that default: neither says what sshd offers.
fn written_list(value: Option<&String>) -> Option<Vec<String>> {
    let value = value?;
    if value.starts_with(['+', '-', '^']) {
        return None;
    }
    Some(algorithms(value))
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Block {
    Global,
    /// The criteria as written, words joined by one space.
    Match(String),
}

struct Reader<'f> {
    files: &'f [(String, String)],
    budget: Budget,
    /// First global value of each single-valued keyword we read.
    single: HashMap<&'static str, String>,
    ports: Vec<u16>,
    allow_users: Vec<String>,
    allow_groups: Vec<String>,
    /// Patterns of `Match Address` criteria, as read.
    match_addresses: Vec<String>,
    overrides: Vec<String>,
}

/// The lines as sshd reads them: it stops a line at a NUL byte and, having seen no line end,
/// takes the next physical line as the rest of the same line.
fn logical_lines(content: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending: Option<String> = None;
    for line in content.lines() {
        let (kept, cut) = match line.find('\0') {
            Some(i) => (&line[..i], true),
            None => (line, false),
        };
        let mut current = pending.take().unwrap_or_default();
        current.push_str(kept);
        if cut {
            pending = Some(current);
        } else {
            out.push(current);
        }
    }
    out.extend(pending);
    out
}

impl Reader<'_> {
    fn read(&mut self, content: &str, outer: &Block, depth: usize) {
        let mut block = outer.clone();
        // Keys already overridden in the current block (only the first value counts).
        let mut block_keys: Vec<&'static str> = vec![];
        for line in logical_lines(content) {
            let line = line.as_str();
            if self.budget.is_spent() {
                return;
            }
            self.budget.spend(1);
            let words = config_words(line);
            let Some((keyword, args)) = words.split_first() else {
                continue;
            };
            let keyword = keyword.to_ascii_lowercase();
            match keyword.as_str() {
                "match" => {
                    // Criteria come in pairs: `Address 10.0.0.0/8,192.0.2.1 User x`.
                    for pair in args.chunks(2) {
                        if let [k, v] = pair
                            && k.eq_ignore_ascii_case("address")
                        {
                            self.match_addresses
                                .extend(v.split(',').filter(|a| !a.is_empty()).map(str::to_owned));
                        }
                    }
                    let criteria = args.join(" ");
                    block = if criteria.eq_ignore_ascii_case("all") {
                        Block::Global
                    } else {
                        Block::Match(criteria)
                    };
                    block_keys.clear();
                }
                "include" => {
                    if depth >= MAX_DEPTH {
                        continue;
                    }
                    for pattern in args {
                        let pattern = if pattern.starts_with('/') {
                            pattern.clone()
                        } else {
                            format!("/etc/ssh/{pattern}")
                        };
                        let mut matched: Vec<&(String, String)> = self
                            .files
                            .iter()
                            .filter(|(p, _)| {
                                if has_glob(&pattern) {
                                    glob_match(&pattern, p)
                                } else {
                                    *p == pattern
                                }
                            })
                            .collect();
                        matched.sort_by(|a, b| a.0.cmp(&b.0));
                        matched.dedup_by(|a, b| a.0 == b.0);
                        for (_, text) in matched {
                            self.read(text, &block, depth + 1);
                        }
                    }
                }
                _ => {
                    let Some(value) = args.first() else {
                        continue;
                    };
                    match &block {
                        Block::Global => self.global(&keyword, value, args),
                        Block::Match(criteria) => {
                            let (key, shown) = match keyword.as_str() {
                                "permitrootlogin" => ("permitrootlogin", root_login(value)),
                                "passwordauthentication" => {
                                    ("passwordauthentication", value.to_ascii_lowercase())
                                }
                                _ => continue,
                            };
                            if !block_keys.contains(&key) {
                                block_keys.push(key);
                                self.overrides
                                    .push(format!("Match {criteria}: {key} {shown}"));
                            }
                        }
                    }
                }
            }
        }
    }

    fn global(&mut self, keyword: &str, value: &str, args: &[String]) {
        let key = match keyword {
            "port" => {
                self.ports.extend(value.parse::<u16>().ok());
                return;
            }
            "allowusers" => {
                self.allow_users.extend(args.iter().cloned());
                return;
            }
            "allowgroups" => {
                self.allow_groups.extend(args.iter().cloned());
                return;
            }
            "authenticationmethods" => {
                // Single-valued (the first line wins), but its value is a list of lists.
                self.single
                    .entry("authenticationmethods")
                    .or_insert_with(|| args.join(" "));
                return;
            }
            "permitrootlogin" => "permitrootlogin",
            "passwordauthentication" => "passwordauthentication",
            "clientaliveinterval" => "clientaliveinterval",
            "clientalivecountmax" => "clientalivecountmax",
            "usepam" => "usepam",
            "kbdinteractiveauthentication" => "kbdinteractiveauthentication",
            "challengeresponseauthentication" => "challengeresponseauthentication",
            "ciphers" => "ciphers",
            "macs" => "macs",
            "kexalgorithms" => "kexalgorithms",
            _ => return,
        };
        self.single.entry(key).or_insert_with(|| value.to_owned());
    }
}

/// Split one config line as sshd does: the keyword ends at whitespace or one `=`; arguments
/// are whitespace-separated, `"…"` groups, a word starting with `#` ends the line.
fn config_words(line: &str) -> Vec<String> {
    let line = line.trim_start();
    if line.starts_with('#') {
        return vec![];
    }
    let end = line
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(line.len());
    let (keyword, rest) = line.split_at(end);
    if keyword.is_empty() {
        return vec![];
    }
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest);
    let mut words = vec![keyword.to_owned()];
    let mut chars = rest.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&c) = chars.peek() else {
            break;
        };
        if c == '#' {
            break;
        }
        let mut word = String::new();
        if c == '"' {
            chars.next();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                word.push(c);
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                word.push(c);
            }
        }
        words.push(word);
    }
    words
}

fn root_login(v: &str) -> String {
    match v.to_ascii_lowercase().as_str() {
        "without-password" => "prohibit-password".to_owned(),
        other => other.to_owned(),
    }
}

fn yes_no(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

/// sshd's time format: "300", "5m", "1h30m" (s, m, h, d, w; case-insensitive).
fn seconds(v: &str) -> Option<u32> {
    let mut total: u64 = 0;
    let mut num: Option<u64> = None;
    for c in v.chars() {
        if let Some(d) = c.to_digit(10) {
            num = Some(
                num.unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(u64::from(d))?,
            );
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return None,
        };
        total = total.checked_add(num.take()?.checked_mul(unit)?)?;
    }
    if let Some(n) = num {
        total = total.checked_add(n)?;
    }
    u32::try_from(total).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_line_cut_by_a_nul_swallows_the_next_line_as_sshd_does() {
        // sshd reads "#<NUL>" as a comment still going on, and the next line as its rest.
        let text =
            "PermitRootLogin no\n#\0\nMatch Address 10.0.0.0/8\n#\0\n    PermitRootLogin yes\n";
        let s = super::from_files(&[("/etc/ssh/sshd_config".to_owned(), text.to_owned())]);
        assert_eq!(s.permit_root_login.as_deref(), Some("no"));
        assert!(s.match_overrides.is_empty(), "{:?}", s.match_overrides);
    }

    use super::*;
    use proptest::prelude::*;

    macro_rules! fx {
        ($name:literal) => {
            include_str!(concat!("../../../tests/fixtures/collect/sshd/", $name))
        };
    }

    fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(p, c)| ((*p).to_owned(), (*c).to_owned()))
            .collect()
    }

    fn sshd(
        root: &str,
        password: bool,
        ports: &[u16],
        interval: u32,
        count: u32,
        users: &[&str],
    ) -> Sshd {
        Sshd {
            permit_root_login: Some(root.into()),
            password_authentication: Some(password),
            ports: ports.to_vec(),
            client_alive_interval: Some(interval),
            client_alive_count_max: Some(count),
            allow_users: users.iter().map(|u| (*u).to_owned()).collect(),
            allow_groups: vec![],
            authentication_methods: vec!["any".into()],
            match_addresses: vec![],
            match_overrides: vec![],
            ciphers: None,
            macs: None,
            kex_algorithms: None,
            use_pam: None,
            kbd_interactive: None,
        }
    }

    /// `sshd -T` always prints the algorithm lists, the files here leave them to the default:
    /// the other settings are compared without them.
    fn t(text: &str) -> Sshd {
        Sshd {
            ciphers: None,
            macs: None,
            kex_algorithms: None,
            use_pam: None,
            kbd_interactive: None,
            ..from_t(text)
        }
    }

    /// [`from_files`] without what `sshd()` leaves out (as [`t`] does for `sshd -T`).
    fn files_only(files: &[(String, String)]) -> Sshd {
        Sshd {
            use_pam: None,
            kbd_interactive: None,
            ..from_files(files)
        }
    }

    fn debian_files() -> Vec<(String, String)> {
        files(&[("/etc/ssh/sshd_config", fx!("debian/sshd_config"))])
    }

    fn hardened_files() -> Vec<(String, String)> {
        files(&[
            ("/etc/ssh/sshd_config", fx!("hardened/sshd_config")),
            (
                "/etc/ssh/sshd_config.d/90-late.conf",
                fx!("hardened/sshd_config.d/90-late.conf"),
            ),
            (
                "/etc/ssh/sshd_config.d/50-hardening.conf",
                fx!("hardened/sshd_config.d/50-hardening.conf"),
            ),
        ])
    }

    fn legacy_files() -> Vec<(String, String)> {
        files(&[("/etc/ssh/sshd_config", fx!("legacy/sshd_config"))])
    }

    fn match_files() -> Vec<(String, String)> {
        files(&[
            ("/etc/ssh/sshd_config", fx!("match/sshd_config")),
            (
                "/etc/ssh/sshd_config.d/10-base.conf",
                fx!("match/sshd_config.d/10-base.conf"),
            ),
            (
                "/etc/ssh/sshd_config.d/20-match-jump.conf",
                fx!("match/sshd_config.d/20-match-jump.conf"),
            ),
            (
                "/etc/ssh/sshd_config.d/30-late.conf",
                fx!("match/sshd_config.d/30-late.conf"),
            ),
        ])
    }

    #[test]
    fn algorithm_lists_from_t_and_from_files_written_in_full() {
        let weak = from_t(fx!("weak.T"));
        let list = |l: &[&str]| Some(l.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>());
        assert_eq!(
            weak.ciphers,
            list(&["aes128-cbc", "3des-cbc", "aes128-ctr", "aes256-ctr"])
        );
        assert_eq!(
            weak.macs,
            list(&["hmac-md5", "hmac-sha1-96", "hmac-sha2-256"])
        );
        assert_eq!(
            weak.kex_algorithms,
            list(&[
                "diffie-hellman-group1-sha1",
                "diffie-hellman-group14-sha1",
                "curve25519-sha256"
            ])
        );
        let from_weak_files = from_files(&files(&[
            ("/etc/ssh/sshd_config", fx!("weak/sshd_config")),
            (
                "/etc/ssh/sshd_config.d/50-legacy-clients.conf",
                fx!("weak/sshd_config.d/50-legacy-clients.conf"),
            ),
        ]));
        assert_eq!(from_weak_files, weak);
        // Debian's stock file sets none: the compiled-in default is not known from the files.
        let stock = from_files(&debian_files());
        assert_eq!((stock.ciphers, stock.macs), (None, None));
        let debian = from_t(fx!("debian.T"));
        assert!(debian.ciphers.is_some());
        // Debian: UsePAM yes, KbdInteractiveAuthentication no.
        assert_eq!(
            (debian.use_pam, debian.kbd_interactive),
            (Some(true), Some(false))
        );
        let stock = from_files(&debian_files());
        assert_eq!(
            (stock.use_pam, stock.kbd_interactive),
            (Some(true), Some(false))
        );
        // A change to the default (`+…`) does not say what the whole list is.
        let plus = from_files(&files(&[(
            "/etc/ssh/sshd_config",
            "Ciphers +aes128-cbc\nMACs hmac-sha2-256,hmac-sha2-512\n",
        )]));
        assert_eq!(plus.ciphers, None);
        assert_eq!(plus.macs, list(&["hmac-sha2-256", "hmac-sha2-512"]));
    }

    #[test]
    fn t_of_debian_default_says_without_password() {
        let want = sshd("prohibit-password", true, &[22], 0, 3, &[]);
        assert_eq!(t(fx!("debian.T")), want);
        assert_eq!(files_only(&debian_files()), want);
    }

    #[test]
    fn t_of_hardened_drop_in() {
        let want = sshd(
            "no",
            false,
            &[22, 2222],
            300,
            2,
            &["admin", "deploy@10.10.9.0/24"],
        );
        assert_eq!(t(fx!("hardened.T")), want);
        // 90-late.conf sets the opposite, but 50-hardening.conf is read first.
        assert_eq!(files_only(&hardened_files()), want);
    }

    #[test]
    fn t_of_legacy_single_file() {
        let want = sshd(
            "prohibit-password",
            true,
            &[22],
            600,
            0,
            &["root", "admin", "ops"],
        );
        assert_eq!(t(fx!("legacy.T")), want);
        // Upper-case keyword, `Keyword=value`, a tab separator, AllowUsers on two lines.
        assert_eq!(files_only(&legacy_files()), want);
    }

    #[test]
    fn match_blocks_are_listed_and_do_not_change_globals() {
        let got = files_only(&match_files());
        let mut want = sshd(
            "prohibit-password",
            false,
            &[22],
            120,
            3,
            &["admin", "backup"],
        );
        want.match_overrides = vec![
            "Match Address 10.0.0.0/8: permitrootlogin yes".into(),
            "Match Address 10.0.0.0/8: passwordauthentication yes".into(),
            "Match User backup: passwordauthentication yes".into(),
            "Match LocalPort 2222: permitrootlogin no".into(),
        ];
        want.match_addresses = vec!["10.0.0.0/8".into()];
        assert_eq!(got, want);
    }

    #[test]
    fn t_with_connection_spec_matches_the_overrides() {
        // sshd -T -C user=root,addr=10.0.0.5: the Match Address block and the file it includes.
        let t = from_t(fx!("match-C-root-10.0.0.5.T"));
        assert_eq!(t.permit_root_login.as_deref(), Some("yes"));
        assert_eq!(t.password_authentication, Some(true));
        // From elsewhere, the global values that from_files reports.
        let t = from_t(fx!("match-C-nobody-192.0.2.10.T"));
        let f = from_files(&match_files());
        assert_eq!(
            (t.permit_root_login, t.password_authentication),
            (f.permit_root_login, f.password_authentication)
        );
        assert_eq!(
            (t.client_alive_interval, t.allow_users),
            (f.client_alive_interval, f.allow_users)
        );
        let t = from_t(fx!("match-C-backup-lport-2222.T"));
        assert_eq!(
            (t.permit_root_login.as_deref(), t.password_authentication),
            (Some("no"), Some(true))
        );
    }

    #[test]
    fn allow_groups_and_match_addresses() {
        let f = files(&[("/etc/ssh/sshd_config", fx!("groups/sshd_config"))]);
        let got = from_files(&f);
        let t = from_t(fx!("groups.T"));
        assert_eq!(got.allow_groups, ["sshusers", "admins", "ops"]);
        assert_eq!(t.allow_groups, got.allow_groups);
        assert_eq!(t.allow_users, ["ansible@10.10.9.10"]);
        assert_eq!(t.allow_users, got.allow_users);
        assert_eq!(
            (t.client_alive_interval, t.client_alive_count_max),
            (Some(300), Some(0))
        );
        assert_eq!(t.authentication_methods, got.authentication_methods);
        // `Address` after another criterion, and a list of two.
        assert_eq!(
            got.match_addresses,
            ["10.10.9.0/24", "fd00:10:9::/64", "192.0.2.10"]
        );
        // `sshd -T` never shows Match criteria.
        assert!(t.match_addresses.is_empty());
        assert_eq!(files_only(&match_files()).match_addresses, ["10.0.0.0/8"]);
    }

    #[test]
    fn t_refused_without_connection_spec_gives_nothing() {
        assert_eq!(from_t(fx!("match-no-C.T.err")), Sshd::default());
    }

    #[test]
    fn no_files_means_openssh_defaults() {
        assert_eq!(
            files_only(&[]),
            sshd("prohibit-password", true, &[22], 0, 3, &[])
        );
    }

    #[test]
    fn include_loops_and_relative_paths_are_bounded() {
        let f = files(&[
            (
                "/etc/ssh/sshd_config",
                "Include sshd_config\nInclude /etc/ssh/a.conf\nPort 2200\n",
            ),
            (
                "/etc/ssh/a.conf",
                "ClientAliveInterval 1h30m # trailing comment\n",
            ),
        ]);
        let got = from_files(&f);
        assert_eq!(got.client_alive_interval, Some(5400));
        // The self-include is read 16 times over: the port is still listed once.
        assert_eq!(got.ports, [2200]);
    }

    #[test]
    fn words_times_and_aliases() {
        assert_eq!(
            config_words("  ClientAliveInterval=600"),
            ["ClientAliveInterval", "600"]
        );
        assert_eq!(config_words("Port = 22"), ["Port", "22"]);
        assert_eq!(
            config_words("Banner \"/etc/is sue\" #x"),
            ["Banner", "/etc/is sue"]
        );
        assert_eq!(config_words("# Port 22"), Vec::<String>::new());
        assert_eq!(seconds("1h30m"), Some(5400));
        assert_eq!(seconds("5x"), None);
        assert_eq!(seconds("99999999999999999999"), None);
        assert_eq!(root_login("Without-Password"), "prohibit-password");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let _ = from_t(&text);
            let _ = from_files(&[("/etc/ssh/sshd_config".to_owned(), text)]);
        }

        #[test]
        fn never_panics_on_config_soup(lines in proptest::collection::vec(
            "(Include|Match|Port|PermitRootLogin|PasswordAuthentication|ClientAliveInterval|AllowUsers)[ =](\"|#|\\*|[a-z0-9/ ]){0,10}",
            0..10,
        )) {
            let text = lines.join("\n");
            let f = vec![
                ("/etc/ssh/sshd_config".to_owned(), text.clone()),
                ("/etc/ssh/a".to_owned(), text),
            ];
            let got = from_files(&f);
            prop_assert!(!got.ports.is_empty());
        }
    }
}
