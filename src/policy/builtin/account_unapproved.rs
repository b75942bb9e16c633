//! `account-unapproved` (ACCOUNT-UNAPPROVED): an account of /etc/passwd that can log in, or a
//! non-system account, is not on the server's approved account list.
//!
//! The approved list is the inventory's (`[defaults] accounts` plus the server's own
//! `accounts`); without one the control cannot decide and says so (`error`), never `pass`.
//! A locked password does not make an account harmless (an SSH key still logs it in), so the
//! lock state is not read: what counts is the shell and the uid.

use super::{DossierScope, Verdict, fail, need, pass};
use crate::collect::host::HostFacts;
use crate::collect::parse::accounts::can_log_in;
use crate::inventory::Inventory;
use crate::policy::Status;

/// The uids of accounts made for people (Debian and RHEL `UID_MIN`..`UID_MAX` defaults of
/// /etc/login.defs; 65534 `nobody` is above).
const NON_SYSTEM_UIDS: std::ops::RangeInclusive<u32> = 1000..=60000;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let s = &inv.servers[server];
    let accounts = need(&f.accounts, "/etc/passwd")?;
    let Some(approved) = &s.accounts else {
        return Err(Verdict {
            status: Status::Error,
            message: format!(
                "cannot decide: no approved account list for {} (`accounts` on the server or in `[defaults]`)",
                s.id
            ),
            evidence: String::new(),
            severity: None,
        });
    };
    let mut unapproved = Vec::new();
    let mut judged = Vec::new();
    for a in accounts {
        let login = can_log_in(a);
        let person = NON_SYSTEM_UIDS.contains(&a.uid);
        if !login && !person {
            continue;
        }
        judged.push(a.name.as_str());
        if approved.names.contains(&a.name) {
            continue;
        }
        let why = if a.shell.is_empty() {
            "empty shell, so /bin/sh".to_owned()
        } else if login {
            format!("login shell {}", a.shell)
        } else {
            format!("non-system account with the disabled shell {}", a.shell)
        };
        unapproved.push(format!("{} (uid {}, {why})", a.name, a.uid));
    }
    let from = match (approved.from_defaults, approved.from_server) {
        (true, true) => "[defaults] and the server",
        (true, false) => "[defaults]",
        _ => "the server",
    };
    let names: Vec<&str> = approved.names.iter().map(String::as_str).collect();
    let evidence = format!(
        "approved (from {from}): {}; login or non-system accounts on the host: {}",
        names.join(", "),
        judged.join(", ")
    );
    Ok(if unapproved.is_empty() {
        pass(
            format!(
                "every account of {} that can log in, and every non-system account, is approved",
                s.id
            ),
            evidence,
        )
    } else {
        fail(
            format!(
                "{} has accounts not on its approved list: {}",
                s.id,
                unapproved.join("; ")
            ),
            evidence,
        )
    })
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    let names: std::collections::BTreeSet<&str> = d
        .servers
        .iter()
        .filter_map(|&s| d.inv.servers[s].accounts.as_ref())
        .flat_map(|a| a.names.iter().map(String::as_str))
        .collect();
    if names.is_empty() {
        return None;
    }
    let names: Vec<&str> = names.into_iter().collect();
    Some(format!(
        "Danh sách tài khoản được phê duyệt: {}",
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::super::HostBuiltin;
    use super::super::testing::{DEBIAN12, Host, HostCase, h1, host_table, plus_section};
    use crate::policy::Status;

    const PASSWD: &str = include_str!("../../../tests/fixtures/collect/accounts/passwd-cut.txt");

    #[test]
    fn cases() {
        let host = || Host::Output(plus_section(DEBIAN12, "passwd", PASSWD.trim_end(), 0));
        let all = "accounts = [\"root\", \"toor\", \"admin\", \"oldops\", \"leaver\", \"svc-app\", \"deploy\", \"noshell\"]";
        let approved = h1(all);
        let missing = h1(&all
            .replace(", \"svc-app\"", "")
            .replace(", \"noshell\"", ""));
        let defaults = format!(
            "[defaults]\naccounts = [\"root\", \"toor\", \"admin\", \"oldops\"]\n{}",
            h1("accounts = [\"leaver\", \"svc-app\", \"deploy\", \"noshell\"]")
        );
        let none = h1("");
        let cases = [
            HostCase {
                name: "every login or non-system account approved",
                inventory: &approved,
                server: "h1",
                host: host(),
                expect: Status::Pass,
                message: "every account of h1 that can log in, and every non-system account, is approved",
            },
            HostCase {
                name: "the list is the defaults' and the server's",
                inventory: &defaults,
                server: "h1",
                host: host(),
                expect: Status::Pass,
                message: "is approved",
            },
            HostCase {
                name: "a non-system account with nologin and one with an empty shell",
                inventory: &missing,
                server: "h1",
                host: host(),
                expect: Status::Fail,
                message: "h1 has accounts not on its approved list: svc-app (uid 1003, non-system account with the disabled shell /usr/sbin/nologin); noshell (uid 1005, empty shell, so /bin/sh)",
            },
            HostCase {
                name: "no approved list declared",
                inventory: &none,
                server: "h1",
                host: host(),
                expect: Status::Error,
                message: "cannot decide: no approved account list for h1",
            },
        ];
        host_table(HostBuiltin::AccountUnapproved, &cases);
    }
}
