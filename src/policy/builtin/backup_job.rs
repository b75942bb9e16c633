//! `backup-job` (BACKUP-JOB): no scheduled job (cron or systemd timer) that looks like a backup
//! on a host whose inventory declares one.

use super::{DossierScope, Verdict, fail, need, not_applicable, pass};
use crate::collect::host::HostFacts;
use crate::inventory::Inventory;

/// Tools whose presence in a scheduled command marks it as a backup job.
const BACKUP_TOOLS: &[&str] = &[
    "backup",
    "rsync",
    "borg",
    "restic",
    "pg_dump",
    "pg_basebackup",
    "mysqldump",
    "mariabackup",
    "xtrabackup",
    "rman",
    "tar ",
    "duplicity",
    "rsnapshot",
    "bacula",
    "bareos",
    "veeam",
    "rclone",
];

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let s = &inv.servers[server];
    let Some(backup) = &s.backup else {
        return Err(not_applicable(format!("{} declares no backup", s.id)));
    };
    let jobs = need(&f.jobs, "the scheduled jobs")?;
    let target = &inv.servers[backup.to];
    let mut markers: Vec<String> = BACKUP_TOOLS.iter().map(|t| t.to_string()).collect();
    markers.push(target.id.clone());
    markers.extend(target.addresses.iter().map(|a| a.to_string()));
    if let Some(p) = &backup.path {
        markers.push(p.clone());
    }
    let found: Vec<String> = jobs
        .iter()
        .filter(|j| {
            let c = j.command.to_ascii_lowercase();
            markers.iter().any(|m| c.contains(&m.to_ascii_lowercase()))
        })
        .map(|j| format!("{} [{}] {}", j.source, j.schedule, j.command))
        .collect();
    let evidence = if found.is_empty() {
        format!(
            "{} scheduled job(s), none names a backup tool, {} or the backup path",
            jobs.len(),
            target.id
        )
    } else {
        format!("backup job(s): {}", found.join("; "))
    };
    Ok(if found.is_empty() {
        fail(format!("{} has no scheduled backup job", s.id), evidence)
    } else {
        pass(format!("{} has a scheduled backup job", s.id), evidence)
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
        let backed = format!(
            "{}\n[servers.bk]\nnetwork = \"dr-lan\"\naddress = [\"10.9.0.5\"]\nroles = [\"backup\"]\n",
            h1("backup = { to = \"bk\", schedule = \"daily\", path = \"/var/backups\" }")
        );
        let plain = h1("");
        let with_job = with_section(
            DEBIAN12,
            "file /etc/cron.d/e2scrub_all",
            "15 1 * * * root rsync -a /srv/ bk:/backups/h1/",
            0,
        );
        let no_crontabs = [
            "file /etc/crontab",
            "file /etc/cron.d/e2scrub_all",
            "cron-dirs",
        ]
        .iter()
        .fold(DEBIAN12.to_owned(), |raw, s| with_section(&raw, s, "", 0));
        let unreadable = with_section(&no_crontabs, "cron-spool", "Permission denied", 1);
        let cases = [
            HostCase {
                name: "an rsync job to the backup server",
                inventory: &backed,
                server: "h1",
                host: Host::Output(with_job.clone()),
                expect: Status::Pass,
                message: "h1 has a scheduled backup job",
            },
            HostCase {
                name: "the capture schedules no backup",
                inventory: &backed,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Fail,
                message: "h1 has no scheduled backup job",
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
                name: "the crontabs could not be read and none was found elsewhere",
                inventory: &backed,
                server: "h1",
                host: Host::Output(unreadable.clone()),
                expect: Status::Error,
                message: "the scheduled jobs could not be read",
            },
        ];
        host_table(HostBuiltin::BackupJob, &cases);
    }
}
