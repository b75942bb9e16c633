//! `backup-fresh` (BACKUP-FRESH): the newest file in the declared backup path is older than the
//! schedule allows.

use super::{DossierScope, Verdict, fail, need, not_applicable, pass};
use crate::collect::host::HostFacts;
use crate::inventory::Inventory;
use crate::inventory::Schedule;
use crate::policy::Status;

/// Largest age of the newest backup file, in hours, for a schedule.
pub fn allowed_age_hours(schedule: Schedule) -> f64 {
    match schedule {
        Schedule::Hourly => 2.0,
        Schedule::Daily => 26.0,
        Schedule::Weekly => 8.0 * 24.0,
        Schedule::Monthly => 32.0 * 24.0,
    }
}

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let s = &inv.servers[server];
    let Some(backup) = &s.backup else {
        return Err(not_applicable(format!("{} declares no backup", s.id)));
    };
    let Some(path) = &backup.path else {
        return Err(not_applicable(format!(
            "{}'s backup declares no `path` to look at",
            s.id
        )));
    };
    let age = f.backup_age_hours.get(path).ok_or_else(|| Verdict {
        status: Status::Error,
        message: format!("the backup path {path} was not examined"),
        evidence: String::new(),
        severity: None,
    })?;
    let age = need(age, &format!("the backup folder {path}"))?;
    let allowed = allowed_age_hours(backup.schedule);
    Ok(match age {
        None => fail(
            format!("{} has no backup file in {path}", s.id),
            format!(
                "{path} is empty; schedule {} allows {allowed} h",
                backup.schedule.as_str()
            ),
        ),
        Some(h) => {
            let evidence = format!(
                "backup.newest_file_age_hours = {:.1} in {path}; schedule {} allows {allowed} h",
                h,
                backup.schedule.as_str()
            );
            if *h <= allowed {
                pass(
                    format!("{}'s newest backup is {:.1} h old", s.id, h),
                    evidence,
                )
            } else {
                fail(
                    format!(
                        "{}'s newest backup is {:.1} h old, more than {allowed} h",
                        s.id, h
                    ),
                    evidence,
                )
            }
        }
    })
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    super::backups_wording(d)
}

#[cfg(test)]
mod tests {
    use super::super::HostBuiltin;
    use super::super::testing::{DEBIAN12, Host, HostCase, h1, host_table, with_section};
    use crate::policy::Status;

    #[test]
    fn cases() {
        let bk = "\n[servers.bk]\nnetwork = \"dr-lan\"\naddress = [\"10.9.0.5\"]\nroles = [\"backup\"]\n";
        let backed = format!(
            "{}{bk}",
            h1("backup = { to = \"bk\", schedule = \"daily\", path = \"/var/backups\" }")
        );
        let no_path = format!(
            "{}{bk}",
            h1("backup = { to = \"bk\", schedule = \"daily\" }")
        );
        let plain = h1("");
        // The capture's clock is 1795365896: a file two hours older, and one three days older.
        let fresh = with_section(DEBIAN12, "backup-newest /var/backups", "1795358696", 0);
        let stale = with_section(DEBIAN12, "backup-newest /var/backups", "1795106696", 0);
        let unreadable = with_section(
            DEBIAN12,
            "backup-newest /var/backups",
            "Permission denied",
            1,
        );
        let cases = [
            HostCase {
                name: "the newest backup is 2 h old (daily)",
                inventory: &backed,
                server: "h1",
                host: Host::Output(fresh.clone()),
                expect: Status::Pass,
                message: "h1's newest backup is 2.0 h old",
            },
            HostCase {
                name: "the newest backup is 72 h old (daily)",
                inventory: &backed,
                server: "h1",
                host: Host::Output(stale.clone()),
                expect: Status::Fail,
                message: "h1's newest backup is 72.0 h old, more than 26 h",
            },
            HostCase {
                name: "the backup folder is empty (the capture)",
                inventory: &backed,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Fail,
                message: "h1 has no backup file in /var/backups",
            },
            HostCase {
                name: "no backup declared",
                inventory: &plain,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::NotApplicable,
                message: "h1 declares no backup",
            },
            HostCase {
                name: "no backup path to look at",
                inventory: &no_path,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::NotApplicable,
                message: "h1's backup declares no `path` to look at",
            },
            HostCase {
                name: "the backup folder could not be read",
                inventory: &backed,
                server: "h1",
                host: Host::Output(unreadable.clone()),
                expect: Status::Error,
                message: "the backup folder /var/backups could not be read",
            },
        ];
        host_table(HostBuiltin::BackupFresh, &cases);
    }
}
