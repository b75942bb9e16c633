//! `fourlayer-onsite`, `fourlayer-monitoring`, `fourlayer-assessment`, `fourlayer-national`
//! (FOURLAYER-*): a layer of the 4-layer protection model that the inventory does not attest (an
//! assessment older than allowed counts as missing).

use super::InventoryBuiltin;
use crate::inventory::{Level, Regime};
use std::sync::Arc;

use super::{Builder, DossierScope, Inputs};
use crate::inventory::NodeRef;
use crate::policy::Finding;
use crate::policy::Status;
use crate::policy::catalog::Control;

/// Longest age allowed for the last independent assessment, in months.
pub fn assessment_max_months(regime: Regime, level: Level) -> i32 {
    match (regime, level.get()) {
        (Regime::Nd85, 1..=2) => 24,
        (Regime::Nd85, 3..=4) => 12,
        (Regime::Nd85, _) => 6,
        (Regime::Nd331, 1..=2) => 12,
        (Regime::Nd331, 3..=4) => 6,
        (Regime::Nd331, _) => 3,
    }
}

pub(super) fn evaluate(
    layer: InventoryBuiltin,
    cx: &Inputs,
    control: &Arc<Control>,
    out: &mut Vec<Finding>,
) {
    let b = Builder::new(cx, control);
    for (i, s) in cx.inv.systems.iter().enumerate() {
        let node = NodeRef::System(i);
        let level = cx.graph.system_level(cx.inv, i);
        let p = cx.inv.system_protection(i);
        let own = &s.protection;
        let whose = |own_set: bool| {
            if own_set {
                "the system"
            } else {
                "the organization"
            }
        };
        // Layers 1 and 2 are attested by naming who provides them.
        let named =
            |value: &Option<String>, own_set: bool, key: &str, ok: String, missing: String| {
                match value {
                    Some(t) if !t.trim().is_empty() => (
                        true,
                        ok,
                        format!("{key} = \"{t}\" (from {})", whose(own_set)),
                        s.loc.clone(),
                    ),
                    _ => (
                        false,
                        missing,
                        format!("protection.{key} is not set"),
                        s.loc.clone(),
                    ),
                }
            };
        let (ok, message, evidence, loc) = match layer {
            InventoryBuiltin::FourlayerOnsite => named(
                &p.onsite_team,
                own.onsite_team.is_some(),
                "onsite_team",
                format!("{} has an on-site security team", s.id),
                format!("no on-site security team is named for {}", s.id),
            ),
            InventoryBuiltin::FourlayerMonitoring => named(
                &p.monitoring_provider,
                own.monitoring_provider.is_some(),
                "monitoring_provider",
                format!("{} is monitored by a professional provider", s.id),
                format!("no professional monitoring provider is named for {}", s.id),
            ),
            InventoryBuiltin::FourlayerNational => match p.national_monitoring {
                Some(true) => (
                    true,
                    format!("{} is connected to the national monitoring system", s.id),
                    format!(
                        "national_monitoring = true (from {})",
                        whose(own.national_monitoring.is_some())
                    ),
                    s.loc.clone(),
                ),
                Some(false) => (
                    false,
                    format!(
                        "{} is not connected to the national monitoring system",
                        s.id
                    ),
                    format!(
                        "national_monitoring = false (from {})",
                        whose(own.national_monitoring.is_some())
                    ),
                    s.loc.clone(),
                ),
                None => (
                    false,
                    format!(
                        "no connection to the national monitoring system is attested for {}",
                        s.id
                    ),
                    "protection.national_monitoring is not set".into(),
                    s.loc.clone(),
                ),
            },
            _ => {
                let max = assessment_max_months(cx.regime, level);
                let loc = p
                    .locs
                    .last_assessment
                    .clone()
                    .unwrap_or_else(|| s.loc.clone());
                match p.last_assessment {
                    None => (
                        false,
                        format!("no independent assessment of {} is recorded", s.id),
                        "protection.last_assessment is not set".into(),
                        loc,
                    ),
                    Some(date) => {
                        let limit = cx
                            .today
                            .checked_sub(jiff::Span::new().months(max))
                            .unwrap_or(cx.today);
                        let evidence = format!(
                            "last_assessment = {date} (from {}); at level {level} the assessment may be at most {max} months old, so on {} it must be on or after {limit}",
                            whose(own.last_assessment.is_some()),
                            cx.today
                        );
                        if date > cx.today {
                            (
                                false,
                                format!(
                                    "the last assessment date of {} ({date}) is in the future",
                                    s.id
                                ),
                                evidence,
                                loc,
                            )
                        } else if date < limit {
                            (
                                false,
                                format!(
                                    "the last independent assessment of {} ({date}) is older than {max} months",
                                    s.id
                                ),
                                evidence,
                                loc,
                            )
                        } else {
                            (
                                true,
                                format!("{} was assessed independently on {date}", s.id),
                                evidence,
                                loc,
                            )
                        }
                    }
                }
            }
        };
        let status = if ok { Status::Pass } else { Status::Fail };
        out.push(b.finding(node, Some(level), status, message, evidence, &loc));
    }
}

/// How the inventory attests the layer, in the dossier's words.
pub(super) fn implementation(layer: InventoryBuiltin, d: &DossierScope) -> Option<String> {
    let p = d.inv.system_protection(d.system);
    let attested = |v: &Option<String>| {
        v.as_deref()
            .filter(|v| !v.trim().is_empty())
            .map(str::to_owned)
    };
    let text = match layer {
        InventoryBuiltin::FourlayerOnsite => {
            format!("Lực lượng tại chỗ: {}", attested(&p.onsite_team)?)
        }
        InventoryBuiltin::FourlayerMonitoring => {
            format!(
                "Giám sát, bảo vệ chuyên nghiệp: {}",
                attested(&p.monitoring_provider)?
            )
        }
        InventoryBuiltin::FourlayerAssessment => {
            let date = p.last_assessment?;
            match attested(&p.assessor) {
                Some(by) => format!("Kiểm tra, đánh giá độc lập ngày {}: {by}", (d.date)(date)),
                None => format!("Kiểm tra, đánh giá độc lập ngày {}", (d.date)(date)),
            }
        }
        InventoryBuiltin::FourlayerNational => match p.national_monitoring? {
            true => "Đã kết nối, chia sẻ thông tin với Trung tâm giám sát quốc gia".into(),
            false => "Chưa kết nối với Trung tâm giám sát quốc gia".into(),
        },
        _ => return None,
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::super::InventoryBuiltin;
    use super::super::testing::{Case, date, inventory_table, server, system};
    use crate::policy::Status;

    #[test]
    fn onsite() {
        let named = server("h1", "lan", 1, "")
            + &system(
                "s",
                3,
                &["h1"],
                &[],
                "[systems.s.protection]\nonsite_team = \"Phòng ATTT\"",
            );
        let unnamed = server("h1", "lan", 1, "") + &system("s", 3, &["h1"], &[], "");
        let cases = [
            Case {
                name: "an on-site team is named",
                inventory: &named,
                target: "system:s",
                expect: Status::Pass,
                message: "s has an on-site security team",
            },
            Case {
                name: "no on-site team",
                inventory: &unnamed,
                target: "system:s",
                expect: Status::Fail,
                message: "no on-site security team is named for s",
            },
        ];
        inventory_table(
            InventoryBuiltin::FourlayerOnsite,
            date("2026-11-22"),
            &cases,
        );
    }

    #[test]
    fn monitoring() {
        let named = server("h1", "lan", 1, "")
            + &system(
                "s",
                3,
                &["h1"],
                &[],
                "[systems.s.protection]\nmonitoring_provider = \"SOC\"",
            );
        let unnamed = server("h1", "lan", 1, "") + &system("s", 3, &["h1"], &[], "");
        let cases = [
            Case {
                name: "a monitoring provider is named",
                inventory: &named,
                target: "system:s",
                expect: Status::Pass,
                message: "s is monitored by a professional provider",
            },
            Case {
                name: "no monitoring provider",
                inventory: &unnamed,
                target: "system:s",
                expect: Status::Fail,
                message: "no professional monitoring provider is named for s",
            },
        ];
        inventory_table(
            InventoryBuiltin::FourlayerMonitoring,
            date("2026-11-22"),
            &cases,
        );
    }

    #[test]
    fn assessment() {
        let at = |d: &str| {
            server("h1", "lan", 1, "")
                + &system(
                    "s",
                    3,
                    &["h1"],
                    &[],
                    &format!("[systems.s.protection]\nlast_assessment = {d}"),
                )
        };
        let recent = at("2026-10-01");
        let old = at("2024-01-01");
        let future = at("2027-01-01");
        let never = server("h1", "lan", 1, "") + &system("s", 3, &["h1"], &[], "");
        let cases = [
            Case {
                name: "assessed last month",
                inventory: &recent,
                target: "system:s",
                expect: Status::Pass,
                message: "s was assessed independently on 2026-10-01",
            },
            Case {
                name: "assessed almost three years ago",
                inventory: &old,
                target: "system:s",
                expect: Status::Fail,
                message: "the last independent assessment of s (2024-01-01) is older than",
            },
            Case {
                name: "an assessment date in the future",
                inventory: &future,
                target: "system:s",
                expect: Status::Fail,
                message: "the last assessment date of s (2027-01-01) is in the future",
            },
            Case {
                name: "never assessed",
                inventory: &never,
                target: "system:s",
                expect: Status::Fail,
                message: "no independent assessment of s is recorded",
            },
        ];
        inventory_table(
            InventoryBuiltin::FourlayerAssessment,
            date("2026-11-22"),
            &cases,
        );
    }

    #[test]
    fn national() {
        let connected = server("h1", "lan", 1, "")
            + &system(
                "s",
                3,
                &["h1"],
                &[],
                "[systems.s.protection]\nnational_monitoring = true",
            );
        let not_connected = server("h1", "lan", 1, "")
            + &system(
                "s",
                3,
                &["h1"],
                &[],
                "[systems.s.protection]\nnational_monitoring = false",
            );
        let unsaid = server("h1", "lan", 1, "") + &system("s", 3, &["h1"], &[], "");
        let cases = [
            Case {
                name: "connected to the national monitoring system",
                inventory: &connected,
                target: "system:s",
                expect: Status::Pass,
                message: "s is connected to the national monitoring system",
            },
            Case {
                name: "not connected",
                inventory: &not_connected,
                target: "system:s",
                expect: Status::Fail,
                message: "s is not connected to the national monitoring system",
            },
            Case {
                name: "not attested",
                inventory: &unsaid,
                target: "system:s",
                expect: Status::Fail,
                message: "no connection to the national monitoring system is attested for s",
            },
        ];
        inventory_table(
            InventoryBuiltin::FourlayerNational,
            date("2026-11-22"),
            &cases,
        );
    }
}
