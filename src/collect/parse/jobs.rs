//! Scheduled jobs: cron files, the `/etc/cron.*` script folders, and systemd timers.
//!
//! Cron rules ([`cron`]):
//! - `/etc/crontab` and `/etc/cron.d/*` lines have a user field after the schedule; spool
//!   crontabs (paths under `/var/spool/cron/`, Debian's `crontabs/USER` or RHEL's `USER`) do
//!   not, and their source is "crontab:USER". Other paths are not cron files and are skipped,
//!   as are `/etc/cron.d` files cron itself ignores (hidden names, `~` backups, package-manager
//!   leftovers such as `.dpkg-old` or `.rpmnew`).
//! - A job line starts with a digit, `*` or `@`; everything else (comments, `NAME=value`
//!   environment lines, blank lines) is skipped. A 5-field schedule is kept with its fields
//!   joined by one space; `@daily` and friends as written. The command is the rest of the line
//!   as written (trimmed, `%` included).
//! - `dirs` lines "DIR NAME" for `/etc/cron.{hourly,daily,weekly,monthly,yearly}` become jobs
//!   with schedule "hourly" … and the script's path as source and command; names run-parts
//!   skips on every distribution (hidden, `~`, package-manager leftovers) are left out.
//!
//! Timer rules ([`timers`]):
//! - Unit files are grouped by unit name; a unit in `/etc/systemd/system` hides the same name
//!   in `/run/…`, `/usr/local/lib/…`, `/usr/lib/…` and `/lib/systemd/system`; drop-ins
//!   (`NAME.d/*.conf`) are applied after it in file-name order.
//! - Every non-template `*.timer` with a trigger (`OnCalendar`, `OnBootSec`,
//!   `OnUnitActiveSec`, also `OnActiveSec`, `OnStartupSec`, `OnUnitInactiveSec`) is a job. Its
//!   schedule is each trigger as "Key=value", joined by "; " (an empty assignment to any of
//!   them resets the list, as in systemd). Its command is the `ExecStart=` lines of the unit named by `Unit=`
//!   (default: the timer's name with `.service`; for an instance `a@b.service`, the template
//!   `a@.service` when there is no instance file), joined by "; ", or "" when that unit was not
//!   given. Lines ending in `\` continue on the next line.

use std::collections::BTreeMap;

use super::{basename, dirname};
use crate::collect::facts::Job;

pub fn cron(files: &[(String, String)], dirs: &str) -> Vec<Job> {
    let mut jobs = Vec::new();
    for (path, content) in files {
        let (source, has_user) = if path == "/etc/crontab" {
            (path.clone(), true)
        } else if path.starts_with("/etc/cron.d/") {
            if skipped_name(basename(path)) {
                continue;
            }
            (path.clone(), true)
        } else if path.starts_with("/var/spool/cron/") {
            let user = basename(path);
            if user.is_empty() || user.starts_with('.') {
                continue;
            }
            (format!("crontab:{user}"), false)
        } else {
            continue;
        };
        jobs.extend(content.lines().filter_map(|line| {
            cron_line(line, has_user).map(|(schedule, command)| Job {
                source: source.clone(),
                schedule,
                command,
            })
        }));
    }
    for line in dirs.lines() {
        let Some((dir, name)) = line.trim().split_once(' ') else {
            continue;
        };
        let name = name.trim();
        let Some(period) = dir.strip_prefix("/etc/cron.") else {
            continue;
        };
        if !matches!(period, "hourly" | "daily" | "weekly" | "monthly" | "yearly")
            || name.is_empty()
            || name.contains('/')
            || skipped_name(name)
        {
            continue;
        }
        let path = format!("{dir}/{name}");
        jobs.push(Job {
            source: path.clone(),
            schedule: period.to_owned(),
            command: path,
        });
    }
    jobs
}

/// Names cron and run-parts ignore on every distribution.
fn skipped_name(name: &str) -> bool {
    name.is_empty()
        || name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.contains(".dpkg-")
        || [
            ".rpmsave",
            ".rpmorig",
            ".rpmnew",
            ".ucf-old",
            ".ucf-new",
            ".ucf-dist",
        ]
        .iter()
        .any(|s| name.ends_with(s))
}

/// (schedule, command) of one cron line.
fn cron_line(line: &str, has_user: bool) -> Option<(String, String)> {
    let line = line.trim();
    let first = line.chars().next()?;
    if !(first.is_ascii_digit() || first == '*' || first == '@') {
        return None;
    }
    let fields = if first == '@' { 1 } else { 5 };
    let (head, rest) = split_fields(line, fields + usize::from(has_user))?;
    let when = head.get(..fields)?;
    // cron skips a line whose schedule it cannot read; so does capdo.
    if !valid_schedule(when) {
        return None;
    }
    let schedule = when.join(" ");
    let command = rest.trim();
    (!command.is_empty()).then(|| (schedule, command.to_owned()))
}

/// Whether cron would run a line with this schedule: one of its `@` words, or five fields of
/// numbers in range, `*`, ranges, lists and steps (month and day names as cron knows them).
fn valid_schedule(fields: &[&str]) -> bool {
    const AT: &[&str] = &[
        "@reboot",
        "@yearly",
        "@annually",
        "@monthly",
        "@weekly",
        "@daily",
        "@midnight",
        "@hourly",
    ];
    const MONTHS: &[&str] = &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    match fields {
        [at] => AT.contains(&at.to_ascii_lowercase().as_str()),
        [minute, hour, dom, month, dow] => {
            field_ok(minute, 0, 59, &[])
                && field_ok(hour, 0, 23, &[])
                && field_ok(dom, 1, 31, &[])
                && field_ok(month, 1, 12, MONTHS)
                && field_ok(dow, 0, 7, DAYS)
        }
        _ => false,
    }
}

/// One cron field: comma-separated items, each `*`, `N` or `N-M`, optionally `/STEP`.
fn field_ok(field: &str, lo: u32, hi: u32, names: &[&str]) -> bool {
    let value = |v: &str| -> Option<u32> {
        v.parse::<u32>()
            .ok()
            .filter(|n| (lo..=hi).contains(n))
            .or_else(|| {
                let lower = v.to_ascii_lowercase();
                names.iter().position(|n| *n == lower).map(|i| i as u32)
            })
    };
    field.split(',').all(|item| {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (item, None),
        };
        let step_ok = step.is_none_or(|s| s.parse::<u32>().is_ok_and(|n| n > 0));
        let range_ok = range == "*"
            || match range.split_once('-') {
                Some((a, b)) => value(a).zip(value(b)).is_some_and(|(a, b)| a <= b),
                None => value(range).is_some(),
            };
        !item.is_empty() && step_ok && range_ok
    })
}

/// The first `n` whitespace-separated fields and the rest of the line after them.
fn split_fields(line: &str, n: usize) -> Option<(Vec<&str>, &str)> {
    let mut fields = Vec::with_capacity(n);
    let mut rest = line;
    for _ in 0..n {
        rest = rest.trim_start();
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (field, tail) = rest.split_at(end);
        if field.is_empty() {
            return None;
        }
        fields.push(field);
        rest = tail;
    }
    Some((fields, rest))
}

pub fn timers(files: &[(String, String)]) -> Vec<Job> {
    let units = Units::new(files);
    let mut jobs = Vec::new();
    for (name, unit) in &units.by_name {
        if !name.ends_with(".timer") || name.contains("@.") {
            continue;
        }
        let Some((path, _)) = unit.main else {
            continue;
        };
        let timer = units.settings(name, "Timer");
        let mut triggers: Vec<String> = Vec::new();
        for (key, value) in &timer {
            if !TRIGGERS.contains(&key.as_str()) {
                continue;
            }
            if value.is_empty() {
                triggers.clear();
            } else {
                triggers.push(format!("{key}={value}"));
            }
        }
        if triggers.is_empty() {
            continue;
        }
        let service = timer
            .iter()
            .rev()
            .find(|(k, v)| k == "Unit" && !v.is_empty())
            .map_or_else(
                || format!("{}.service", name.trim_end_matches(".timer")),
                |(_, v)| v.clone(),
            );
        let mut exec: Vec<String> = Vec::new();
        for (key, value) in units.settings(&service, "Service") {
            if key == "ExecStart" {
                if value.is_empty() {
                    exec.clear();
                } else {
                    exec.push(value);
                }
            }
        }
        jobs.push(Job {
            source: path.to_owned(),
            schedule: triggers.join("; "),
            command: exec.join("; "),
        });
    }
    jobs
}

const TRIGGERS: [&str; 6] = [
    "OnCalendar",
    "OnActiveSec",
    "OnBootSec",
    "OnStartupSec",
    "OnUnitActiveSec",
    "OnUnitInactiveSec",
];

/// Unit directories, most important first.
const UNIT_DIRS: [&str; 5] = [
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
];

fn dir_rank(dir: &str) -> usize {
    UNIT_DIRS
        .iter()
        .position(|d| *d == dir)
        .unwrap_or(UNIT_DIRS.len())
}

#[derive(Debug, Default)]
struct Unit<'a> {
    /// (path, content) of the file that defines the unit.
    main: Option<(&'a str, &'a str)>,
    main_rank: usize,
    /// Drop-ins by file name: (rank, content); the best-ranked directory wins per name.
    dropins: BTreeMap<&'a str, (usize, &'a str)>,
}

#[derive(Debug)]
struct Units<'a> {
    by_name: BTreeMap<String, Unit<'a>>,
}

impl<'a> Units<'a> {
    fn new(files: &'a [(String, String)]) -> Self {
        let mut by_name: BTreeMap<String, Unit<'a>> = BTreeMap::new();
        for (path, content) in files {
            let name = basename(path);
            let dir = dirname(path);
            let parent = basename(dir);
            if let Some(unit) = parent.strip_suffix(".d")
                && name.ends_with(".conf")
                && (unit.ends_with(".timer") || unit.ends_with(".service"))
            {
                let rank = dir_rank(dirname(dir));
                let slot = by_name
                    .entry(unit.to_owned())
                    .or_default()
                    .dropins
                    .entry(name)
                    .or_insert((rank, content));
                if rank < slot.0 {
                    *slot = (rank, content);
                }
                continue;
            }
            if !(name.ends_with(".timer") || name.ends_with(".service")) {
                continue;
            }
            // Links in `*.wants/` folders name enabled instances; a real unit directory wins.
            let rank = if parent.ends_with(".wants") || parent.ends_with(".requires") {
                UNIT_DIRS.len() + 1
            } else {
                dir_rank(dir)
            };
            let unit = by_name.entry(name.to_owned()).or_default();
            if unit.main.is_none() || rank < unit.main_rank {
                unit.main = Some((path, content));
                unit.main_rank = rank;
            }
        }
        Units { by_name }
    }

    /// The unit to read for `name`: itself, or for an instance its template.
    fn find(&self, name: &str) -> Option<&Unit<'a>> {
        if let Some(u) = self.by_name.get(name).filter(|u| u.main.is_some()) {
            return Some(u);
        }
        let (prefix, rest) = name.split_once('@')?;
        let suffix = rest.rsplit_once('.').map(|(_, s)| s)?;
        self.by_name.get(&format!("{prefix}@.{suffix}"))
    }

    /// `Key=value` settings of `section`, in order: the unit file, then its drop-ins.
    fn settings(&self, name: &str, section: &str) -> Vec<(String, String)> {
        let Some(unit) = self.find(name) else {
            return vec![];
        };
        let mut texts: Vec<&str> = unit.main.map(|(_, c)| c).into_iter().collect();
        texts.extend(unit.dropins.values().map(|(_, c)| *c));
        // An instance with drop-ins of its own but no file: the template, then those.
        if let Some(exact) = self.by_name.get(name).filter(|e| e.main.is_none()) {
            texts.extend(exact.dropins.values().map(|(_, c)| *c));
        }
        texts
            .iter()
            .flat_map(|t| section_settings(t, section))
            .collect()
    }
}

/// `Key=value` pairs of one section of a unit file; `\` at a line's end joins the next line.
fn section_settings(text: &str, section: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut logical = String::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(cont) = line.strip_suffix('\\') {
            logical.push_str(cont.trim_end());
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let full = std::mem::take(&mut logical);
        let full = full.trim();
        if full.starts_with('#') || full.starts_with(';') || full.is_empty() {
            continue;
        }
        if let Some(name) = full.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            current = name.to_owned();
            continue;
        }
        if current != section {
            continue;
        }
        if let Some((k, v)) = full.split_once('=') {
            out.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    macro_rules! fx {
        ($name:literal) => {
            include_str!(concat!("../../../tests/fixtures/collect/jobs/", $name))
        };
    }

    fn job(source: &str, schedule: &str, command: &str) -> Job {
        Job {
            source: source.into(),
            schedule: schedule.into(),
            command: command.into(),
        }
    }

    fn f(path: &str, content: &str) -> (String, String) {
        (path.to_owned(), content.to_owned())
    }

    #[test]
    fn debian_crontab_and_cron_d() {
        let files = [
            f("/etc/crontab", fx!("etc-crontab")),
            f("/etc/cron.d/e2scrub_all", fx!("cron.d-e2scrub_all")),
            f("/etc/cron.d/.placeholder", fx!("cron.d-placeholder")),
        ];
        let got = cron(&files, "");
        assert_eq!(
            got,
            [
                job(
                    "/etc/crontab",
                    "17 * * * *",
                    "cd / && run-parts --report /etc/cron.hourly"
                ),
                job(
                    "/etc/crontab",
                    "25 6 * * *",
                    "test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }"
                ),
                job(
                    "/etc/crontab",
                    "47 6 * * 7",
                    "test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.weekly; }"
                ),
                job(
                    "/etc/crontab",
                    "52 6 1 * *",
                    "test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.monthly; }"
                ),
                job(
                    "/etc/cron.d/e2scrub_all",
                    "30 3 * * 0",
                    "test -e /run/systemd/system || SERVICE_MODE=1 /usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron"
                ),
                job(
                    "/etc/cron.d/e2scrub_all",
                    "10 3 * * *",
                    "test -e /run/systemd/system || SERVICE_MODE=1 /sbin/e2scrub_all -A -r"
                ),
            ]
        );
    }

    #[test]
    fn lines_cron_would_refuse_are_not_jobs() {
        let text = "@bogus root tar -czf /var/backups/a.tgz /etc\n\
                    99 99 * * * root tar -czf /var/backups/b.tgz /etc\n\
                    */15 1-5 * jan-mar mon,fri root /usr/local/bin/backup\n\
                    @daily root /usr/local/bin/backup2\n";
        let jobs = cron(&[f("/etc/crontab", text)], "");
        let commands: Vec<&str> = jobs.iter().map(|j| j.command.as_str()).collect();
        assert_eq!(
            commands,
            ["/usr/local/bin/backup", "/usr/local/bin/backup2"]
        );
    }

    #[test]
    fn spool_crontabs_have_no_user_field() {
        let files = [
            f("/var/spool/cron/crontabs/root", fx!("spool-root")),
            f("/var/spool/cron/crontabs/www-data", fx!("spool-www-data")),
        ];
        assert_eq!(
            cron(&files, ""),
            [
                job(
                    "crontab:root",
                    "30 2 * * *",
                    "/usr/local/bin/backup-db.sh --full >/var/log/backup-db.log 2>&1"
                ),
                job("crontab:root", "*/5 * * * *", "/usr/lib/sa/sa1 1 1"),
                job("crontab:root", "@reboot", "/usr/local/bin/warm-cache"),
                job(
                    "crontab:root",
                    "@weekly",
                    "/usr/bin/find /tmp -xdev -mtime +7 -delete"
                ),
                job(
                    "crontab:root",
                    "0 1 * * mon-fri",
                    "/usr/local/bin/report % \"weekday\"%second line"
                ),
                job(
                    "crontab:www-data",
                    "*/10 * * * *",
                    "php /var/www/app/artisan schedule:run >> /dev/null 2>&1"
                ),
            ]
        );
    }

    #[test]
    fn rhel_cron_d_with_environment_and_spool_without_crontabs_dir() {
        let files = [
            f("/etc/cron.d/0hourly", fx!("cron.d-0hourly")),
            f("/etc/cron.d/backup", fx!("cron.d-backup")),
            f("/etc/cron.d/backup.rpmsave", fx!("cron.d-backup")),
            f(
                "/var/spool/cron/oracle",
                "@daily /u01/scripts/rman_backup.sh\n",
            ),
            f(
                "/etc/anacrontab",
                "1 5 cron.daily nice run-parts /etc/cron.daily\n",
            ),
        ];
        assert_eq!(
            cron(&files, ""),
            [
                job(
                    "/etc/cron.d/0hourly",
                    "01 * * * *",
                    "run-parts /etc/cron.hourly"
                ),
                job(
                    "/etc/cron.d/backup",
                    "30 1 * * *",
                    "/usr/local/sbin/backup-db --target /var/backups/db"
                ),
                job(
                    "/etc/cron.d/backup",
                    "@monthly",
                    "/usr/local/sbin/backup-verify"
                ),
                job("crontab:oracle", "@daily", "/u01/scripts/rman_backup.sh"),
            ]
        );
    }

    #[test]
    fn cron_dirs_listing_of_this_machine() {
        let got = cron(&[], fx!("cron-dirs-debian12.txt"));
        let sources: Vec<&str> = got.iter().map(|j| j.source.as_str()).collect();
        assert_eq!(
            sources,
            [
                "/etc/cron.daily/apt-compat",
                "/etc/cron.daily/dpkg",
                "/etc/cron.daily/exim4-base",
                "/etc/cron.daily/logrotate",
                "/etc/cron.daily/man-db",
                "/etc/cron.weekly/man-db",
            ]
        );
        assert_eq!(
            got[4],
            job("/etc/cron.daily/man-db", "daily", "/etc/cron.daily/man-db")
        );
        assert_eq!(got[5].schedule, "weekly");
    }

    #[test]
    fn cron_dirs_skip_leftovers_and_unknown_dirs() {
        let dirs = "/etc/cron.daily backup-db\n/etc/cron.daily backup-db~\n/etc/cron.daily .placeholder\n\
                    /etc/cron.daily logrotate.dpkg-old\n/etc/cron.hourly 0anacron\n/etc/cron.minutely x\n/tmp y\nnospace\n";
        assert_eq!(
            cron(&[], dirs),
            [
                job(
                    "/etc/cron.daily/backup-db",
                    "daily",
                    "/etc/cron.daily/backup-db"
                ),
                job(
                    "/etc/cron.hourly/0anacron",
                    "hourly",
                    "/etc/cron.hourly/0anacron"
                ),
            ]
        );
    }

    #[test]
    fn debian_timers_with_their_services() {
        let d = "/lib/systemd/system/";
        let files = [
            f(&format!("{d}apt-daily.timer"), fx!("units/apt-daily.timer")),
            f(
                &format!("{d}apt-daily.service"),
                fx!("units/apt-daily.service"),
            ),
            f(&format!("{d}man-db.timer"), fx!("units/man-db.timer")),
            f(&format!("{d}man-db.service"), fx!("units/man-db.service")),
            f(
                &format!("{d}systemd-tmpfiles-clean.timer"),
                fx!("units/systemd-tmpfiles-clean.timer"),
            ),
            f(&format!("{d}pg_dump@.timer"), fx!("units/pg_dump@.timer")),
            f(
                &format!("{d}pg_dump@.service"),
                fx!("units/pg_dump@.service"),
            ),
            f(
                "/etc/systemd/system/timers.target.wants/pg_dump@15-main.timer",
                fx!("units/pg_dump@.timer"),
            ),
        ];
        assert_eq!(
            timers(&files),
            [
                job(
                    "/lib/systemd/system/apt-daily.timer",
                    "OnCalendar=*-*-* 6,18:00",
                    "/usr/lib/apt/apt.systemd.daily update"
                ),
                job(
                    "/lib/systemd/system/man-db.timer",
                    "OnCalendar=daily",
                    "+/usr/bin/install -d -o man -g man -m 0755 /var/cache/man; \
                     /usr/bin/find /var/cache/man -type f -name *.gz -atime +6 -delete; /usr/bin/mandb --quiet"
                ),
                job(
                    "/etc/systemd/system/timers.target.wants/pg_dump@15-main.timer",
                    "OnCalendar=weekly",
                    "/usr/bin/pg_backupcluster %i dump; /usr/bin/pg_backupcluster %i expiredumps $KEEP"
                ),
                // Its service was not given: the command is unknown.
                job(
                    "/lib/systemd/system/systemd-tmpfiles-clean.timer",
                    "OnBootSec=15min; OnUnitActiveSec=1d",
                    ""
                ),
            ]
        );
    }

    #[test]
    fn local_timer_with_unit_override_and_drop_in() {
        let files = [
            f(
                "/etc/systemd/system/backup-db.timer",
                fx!("units/backup-db.timer"),
            ),
            f(
                "/etc/systemd/system/db-dump.service",
                fx!("units/db-dump.service"),
            ),
            f(
                "/etc/systemd/system/backup-db.timer.d/override.conf",
                fx!("units/backup-db.timer.d-override.conf"),
            ),
            f(
                "/etc/systemd/system/logrotate.timer",
                "[Unit]\nDescription=masked by an empty file\n",
            ),
        ];
        assert_eq!(
            timers(&files),
            [job(
                "/etc/systemd/system/backup-db.timer",
                "OnCalendar=*-*-* 01:30:00; OnCalendar=Sun *-*-* 04:00:00",
                "/usr/local/sbin/db-dump --all-databases --compress --out /var/backups/db"
            )]
        );
    }

    #[test]
    fn a_unit_in_etc_hides_the_packaged_one() {
        let files = [
            f("/lib/systemd/system/x.timer", "[Timer]\nOnCalendar=daily\n"),
            f(
                "/etc/systemd/system/x.timer",
                "[Timer]\nOnCalendar=hourly\n",
            ),
            f(
                "/lib/systemd/system/x.service",
                "[Service]\nExecStart=/bin/true\n",
            ),
        ];
        assert_eq!(
            timers(&files),
            [job(
                "/etc/systemd/system/x.timer",
                "OnCalendar=hourly",
                "/bin/true"
            )]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512), path in "(/etc/crontab|/etc/cron.d/[a-z.~]{0,5}|/var/spool/cron/[a-z/]{0,6}|/etc/systemd/system/[a-z@.]{0,6}(timer|service)(\\.d/a\\.conf)?)") {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let files = vec![(path, text.clone())];
            let _ = cron(&files, &text);
            let _ = timers(&files);
        }

        #[test]
        fn never_panics_on_unit_soup(lines in proptest::collection::vec("(\\[(Timer|Service)\\]|(OnCalendar|Unit|ExecStart|OnBootSec)=[a-z@. \\\\]{0,8})", 0..10)) {
            let text = lines.join("\n");
            let files = vec![
                ("/etc/systemd/system/a@b.timer".to_owned(), text.clone()),
                ("/etc/systemd/system/a@.service".to_owned(), text.clone()),
                ("/etc/systemd/system/a.timer".to_owned(), text),
            ];
            let _ = timers(&files);
        }
    }
}
