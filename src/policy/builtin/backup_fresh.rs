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
