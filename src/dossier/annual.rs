//! The annual report (báo cáo định kỳ; NĐ 331/2026 Đ35–Đ36, Mẫu 08; TT 12/2022 Đ13–Đ14 in the
//! legacy regime): the counts and the 12-column per-system table (regulations.md §4.4, §6.4).

use jiff::civil::Date;
use serde::Serialize;

use super::build::Targets;
use super::report::Standing;
use super::{Input, vi};
use crate::graph::Graph;
use crate::inventory::{ApprovalStatus, Regime};

/// Output format of the annual report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AnnualFormat {
    Md,
    Html,
    Csv,
    /// A Word file in the NĐ 30/2020 administrative format (Mẫu 08's table landscape).
    Docx,
}

/// The 12 columns of Mẫu 08, in order (the CSV header).
pub const COLUMNS: [&str; 12] = [
    "STT",
    "Tên hệ thống thông tin",
    "Chủ quản hệ thống thông tin",
    "Đơn vị vận hành",
    "Cấp độ đề xuất",
    "Tình trạng phê duyệt",
    "Quyết định phê duyệt (số, ngày, cơ quan ban hành)",
    "Quy chế bảo đảm an ninh mạng (số, ngày)",
    "Thời gian dự kiến phê duyệt",
    "Đã triển khai đầy đủ phương án",
    "Thời gian dự kiến triển khai đầy đủ",
    "Đã kiểm tra, đánh giá an ninh mạng",
];

/// The column `--regime both` adds after the 12 of the form.
pub const DEBT_COLUMN: &str = "Nợ chuyển đổi sang NĐ 331/2026 (hạn 01/07/2027)";

#[derive(Debug, Serialize)]
pub(super) struct Annual {
    pub(super) title: String,
    pub(super) basis: &'static str,
    pub(super) recipient: &'static str,
    pub(super) year: i16,
    pub(super) period: String,
    pub(super) date: String,
    pub(super) org: Org,
    pub(super) counts: Vec<Count>,
    pub(super) levels: Vec<Count>,
    /// The column names, numbered (1)–(12) as on the form.
    pub(super) columns: Vec<String>,
    pub(super) rows: Vec<Row>,
    pub(super) source: String,
    /// Under `--regime both`: each system's transition debt (null otherwise).
    pub(super) transition: Option<Vec<DebtLine>>,
}

/// One system's transition debt, in one line.
#[derive(Debug, Serialize)]
pub(super) struct DebtLine {
    pub(super) stt: usize,
    pub(super) name: String,
    pub(super) debt: String,
}

#[derive(Debug, Serialize)]
pub(super) struct Org {
    pub(super) name: String,
    pub(super) owner: String,
    pub(super) security_unit: String,
    pub(super) operator: String,
    pub(super) address: String,
    pub(super) contacts: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct Count {
    pub(super) label: String,
    pub(super) n: usize,
}

/// One system's row; `cells` are the 12 columns as text (blanks dotted), `level_note` adds the
/// required level in the Markdown and HTML table when it differs from the proposed one; `debt`
/// is the transition debt under `--regime both` (a 13th CSV column).
#[derive(Debug, Serialize)]
pub(super) struct Row {
    pub(super) cells: Vec<String>,
    pub(super) level_note: String,
    #[serde(skip)]
    pub(super) debt: Option<String>,
}

/// The reporting period that ends in the year of `today`: 15/12 of the year before to 14/12.
fn period(today: Date) -> (Date, Date) {
    let y = today.year();
    (Date::constant(y - 1, 12, 15), Date::constant(y, 12, 14))
}

fn assessed_in(from: Date, to: Date, d: Option<Date>) -> bool {
    d.is_some_and(|d| d >= from && d <= to)
}

/// Column 10 from the statuses of the system's requirements (needs a report), in the words of
/// Mẫu 08's note: "Đã triển khai đầy đủ" only when every requirement is met or does not apply:
/// every automatic check passed and nothing is left to a human attestation (a requirement still
/// to be attested is not implemented as far as the report can tell). Some met → "Đã triển khai
/// một số hạng mục"; none met and some failing → "Chưa triển khai"; nothing decided at all →
/// "Chưa xác định" (an unchecked requirement is neither done nor missing).
fn implemented(rows: &[super::plan::Row]) -> String {
    let mets: Vec<Standing> = rows.iter().filter_map(|r| r.met).collect();
    if mets.is_empty() {
        return vi::BLANK.into();
    }
    let count = |s: Standing| mets.iter().filter(|m| **m == s).count();
    let met = count(Standing::Met);
    let partly = count(Standing::Partly);
    let failing = count(Standing::NotMet) + partly;
    let manual = count(Standing::Manual);
    let mut open = Vec::new();
    if failing > 0 {
        open.push(format!("{failing} yêu cầu chưa đáp ứng đầy đủ"));
    }
    if manual > 0 {
        open.push(format!("{manual} yêu cầu cần xác nhận thủ công"));
    }
    let open = open.join(", ");
    if failing + manual == 0 {
        "Đã triển khai đầy đủ".into()
    } else if met + partly > 0 {
        format!("Đã triển khai một số hạng mục ({open})")
    } else if failing > 0 {
        format!("Chưa triển khai ({open})")
    } else {
        format!("Chưa xác định ({open})")
    }
}

/// Column 12 from the system's own assessment date (`protection.last_assessment` on the
/// system): the organisation's date is an assessment of the organisation, not of each system,
/// and is never passed off as one.
fn assessed(from: Date, to: Date, own: Option<Date>, org: Option<Date>) -> String {
    match own {
        Some(d) if assessed_in(from, to, Some(d)) => format!("Định kỳ ({})", vi::date(d)),
        Some(d) => format!("Chưa trong kỳ (lần gần nhất {})", vi::date(d)),
        None => match org {
            Some(o) => format!(
                "Chưa có (không khai báo ngày đánh giá riêng của hệ thống; đánh giá chung của tổ chức: {})",
                vi::date(o)
            ),
            None => "Chưa có (không khai báo ngày kiểm tra, đánh giá)".into(),
        },
    }
}

/// Column 8: the decision issuing the system's security regulation, or a blank.
fn regulation(r: Option<&crate::inventory::Regulation>) -> String {
    let Some(r) = r else {
        return vi::BLANK.into();
    };
    let mut t = r
        .decision
        .as_deref()
        .map(|d| format!("Quyết định số {d}"))
        .unwrap_or_else(|| vi::BLANK.into());
    if let Some(d) = r.date {
        t.push_str(&format!(" ngày {}", vi::date(d)));
    }
    t
}

/// The annual report's content: counts, the 12 columns of each system, the transition debt.
pub(super) fn model(input: &Input) -> Annual {
    let inv = input.inv;
    let g = Graph::build(inv, input.regime);
    let (from, to) = period(input.today);
    let mut rows = Vec::new();
    let mut levels = [0usize; 5];
    // Under `--regime both`, each regime's graph, built once for every system's debt.
    let graphs = input
        .transition
        .as_ref()
        .map(|_| super::transition::Graphs::build(input));
    for (i, s) in inv.systems.iter().enumerate() {
        let required = g.required[i].level;
        let proposed = s.level.unwrap_or(required);
        levels[usize::from(proposed.get() - 1)] += 1;
        let status = s.approval.as_ref().map(|a| a.status);
        let decision = match &s.approval {
            Some(a) if a.status == ApprovalStatus::Approved => {
                let mut t = a
                    .decision
                    .as_deref()
                    .map(|d| format!("Quyết định số {d}"))
                    .unwrap_or_else(|| vi::BLANK.into());
                if let Some(d) = a.date {
                    t.push_str(&format!(" ngày {}", vi::date(d)));
                }
                if let Some(by) = &a.authority {
                    t.push_str(&format!(", {by}"));
                }
                t
            }
            _ => "—".into(),
        };
        let approved = status == Some(ApprovalStatus::Approved);
        let plan_level = super::plan::proposed_level(inv, &g, i);
        let plan = super::plan::plan_rows(input, &g, i, plan_level, &Targets::of(inv, i));
        let implementation = implemented(&plan);
        let assessed = assessed(
            from,
            to,
            s.protection.last_assessment,
            inv.organization.protection.last_assessment,
        );
        let org = &inv.organization;
        rows.push(Row {
            cells: vec![
                (i + 1).to_string(),
                s.name.clone(),
                s.owner
                    .clone()
                    .or_else(|| org.owner.clone())
                    .unwrap_or_else(|| org.name.clone()),
                s.operator
                    .clone()
                    .or_else(|| org.operator.clone())
                    .unwrap_or_else(|| vi::BLANK.into()),
                proposed.to_string(),
                status
                    .map(vi::approval_status)
                    .unwrap_or("Chưa khai báo")
                    .to_owned(),
                decision,
                regulation(s.regulation.as_ref()),
                if approved {
                    "—".into()
                } else {
                    vi::BLANK.into()
                },
                implementation.clone(),
                if implementation == "Đã triển khai đầy đủ" {
                    "—".into()
                } else {
                    vi::BLANK.into()
                },
                assessed,
            ],
            level_note: if required > proposed {
                format!(" (theo tiêu chí: {required})")
            } else {
                String::new()
            },
            debt: input
                .transition
                .as_ref()
                .zip(graphs.as_ref())
                .map(|(t, gs)| super::transition::debt_in(input, t, i, gs).summary()),
        });
    }
    let count = |label: &str, n: usize| Count {
        label: label.to_owned(),
        n,
    };
    let with_status = |ok: &[ApprovalStatus]| {
        inv.systems
            .iter()
            .filter(|s| s.approval.as_ref().is_some_and(|a| ok.contains(&a.status)))
            .count()
    };
    use ApprovalStatus::*;
    let counts = vec![
        count("Tổng số hệ thống thông tin", inv.systems.len()),
        count(
            "Đã xác định cấp độ",
            inv.systems.iter().filter(|s| s.level.is_some()).count(),
        ),
        count(
            "Đã xây dựng hồ sơ đề xuất cấp độ",
            with_status(&[Draft, Submitted, Appraised, Approved]),
        ),
        count("Đã thẩm định", with_status(&[Appraised, Approved])),
        count("Đã được phê duyệt", with_status(&[Approved])),
        count(
            "Đã phê duyệt cấp độ và được kiểm tra, đánh giá định kỳ trong kỳ báo cáo (ngày đánh giá của chính hệ thống)",
            inv.systems
                .iter()
                .filter(|s| {
                    s.approval.as_ref().is_some_and(|a| a.status == Approved)
                        && assessed_in(from, to, s.protection.last_assessment)
                })
                .count(),
        ),
    ];
    let org = &inv.organization;
    // The addressee follows the report's date, not the regime its systems are judged by: a
    // report dated after 19/8/2026 goes to Bộ Công an whichever regime it uses.
    let recipient = vi::ministry_in_charge(input.today);
    let (title, basis) = match input.regime {
        Regime::Nd331 => (
            format!(
                "Báo cáo định kỳ về công tác bảo vệ an ninh mạng đối với hệ thống thông tin năm {}",
                to.year()
            ),
            "NĐ 331/2026 Đ35–Đ36, Mẫu 08",
        ),
        Regime::Nd85 => (
            format!(
                "Báo cáo định kỳ về công tác bảo đảm an toàn hệ thống thông tin theo cấp độ năm {}",
                to.year()
            ),
            "TT 12/2022 Đ13–Đ14 (bảng theo bố cục Mẫu 08 của NĐ 331/2026)",
        ),
    };
    let transition = input.transition.as_ref().map(|_| {
        rows.iter()
            .enumerate()
            .map(|(i, r)| DebtLine {
                stt: i + 1,
                name: r.cells[1].clone(),
                debt: r.debt.clone().unwrap_or_default(),
            })
            .collect()
    });
    Annual {
        title,
        basis,
        recipient,
        year: to.year(),
        period: format!("{} – {}", vi::date(from), vi::date(to)),
        date: vi::date(input.today),
        org: Org {
            name: org.name.clone(),
            owner: org.owner.clone().unwrap_or_else(|| org.name.clone()),
            security_unit: org
                .security_unit
                .clone()
                .unwrap_or_else(|| vi::BLANK.into()),
            operator: org.operator.clone().unwrap_or_else(|| vi::BLANK.into()),
            address: org.address.clone().unwrap_or_else(|| vi::BLANK.into()),
            contacts: org
                .contacts
                .iter()
                .map(|c| {
                    [
                        Some(c.name.as_str()),
                        c.role.as_deref(),
                        c.phone.as_deref(),
                        c.email.as_deref(),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", ")
                })
                .collect(),
        },
        counts,
        levels: levels
            .iter()
            .enumerate()
            .map(|(l, &n)| count(&format!("Cấp độ {}", l + 1), n))
            .collect(),
        columns: COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("({}) {c}", i + 1))
            .collect(),
        rows,
        transition,
        source: match input.report {
            Some(r) => format!("Cột 10 lấy từ báo cáo kiểm tra capdo \"{}\".", r.path),
            None => {
                "Cột 10 cần hoàn thiện thủ công (hoặc chạy lại với tùy chọn --report FILE).".into()
            }
        },
    }
}

/// The table as CSV: a header row, then one row per system, quoted as RFC 4180 says, every cell
/// one a spreadsheet opens as text ([`crate::escape::csv_cell`]: a system named `=HYPERLINK(…)` is
/// not a formula).
pub(super) fn csv_table(rows: &[Row]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let debt = rows.first().is_some_and(|r| r.debt.is_some());
    let mut header = COLUMNS.to_vec();
    if debt {
        header.push(DEBT_COLUMN);
    }
    w.write_record(header)?;
    for r in rows {
        // A blank to fill by hand is an empty field in CSV.
        let cells: Vec<std::borrow::Cow<str>> = r
            .cells
            .iter()
            .chain(r.debt.as_ref())
            .map(|c| {
                if c == vi::BLANK {
                    "".into()
                } else {
                    crate::escape::csv_cell(c)
                }
            })
            .collect();
        w.write_record(cells.iter().map(|c| c.as_bytes()))?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(String::from_utf8(bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_runs_from_15_december_to_14_december() {
        let (from, to) = period(Date::constant(2026, 11, 22));
        assert_eq!(
            (from, to),
            (Date::constant(2025, 12, 15), Date::constant(2026, 12, 14))
        );
        assert!(assessed_in(from, to, Some(Date::constant(2026, 5, 15))));
        assert!(!assessed_in(from, to, Some(Date::constant(2024, 6, 10))));
        assert!(!assessed_in(from, to, None));
    }

    /// Column 12 reads the system's own date; the organisation's is named, never taken as the
    /// system's (issue 15).
    #[test]
    fn column_12_never_inherits_the_organisations_assessment() {
        let (from, to) = period(Date::constant(2026, 11, 22));
        let org = Some(Date::constant(2026, 5, 15));
        assert_eq!(
            assessed(from, to, Some(Date::constant(2026, 3, 1)), org),
            "Định kỳ (01/03/2026)"
        );
        assert_eq!(
            assessed(from, to, Some(Date::constant(2024, 6, 10)), org),
            "Chưa trong kỳ (lần gần nhất 10/06/2024)"
        );
        let none = assessed(from, to, None, org);
        assert!(none.starts_with("Chưa có ("), "{none}");
        assert!(
            none.ends_with("đánh giá chung của tổ chức: 15/05/2026)"),
            "{none}"
        );
        assert_eq!(
            assessed(from, to, None, None),
            "Chưa có (không khai báo ngày kiểm tra, đánh giá)"
        );
    }

    fn row(met: Standing) -> super::super::plan::Row {
        super::super::plan::Row {
            stt: 1,
            id: String::new(),
            title: String::new(),
            basis: String::new(),
            implementation: String::new(),
            status: met.label(),
            evidence: String::new(),
            remediation: String::new(),
            met: Some(met),
        }
    }

    /// Column 10 says "fully" only when nothing fails and nothing waits for a human.
    #[test]
    fn column_10_is_full_only_when_every_check_passed_and_nothing_is_left_to_attest() {
        use Standing::*;
        let col = |s: &[Standing]| implemented(&s.iter().map(|&m| row(m)).collect::<Vec<_>>());
        assert_eq!(col(&[Met, NotApplicable]), "Đã triển khai đầy đủ");
        assert_eq!(
            col(&[Met, Manual]),
            "Đã triển khai một số hạng mục (1 yêu cầu cần xác nhận thủ công)"
        );
        assert_eq!(
            col(&[Partly, NotMet]),
            "Đã triển khai một số hạng mục (2 yêu cầu chưa đáp ứng đầy đủ)"
        );
        assert_eq!(
            col(&[NotMet, Manual]),
            "Chưa triển khai (1 yêu cầu chưa đáp ứng đầy đủ, 1 yêu cầu cần xác nhận thủ công)"
        );
        assert_eq!(
            col(&[Manual, NotApplicable]),
            "Chưa xác định (1 yêu cầu cần xác nhận thủ công)"
        );
        assert_eq!(implemented(&[]), vi::BLANK);
    }
}
