//! Accounts: `cut -d: -f1,3,7 /etc/passwd` (name, uid, shell; the password field never leaves
//! the host), `passwd -S -a` (lock status letters) and `lastlog` / `lastlog2` (last logins).
//!
//! `lastlog` prints one line per account of `/etc/passwd`, `Username Port From Latest`, the
//! time as `%a %b %e %H:%M:%S %z %Y` in the host's time zone, or `**Never logged in**`.
//! Records are kept per uid, so two names with one uid show the same time. `lastlog2` (util-linux
//! 2.40+) is read the same way (its format was not captured here); it lists only the accounts
//! it has a record of, so an account it leaves out has never logged in.

use std::collections::BTreeMap;

use crate::collect::facts::Account;

/// Shells that do not give a login: `nologin`, `false`, and the `sync`/`shutdown`/`halt`
/// accounts' commands.
const NO_LOGIN: &[&str] = &["nologin", "false", "sync", "shutdown", "halt"];

/// `name:uid:shell` lines; malformed lines are skipped.
pub fn passwd(text: &str) -> Vec<Account> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.splitn(3, ':');
            let name = f.next()?.trim();
            let uid = f.next()?.trim().parse().ok()?;
            let shell = f.next().unwrap_or("").trim();
            (!name.is_empty() && !name.starts_with(['#', '+', '-'])).then(|| Account {
                name: name.to_owned(),
                uid,
                shell: shell.to_owned(),
            })
        })
        .collect()
}

/// The account can log in: its shell is not `nologin`, `false`, `sync`, `shutdown` or `halt`
/// (an empty shell is `/bin/sh`).
pub fn can_log_in(account: &Account) -> bool {
    !NO_LOGIN.contains(&super::basename(&account.shell))
}

/// `passwd -S -a`: per account, whether it is locked (status `L` or `LK`).
pub fn locked(text: &str) -> BTreeMap<String, bool> {
    text.lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let name = w.next()?;
            let status = w.next()?;
            matches!(status, "L" | "LK" | "NP" | "P" | "PS")
                .then(|| (name.to_owned(), matches!(status, "L" | "LK")))
        })
        .collect()
}

/// `lastlog` (or `lastlog2`) against the host's clock `now` (epoch seconds): per account, the
/// whole days since its last login (`None`: never), or `Err` with the line whose time could not
/// be read (never guessed as "never").
pub fn last_login(text: &str, now: i64) -> BTreeMap<String, Result<Option<u64>, String>> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(&name) = words.first() else {
            continue;
        };
        if name == "Username" {
            continue;
        }
        if line.contains("**Never logged in**") {
            out.insert(name.to_owned(), Ok(None));
            continue;
        }
        let time = words
            .len()
            .checked_sub(6)
            .filter(|&i| i >= 1)
            .and_then(|i| words.get(i..))
            .and_then(epoch);
        let days = match time {
            Some(t) => Ok(Some((now.saturating_sub(t)).max(0).unsigned_abs() / 86_400)),
            None => Err(line.chars().take(200).collect()),
        };
        out.insert(name.to_owned(), days);
    }
    out
}

/// `["Thu", "Nov", "19", "18:05:39", "+0000", "2026"]` as epoch seconds.
fn epoch(w: &[&str]) -> Option<i64> {
    let [_, month, day, hms, zone, year] = w else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| m == month)? as i64 + 1;
    let day: i64 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    let year: i64 = year.parse().ok().filter(|y| (1970..=9999).contains(y))?;
    let mut t = hms.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (t.next()??, t.next()??, t.next()??);
    if t.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let (sign, digits) = match zone.as_bytes().first()? {
        b'+' => (1, zone.get(1..)?),
        b'-' => (-1, zone.get(1..)?),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let zh: i64 = digits.get(..2)?.parse().ok()?;
    let zm: i64 = digits.get(2..)?.parse().ok()?;
    let offset = sign * (zh * 3600 + zm * 60);
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    macro_rules! fx {
        ($name:literal) => {
            include_str!(concat!("../../../tests/fixtures/collect/accounts/", $name))
        };
    }

    fn clock() -> i64 {
        fx!("clock.txt")
            .trim()
            .parse()
            .expect("clock.txt holds epoch seconds")
    }

    #[test]
    fn passwd_names_uids_shells() {
        let a = passwd(fx!("passwd-cut.txt"));
        assert_eq!(a.len(), 11);
        let uid0: Vec<&str> = a
            .iter()
            .filter(|a| a.uid == 0)
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(uid0, ["root", "toor"]);
        let login: Vec<&str> = a
            .iter()
            .filter(|a| can_log_in(a))
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(
            login,
            [
                "root", "toor", "admin", "oldops", "leaver", "deploy", "noshell"
            ]
        );
        // This machine: root and two service accounts that kept a shell.
        let here = passwd(fx!("passwd-cut-debian12.txt"));
        let here: Vec<&str> = here
            .iter()
            .filter(|a| can_log_in(a))
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(here, ["root", "cloudsdk", "postgres"]);
    }

    #[test]
    fn lock_status_from_passwd_s() {
        let l = locked(fx!("passwd-S-a.txt"));
        let locked: Vec<&str> = l
            .iter()
            .filter(|(_, v)| **v)
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(locked, ["backup", "daemon", "leaver", "svc-app", "sync"]);
        assert_eq!(l.get("deploy"), Some(&false));
        // Refused (not root): no status at all.
        assert!(super::locked(fx!("passwd-S-a-nobody.txt")).is_empty());
        // RHEL's long form.
        let rhel = super::locked(
            "root PS 2024-01-01 0 99999 7 -1 (Password set, SHA512 crypt.)\nold LK 2024-01-01 0 99999 7 -1 (Password locked.)\n",
        );
        assert_eq!(rhel.get("root"), Some(&false));
        assert_eq!(rhel.get("old"), Some(&true));
    }

    #[test]
    fn last_logins_in_days_by_the_hosts_clock() {
        // capture.sh wrote records 3, 10, 200 and 400 days (and an hour) before the clock.
        let want: BTreeMap<String, Result<Option<u64>, String>> = [
            ("root", Some(3)),
            ("toor", Some(3)),
            ("daemon", None),
            ("sync", None),
            ("backup", None),
            ("admin", Some(10)),
            ("oldops", Some(200)),
            ("leaver", Some(400)),
            ("svc-app", None),
            ("deploy", None),
            ("noshell", None),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Ok(v)))
        .collect();
        assert_eq!(last_login(fx!("lastlog.txt"), clock()), want);
        // The same records printed in UTC+7 (the capture ran 4 s later).
        assert_eq!(last_login(fx!("lastlog-tz-hcm.txt"), clock()), want);
        let here = last_login(fx!("lastlog-debian12.txt"), clock());
        assert!(here.values().all(|d| d == &Ok(None)));
        assert_eq!(here.get("root"), Some(&Ok(None)));
    }

    #[test]
    fn odd_lastlog_lines() {
        // A time in the future (clock skew) is 0 days; an unreadable time is an error.
        let t = "Username Port From Latest\nfuture pts/0 h Mon Jan  1 00:00:00 +0000 2035\nbad pts/0 h Mon Foo  1 00:00:00 +0000 2025\nshort Mon\n";
        let got = last_login(t, 1_700_000_000);
        assert_eq!(got.get("future"), Some(&Ok(Some(0))));
        assert!(got.get("bad").is_some_and(Result::is_err));
        assert!(got.get("short").is_some_and(Result::is_err));
        assert_eq!(
            epoch(&["Thu", "Jan", "1", "07:00:00", "+0700", "1970"]),
            Some(0)
        );
        assert_eq!(
            epoch(&["Sun", "Feb", "29", "00:00:00", "-0130", "2004"]),
            Some(1_078_018_200)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512), now in any::<i64>()) {
            let text = String::from_utf8_lossy(&bytes);
            let _ = passwd(&text);
            let _ = locked(&text);
            let _ = last_login(&text, now);
        }

        #[test]
        fn never_panics_on_lastlog_soup(lines in proptest::collection::vec(
            "[a-z]{1,4} ([A-Z][a-z]{2}|[0-9:+-]{1,9}|\\*\\*Never logged in\\*\\*| ){0,8}", 0..8), now in any::<i64>()) {
            let got = last_login(&lines.join("\n"), now);
            prop_assert!(got.len() <= lines.len());
        }
    }
}
