//! Part III of the dossier: the protection plan (one row per requirement of the level, with how
//! the inventory implements it and what the report says of it) and the seven sections of the
//! plan (phương án bảo đảm an ninh mạng).

use serde::Serialize;

use super::report::{Standing, Tally};
use super::vi::{join_or, schedule};
use super::{Input, vi};
use crate::graph::Graph;
use crate::report::SystemTargets as Targets;
use std::collections::BTreeSet;

use crate::inventory::{Inventory, Level, Regime, Role};
use crate::policy::builtin::DossierScope;
use crate::policy::catalog::AppliesTo;
use crate::policy::catalog::{Confidence, Source};
use crate::policy::{Catalog, Control, Lang};

#[derive(Debug, Serialize)]
pub struct Plan {
    pub level: u8,
    pub rows: Vec<Row>,
    pub counts: Vec<Count>,
    /// Where statuses come from.
    pub source: String,
}

#[derive(Debug, Serialize)]
pub struct Count {
    pub label: &'static str,
    pub n: usize,
}

#[derive(Debug, Serialize)]
pub struct Row {
    pub stt: usize,
    pub id: String,
    pub title: String,
    pub basis: String,
    pub implementation: String,
    pub status: &'static str,
    pub evidence: String,
    pub remediation: String,
    #[serde(skip)]
    pub met: Option<Standing>,
}

#[derive(Debug, Serialize)]
pub struct Section {
    pub letter: &'static str,
    pub heading: String,
    pub filled: Vec<String>,
    pub todo: Vec<String>,
}

/// Backups of the system's servers: "db01 (hq) → dr-bk01 (dr), hằng ngày", each further
/// target after a comma, with its medium where declared ("dr-bk01 (dr, đĩa)").
pub(super) fn backups(inv: &Inventory, t: &Targets) -> Vec<String> {
    t.servers
        .iter()
        .filter_map(|&s| {
            let b = inv.servers[s].backup.as_ref()?;
            let targets: Vec<String> = b
                .targets
                .iter()
                .map(|x| {
                    let dc = &inv.datacenters[inv.server_datacenter(x.to)].id;
                    match x.medium {
                        Some(m) => format!("{} ({dc}, {})", inv.servers[x.to].id, medium(m)),
                        None => format!("{} ({dc})", inv.servers[x.to].id),
                    }
                })
                .collect();
            Some(format!(
                "{} ({}) → {}, {}",
                inv.servers[s].id,
                inv.datacenters[inv.server_datacenter(s)].id,
                targets.join(" + "),
                schedule(b.schedule)
            ))
        })
        .collect()
}

/// A backup medium, in the dossier's words.
fn medium(m: crate::inventory::Medium) -> &'static str {
    use crate::inventory::Medium;
    match m {
        Medium::Disk => "đĩa",
        Medium::Tape => "băng từ",
        Medium::Object => "lưu trữ đối tượng",
        Medium::Optical => "đĩa quang",
    }
}

pub(super) fn servers_with_role(inv: &Inventory, role: Role) -> Vec<String> {
    inv.servers
        .iter()
        .filter(|s| s.roles.contains(&role))
        .map(|s| s.id.clone())
        .collect()
}

/// The level the dossier proposes: the declared level, unless the criteria require more (a
/// dossier may not propose less than the criteria require: NĐ 331 Đ8.3 forbids lowering a level
/// on paper, and NĐ 85 Đ5.2 / NĐ 331 Đ8.2 take the highest criterion met).
pub fn proposed_level(inv: &Inventory, g: &Graph, system: usize) -> Level {
    let required = g.required[system].level;
    inv.systems[system]
        .level
        .map_or(required, |d| d.max(required))
}

/// The requirements of the protection plan at `level`: every control that applies at it and
/// whose target is part of a system (the system, its servers, networks and datacenters, the
/// organisation). The waiver controls are about the waivers file, not requirements of a level.
/// The requirements of `level` under `regime`: every control of the regime's pack that
/// applies there, human attestations included; the waiver findings are not requirements.
pub fn requirements(
    catalog: &Catalog,
    regime: Regime,
    level: Level,
) -> impl Iterator<Item = &std::sync::Arc<Control>> {
    catalog
        .controls(regime)
        .iter()
        .filter(move |c| c.applies_at(Some(level)) && c.source != Source::Waivers)
}

/// How the inventory says a requirement is implemented, where it says so: in the built-in's
/// words (each built-in evaluator words its own), or for a design measure.
fn implementation(
    inv: &Inventory,
    g: &Graph,
    system: usize,
    t: &Targets,
    c: &Control,
) -> Option<String> {
    if let Some(b) = c.builtin() {
        let backups = backups(inv, t);
        return b.implementation(&DossierScope {
            inv,
            graph: g,
            system,
            servers: &t.servers,
            networks: &t.networks,
            proposed_level: proposed_level(inv, g, system),
            backups: &backups,
            date: vi::date,
        });
    }
    let s = &inv.systems[system];
    let p = inv.system_protection(system);
    let text = match c.id.as_str() {
        design if design.starts_with("DESIGN-") => {
            // DESIGN-ANTI-DDOS reads the measure `anti-ddos`, and so on.
            let wanted = design["DESIGN-".len()..].to_ascii_lowercase();
            let declared = p.measures.as_ref()?.iter().any(|m| {
                serde_json::to_value(m)
                    .ok()
                    .is_some_and(|v| v.as_str() == Some(wanted.as_str()))
            });
            if !declared {
                return None;
            }
            let whose = if s.protection.measures.is_some() {
                "hệ thống"
            } else {
                "tổ chức"
            };
            format!("Đã triển khai {wanted} (khai báo trong protection.measures của {whose})")
        }
        _ => return None,
    };
    Some(text)
}

/// Evidence and status of one requirement from the report's findings on the system's targets.
fn judge(input: &Input, c: &Control, t: &Targets) -> (Standing, String) {
    let Some(report) = input.report else {
        return (Standing::Manual, "—".into());
    };
    let mut tally = Tally::default();
    let mut failing = Vec::new();
    for f in report
        .findings
        .iter()
        .filter(|f| *f.control == *c.id && t.ids.contains(&f.target))
    {
        tally.add(f.status);
        if matches!(
            f.status,
            super::report::FindingStatus::Fail | super::report::FindingStatus::Waived
        ) {
            failing.push(format!("{}: {}", f.target, f.message));
        }
    }
    if tally.total() == 0 {
        return (
            Standing::Manual,
            "Báo cáo không có kết quả cho yêu cầu này (cần kiểm tra trên máy chủ hoặc xác nhận thủ công)".into(),
        );
    }
    let mut parts = Vec::new();
    for (n, label) in [
        (tally.pass, "đạt"),
        (tally.fail, "không đạt"),
        (tally.waived, "miễn trừ"),
        (tally.undecided, "chưa kiểm tra được"),
        (tally.not_applicable, "không áp dụng"),
    ] {
        if n > 0 {
            parts.push(format!("{label} {n}"));
        }
    }
    let mut evidence = format!("Kết quả kiểm tra: {}", parts.join(", "));
    const SHOWN: usize = 3;
    for f in failing.iter().take(SHOWN) {
        evidence.push_str("; ");
        evidence.push_str(f);
    }
    if failing.len() > SHOWN {
        evidence.push_str(&format!("; … và {} đối tượng khác", failing.len() - SHOWN));
    }
    (tally.met(), evidence)
}

pub fn plan_rows(input: &Input, g: &Graph, system: usize, level: Level, t: &Targets) -> Vec<Row> {
    requirements(input.catalog, input.regime, level)
        .enumerate()
        .map(|(i, c)| {
            // A human attestation recorded in the inventory meets the requirement.
            let attested = super::attest::attested(input.inv, system, c);
            let (met, evidence) = match &attested {
                Some(e) => (Standing::Met, format!("Đã xác nhận: {e}")),
                None => judge(input, c, t),
            };
            let scope = match c.applies_to {
                AppliesTo::System => "hệ thống",
                AppliesTo::Server => "từng máy chủ",
                AppliesTo::Network => "từng mạng",
                AppliesTo::Datacenter => "từng trung tâm dữ liệu",
                AppliesTo::Organization => "tổ chức",
            };
            let mut basis = c.basis_at(Some(level)).join("; ");
            if basis.is_empty() {
                basis = vi::BLANK.into();
            }
            // A rule regulations.md marks UNCONFIRMED says so wherever it is printed.
            if let Confidence::Unconfirmed(why) = &c.confidence {
                basis.push_str(&format!(" (CHƯA XÁC NHẬN: {why})"));
            }
            Row {
                stt: i + 1,
                id: c.id.clone(),
                title: c.title(Lang::Vi).to_owned(),
                basis,
                implementation: match implementation(input.inv, g, system, t, c) {
                    Some(text) => format!("{text} (áp dụng cho {scope})"),
                    None if attested.is_some() => format!(
                        "Xác nhận của đơn vị chuyên trách, ghi trong protection.attestations (áp dụng cho {scope})"
                    ),
                    // A human attestation: capdo cannot judge it, the security unit does.
                    None if c.source == Source::Manual => format!(
                        "{}: capdo không kiểm tra được, {} (áp dụng cho {scope})",
                        vi::MANUAL,
                        vi::FOR_SECURITY_UNIT.to_lowercase()
                    ),
                    None => format!("{} (áp dụng cho {scope})", vi::MANUAL),
                },
                status: met.label(),
                evidence,
                remediation: match met {
                    Standing::NotMet | Standing::Partly => c.remediation(Lang::Vi).to_owned(),
                    _ => "—".into(),
                },
                met: input.report.map(|_| met),
            }
        })
        .collect()
}

pub(super) fn plan(input: &Input, g: &Graph, system: usize, level: Level, t: &Targets) -> Plan {
    let rows = plan_rows(input, g, system, level, t);
    let counts = [
        Standing::Met,
        Standing::Partly,
        Standing::NotMet,
        Standing::NotApplicable,
        Standing::Manual,
    ]
    .into_iter()
    .map(|m| Count {
        label: m.label(),
        n: rows.iter().filter(|r| r.status == m.label()).count(),
    })
    .collect();
    let source = match input.report {
        Some(r) => format!(
            "Trạng thái lấy từ báo cáo kiểm tra capdo \"{}\"{} (các phát hiện của hệ thống, máy chủ, mạng, trung tâm dữ liệu của hệ thống và của tổ chức).",
            r.path,
            if r.generated_at.is_empty() {
                String::new()
            } else {
                format!(" lập lúc {}", r.generated_at)
            }
        ),
        None => format!(
            "Chưa có báo cáo kiểm tra (tùy chọn --report): trạng thái của mọi yêu cầu là \"{}\".",
            vi::MANUAL
        ),
    };
    Plan {
        level: level.get(),
        rows,
        counts,
        source,
    }
}

fn measure(m: crate::inventory::Measure) -> &'static str {
    use crate::inventory::Measure::*;
    match m {
        Waf => "tường lửa ứng dụng web (WAF)",
        AntiDdos => "chống tấn công từ chối dịch vụ (anti-DDoS)",
        DbFirewall => "tường lửa cơ sở dữ liệu",
        Nac => "kiểm soát truy cập mạng (NAC)",
        Siem => "quản lý, phân tích sự kiện an toàn thông tin tập trung (SIEM)",
        Pam => "quản lý truy cập đặc quyền (PAM)",
        Dlp => "chống thất thoát dữ liệu (DLP)",
        Vpn => "mạng riêng ảo (VPN)",
        Edr => "phát hiện và phản ứng trên máy chủ, máy trạm (EDR)",
        Ips => "phòng chống xâm nhập (IPS)",
        Nms => "giám sát mạng, hệ thống (NMS)",
        MailSecurity => "bảo mật thư điện tử",
    }
}

pub(super) fn sections(
    input: &Input,
    g: &Graph,
    system: usize,
    level: Level,
    t: &Targets,
) -> Vec<Section> {
    let inv = input.inv;
    let law = vi::instruments(input.regime);
    let nd331 = input.regime == Regime::Nd331;
    let p = inv.system_protection(system);
    let sec = law.security;
    let zones: BTreeSet<String> = t
        .networks
        .iter()
        .map(|&n| vi::zone(inv.networks[n].zone).to_owned())
        .collect();
    let mut design = vec![format!(
        "Vùng mạng của hệ thống: {}.",
        join_or(&zones.into_iter().collect::<Vec<_>>(), "chưa khai báo")
    )];
    match &p.measures {
        Some(m) if !m.is_empty() => design.push(format!(
            "Biện pháp bảo đảm an toàn theo thiết kế đã khai báo: {}.",
            m.iter().map(|&x| measure(x)).collect::<Vec<_>>().join("; ")
        )),
        _ => design.push("Chưa khai báo biện pháp bảo đảm an toàn theo thiết kế.".into()),
    }
    let groups: Vec<String> = g.role_groups[system]
        .iter()
        .map(|(role, servers)| {
            format!(
                "{} {} máy chủ",
                role.map(vi::role).unwrap_or("Không vai trò"),
                servers.len()
            )
        })
        .collect();
    if !groups.is_empty() {
        design.push(format!("Dự phòng theo vai trò: {}.", groups.join("; ")));
    }
    let mut operation = Vec::new();
    if let Some(o) = inv.systems[system]
        .operator
        .as_deref()
        .or(inv.organization.operator.as_deref())
    {
        operation.push(format!("Đơn vị vận hành: {o}."));
    }
    if let Some(team) = p.onsite_team.as_deref().filter(|x| !x.trim().is_empty()) {
        operation.push(format!(
            "Lực lượng tại chỗ (lớp 1 của mô hình 4 lớp): {team}."
        ));
    }
    let mut inspection = Vec::new();
    if let Some(d) = p.last_assessment {
        inspection.push(format!(
            "Lần kiểm tra, đánh giá độc lập gần nhất: {}{}.",
            vi::date(d),
            p.assessor
                .as_deref()
                .map(|a| format!(" ({a})"))
                .unwrap_or_default()
        ));
    }
    let mut risk = Vec::new();
    if let Some(r) = input.report {
        let mine: Vec<&super::report::Finding> = r
            .findings
            .iter()
            .filter(|f| t.ids.contains(&f.target))
            .collect();
        let count = |s: super::report::FindingStatus| mine.iter().filter(|f| f.status == s).count();
        inspection.push(format!(
            "Kiểm tra tự động bằng capdo ({}): {} đạt, {} không đạt, {} miễn trừ, {} chưa kiểm tra được.",
            r.path,
            count(super::report::FindingStatus::Pass),
            count(super::report::FindingStatus::Fail),
            count(super::report::FindingStatus::Waived),
            count(super::report::FindingStatus::Error) + count(super::report::FindingStatus::Manual),
        ));
        let waived = count(super::report::FindingStatus::Waived);
        if waived > 0 {
            risk.push(format!(
                "{waived} ngoại lệ (miễn trừ) đã được phê duyệt, có thời hạn, được chấp nhận như rủi ro còn lại."
            ));
        }
    }
    let mut monitoring = Vec::new();
    if let Some(m) = p
        .monitoring_provider
        .as_deref()
        .filter(|x| !x.trim().is_empty())
    {
        monitoring.push(format!("Giám sát, bảo vệ chuyên nghiệp (lớp 2): {m}."));
    }
    match p.national_monitoring {
        Some(true) => monitoring.push(
            "Kết nối, chia sẻ thông tin với Trung tâm giám sát quốc gia (lớp 4): đã kết nối."
                .into(),
        ),
        Some(false) => monitoring.push(
            "Kết nối, chia sẻ thông tin với Trung tâm giám sát quốc gia (lớp 4): chưa kết nối."
                .into(),
        ),
        None => {}
    }
    let siem = servers_with_role(inv, Role::Siem);
    if !siem.is_empty() {
        monitoring.push(format!(
            "Máy chủ thu thập nhật ký (SIEM): {}.",
            siem.join(", ")
        ));
    }
    let mut recovery: Vec<String> = backups(inv, t)
        .into_iter()
        .map(|b| format!("Sao lưu {b}."))
        .collect();
    let dcs: Vec<String> = t
        .datacenters
        .iter()
        .map(|&d| inv.datacenters[d].name.clone())
        .collect();
    if !dcs.is_empty() {
        recovery.push(format!("Máy chủ của hệ thống đặt tại: {}.", dcs.join("; ")));
    }
    for c in &inv.organization.contacts {
        recovery.push(format!(
            "Đầu mối: {}{}{}.",
            c.name,
            c.role
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default(),
            c.phone
                .as_deref()
                .map(|ph| format!(", {ph}"))
                .unwrap_or_default()
        ));
    }
    let quy_che = if nd331 {
        "NĐ 331/2026 Đ30.7"
    } else {
        "TT 12/2022 Đ9.7"
    };
    let mut operation_todo = Vec::new();
    match &inv.systems[system].regulation {
        Some(r) => operation.push(format!(
            "Quy chế bảo đảm {sec} của hệ thống ({quy_che}): {}{}.",
            r.decision
                .as_deref()
                .map(|d| format!("Quyết định số {d}"))
                .unwrap_or_else(|| vi::BLANK.into()),
            r.date
                .map(|d| format!(" ngày {}", vi::date(d)))
                .unwrap_or_default()
        )),
        None => operation_todo.push(format!(
            "Quy chế bảo đảm {sec} của hệ thống (ban hành trước khi phê duyệt hồ sơ, {quy_che})."
        )),
    }
    operation_todo.push("Quản lý tài khoản, phân quyền, quản lý thay đổi cấu hình, vá lỗi.".into());
    if nd331 && level.get() >= 3 {
        operation_todo.push(
            "Chứng chỉ đào tạo chuyên ngành của người quản trị, vận hành hệ thống cấp độ 3 trở lên (Luật 116/2025 Đ34.2).".into(),
        );
    }
    let mut inspection_todo =
        vec!["Kế hoạch kiểm tra, đánh giá định kỳ và đột xuất; đơn vị kiểm tra độc lập.".into()];
    if nd331 {
        inspection_todo.push(
            "Đánh giá điều kiện an ninh mạng trước khi đưa vào vận hành (NĐ 331/2026 Đ28.3)."
                .into(),
        );
    }
    let mut risk_todo = vec!["Báo cáo đánh giá rủi ro, danh mục rủi ro và biện pháp xử lý.".into()];
    if nd331 {
        risk_todo[0] = "Báo cáo đánh giá rủi ro an ninh mạng (NĐ 331/2026 Đ10.2.a), danh mục rủi ro và biện pháp xử lý.".into();
    }
    let mut recovery_todo = vec![
        "Mục tiêu thời gian khôi phục (RTO) và điểm khôi phục (RPO); kế hoạch diễn tập, biên bản thử khôi phục.".into(),
        "Phương án ứng cứu sự cố, đội ứng cứu sự cố.".into(),
    ];
    if nd331 {
        recovery_todo.push(
            "Quy trình báo cáo sự cố: thông báo ban đầu trong 24 giờ, báo cáo nguyên nhân và khắc phục trong 72 giờ (NĐ 331/2026 Đ31.2.d).".into(),
        );
    }
    vec![
        Section {
            letter: "a",
            heading: format!("Bảo đảm {sec} trong thiết kế, xây dựng hệ thống"),
            filled: design,
            todo: vec![
                "Thiết kế sơ bộ hoặc thiết kế thi công được phê duyệt; danh mục thiết bị mạng chính (core switch, tường lửa trung tâm, WAF, lưu trữ tập trung, tường lửa cơ sở dữ liệu).".into(),
            ],
        },
        Section {
            letter: "b",
            heading: format!("Bảo đảm {sec} trong quá trình vận hành hệ thống"),
            filled: operation,
            todo: operation_todo,
        },
        Section {
            letter: "c",
            heading: format!("Kiểm tra, đánh giá {sec}"),
            filled: inspection,
            todo: inspection_todo,
        },
        Section {
            letter: "d",
            heading: format!("Quản lý rủi ro {sec}"),
            filled: risk,
            todo: risk_todo,
        },
        Section {
            letter: "đ",
            heading: format!("Giám sát {sec}"),
            filled: monitoring,
            todo: vec!["Phương án kết nối giám sát, quản lý và lưu trữ nhật ký theo cấp độ.".into()],
        },
        Section {
            letter: "e",
            heading: "Dự phòng, ứng cứu sự cố, khôi phục sau thảm họa".into(),
            filled: recovery,
            todo: recovery_todo,
        },
        Section {
            letter: "g",
            heading: "Kết thúc vận hành, khai thác, thanh lý, hủy bỏ".into(),
            filled: Vec::new(),
            todo: vec![
                "Xóa dữ liệu, thu hồi tài khoản và quyền truy cập, tiêu hủy phương tiện lưu trữ; điều khoản khi kết thúc thuê dịch vụ.".into(),
            ],
        },
    ]
}
