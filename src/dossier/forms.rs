//! The cover forms of a dossier under NĐ 331/2026 (Mẫu 01/02 and 05): who the request goes to
//! and what is attached.

use serde::Serialize;

use super::vi::or_blank;
use crate::inventory::{Inventory, Level};

#[derive(Debug, Serialize)]
pub struct Forms {
    /// Mẫu 01 (levels 1–2) or Mẫu 02 (levels 3–5).
    pub request_form: &'static str,
    pub request_title: &'static str,
    pub request_to: String,
    pub sender: String,
    pub address: String,
    pub attachments: Vec<String>,
    /// Mẫu 02's footnote: ask for listing as a system important to national security.
    pub security_list: bool,
    pub submission_to: String,
    pub submission_attachments: Vec<String>,
}

pub(super) fn forms(inv: &Inventory, system: usize, level: Level) -> Forms {
    let s = &inv.systems[system];
    let org = &inv.organization;
    let security_unit = or_blank(org.security_unit.as_deref());
    let l = level.get();
    let mut attachments = vec![
        "Tài liệu mô tả, thuyết minh tổng quan về hệ thống thông tin (Phần I của hồ sơ này)".to_owned(),
        "Tài liệu thiết kế: thiết kế sơ bộ hoặc thiết kế thi công được phê duyệt, hoặc tài liệu tương đương".to_owned(),
        "Tài liệu thuyết minh về việc đề xuất cấp độ (Phần II của hồ sơ này)".to_owned(),
        "Tài liệu thuyết minh phương án bảo đảm an ninh mạng theo cấp độ (Phần III của hồ sơ này)".to_owned(),
    ];
    if l >= 4 {
        attachments.push(format!(
            "Ý kiến chuyên môn của đơn vị chuyên trách về an ninh mạng ({security_unit})"
        ));
    }
    let mut submission_attachments = attachments.clone();
    if l >= 3 {
        submission_attachments.push("Ý kiến thẩm định hồ sơ đề xuất cấp độ (Mẫu 04)".into());
    }
    let numbered = |v: Vec<String>| -> Vec<String> {
        v.into_iter()
            .enumerate()
            .map(|(i, a)| format!("{}. {a}", i + 1))
            .collect()
    };
    let attachments = numbered(attachments);
    let submission_attachments = numbered(submission_attachments);
    let owner = s
        .owner
        .clone()
        .or_else(|| org.owner.clone())
        .unwrap_or_else(|| org.name.clone());
    Forms {
        request_form: if l <= 2 { "Mẫu 01" } else { "Mẫu 02" },
        request_title: if l <= 2 {
            "Đề nghị thẩm định và phê duyệt hồ sơ đề xuất cấp độ"
        } else {
            "Đề nghị thẩm định hồ sơ đề xuất cấp độ"
        },
        request_to: match l {
            1..=3 => security_unit,
            _ => "Bộ Công an".into(),
        },
        sender: or_blank(s.operator.as_deref().or(org.operator.as_deref())),
        address: or_blank(org.address.as_deref()),
        attachments,
        security_list: l >= 3 && (l == 5 || s.national_security_list),
        submission_to: owner,
        submission_attachments,
    }
}
