//! How long system logs are kept: logrotate's rules for the syslog files, and journald's
//! storage settings.
//!
//! logrotate, as logrotate(8) 3.x reads `/etc/logrotate.conf`:
//! - Directives outside a block set the defaults for every block read after them (also in
//!   included files); `include PATH` reads a file, or every file of a folder in name order
//!   (skipping logrotate's taboo extensions: `.dpkg-old`, `.rpmsave`, `~`, …).
//! - A block is one or more path patterns (globs, possibly quoted, possibly over several lines)
//!   and `{ … }`; script sections (`postrotate` … `endscript`) are skipped whole (the collector
//!   already removes their bodies on the host, as they may hold credentials).
//! - The logs kept cover `rotate` × the period (`hourly` 1/24, `daily` 1, `weekly` 7, `monthly`
//!   30, `yearly` 365 days), cut to `maxage` days when that is set. A rule with no period
//!   (size-only rotation) or `rotate -1` without `maxage` keeps an unknown number of days.
//!
//! journald, as journald.conf(5): `[Journal]` settings in `/etc/systemd/journald.conf`, then
//! `journald.conf.d/*.conf` in name order, the last value winning; `Storage=` defaults to
//! `auto`; `MaxRetentionSec=` is a systemd time span ("1month", "2w 3d", "3600").

use super::{basename, glob_match, has_glob};
use crate::collect::facts::Journald;

/// The syslog files whose retention is reported, in order of preference.
pub const SYSLOG_FILES: &[&str] = &[
    "/var/log/syslog",
    "/var/log/messages",
    "/var/log/auth.log",
    "/var/log/secure",
];

/// Extensions logrotate skips in an included folder (its built-in taboo list).
const TABOO: &[&str] = &[
    ",v",
    ".cfsaved",
    ".disabled",
    ".dpkg-bak",
    ".dpkg-del",
    ".dpkg-dist",
    ".dpkg-new",
    ".dpkg-old",
    ".dpkg-tmp",
    ".rhn-cfg-tmp-",
    ".rpmnew",
    ".rpmorig",
    ".rpmsave",
    ".swp",
    ".ucf-dist",
    ".ucf-new",
    ".ucf-old",
    "~",
];

/// Work limit: lines read over all includes (an include loop ends here).
const MAX_LINES: usize = 200_000;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Options {
    rotate: Option<i64>,
    /// Days per rotation.
    period: Option<f64>,
    maxage: Option<u64>,
}

impl Options {
    /// Apply one directive; false when it is not one of ours.
    fn apply(&mut self, words: &[String]) {
        let Some(key) = words.first() else {
            return;
        };
        let arg = words.get(1).and_then(|v| v.parse::<i64>().ok());
        match key.to_ascii_lowercase().as_str() {
            "rotate" => self.rotate = arg.or(self.rotate),
            "maxage" => self.maxage = arg.and_then(|a| u64::try_from(a).ok()),
            "hourly" => self.period = Some(1.0 / 24.0),
            "daily" => self.period = Some(1.0),
            "weekly" => self.period = Some(7.0),
            "monthly" => self.period = Some(30.0),
            "yearly" => self.period = Some(365.0),
            _ => {}
        }
    }

    fn days(&self) -> Option<u64> {
        // logrotate's default is `rotate 0`: old logs are removed.
        let rotate = self.rotate.unwrap_or(0);
        let kept = match (rotate, self.period) {
            (r, _) if r < 0 => None,
            (r, Some(p)) => Some((r as f64 * p).floor() as u64),
            (_, None) => None,
        };
        match (kept, self.maxage) {
            (Some(k), Some(m)) => Some(k.min(m)),
            (None, Some(m)) if rotate < 0 => Some(m),
            (k, _) => k,
        }
    }
}

/// A rule: its patterns and options.
struct Rule {
    patterns: Vec<String>,
    options: Options,
}

struct Reader<'f> {
    files: &'f [(String, String)],
    defaults: Options,
    rules: Vec<Rule>,
    lines: usize,
}

impl Reader<'_> {
    fn read(&mut self, text: &str, depth: usize) {
        let mut pending: Vec<String> = vec![];
        let mut block: Option<Options> = None;
        let mut script = false;
        for line in text.lines() {
            self.lines += 1;
            if self.lines > MAX_LINES {
                return;
            }
            let trimmed = line.trim();
            if script {
                script = !trimmed.eq_ignore_ascii_case("endscript");
                continue;
            }
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let words = words(trimmed);
            let first = words.first().map(|w| w.to_ascii_lowercase());
            if let Some(opts) = block.as_mut() {
                if trimmed.starts_with('}') {
                    self.rules.push(Rule {
                        patterns: std::mem::take(&mut pending),
                        options: *opts,
                    });
                    block = None;
                    continue;
                }
                match first.as_deref() {
                    Some(
                        "postrotate" | "prerotate" | "firstaction" | "lastaction" | "preremove",
                    ) => script = true,
                    _ => opts.apply(&words),
                }
                continue;
            }
            // Outside a block: path patterns (up to a `{`), or a global directive.
            if let Some(i) = words.iter().position(|w| w == "{" || w.ends_with('{')) {
                for (n, w) in words.iter().enumerate().take(i + 1) {
                    let w = if n == i { w.trim_end_matches('{') } else { w };
                    if !w.is_empty() {
                        pending.push(w.to_owned());
                    }
                }
                block = Some(self.defaults);
                continue;
            }
            if trimmed.starts_with('/') || trimmed.starts_with('"') || trimmed.starts_with('*') {
                pending.extend(words);
                continue;
            }
            if first.as_deref() == Some("include") {
                if let Some(path) = words.get(1)
                    && depth < super::MAX_DEPTH
                {
                    self.include(path, depth + 1);
                }
                continue;
            }
            self.defaults.apply(&words);
        }
    }

    fn include(&mut self, path: &str, depth: usize) {
        let dir = format!("{}/", path.trim_end_matches('/'));
        let mut found: Vec<&(String, String)> = self
            .files
            .iter()
            .filter(|(p, _)| {
                p == path
                    || p.strip_prefix(&dir).is_some_and(|name| {
                        !name.contains('/') && !TABOO.iter().any(|t| name.ends_with(t))
                    })
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found.dedup_by(|a, b| a.0 == b.0);
        for (_, text) in found {
            self.read(text, depth);
        }
    }
}

/// Words of a logrotate line; `"…"` groups.
fn words(line: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The days of logs kept for the first of [`SYSLOG_FILES`] that a rule covers, read from
/// `/etc/logrotate.conf` and what it includes (`files`: `(path, content)`), with the file it
/// was found for; `None` when no rule covers any of them.
pub fn retention(files: &[(String, String)]) -> Option<(&'static str, Option<u64>)> {
    let root = files.iter().find(|(p, _)| p == "/etc/logrotate.conf")?;
    let mut r = Reader {
        files,
        defaults: Options::default(),
        rules: vec![],
        lines: 0,
    };
    r.read(&root.1, 0);
    SYSLOG_FILES.iter().find_map(|log| {
        let rule = r.rules.iter().find(|rule| {
            rule.patterns.iter().any(|p| {
                if has_glob(p) {
                    glob_match(p, log)
                } else {
                    p == log
                }
            })
        })?;
        Some((*log, rule.options.days()))
    })
}

/// journald's settings from `/etc/systemd/journald.conf` and its drop-ins (`(path, content)`).
pub fn journald(files: &[(String, String)]) -> Journald {
    let mut ordered: Vec<&(String, String)> = files
        .iter()
        .filter(|(p, _)| p == "/etc/systemd/journald.conf")
        .collect();
    let mut dropins: Vec<&(String, String)> = files
        .iter()
        .filter(|(p, _)| p.starts_with("/etc/systemd/journald.conf.d/") && p.ends_with(".conf"))
        .collect();
    dropins.sort_by(|a, b| basename(&a.0).cmp(basename(&b.0)));
    ordered.extend(dropins);
    let mut j = Journald::default();
    for (_, text) in ordered {
        let mut in_journal = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                in_journal = line == "[Journal]";
                continue;
            }
            if !in_journal || line.starts_with(['#', ';']) {
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            let v = v.trim();
            match k.trim() {
                "Storage" => {
                    let v = v.to_ascii_lowercase();
                    // An invalid value is ignored by journald, as here.
                    if ["persistent", "volatile", "auto", "none"].contains(&v.as_str()) {
                        j.storage = v;
                    } else if v.is_empty() {
                        j.storage = "auto".into();
                    }
                }
                "MaxRetentionSec" => {
                    if v.is_empty() {
                        j.max_retention_days = None;
                    } else if let Some(secs) = timespan(v) {
                        j.max_retention_days = (secs > 0.0).then(|| (secs / 86_400.0) as u64);
                    }
                }
                _ => {}
            }
        }
    }
    j
}

/// A systemd time span in seconds: numbers with units, summed; a bare number is seconds.
fn timespan(v: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut rest = v.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, after) = rest.split_at(num_end);
        let n: f64 = num.parse().ok()?;
        let after = after.trim_start();
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.' || c.is_whitespace())
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_end);
        let mult = match unit {
            "" | "s" | "sec" | "second" | "seconds" => 1.0,
            "us" | "usec" | "µs" => 1e-6,
            "ms" | "msec" => 1e-3,
            "m" | "min" | "minute" | "minutes" => 60.0,
            "h" | "hr" | "hour" | "hours" => 3600.0,
            "d" | "day" | "days" => 86_400.0,
            "w" | "week" | "weeks" => 604_800.0,
            "M" | "month" | "months" => 2_629_800.0,
            "y" | "year" | "years" => 31_557_600.0,
            _ => return None,
        };
        total += n * mult;
        rest = after.trim_start();
    }
    total.is_finite().then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    macro_rules! fx {
        ($name:literal) => {
            include_str!(concat!("../../../tests/fixtures/collect/logrotate/", $name))
        };
    }

    fn f(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(p, c)| ((*p).to_owned(), (*c).to_owned()))
            .collect()
    }

    fn debian() -> Vec<(String, String)> {
        f(&[
            ("/etc/logrotate.conf", fx!("logrotate.conf-debian12")),
            ("/etc/logrotate.d/btmp", fx!("logrotate.d-btmp")),
            ("/etc/logrotate.d/rsyslog", fx!("logrotate.d-rsyslog")),
        ])
    }

    #[test]
    fn stock_debian_keeps_four_weeks_of_syslog() {
        assert_eq!(retention(&debian()), Some(("/var/log/syslog", Some(28))));
    }

    #[test]
    fn a_site_rule_with_globs_maxage_and_scripts() {
        let mut files = debian();
        files.retain(|(p, _)| p != "/etc/logrotate.d/rsyslog");
        files.push((
            "/etc/logrotate.d/syslog-site".into(),
            fx!("logrotate.d-syslog-site").into(),
        ));
        // `rotate 400` daily, but `maxage 365`.
        assert_eq!(retention(&files), Some(("/var/log/syslog", Some(365))));
        // A backup copy left by dpkg is not read.
        files.push((
            "/etc/logrotate.d/rsyslog.dpkg-old".into(),
            fx!("logrotate.d-rsyslog").into(),
        ));
        assert_eq!(retention(&files), Some(("/var/log/syslog", Some(365))));
    }

    #[test]
    fn rhel_style_defaults_and_messages() {
        let files = f(&[
            (
                "/etc/logrotate.conf",
                "monthly\nrotate 12\ninclude /etc/logrotate.d\n",
            ),
            (
                "/etc/logrotate.d/rsyslog",
                "/var/log/cron\n/var/log/maillog\n/var/log/messages\n/var/log/secure\n{\n    missingok\n    sharedscripts\n    postrotate\n        /usr/bin/systemctl -s HUP kill rsyslog.service >/dev/null 2>&1 || true\n    endscript\n}\n",
            ),
        ]);
        assert_eq!(retention(&files), Some(("/var/log/messages", Some(360))));
    }

    #[test]
    fn uncovered_size_only_and_forever() {
        assert_eq!(retention(&debian()[..2]), None);
        assert_eq!(retention(&[]), None);
        let size = f(&[(
            "/etc/logrotate.conf",
            "\"/var/log/auth.log\" { size 10M\nrotate 5 }\n",
        )]);
        // logrotate rejects `rotate 5 }` ("bad rotation count") and skips the block.
        assert_eq!(retention(&size), None);
        let size = f(&[(
            "/etc/logrotate.conf",
            "/var/log/auth.log {\n size 10M\n rotate 5\n}\n",
        )]);
        assert_eq!(retention(&size), Some(("/var/log/auth.log", None)));
        let forever = f(&[(
            "/etc/logrotate.conf",
            "/var/log/secure {\n daily\n rotate -1\n maxage 90\n}\n",
        )]);
        assert_eq!(retention(&forever), Some(("/var/log/secure", Some(90))));
    }

    #[test]
    fn journald_stock_and_drop_ins() {
        let stock = f(&[("/etc/systemd/journald.conf", fx!("journald.conf-debian12"))]);
        assert_eq!(journald(&stock), Journald::default());
        let mut files = stock;
        files.push((
            "/etc/systemd/journald.conf.d/90-retention.conf".into(),
            fx!("journald.conf.d-90-retention.conf").into(),
        ));
        files.push((
            "/etc/systemd/journald.conf.d/10-storage.conf".into(),
            "[Journal]\nStorage=volatile\nMaxRetentionSec=1week\n".into(),
        ));
        assert_eq!(
            journald(&files),
            Journald {
                storage: "persistent".into(),
                max_retention_days: Some(182),
            }
        );
    }

    #[test]
    fn time_spans() {
        assert_eq!(timespan("3600"), Some(3600.0));
        assert_eq!(timespan("2w 3d"), Some(1_468_800.0));
        assert_eq!(timespan("1y"), Some(31_557_600.0));
        assert_eq!(timespan("1.5d"), Some(129_600.0));
        assert_eq!(timespan("5 fortnights"), None);
        assert_eq!(timespan(""), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let files = vec![
                ("/etc/logrotate.conf".to_owned(), text.clone()),
                ("/etc/logrotate.d/a".to_owned(), text.clone()),
                ("/etc/systemd/journald.conf".to_owned(), text),
            ];
            let _ = retention(&files);
            let _ = journald(&files);
        }

        #[test]
        fn never_panics_on_rule_soup(lines in proptest::collection::vec(
            "(include /etc/logrotate\\.d|/var/log/[a-z*]{1,6}|\\{|\\}|rotate -?[0-9]{1,3}|maxage [0-9]{1,3}|(daily|weekly|monthly|yearly|hourly)|postrotate|endscript|\"/var/log/syslog\" \\{)",
            0..12,
        ), span in "[0-9. a-zA-Z]{0,12}") {
            let text = lines.join("\n");
            let files = vec![
                ("/etc/logrotate.conf".to_owned(), text.clone()),
                ("/etc/logrotate.d/a".to_owned(), text),
                ("/etc/systemd/journald.conf".to_owned(), format!("[Journal]\nMaxRetentionSec={span}\n")),
            ];
            if let Some((log, _)) = retention(&files) {
                prop_assert!(SYSLOG_FILES.contains(&log));
            }
            let _ = journald(&files);
        }
    }
}
