//! Password and lockout settings: the PAM stacks (`/etc/pam.d/common-password`,
//! `common-auth` on Debian; `system-auth`, `password-auth` on RHEL), `pwquality.conf` (and
//! `pwquality.conf.d/*.conf`), `pwhistory.conf`, `faillock.conf` and `/etc/login.defs`.
//!
//! Rules, following pam.conf(5), pam_pwquality(8), pam_pwhistory(8) and pam_faillock(8):
//! - A PAM line is `[-]type control module [args…]`; `control` may be `[…]` with spaces in it;
//!   an argument may be `[…]` too; `#` starts a comment; a `\` at the end of a line joins the
//!   next one. A module is known by its file name (`/lib/security/pam_x.so` is `pam_x`).
//! - A module argument wins over the configuration file; in the `.conf` files (`key = value`,
//!   `#` comments) the last value wins, and `pwquality.conf.d/*.conf` are read after
//!   `pwquality.conf`, in name order.
//! - Defaults are applied only where the module in the stack has one documented and the brief
//!   asks for a number: `deny` 3 and `unlock_time` 600 s for pam_faillock, `remember` 10 for
//!   pam_pwhistory. pwquality's `minlen`/`minclass` stay `None` when set nowhere.

use super::basename;
use crate::collect::facts::{Lockout, Password};

/// One module line of a PAM stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PamLine {
    /// "password", "auth", … (without the leading `-`).
    pub kind: String,
    /// The module's name without directory and `.so`: "pam_pwquality".
    pub module: String,
    pub args: Vec<String>,
}

impl PamLine {
    /// The value of `key=value` among the arguments (the last one, as modules parse them in
    /// order).
    fn arg(&self, key: &str) -> Option<&str> {
        self.args
            .iter()
            .rev()
            .find_map(|a| a.strip_prefix(key)?.strip_prefix('='))
    }
}

/// The module lines of one PAM file, in order.
pub fn stack(text: &str) -> Vec<PamLine> {
    let mut out = vec![];
    let mut joined = String::new();
    for raw in text.lines() {
        if let Some(head) = raw.strip_suffix('\\') {
            joined.push_str(head);
            joined.push(' ');
            continue;
        }
        joined.push_str(raw);
        let line = std::mem::take(&mut joined);
        out.extend(pam_line(&line));
    }
    out.extend(pam_line(&joined));
    out
}

fn pam_line(line: &str) -> Option<PamLine> {
    let line = line.split('#').next().unwrap_or("");
    let words = words(line);
    let mut it = words.into_iter();
    let kind = it.next()?;
    let kind = kind.strip_prefix('-').unwrap_or(&kind).to_ascii_lowercase();
    if kind.starts_with('@') {
        return None;
    }
    let _control = it.next()?;
    let module = it.next()?;
    let module = basename(&module);
    let module = module.strip_suffix(".so").unwrap_or(module).to_owned();
    Some(PamLine {
        kind,
        module,
        args: it.collect(),
    })
}

/// Whitespace-separated words, where `[…]` is one word (its brackets kept).
fn words(line: &str) -> Vec<String> {
    let mut out = vec![];
    let mut chars = line.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&c) = chars.peek() else {
            break;
        };
        let mut w = String::new();
        if c == '[' {
            for c in chars.by_ref() {
                w.push(c);
                if c == ']' {
                    break;
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                w.push(c);
            }
        }
        out.push(w);
    }
    out
}

/// `key = value` settings of a libpwquality-style file (pwquality.conf, pwhistory.conf,
/// faillock.conf), in order; a bare word (`audit`) has an empty value.
pub fn key_values(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            if l.is_empty() || l.starts_with('#') {
                return None;
            }
            let (k, v) = l.split_once('=').unwrap_or((l, ""));
            Some((k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        })
        .collect()
}

/// The last value of `key` in `key = value` files read in order.
fn last<'a>(files: impl IntoIterator<Item = &'a str>, key: &str) -> Option<String> {
    files
        .into_iter()
        .flat_map(key_values)
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v)
        .last()
}

fn num<T: std::str::FromStr>(v: Option<impl AsRef<str>>) -> Option<T> {
    v.and_then(|v| v.as_ref().trim().parse().ok())
}

/// The password settings from the password-stack files (`(path, content)`), the pwquality
/// files in reading order, and `pwhistory.conf`.
pub fn password(stacks: &[(String, String)], pwquality: &[&str], pwhistory: &str) -> Password {
    let lines: Vec<PamLine> = stacks
        .iter()
        .flat_map(|(_, t)| stack(t))
        .filter(|l| l.kind == "password")
        .collect();
    let quality = lines
        .iter()
        .find(|l| l.module == "pam_pwquality" || l.module == "pam_cracklib");
    let setting = |key: &str| -> Option<u32> {
        // pam_cracklib reads no pwquality.conf.
        match quality {
            Some(q) if q.arg(key).is_some() => num(q.arg(key)),
            Some(q) if q.module == "pam_cracklib" => None,
            _ => num(last(pwquality.iter().copied(), key)),
        }
    };
    let history = lines.iter().find(|l| l.module == "pam_pwhistory");
    let remember = match history {
        Some(h) => num(h.arg("remember"))
            .or_else(|| num(last([pwhistory], "remember")))
            .or(Some(10)),
        None => lines
            .iter()
            .filter(|l| l.module == "pam_unix")
            .find_map(|l| num(l.arg("remember"))),
    };
    Password {
        pam_pwquality: quality.is_some(),
        min_length: setting("minlen"),
        min_class: setting("minclass"),
        // pam_pwhistory's remember=0 turns the history off.
        remember: remember.filter(|&r| r > 0),
    }
}

/// The lockout settings from the auth-stack files and `faillock.conf`.
pub fn lockout(stacks: &[(String, String)], faillock_conf: &str) -> Lockout {
    let lines: Vec<PamLine> = stacks
        .iter()
        .flat_map(|(_, t)| stack(t))
        .filter(|l| l.kind == "auth")
        .collect();
    let faillock: Vec<&PamLine> = lines
        .iter()
        .filter(|l| l.module == "pam_faillock")
        .collect();
    if !faillock.is_empty() {
        // Each pam_faillock line reads its own arguments over faillock.conf; the line with the
        // smallest `deny` locks first.
        let conf_deny: Option<u32> = num(last([faillock_conf], "deny"));
        let conf_unlock: Option<u64> = num(last([faillock_conf], "unlock_time"));
        let deny = faillock
            .iter()
            .map(|l| num::<u32>(l.arg("deny")).or(conf_deny).unwrap_or(3))
            .min()
            .unwrap_or(3);
        let unlock_time = faillock
            .iter()
            .find_map(|l| num::<u64>(l.arg("unlock_time")))
            .or(conf_unlock)
            .unwrap_or(600);
        return Lockout {
            faillock: true,
            deny: Some(deny),
            unlock_time: Some(unlock_time),
        };
    }
    match lines.iter().find(|l| l.module == "pam_tally2") {
        // pam_tally2 has no configuration file and locks nothing without `deny`.
        Some(t) => Lockout {
            faillock: true,
            deny: num(t.arg("deny")),
            unlock_time: num(t.arg("unlock_time")),
        },
        None => Lockout::default(),
    }
}

/// `PASS_MAX_DAYS` of `/etc/login.defs` (`KEY value` lines; the last one wins).
pub fn pass_max_days(login_defs: &str) -> Option<i64> {
    login_defs
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            (w.next()? == "PASS_MAX_DAYS").then(|| w.next()?.parse().ok())?
        })
        .next_back()
}

/// The second-factor module `/etc/pam.d/sshd` requires in its own `auth` lines: one of
/// [`SECOND_FACTORS`] with control `required` or `requisite` and without `nullok` (which lets a
/// user with no token enrolled in on the first factor alone). `None` when there is none.
pub fn sshd_second_factor(stack: &str) -> Option<String> {
    stack.lines().find_map(|line| {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        if words.next()? != "auth" {
            return None;
        }
        if !matches!(words.next()?, "required" | "requisite") {
            return None;
        }
        let module = words.next()?;
        let name = module.rsplit('/').next().unwrap_or(module);
        let args: Vec<&str> = words.collect();
        (SECOND_FACTORS.contains(&name) && !args.contains(&"nullok")).then(|| name.to_owned())
    })
}

/// PAM modules that ask for a second factor: TOTP/HOTP codes, FIDO keys, RADIUS or Duo OTP.
pub const SECOND_FACTORS: &[&str] = &[
    "pam_google_authenticator.so",
    "pam_oath.so",
    "pam_u2f.so",
    "pam_yubico.so",
    "pam_radius_auth.so",
    "pam_duo.so",
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    macro_rules! fx {
        ($name:literal) => {
            include_str!(concat!("../../../tests/fixtures/collect/pam/", $name))
        };
    }

    fn one(path: &str, text: &str) -> Vec<(String, String)> {
        vec![(path.to_owned(), text.to_owned())]
    }

    #[test]
    fn stock_debian_has_no_quality_history_or_lockout() {
        let p = password(
            &one(
                "/etc/pam.d/common-password",
                fx!("common-password-debian12"),
            ),
            &[],
            "",
        );
        assert_eq!(p, Password::default());
        let l = lockout(
            &one("/etc/pam.d/common-auth", fx!("common-auth-debian12")),
            fx!("faillock.conf-stock"),
        );
        assert_eq!(l, Lockout::default());
        assert_eq!(pass_max_days(fx!("login.defs-debian12")), Some(99999));
    }

    #[test]
    fn stock_pwquality_conf_sets_nothing() {
        // Every setting in the shipped file is commented out: minlen stays unknown.
        let p = password(
            &one(
                "/etc/pam.d/common-password",
                fx!("common-password-hardened"),
            ),
            &[fx!("pwquality.conf-stock")],
            "",
        );
        assert!(p.pam_pwquality);
        assert_eq!((p.min_length, p.min_class), (None, None));
        assert_eq!(p.remember, Some(5));
    }

    #[test]
    fn pwquality_drop_ins_then_pam_arguments_win() {
        let stack = one(
            "/etc/pam.d/common-password",
            fx!("common-password-hardened"),
        );
        let conf = "minlen = 8\nminclass=2\n";
        let dropin = "# site policy\nminlen = 12\n";
        let p = password(&stack, &[conf, dropin], "");
        assert_eq!((p.min_length, p.min_class), (Some(12), Some(2)));
        let argued = one(
            "/etc/pam.d/system-auth",
            "password requisite /usr/lib64/security/pam_pwquality.so try_first_pass minlen=14 \\\n  minclass=3\n",
        );
        let p = password(&argued, &[conf, dropin], "");
        assert_eq!((p.min_length, p.min_class), (Some(14), Some(3)));
        assert_eq!(p.remember, None);
    }

    #[test]
    fn history_from_pwhistory_conf_pam_unix_or_default() {
        let pwh = one(
            "/etc/pam.d/common-password",
            "password requisite pam_pwhistory.so use_authtok\n",
        );
        assert_eq!(password(&pwh, &[], "remember = 24\n").remember, Some(24));
        assert_eq!(password(&pwh, &[], "").remember, Some(10));
        let unix = one(
            "/etc/pam.d/system-auth",
            "-password sufficient pam_unix.so sha512 shadow remember=4 use_authtok\n",
        );
        assert_eq!(password(&unix, &[], "").remember, Some(4));
        let off = one(
            "/etc/pam.d/common-password",
            "password requisite pam_pwhistory.so remember=0\n",
        );
        assert_eq!(password(&off, &[], "").remember, None);
    }

    #[test]
    fn cracklib_counts_as_quality_and_reads_only_its_arguments() {
        let s = one(
            "/etc/pam.d/system-auth",
            "password    requisite     pam_cracklib.so try_first_pass retry=3 type=\n",
        );
        let p = password(&s, &["minlen = 15\n"], "");
        assert!(p.pam_pwquality);
        assert_eq!(p.min_length, None);
    }

    #[test]
    fn faillock_from_pam_auth_update_and_its_conf() {
        let auth = one("/etc/pam.d/common-auth", fx!("common-auth-hardened"));
        // The authfail line says deny=5 unlock_time=900; the preauth line has the defaults.
        assert_eq!(
            lockout(&auth, fx!("faillock.conf-stock")),
            Lockout {
                faillock: true,
                deny: Some(3),
                unlock_time: Some(900),
            }
        );
        let conf = "deny = 4\nunlock_time = 0\n";
        assert_eq!(
            lockout(&auth, conf),
            Lockout {
                faillock: true,
                deny: Some(4),
                unlock_time: Some(900),
            }
        );
        let preauth_only = one(
            "/etc/pam.d/system-auth",
            "auth required pam_faillock.so preauth silent\n",
        );
        assert_eq!(lockout(&preauth_only, conf).unlock_time, Some(0));
        assert_eq!(lockout(&preauth_only, "").deny, Some(3));
    }

    #[test]
    fn tally2_and_comments() {
        let s = one(
            "/etc/pam.d/system-auth",
            "#auth required pam_faillock.so deny=1\nauth required pam_tally2.so onerr=fail deny=6 # six\n",
        );
        assert_eq!(
            lockout(&s, "deny = 2\n"),
            Lockout {
                faillock: true,
                deny: Some(6),
                unlock_time: None,
            }
        );
        assert_eq!(
            stack("auth [success=2 default=ignore] pam_unix.so nullok\n@include common-auth\n"),
            [PamLine {
                kind: "auth".into(),
                module: "pam_unix".into(),
                args: vec!["nullok".into()],
            }]
        );
    }

    #[test]
    fn login_defs_last_value_wins_and_comments_do_not_count() {
        assert_eq!(
            pass_max_days("#PASS_MAX_DAYS 30\nPASS_MAX_DAYS\t90\nPASS_MAX_DAYS 60\n"),
            Some(60)
        );
        assert_eq!(pass_max_days("PASS_MAX_DAYS many\n"), None);
        assert_eq!(pass_max_days(""), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let f = vec![("/etc/pam.d/common-auth".to_owned(), text.clone())];
            let _ = password(&f, &[&text], &text);
            let _ = lockout(&f, &text);
            let _ = pass_max_days(&text);
        }

        #[test]
        fn never_panics_on_pam_soup(lines in proptest::collection::vec(
            "-?(auth|password) (\\[|\\]|[a-z=0-9 ]){0,12} (pam_faillock|pam_pwquality|pam_pwhistory|pam_unix)\\.so( (deny|minlen|remember|unlock_time)=[0-9a-z]{0,3}|\\\\|#){0,3}",
            0..8,
        )) {
            let f = vec![("/etc/pam.d/system-auth".to_owned(), lines.join("\n"))];
            let _ = password(&f, &[], "");
            let l = lockout(&f, "");
            // Without pam_tally2, a lockout always has a `deny` (pam_faillock's default).
            prop_assert!(!l.faillock || l.deny.is_some());
        }
    }

    #[test]
    fn a_required_otp_module_in_sshds_stack() {
        let stock = include_str!("../../../tests/fixtures/collect/pam/sshd-debian12");
        let otp = include_str!("../../../tests/fixtures/collect/pam/sshd-otp");
        assert_eq!(sshd_second_factor(stock), None);
        assert_eq!(
            sshd_second_factor(otp).as_deref(),
            Some("pam_google_authenticator.so")
        );
        // nullok lets a user without a token in; optional or sufficient asks for nothing.
        assert_eq!(
            sshd_second_factor(&otp.replace(".so\n", ".so nullok\n")),
            None
        );
        assert_eq!(
            sshd_second_factor("auth sufficient /lib/x86_64-linux-gnu/security/pam_u2f.so\n"),
            None
        );
        assert_eq!(
            sshd_second_factor("auth requisite /lib/security/pam_u2f.so cue\n").as_deref(),
            Some("pam_u2f.so")
        );
    }
}
