//! The annual report (Mẫu 08) as a Word file: the parts of `templates/annual/annual.html.hbs`
//! in the same order with the same words. The heading block, the title and the counts on
//! portrait pages; the twelve-column table of Mẫu 08, the transition debt, "Nơi nhận:" and the
//! signature in a landscape section, where the columns have room.

use docx_rs::AlignmentType;

use super::{
    document, end_section, heading, key_values, nd30_closing, nd30_header, para, place_date,
    styled, table,
};
use crate::dossier::annual::Annual;
use crate::dossier::vi::BLANK;

/// The annual report `a` as a .docx.
pub fn annual(a: &Annual) -> anyhow::Result<Vec<u8>> {
    // The document's last section (the table's) is landscape; the first closes on a portrait
    // section break.
    let mut doc = document(true, &a.date)
        .add_table(nd30_header(&a.org.name, &place_date(&a.date), false))
        .add_paragraph(para(""))
        .add_paragraph(styled(&a.title, |r| r).style("Title"))
        .add_paragraph(
            styled(
                &format!("Kỳ báo cáo: {}", a.period),
                |r| r.bold(),
            )
            .align(AlignmentType::Center),
        )
        .add_paragraph(para(&format!("Kính gửi: {}", a.recipient)).align(AlignmentType::Center))
        .add_paragraph(para(&format!(
            "Căn cứ: {}. Kỳ báo cáo: {}. Nơi nhận: {} (chủ quản gửi trước ngày 25/12; đơn vị vận hành, đơn vị chuyên trách gửi chủ quản trước ngày 20/12). Ngày lập: {}.",
            a.basis, a.period, a.recipient, a.date
        )))
        .add_paragraph(heading(1, "1. Thông tin chủ quản và đơn vị chuyên trách"));
    let o = &a.org;
    let mut rows = vec![
        ("Cơ quan, tổ chức".to_owned(), o.name.clone()),
        ("Chủ quản hệ thống thông tin".to_owned(), o.owner.clone()),
        ("Đơn vị chuyên trách".to_owned(), o.security_unit.clone()),
        ("Đơn vị vận hành".to_owned(), o.operator.clone()),
        ("Địa chỉ".to_owned(), o.address.clone()),
    ];
    rows.extend(o.contacts.iter().map(|c| ("Đầu mối".to_owned(), c.clone())));
    let counts: Vec<Vec<String>> = a
        .counts
        .iter()
        .chain(&a.levels)
        .map(|c| vec![c.label.clone(), c.n.to_string()])
        .collect();
    doc = doc
        .add_table(key_values(&rows))
        .add_paragraph(heading(1, "2. Số liệu tổng hợp"))
        .add_table(table(
            Some(&["Nội dung".to_owned(), "Số lượng".to_owned()]),
            &counts,
            false,
        ))
        .add_paragraph(end_section(false))
        .add_paragraph(heading(1, "3. Danh sách hệ thống thông tin"))
        .add_paragraph(para(&a.source));
    let rows: Vec<Vec<String>> = a
        .rows
        .iter()
        .map(|r| {
            let mut cells = r.cells.clone();
            if let Some(c) = cells.get_mut(4) {
                c.push_str(&r.level_note);
            }
            cells
        })
        .collect();
    doc = doc.add_table(table(Some(&a.columns), &rows, true));
    if let Some(debt) = &a.transition {
        let rows: Vec<Vec<String>> = debt
            .iter()
            .map(|d| vec![d.stt.to_string(), d.name.clone(), d.debt.clone()])
            .collect();
        doc = doc
            .add_paragraph(heading(1, "4. Nợ chuyển đổi sang NĐ 331/2026"))
            .add_paragraph(para(
                "Hệ thống đã xác định cấp độ theo quy định cũ giữ cấp độ, nhưng phải đáp ứng điều kiện, biện pháp của Luật An ninh mạng 2025 trước ngày 01/07/2027 (Luật 116/2025 Đ45.1; NĐ 331/2026 Đ39.1).",
            ))
            .add_table(table(
                Some(&[
                    "STT".to_owned(),
                    "Tên hệ thống thông tin".to_owned(),
                    "Nợ chuyển đổi".to_owned(),
                ]),
                &rows,
                true,
            ));
    }
    doc = doc
        .add_paragraph(para(""))
        .add_table(table(
            Some(&[
                "Người lập".to_owned(),
                "Thủ trưởng đơn vị (ký, ghi rõ họ tên, đóng dấu)".to_owned(),
            ]),
            &[vec![BLANK.into(), BLANK.into()]],
            true,
        ))
        .add_paragraph(para(""))
        .add_table(nd30_closing(
            "THỦ TRƯỞNG ĐƠN VỊ",
            "(ký, ghi rõ họ tên, đóng dấu)",
            true,
        ));
    super::pack(doc)
}
