//! The requirements of a level that capdo's controls do not judge, for the protection plan: the
//! management requirements (the seven groups of TT 12/2022 Đ9 / NĐ 331/2026 Đ30.3 and the items
//! TT 12/2022's appendices add by level, regulations.md §5.1 and §5.4) and the technical items of
//! applications and data (TCVN 11930:2017 x.2.3 and x.2.4, regulations.md §5.4).
//!
//! Each row says what the inventory records toward it and which of capdo's controls touch it,
//! and is marked for the security unit to judge: a policy, a procedure or source code is not
//! something a scan can see. The rows are data; the clause numbers are those of the tables of
//! regulations.md §5.4 (TCVN 11930:2017 numbers application and data items differently at
//! levels 1 and 2 than at 3–5). TCVN 14423:2026 is not public: under NĐ 331/2026 the rows cite
//! the decree's points and keep TT 12/2022's breakdown, which the plan says.

use serde::Serialize;

use super::plan::{backups, requirements};
use super::{Input, vi};
use crate::inventory::{Level, Measure, Regime, Role};
use crate::report::SystemTargets as Targets;

/// One management group of TT 12/2022 Đ9 / NĐ 331/2026 Đ30.3 (regulations.md §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Policy,
    Organisation,
    People,
    Design,
    Operation,
    Risk,
    EndOfLife,
}

impl Group {
    /// The group's name, and its point of NĐ 331/2026 Đ30.3.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Group::Policy => ("Chính sách", "a"),
            Group::Organisation => ("Tổ chức", "b"),
            Group::People => ("Nguồn nhân lực", "c"),
            Group::Design => ("Quản lý thiết kế, xây dựng", "d"),
            Group::Operation => ("Quản lý vận hành", "đ"),
            Group::Risk => ("Quản lý rủi ro", "e"),
            Group::EndOfLife => ("Kết thúc vận hành", "g"),
        }
    }
}

/// What the inventory can say toward a management item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hint {
    None,
    Regulation,
    SecurityUnit,
    Monitoring,
    AntiMalware,
    Backups,
}

/// A management item: its group, its words, the level it is required from (TT 12/2022 section
/// I of each appendix, regulations.md §5.4), what the inventory says toward it, and the controls
/// that check part of it.
struct Management {
    group: Group,
    text: &'static str,
    from: u8,
    hint: Hint,
    controls: &'static [&'static str],
}

const MANAGEMENT: &[Management] = &[
    Management {
        group: Group::Policy,
        text: "Chính sách bảo đảm an toàn thông tin, an ninh mạng; Quy chế bảo đảm an toàn cho hệ thống",
        from: 1,
        hint: Hint::Regulation,
        controls: &["MANUAL-SECURITY-REGULATION"],
    },
    Management {
        group: Group::Organisation,
        text: "Đơn vị chuyên trách về an toàn thông tin, an ninh mạng; phối hợp với cơ quan, tổ chức có thẩm quyền",
        from: 1,
        hint: Hint::SecurityUnit,
        controls: &[],
    },
    Management {
        group: Group::People,
        text: "Tuyển dụng, bố trí nhân sự; trong quá trình làm việc; khi chấm dứt hoặc thay đổi công việc",
        from: 1,
        hint: Hint::None,
        controls: &["MANUAL-SPECIALIST-TRAINING"],
    },
    Management {
        group: Group::Design,
        text: "Thiết kế an toàn hệ thống",
        from: 1,
        hint: Hint::None,
        controls: &["ZONE-REQUIRED", "ZONE-PLACEMENT"],
    },
    Management {
        group: Group::Design,
        text: "Thử nghiệm, nghiệm thu hệ thống",
        from: 1,
        hint: Hint::None,
        controls: &[],
    },
    Management {
        group: Group::Design,
        text: "Phát triển phần mềm thuê khoán",
        from: 2,
        hint: Hint::None,
        controls: &[],
    },
    Management {
        group: Group::Operation,
        text: "Quản lý an toàn mạng",
        from: 1,
        hint: Hint::None,
        controls: &["FW-HOST-DEFAULT-DENY", "FW-EXPOSED-SERVICE"],
    },
    Management {
        group: Group::Operation,
        text: "Quản lý an toàn máy chủ và ứng dụng",
        from: 1,
        hint: Hint::None,
        controls: &["SSH-ROOT-LOGIN", "PATCH-PENDING-SECURITY"],
    },
    Management {
        group: Group::Operation,
        text: "Quản lý an toàn dữ liệu",
        from: 1,
        hint: Hint::Backups,
        controls: &["BACKUP-JOB", "BACKUP-FRESH"],
    },
    Management {
        group: Group::Operation,
        text: "Quản lý sự cố an toàn thông tin",
        from: 2,
        hint: Hint::None,
        controls: &["MANUAL-INCIDENT-DRILL"],
    },
    Management {
        group: Group::Operation,
        text: "Quản lý an toàn người sử dụng đầu cuối",
        from: 2,
        hint: Hint::None,
        controls: &[],
    },
    Management {
        group: Group::Operation,
        text: "Quản lý an toàn thiết bị đầu cuối",
        from: 3,
        hint: Hint::None,
        controls: &[],
    },
    Management {
        group: Group::Operation,
        text: "Quản lý phòng chống phần mềm độc hại",
        from: 3,
        hint: Hint::AntiMalware,
        controls: &["AGENT-RUNNING", "DESIGN-EDR"],
    },
    Management {
        group: Group::Operation,
        text: "Quản lý giám sát an toàn hệ thống thông tin",
        from: 3,
        hint: Hint::Monitoring,
        controls: &["LOG-FORWARD", "FOURLAYER-MONITORING"],
    },
    Management {
        group: Group::Operation,
        text: "Quản lý điểm yếu an toàn thông tin",
        from: 3,
        hint: Hint::None,
        controls: &["PATCH-PENDING-SECURITY", "MANUAL-ASSESSMENT-REPORT"],
    },
    Management {
        group: Group::Risk,
        text: "Phương án quản lý rủi ro an toàn thông tin, an ninh mạng",
        from: 1,
        hint: Hint::None,
        controls: &["MANUAL-RISK-ASSESSMENT"],
    },
    Management {
        group: Group::EndOfLife,
        text: "Phương án kết thúc vận hành, khai thác, thanh lý, hủy bỏ",
        from: 1,
        hint: Hint::None,
        controls: &[],
    },
];

/// An application or data item of TCVN 11930:2017 (regulations.md §5.4): its words, whether it
/// is about data (x.2.4) rather than applications (x.2.3), and its clause at levels 1–5 (`None`
/// where the level does not require it).
struct Technical {
    text: &'static str,
    data: bool,
    clauses: [Option<&'static str>; 5],
    hint: Hint,
    controls: &'static [&'static str],
}

const TECHNICAL: &[Technical] = &[
    Technical {
        text: "Ứng dụng: xác thực, kiểm soát truy cập, nhật ký hoạt động",
        data: false,
        clauses: [
            Some("5.2.3.1–5.2.3.3"),
            Some("6.2.3.1–6.2.3.3"),
            Some("7.2.3.1–7.2.3.3"),
            Some("8.2.3.1–8.2.3.3"),
            Some("9.2.3.1–9.2.3.3"),
        ],
        hint: Hint::None,
        controls: &[],
    },
    Technical {
        text: "Ứng dụng: an toàn ứng dụng và mã nguồn",
        data: false,
        clauses: [
            None,
            Some("6.2.3.4"),
            Some("7.2.3.6"),
            Some("8.2.3.6"),
            Some("9.2.3.6"),
        ],
        hint: Hint::None,
        controls: &[],
    },
    Technical {
        text: "Ứng dụng: bảo mật thông tin liên lạc (mã hóa trên đường truyền)",
        data: false,
        clauses: [
            None,
            None,
            Some("7.2.3.4"),
            Some("8.2.3.4"),
            Some("9.2.3.4"),
        ],
        hint: Hint::None,
        controls: &[],
    },
    Technical {
        text: "Ứng dụng: chống chối bỏ",
        data: false,
        clauses: [
            None,
            None,
            Some("7.2.3.5"),
            Some("8.2.3.5"),
            Some("9.2.3.5"),
        ],
        hint: Hint::None,
        controls: &[],
    },
    Technical {
        text: "Dữ liệu: nguyên vẹn dữ liệu",
        data: true,
        clauses: [
            None,
            None,
            Some("7.2.4.1"),
            Some("8.2.4.1"),
            Some("9.2.4.1"),
        ],
        hint: Hint::None,
        controls: &[],
    },
    Technical {
        text: "Dữ liệu: bảo mật dữ liệu",
        data: true,
        clauses: [
            None,
            Some("6.2.4.1"),
            Some("7.2.4.2"),
            Some("8.2.4.2"),
            Some("9.2.4.2"),
        ],
        hint: Hint::None,
        controls: &[],
    },
    Technical {
        text: "Dữ liệu: sao lưu dự phòng",
        data: true,
        clauses: [
            Some("5.2.4.1"),
            Some("6.2.4.2"),
            Some("7.2.4.3"),
            Some("8.2.4.3"),
            Some("9.2.4.3"),
        ],
        hint: Hint::Backups,
        controls: &["BACKUP-JOB", "BACKUP-FRESH", "BACKUP-OFFSITE"],
    },
];

/// A row of the management or the application/data table.
#[derive(Debug, Serialize)]
pub struct Row {
    pub stt: usize,
    pub group: String,
    pub text: String,
    pub basis: String,
    /// What the inventory records toward it, or the manual mark.
    pub implementation: String,
    /// capdo's controls that check part of it (their rows are in the controls table).
    pub controls: String,
    pub status: &'static str,
}

/// The two tables of the plan beyond capdo's controls.
#[derive(Debug, Serialize)]
pub struct Tables {
    pub management: Vec<Row>,
    pub technical: Vec<Row>,
    /// Under NĐ 331/2026: the items follow TT 12/2022's breakdown (TCVN 14423:2026 is not
    /// public); empty under NĐ 85/2016.
    pub note: String,
}

const ROMAN: [&str; 5] = ["I", "II", "III", "IV", "V"];

fn hint(input: &Input, system: usize, t: &Targets, h: Hint) -> Option<String> {
    let inv = input.inv;
    let p = inv.system_protection(system);
    match h {
        Hint::None => None,
        Hint::Regulation => inv.systems[system].regulation.as_ref().map(|r| {
            format!(
                "Quy chế: Quyết định số {}{}",
                r.decision.as_deref().unwrap_or(vi::BLANK),
                r.date
                    .map(|d| format!(" ngày {}", vi::date(d)))
                    .unwrap_or_default()
            )
        }),
        Hint::SecurityUnit => inv
            .organization
            .security_unit
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .map(|u| format!("Đơn vị chuyên trách: {u}")),
        Hint::Monitoring => {
            let mut parts = Vec::new();
            if let Some(m) = p
                .monitoring_provider
                .as_deref()
                .filter(|m| !m.trim().is_empty())
            {
                parts.push(format!("giám sát: {m}"));
            }
            let siem = super::plan::servers_with_role(inv, Role::Siem);
            if !siem.is_empty() {
                parts.push(format!("máy chủ SIEM: {}", siem.join(", ")));
            }
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        Hint::AntiMalware => p
            .measures
            .as_ref()
            .filter(|m| m.contains(&Measure::Edr))
            .map(|_| "Đã khai báo EDR (protection.measures)".to_owned()),
        Hint::Backups => {
            let b = backups(inv, t);
            (!b.is_empty()).then(|| format!("Sao lưu: {}", b.join("; ")))
        }
    }
}

/// The controls of `ids` that the regime's pack applies at `level`, as the plan names them.
fn related(input: &Input, level: Level, ids: &[&str]) -> String {
    let present: Vec<&str> = requirements(input.catalog, input.regime, level)
        .map(|c| c.id.as_str())
        .filter(|id| ids.contains(id))
        .collect();
    if present.is_empty() {
        "—".into()
    } else {
        present.join(", ")
    }
}

fn implementation(found: Option<String>) -> String {
    match found {
        Some(text) => format!("{text}; {}", vi::MANUAL.to_lowercase()),
        None => vi::MANUAL.into(),
    }
}

pub(super) fn tables(input: &Input, system: usize, level: Level, t: &Targets) -> Tables {
    let l = level.get();
    let nd331 = input.regime == Regime::Nd331;
    let management = MANAGEMENT
        .iter()
        .filter(|m| m.from <= l)
        .enumerate()
        .map(|(i, m)| {
            let (group, point) = m.group.words();
            Row {
                stt: i + 1,
                group: group.into(),
                text: m.text.into(),
                basis: if nd331 {
                    format!("NĐ 331/2026 Đ30.3.{point}")
                } else {
                    format!(
                        "TT 12/2022 Phụ lục {} mục I; TCVN 11930:2017 §{}.1",
                        ROMAN[usize::from(l - 1)],
                        l + 4
                    )
                },
                implementation: implementation(hint(input, system, t, m.hint)),
                controls: related(input, level, m.controls),
                status: vi::FOR_SECURITY_UNIT,
            }
        })
        .collect();
    let technical = TECHNICAL
        .iter()
        .filter_map(|x| x.clauses[usize::from(l - 1)].map(|c| (x, c)))
        .enumerate()
        .map(|(i, (x, clause))| Row {
            stt: i + 1,
            group: if x.data {
                "An toàn dữ liệu"
            } else {
                "An toàn ứng dụng"
            }
            .into(),
            text: x.text.into(),
            basis: if nd331 {
                format!("NĐ 331/2026 Đ30.4.{}", if x.data { "d" } else { "c" })
            } else {
                format!("TCVN 11930:2017 {clause}")
            },
            implementation: implementation(hint(input, system, t, x.hint)),
            controls: related(input, level, x.controls),
            status: vi::FOR_SECURITY_UNIT,
        })
        .collect();
    Tables {
        management,
        technical,
        note: if nd331 {
            "Danh mục yêu cầu chi tiết theo cách chia của TT 12/2022 và TCVN 11930:2017 (regulations.md §5.4); TCVN 14423:2026 chưa được công bố công khai, đơn vị chuyên trách đối chiếu với tiêu chuẩn.".into()
        } else {
            String::new()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The clause of each application and data item at each level, as regulations.md §5.4's
    /// table gives it: level 1 and 2 number them differently from levels 3–5.
    #[test]
    fn application_and_data_clauses_follow_the_table_of_regulations_5_4() {
        let clause = |text: &str, level: usize| {
            TECHNICAL
                .iter()
                .find(|t| t.text.ends_with(text))
                .map(|t| t.clauses[level - 1])
                .expect("item")
        };
        assert_eq!(clause("sao lưu dự phòng", 1), Some("5.2.4.1"));
        assert_eq!(clause("sao lưu dự phòng", 2), Some("6.2.4.2"));
        assert_eq!(clause("sao lưu dự phòng", 3), Some("7.2.4.3"));
        assert_eq!(clause("bảo mật dữ liệu", 1), None);
        assert_eq!(clause("bảo mật dữ liệu", 2), Some("6.2.4.1"));
        assert_eq!(clause("bảo mật dữ liệu", 4), Some("8.2.4.2"));
        assert_eq!(clause("nguyên vẹn dữ liệu", 2), None);
        assert_eq!(clause("nguyên vẹn dữ liệu", 5), Some("9.2.4.1"));
        assert_eq!(clause("an toàn ứng dụng và mã nguồn", 2), Some("6.2.3.4"));
        assert_eq!(clause("an toàn ứng dụng và mã nguồn", 3), Some("7.2.3.6"));
        assert_eq!(clause("(mã hóa trên đường truyền)", 3), Some("7.2.3.4"));
        assert_eq!(clause("(mã hóa trên đường truyền)", 2), None);
        assert_eq!(clause("chống chối bỏ", 4), Some("8.2.3.5"));
        assert_eq!(
            clause("xác thực, kiểm soát truy cập, nhật ký hoạt động", 1),
            Some("5.2.3.1–5.2.3.3")
        );
        // Every clause sits in its level's chapter (§5 = level 1 … §9 = level 5).
        for t in TECHNICAL {
            for (i, c) in t.clauses.iter().enumerate() {
                if let Some(c) = c {
                    assert!(c.starts_with(&format!("{}.2.", i + 5)), "{} {c}", t.text);
                    assert_eq!(c.contains(".2.4."), t.data, "{}", t.text);
                }
            }
        }
    }

    /// The management items by level (regulations.md §5.4): 10 at level 1, 3 more at level 2,
    /// 4 more from level 3, and every one of the seven groups from level 1.
    #[test]
    fn management_items_are_added_by_level() {
        let at = |l: u8| MANAGEMENT.iter().filter(|m| m.from <= l).count();
        assert_eq!((at(1), at(2), at(3), at(5)), (10, 13, 17, 17));
        for g in [
            Group::Policy,
            Group::Organisation,
            Group::People,
            Group::Design,
            Group::Operation,
            Group::Risk,
            Group::EndOfLife,
        ] {
            assert!(MANAGEMENT.iter().any(|m| m.group == g && m.from == 1));
        }
    }
}
