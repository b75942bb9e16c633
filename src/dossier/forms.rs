//! Who the dossier goes to and what it holds: the documents of NĐ 85/2016 Đ15 / NĐ 331/2026 Đ21,
//! who appraises and approves at the proposed level (regulations.md §3.1), and under NĐ 331/2026
//! the cover forms of its appendix that apply at that level (§4.4): Mẫu 01 or 02 (request for
//! appraisal), Mẫu 03 (request for the professional opinion, levels 4–5) and Mẫu 05 (submission
//! for approval to the owner, levels 3–4).
//!
//! A body named here is the one in charge on the document's date, whatever the regime: after
//! 19/8/2026 the appraisal of levels 4–5 goes to Bộ Công an ([`vi::ministry_in_charge`]).

use jiff::civil::Date;
use serde::Serialize;

use super::appraisal::{Appraisal, appraisal, independence_clause};
use super::vi::{self, or_blank};
use crate::inventory::{Inventory, Level, Regime};

/// The documents of the dossier and who decides on it, under either regime.
#[derive(Debug, Serialize)]
pub struct Filing {
    /// The documents of the proposal dossier, numbered.
    pub documents: Vec<String>,
    /// What the approval dossier adds (the appraisal opinion from level 3).
    pub approval_documents: Vec<String>,
    /// Who appraises, with the clause.
    pub appraiser: String,
    /// Who approves, with the clause.
    pub approver: String,
    /// Said when the appraising body is the ministry in charge on the document's date rather
    /// than the one the regime's decree names.
    pub authority_note: String,
    /// Said when the unit that would appraise also operates the system (TT 12/2022 Đ6; NĐ
    /// 331/2026 Đ18.4), or which unit the owner assigned instead.
    pub independence: String,
}

/// One cover form.
#[derive(Debug, Serialize)]
pub struct Form {
    /// "Mẫu 01" … "Mẫu 05".
    pub number: &'static str,
    pub title: &'static str,
    pub sender: String,
    pub to: String,
    pub address: String,
    pub attachments: Vec<String>,
    /// The form's closing request, in its words.
    pub request: String,
    /// Mẫu 02's footnote: ask for listing as a system important to national security.
    pub footnote: Option<&'static str>,
}

/// The cover forms that apply (NĐ 331/2026 only) and why the others do not.
#[derive(Debug, Serialize)]
pub struct Forms {
    pub forms: Vec<Form>,
    pub notes: Vec<String>,
}

fn numbered(v: Vec<String>) -> Vec<String> {
    v.into_iter()
        .enumerate()
        .map(|(i, a)| format!("{}. {a}", i + 1))
        .collect()
}

/// The four documents every dossier holds, and the professional opinion at levels 4–5.
fn documents(inv: &Inventory, regime: Regime, level: Level) -> Vec<String> {
    let law = vi::instruments(regime);
    let security_unit = or_blank(inv.organization.security_unit.as_deref());
    let mut docs = vec![
        "Tài liệu mô tả, thuyết minh tổng quan về hệ thống thông tin (Phần I của hồ sơ này)".to_owned(),
        "Tài liệu thiết kế: thiết kế sơ bộ hoặc thiết kế thi công được phê duyệt, hoặc tài liệu tương đương".to_owned(),
        "Tài liệu thuyết minh về việc đề xuất cấp độ (Phần II của hồ sơ này)".to_owned(),
        format!(
            "Tài liệu thuyết minh phương án bảo đảm {} theo cấp độ (Phần III của hồ sơ này)",
            law.security
        ),
    ];
    if level.get() >= 4 {
        docs.push(format!(
            "Ý kiến chuyên môn của đơn vị chuyên trách về {} ({security_unit}) về sự phù hợp của đề xuất cấp độ và phương án bảo đảm {} ({}, cấp độ 4, 5)",
            law.security, law.security, law.dossier_article
        ));
    }
    docs
}

/// Whether the system follows the level-5 procedure: level 5, or a level-3 or 4 system on the
/// list of systems important to national security (NĐ 331/2026 Đ20.4).
fn level5_procedure(inv: &Inventory, system: usize, regime: Regime, level: Level) -> bool {
    level.get() == 5
        || (regime == Regime::Nd331
            && level.get() >= 3
            && inv.systems[system].national_security_list)
}

/// The appraising body of a level-4 or 5 dossier dated `today`: the ministry in charge that
/// day, and a note when the regime's decree names another one.
fn national_appraiser(regime: Regime, today: Date) -> (String, String) {
    let ministry = vi::ministry_in_charge(today);
    let (named, clause, others) = match regime {
        Regime::Nd85 => (
            "Bộ Thông tin và Truyền thông",
            "NĐ 85/2016 Đ12",
            "hệ thống do Bộ Quốc phòng, Bộ Công an quản lý: bộ đó thẩm định",
        ),
        Regime::Nd331 => (
            "Bộ Công an",
            "NĐ 331/2026 Đ18.3",
            "hệ thống thông tin quân sự: Bộ Quốc phòng; hệ thống cơ yếu: Ban Cơ yếu Chính phủ",
        ),
    };
    let note = if ministry == named {
        String::new()
    } else {
        let why = if ministry == "Bộ Công an" {
            " (Luật 116/2025 Đ39.2; NĐ 331/2026 Đ18.3, có hiệu lực từ 19/8/2026)"
        } else {
            ""
        };
        format!(
            "{clause} giao việc thẩm định cho {named}; vào ngày lập hồ sơ ({}), cơ quan quản lý nhà nước về an toàn thông tin, an ninh mạng là {ministry}{why}, nên hồ sơ gửi cơ quan này.",
            vi::date(today)
        )
    };
    (
        format!("{ministry} chủ trì thẩm định ({clause}; {others})"),
        note,
    )
}

pub(super) fn filing(
    inv: &Inventory,
    system: usize,
    regime: Regime,
    level: Level,
    today: Date,
) -> Filing {
    let law = vi::instruments(regime);
    let security_unit = or_blank(inv.organization.security_unit.as_deref());
    let unit = format!("Đơn vị chuyên trách về {} ({security_unit})", law.security);
    let (a12, a3, approve) = match (regime, level.get()) {
        (Regime::Nd85, _) => ("NĐ 85/2016 Đ12, Đ14", "NĐ 85/2016 Đ12", "NĐ 85/2016 Đ14"),
        (Regime::Nd331, 3) => (
            "NĐ 331/2026 Đ18.1",
            "NĐ 331/2026 Đ18.2.a",
            "NĐ 331/2026 Đ18.2.b",
        ),
        (Regime::Nd331, _) => (
            "NĐ 331/2026 Đ18.1",
            "NĐ 331/2026 Đ18.2.a",
            "NĐ 331/2026 Đ18.3.d",
        ),
    };
    let mut authority_note = String::new();
    let clause = if level.get() <= 2 { a12 } else { a3 };
    let (appraiser, independence) = match appraisal(inv, system, level) {
        Some(a) if !level5_procedure(inv, system, regime, level) => {
            appraiser_text(&a, &unit, clause, regime)
        }
        _ => {
            let (who, note) = national_appraiser(regime, today);
            authority_note = note;
            (who, String::new())
        }
    };
    let approver = if level.get() <= 2 {
        format!("{unit} phê duyệt, báo cáo chủ quản hệ thống thông tin ({a12})")
    } else if level5_procedure(inv, system, regime, level) {
        format!(
            "Thủ tướng Chính phủ phê duyệt Danh mục hệ thống thông tin {}; chủ quản hệ thống thông tin phê duyệt phương án bảo đảm {} ({approve}{})",
            match regime {
                Regime::Nd85 => "quan trọng quốc gia",
                Regime::Nd331 => "quan trọng về an ninh quốc gia",
            },
            law.security,
            if regime == Regime::Nd331 {
                "; NĐ 331/2026 Đ20.3.c, Đ20.4"
            } else {
                ""
            }
        )
    } else {
        format!("Chủ quản hệ thống thông tin phê duyệt ({approve})")
    };
    let mut approval_documents = vec!["Hồ sơ đề xuất cấp độ (các tài liệu trên)".to_owned()];
    if level.get() >= 3 {
        approval_documents.push(format!(
            "Ý kiến thẩm định của cơ quan chủ trì thẩm định ({})",
            match regime {
                Regime::Nd85 => "NĐ 85/2016 Đ17.1",
                Regime::Nd331 => "NĐ 331/2026 Đ24.1; Mẫu 04",
            }
        ));
    }
    Filing {
        documents: numbered(documents(inv, regime, level)),
        approval_documents: numbered(approval_documents),
        appraiser,
        approver,
        authority_note,
        independence,
    }
}

/// Who appraises at levels 1–3 and what the dossier says of their independence.
fn appraiser_text(a: &Appraisal, unit: &str, clause: &str, regime: Regime) -> (String, String) {
    let rule = independence_clause(regime);
    let name = a.unit.as_deref().unwrap_or(vi::BLANK);
    match (a.operator_appraises, a.designated) {
        (true, _) => (
            format!(
                "{} ({clause}, {rule}): đơn vị được chủ quản giao thẩm định hoặc Hội đồng thẩm định độc lập",
                vi::BLANK
            ),
            format!(
                "Đơn vị thẩm định ({name}) đồng thời là đơn vị vận hành hệ thống nên không tự thẩm định hồ sơ của mình: đơn vị chuyên trách trình chủ quản giao một đơn vị trực thuộc khác có đủ năng lực chủ trì thẩm định, hoặc thành lập Hội đồng thẩm định độc lập ({rule}). Ghi đơn vị đó vào inventory (`appraiser`)."
            ),
        ),
        (false, true) => (
            format!("{name}, đơn vị được chủ quản giao thẩm định thay {unit} ({clause}, {rule})"),
            String::new(),
        ),
        (false, false) => (format!("{unit} ({clause})"), String::new()),
    }
}

/// The cover forms of NĐ 331/2026 that apply at `level`.
pub(super) fn forms(inv: &Inventory, system: usize, level: Level, today: Date) -> Forms {
    let s = &inv.systems[system];
    let org = &inv.organization;
    let security_unit = or_blank(org.security_unit.as_deref());
    let l = level.get();
    let level5 = level5_procedure(inv, system, Regime::Nd331, level);
    let sender = or_blank(s.operator.as_deref().or(org.operator.as_deref()));
    let address = or_blank(org.address.as_deref());
    let docs = documents(inv, Regime::Nd331, level);
    let owner = s
        .owner
        .clone()
        .or_else(|| org.owner.clone())
        .unwrap_or_else(|| org.name.clone());
    let mut forms = Vec::new();
    let mut notes = Vec::new();
    let request_to = match appraisal(inv, system, level) {
        Some(a) if !level5 => match (a.operator_appraises, a.unit) {
            // Never to the operator itself: the owner names the appraiser (Đ18.4).
            (true, _) => format!(
                "{} (đơn vị được chủ quản giao thẩm định hoặc Hội đồng thẩm định độc lập, NĐ 331/2026 Đ18.4)",
                vi::BLANK
            ),
            (false, Some(unit)) => unit,
            (false, None) => vi::BLANK.to_owned(),
        },
        _ => vi::ministry_in_charge(today).to_owned(),
    };
    forms.push(Form {
        number: if l <= 2 { "Mẫu 01" } else { "Mẫu 02" },
        title: if l <= 2 {
            "Đề nghị thẩm định và phê duyệt hồ sơ đề xuất cấp độ"
        } else {
            "Đề nghị thẩm định hồ sơ đề xuất cấp độ"
        },
        sender: sender.clone(),
        to: request_to.clone(),
        address: address.clone(),
        attachments: numbered(docs.clone()),
        request: if l <= 2 {
            format!(
                "Đề nghị {request_to} thẩm định và phê duyệt hồ sơ đề xuất cấp độ của hệ thống thông tin \"{}\".",
                s.name
            )
        } else {
            format!(
                "Đề nghị {request_to} cho ý kiến thẩm định hồ sơ đề xuất cấp độ của hệ thống thông tin \"{}\".",
                s.name
            )
        },
        footnote: (l >= 3 && (l == 5 || s.national_security_list)).then_some(
            "Đề nghị xem xét đưa hệ thống vào Danh mục hệ thống thông tin quan trọng về an ninh quốc gia.",
        ),
    });
    if l >= 4 {
        forms.push(Form {
            number: "Mẫu 03",
            title: "Đề nghị cho ý kiến chuyên môn về hồ sơ đề xuất cấp độ",
            sender: sender.clone(),
            to: security_unit.clone(),
            address: address.clone(),
            // The opinion is asked on the four documents; it is the fifth one itself.
            attachments: numbered(docs[..4].to_vec()),
            request: format!(
                "Đề nghị {security_unit} cho ý kiến về sự phù hợp của đề xuất cấp độ và phương án bảo đảm an ninh mạng hệ thống thông tin theo cấp độ của hệ thống thông tin \"{}\" (NĐ 331/2026 Đ20.1.d).",
                s.name
            ),
            footnote: None,
        });
    } else {
        notes.push(
            "Mẫu 03 (đề nghị cho ý kiến chuyên môn) chỉ áp dụng cho hệ thống đề xuất cấp độ 4, 5 (NĐ 331/2026 Đ20.1.d, Đ21.5).".into(),
        );
    }
    if (3..=4).contains(&l) && !level5 {
        let mut attachments = docs;
        attachments.push(
            "Ý kiến thẩm định của cơ quan chủ trì thẩm định (Mẫu 04; từ cấp độ 3, NĐ 331/2026 Đ24.1)"
                .into(),
        );
        forms.push(Form {
            number: "Mẫu 05",
            title: "Tờ trình về việc phê duyệt đề xuất cấp độ",
            sender,
            to: owner.clone(),
            address,
            attachments: numbered(attachments),
            request: format!(
                "Trình {owner} xem xét, quyết định phê duyệt đề xuất cấp độ {l} của hệ thống thông tin \"{}\" (NĐ 331/2026 Đ20.3.b).",
                s.name
            ),
            footnote: None,
        });
    } else if l <= 2 {
        notes.push(format!(
            "Không lập Mẫu 05 (tờ trình phê duyệt): ở cấp độ 1, 2, {security_unit} thẩm định và phê duyệt theo Mẫu 01, rồi báo cáo chủ quản (NĐ 331/2026 Đ18.1, Đ20.3.a)."
        ));
    } else {
        notes.push(format!(
            "Không lập Mẫu 05 (tờ trình phê duyệt cấp độ): hệ thống theo trình tự của cấp độ 5 (NĐ 331/2026 Đ20.3.c, Đ20.4); Bộ Công an trình Thủ tướng Chính phủ phê duyệt Danh mục hệ thống thông tin quan trọng về an ninh quốc gia, đơn vị vận hành trình {owner} phê duyệt phương án bảo đảm an ninh mạng (quyết định theo Mẫu 07)."
        ));
    }
    Forms { forms, notes }
}
