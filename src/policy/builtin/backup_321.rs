//! `backup-3-2-1` (BACKUP-3-2-1): from level 3 under NĐ 331 (TCVN 14423 x.11), a server's
//! declared backup does not make three copies on two media with one off-site, counted from
//! its targets: the server's own data is the first copy (on disk), each target one more, each
//! with its declared `medium`; a target in another datacenter is off-site. A target whose
//! medium is not declared cannot be counted: `error`, never `pass`.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::{Builder, Inputs, server_level};
use crate::inventory::{Medium, NodeRef};
use crate::policy::Finding;
use crate::policy::Status;
use crate::policy::catalog::Control;

fn medium_name(m: Medium) -> &'static str {
    match m {
        Medium::Disk => "disk",
        Medium::Tape => "tape",
        Medium::Object => "object",
        Medium::Optical => "optical",
    }
}

pub(super) fn evaluate(cx: &Inputs, control: &Arc<Control>, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    let inv = cx.inv;
    for (i, s) in inv.servers.iter().enumerate() {
        let node = NodeRef::Server(i);
        let level = server_level(cx, i);
        if !control.applies_at(level) {
            out.push(b.below_level(node, level));
            continue;
        }
        let Some(bk) = &s.backup else {
            out.push(b.not_applicable(node, level, format!("{} declares no backup", s.id)));
            continue;
        };
        let here = inv.server_datacenter(i);
        let mut media: BTreeSet<Medium> = BTreeSet::from([Medium::Disk]);
        let mut unknown = Vec::new();
        let mut copies = vec![format!("{} (disk, {})", s.id, inv.datacenters[here].id)];
        let mut offsite = false;
        for t in &bk.targets {
            let target = &inv.servers[t.to];
            let dc = inv.server_datacenter(t.to);
            offsite |= dc != here;
            match t.medium {
                Some(m) => {
                    media.insert(m);
                }
                None => unknown.push(target.id.as_str()),
            }
            copies.push(format!(
                "{} ({}, {})",
                target.id,
                t.medium.map_or("medium not declared", medium_name),
                inv.datacenters[dc].id
            ));
        }
        let evidence = format!("copies: {}", copies.join("; "));
        let n = copies.len();
        let mut problems = Vec::new();
        if n < 3 {
            problems.push(format!("{n} copies, not 3"));
        }
        if !offsite {
            problems.push("no copy off-site".to_owned());
        }
        let f = if !problems.is_empty() || (unknown.is_empty() && media.len() < 2) {
            if unknown.is_empty() && media.len() < 2 {
                problems.push("one medium (disk), not 2".to_owned());
            }
            b.finding(
                node,
                level,
                Status::Fail,
                format!(
                    "{}'s backup breaks the 3-2-1 rule: {}",
                    s.id,
                    problems.join(", ")
                ),
                evidence,
                &bk.loc,
            )
        } else if !unknown.is_empty() {
            b.finding(
                node,
                level,
                Status::Error,
                format!(
                    "cannot decide: the medium of the copy on {} is not declared",
                    unknown.join(", ")
                ),
                evidence,
                &bk.loc,
            )
        } else {
            let names: Vec<&str> = media.iter().map(|&m| medium_name(m)).collect();
            b.finding(
                node,
                level,
                Status::Pass,
                format!(
                    "{} keeps {n} copies on {} with one off-site",
                    s.id,
                    names.join(" and ")
                ),
                evidence,
                &bk.loc,
            )
        };
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::super::InventoryBuiltin;
    use super::super::testing::{HEAD, date, inventory, inventory_findings, server, system};
    use crate::inventory::Regime;
    use crate::policy::Status;

    #[test]
    fn cases() {
        let targets = server("bk", "dr-lan", 2, "roles = [\"backup\"]")
            + &server("bk2", "lan", 3, "roles = [\"backup\"]");
        let with = |backup: &str| {
            format!(
                "{HEAD}{targets}{}{}",
                server("h1", "lan", 1, &format!("backup = {backup}")),
                system("s", 3, &["h1"], &[], "")
            )
        };
        let cases = [
            (
                with("{ schedule = \"daily\", targets = [{ to = \"bk\", medium = \"disk\" }, { to = \"bk2\", medium = \"tape\" }] }"),
                Status::Pass,
                "h1 keeps 3 copies on disk and tape with one off-site",
            ),
            (
                with("{ to = \"bk\", medium = \"disk\", schedule = \"daily\" }"),
                Status::Fail,
                "h1's backup breaks the 3-2-1 rule: 2 copies, not 3, one medium (disk), not 2",
            ),
            (
                with("{ schedule = \"daily\", targets = [{ to = \"bk2\", medium = \"disk\" }, { to = \"bk\" }] }"),
                Status::Error,
                "cannot decide: the medium of the copy on bk is not declared",
            ),
            (
                with("{ schedule = \"daily\", targets = [{ to = \"bk2\", medium = \"tape\" }, { to = \"bk2x\", medium = \"disk\" }] }")
                    .replace("bk2x", "bk")
                    .replace("[servers.bk]\nnetwork = \"dr-lan\"", "[servers.bk]\nnetwork = \"lan\"")
                    .replace("10.9.0.2", "10.0.0.2"),
                Status::Fail,
                "no copy off-site",
            ),
        ];
        for (text, expect, message) in &cases {
            let inv = inventory(text);
            let found = inventory_findings(
                InventoryBuiltin::Backup321,
                Regime::Nd331,
                &inv,
                date("2026-11-22"),
            );
            let f = found
                .iter()
                .find(|f| f.target == "server:h1")
                .expect("a finding on h1");
            assert_eq!(
                (f.status, f.message.contains(message)),
                (*expect, true),
                "{}",
                f.message
            );
        }
        // Not a requirement of NĐ 85 / TT 12 (centralised backup, BACKUP-CENTRAL).
        let inv = inventory(&cases[0].0);
        assert!(
            inventory_findings(
                InventoryBuiltin::Backup321,
                Regime::Nd85,
                &inv,
                date("2026-11-22")
            )
            .is_empty()
        );
    }
}
