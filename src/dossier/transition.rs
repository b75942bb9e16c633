//! The transition debt of a system (nợ chuyển đổi): what it lacks under the current regime
//! (Luật 116/2025 + NĐ 331/2026 + TCVN 14423:2026) while it is filed under, or was approved
//! under, the legacy one.
//!
//! Between 01/7/2026 and 01/7/2027 a system classified under the old law keeps its level but
//! must meet the new law's conditions and measures by 01/7/2027 (Luật 116/2025 Đ45.1; NĐ
//! 331/2026 Đ39.1; regulations.md §1). During that window `dossier` and `annual-report` accept
//! `--regime both`, as `check` does: the document is written under the inventory's regime and
//! adds, per system, the requirements of the current regime at the level it requires there
//! that are new or not met. Outside the window `both` is refused: a document is filed under one
//! regime.

use anyhow::bail;
use jiff::civil::Date;
use serde::Serialize;

use super::plan::{plan_rows, proposed_level, requirements};
use super::report::{ReportInput, Standing};
use super::{Input, vi};
use crate::graph::Graph;
use crate::inventory::Regime;
use crate::report::SystemTargets as Targets;

/// The first day of the transition (Luật 116/2025 in force, Đ44.1).
pub const START: Date = Date::constant(2026, 7, 1);
/// The deadline: from this day the current regime alone applies (Luật 116/2025 Đ45.1).
pub const END: Date = Date::constant(2027, 7, 1);

/// Refuse `--regime both` for a document dated `today` outside the transition.
pub fn check_window(today: Date) -> anyhow::Result<()> {
    if today < START || today >= END {
        bail!(
            "`--regime both` writes the transition debt, which exists only from {} to {} (Luật 116/2025 Đ45.1; NĐ 331/2026 Đ39.1); this document is dated {}: choose `--regime nd85` or `--regime nd331`",
            vi::date(START),
            vi::date(END.yesterday().unwrap_or(END)),
            vi::date(today)
        )
    }
    Ok(())
}

/// What `--regime both` adds to a document: the current regime's findings, when the report
/// given was judged under it.
pub struct Transition<'a> {
    pub report: Option<&'a ReportInput>,
}

/// The transition debt of one system.
#[derive(Debug, Serialize)]
pub struct Debt {
    pub legacy_level: u8,
    pub current_level: u8,
    /// Said when the current regime requires a higher level.
    pub level_note: String,
    pub rows: Vec<DebtRow>,
    /// Where the statuses come from.
    pub source: String,
    pub deadline: String,
}

#[derive(Debug, Serialize)]
pub struct DebtRow {
    pub stt: usize,
    pub id: String,
    pub title: String,
    pub basis: String,
    /// Why it is owed: new under NĐ 331/2026, or failing there while the legacy check passes.
    pub why: String,
    pub status: &'static str,
}

impl Debt {
    /// One line for the annual report's column.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if self.current_level > self.legacy_level {
            parts.push(format!(
                "cấp độ {} theo NĐ 331/2026 (NĐ 85/2016: {})",
                self.current_level, self.legacy_level
            ));
        }
        parts.push(if self.rows.is_empty() {
            "không có yêu cầu mới hoặc không đạt".to_owned()
        } else {
            format!(
                "{} yêu cầu mới hoặc không đạt: {}",
                self.rows.len(),
                self.rows
                    .iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
        format!("{}; hạn {}", parts.join("; "), self.deadline)
    }
}

/// The debt of `system`: every requirement of NĐ 331/2026 at the level the system requires
/// there that is new (no requirement of the same id at its legacy level) or, with a report
/// judged under NĐ 331/2026, failing there. A requirement met or not applicable is no debt; one
/// of both regimes that the report could not decide is counted, not listed; without such a
/// report only the new requirements are listed (nothing else is known to be owed).
pub fn debt(input: &Input, t: &Transition, system: usize) -> Debt {
    debt_in(input, t, system, &Graphs::build(input))
}

/// The inventory's graph under each regime, built once for every system's debt.
pub struct Graphs {
    legacy: Graph,
    current: Graph,
}

impl Graphs {
    pub fn build(input: &Input) -> Graphs {
        Graphs {
            legacy: Graph::build(input.inv, Regime::Nd85),
            current: Graph::build(input.inv, Regime::Nd331),
        }
    }
}

/// [`debt`] with the graphs already built.
pub fn debt_in(input: &Input, t: &Transition, system: usize, graphs: &Graphs) -> Debt {
    let inv = input.inv;
    let (legacy_graph, current_graph) = (&graphs.legacy, &graphs.current);
    let legacy_level = proposed_level(inv, legacy_graph, system);
    let current_level = proposed_level(inv, current_graph, system);
    let legacy: std::collections::BTreeSet<&str> =
        requirements(input.catalog, Regime::Nd85, legacy_level)
            .map(|c| c.id.as_str())
            .collect();
    let current = Input {
        catalog: input.catalog,
        inv,
        regime: Regime::Nd331,
        today: input.today,
        report: t.report,
        transition: None,
    };
    let targets = Targets::of(inv, system);
    let rows = plan_rows(&current, current_graph, system, current_level, &targets);
    let debt_marked = |id: &str| {
        t.report.is_some_and(|r| {
            r.findings
                .iter()
                .any(|f| &*f.control == id && f.transition_debt && targets.ids.contains(&f.target))
        })
    };
    let mut out = Vec::new();
    let mut unchecked = 0;
    for r in rows {
        let new = !legacy.contains(r.id.as_str());
        let standing = r.met.unwrap_or(Standing::Manual);
        // A requirement of both regimes is owed when the report shows it failing under NĐ
        // 331/2026; one it could not decide is counted, not listed as owed.
        let failing = matches!(standing, Standing::NotMet | Standing::Partly);
        if !new && t.report.is_some() && standing == Standing::Manual {
            unchecked += 1;
        }
        let done = matches!(standing, Standing::Met | Standing::NotApplicable);
        if done || !(new || failing) {
            continue;
        }
        let why = if new {
            format!(
                "Yêu cầu mới theo NĐ 331/2026 (không có ở cấp độ {legacy_level} theo NĐ 85/2016)"
            )
        } else if debt_marked(&r.id) {
            "Đạt theo NĐ 85/2016, không đạt theo NĐ 331/2026".to_owned()
        } else {
            "Chưa đáp ứng theo NĐ 331/2026".to_owned()
        };
        out.push(DebtRow {
            stt: out.len() + 1,
            id: r.id,
            title: r.title,
            basis: r.basis,
            why,
            status: r.status,
        });
    }
    Debt {
        legacy_level: legacy_level.get(),
        current_level: current_level.get(),
        level_note: if current_level > legacy_level {
            format!(
                "Theo tiêu chí của NĐ 331/2026, hệ thống cần cấp độ {current_level} (theo NĐ 85/2016: cấp độ {legacy_level}); các yêu cầu dưới đây là của cấp độ {current_level}."
            )
        } else {
            String::new()
        },
        rows: out,
        source: match t.report {
            Some(r) => format!(
                "Trạng thái theo NĐ 331/2026 lấy từ báo cáo kiểm tra capdo \"{}\". Liệt kê các yêu cầu mới của NĐ 331/2026 và các yêu cầu chung không đạt theo NĐ 331/2026; {unchecked} yêu cầu chung chưa kiểm tra được hoặc cần xác nhận thủ công (không liệt kê) cần được đánh giá lại theo ngưỡng mới.",
                r.path
            ),
            None => "Chưa có báo cáo kiểm tra theo cả hai chế độ (capdo --regime both check --format json): chỉ liệt kê các yêu cầu mới của NĐ 331/2026; các yêu cầu chung của hai chế độ cần được kiểm tra lại theo ngưỡng mới.".into(),
        },
        deadline: vi::date(END),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_regimes_are_accepted_only_during_the_transition() {
        assert!(check_window(Date::constant(2026, 7, 1)).is_ok());
        assert!(check_window(Date::constant(2027, 6, 30)).is_ok());
        let before = check_window(Date::constant(2026, 6, 30)).expect_err("before");
        assert!(format!("{before}").contains("from 01/07/2026 to 30/06/2027"));
        assert!(check_window(Date::constant(2027, 7, 1)).is_err());
    }
}
