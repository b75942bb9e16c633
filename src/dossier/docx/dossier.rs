//! The level-proposal dossier as a Word file: the parts of `templates/dossier/dossier.html.hbs`
//! in the same order with the same words, on NĐ 30/2020 pages: a cover with the heading
//! block, the title and a table of contents; each form (Mẫu 01–05) on its own page with its
//! own heading block, "Nơi nhận:" and signature; Phần I–IV each from a new page.

use docx_rs::{AlignmentType, Docx, Paragraph};

use super::{
    BLANK_DATE, document, end_section, fits, heading, insert_toc, item, key_values, labelled,
    nd30_closing, nd30_header, page_break, para, picture, place_date, png, styled, table,
};
use crate::dossier::build::Dossier;
use crate::dossier::vi::BLANK;

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| (*x).to_owned()).collect()
}

fn kv(rows: &[(&str, &str)]) -> Vec<(String, String)> {
    rows.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The dossier `d` as a .docx.
pub fn dossier(d: &Dossier) -> anyhow::Result<Vec<u8>> {
    let mut doc = document(false, &d.date);
    doc = cover(doc, d);
    // The table of contents goes here, once every heading is written.
    let toc_at = doc.document.children.len();
    doc = filing(doc, d);
    if d.forms.is_some() {
        doc = forms(doc, d);
    }
    doc = overview(doc, d)?;
    doc = justification(doc, d);
    doc = protection_plan(doc, d);
    if let Some(t) = &d.transition {
        doc = doc
            .add_paragraph(heading(1, "Phần IV. Nợ chuyển đổi sang NĐ 331/2026").page_break_before(true))
            .add_paragraph(para(&format!(
                "Hệ thống đã xác định cấp độ theo quy định cũ giữ cấp độ, nhưng phải đáp ứng điều kiện, tiêu chuẩn, biện pháp của Luật An ninh mạng 2025 trước ngày {} (Luật 116/2025 Đ45.1; NĐ 331/2026 Đ39.1). Cấp độ theo NĐ 85/2016: {}; theo NĐ 331/2026: {}.",
                t.deadline, t.legacy_level, t.current_level
            )));
        if !t.level_note.is_empty() {
            doc = doc.add_paragraph(styled(&t.level_note, |r| r.italic()));
        }
        doc = doc.add_paragraph(para(&t.source));
        if t.rows.is_empty() {
            doc = doc.add_paragraph(para("Không có yêu cầu nào của NĐ 331/2026 còn thiếu."));
        } else {
            let rows: Vec<Vec<String>> = t
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.stt.to_string(),
                        r.id.clone(),
                        r.title.clone(),
                        r.basis.clone(),
                        r.why.clone(),
                        r.status.to_owned(),
                    ]
                })
                .collect();
            doc = doc.add_table(table(
                Some(&s(&[
                    "STT",
                    "Mã",
                    "Yêu cầu (tình trạng cần tránh)",
                    "Căn cứ (NĐ 331/2026)",
                    "Lý do",
                    "Trạng thái",
                ])),
                &rows,
                false,
            ));
        }
    }
    // The unit that files the dossier signs it (NĐ 30/2020 ô 8–9), whatever forms go with it.
    doc = doc.add_paragraph(para("")).add_table(nd30_closing(
        "THỦ TRƯỞNG ĐƠN VỊ VẬN HÀNH",
        "(ký, ghi rõ họ tên, chức danh và đóng dấu)",
        false,
    ));
    super::pack(insert_toc(doc, toc_at))
}

/// The cover: heading block of the operating unit, title, summary line, the identity table,
/// the reading note and the table of contents.
fn cover(doc: Docx, d: &Dossier) -> Docx {
    let law = &d.law.instruments;
    doc.add_table(nd30_header(&d.operator.name, &place_date(&d.date), false))
        .add_paragraph(para(""))
        .add_paragraph(styled(&format!("Hồ sơ đề xuất cấp độ: {}", d.system.name), |r| r).style("Title"))
        .add_paragraph(
            styled(
                &format!(
                    "Đề xuất cấp độ {} cho hệ thống thông tin {}",
                    d.level.proposed, d.system.name
                ),
                |r| r.bold(),
            )
            .align(AlignmentType::Center),
        )
        .add_table(key_values(&kv(&[
            ("Hệ thống thông tin", &format!("{} ({})", d.system.name, d.system.id)),
            ("Cấp độ đề xuất", &format!("Cấp độ {}", d.level.proposed)),
            ("Căn cứ pháp lý", law.legal_basis),
            ("Ngày lập", &d.date),
        ])))
        .add_paragraph(para(&format!(
            "Hồ sơ gồm các tài liệu theo {}: Phần I (thuyết minh tổng quan), Phần II (thuyết minh đề xuất cấp độ), Phần III (thuyết minh phương án bảo đảm {}). Tài liệu thiết kế và các nội dung đánh dấu \"{}\" hoặc \"{}\" do đơn vị vận hành bổ sung. Số liệu lấy từ inventory, lập bằng capdo {}.",
            law.dossier_article, law.security, d.manual, BLANK, d.tool_version
        )))
        .add_paragraph(styled("Mục lục", |r| r.bold()).align(AlignmentType::Center))
}

fn filing(doc: Docx, d: &Dossier) -> Docx {
    let law = &d.law.instruments;
    let f = &d.filing;
    let mut doc = doc
        .add_paragraph(
            heading(1, "Thành phần hồ sơ, thẩm định và phê duyệt").page_break_before(true),
        )
        .add_paragraph(para(&format!(
            "Hồ sơ đề xuất cấp độ ({}):",
            law.dossier_article
        )));
    for x in &f.documents {
        doc = doc.add_paragraph(item(x));
    }
    doc = doc.add_paragraph(para("Hồ sơ phê duyệt:"));
    for x in &f.approval_documents {
        doc = doc.add_paragraph(item(x));
    }
    doc = doc
        .add_paragraph(item(&format!("Thẩm định: {}.", f.appraiser)))
        .add_paragraph(item(&format!("Phê duyệt: {}.", f.approver)));
    if !f.authority_note.is_empty() {
        doc = doc.add_paragraph(styled(&f.authority_note, |r| r.italic()));
    }
    if !f.independence.is_empty() {
        doc = doc.add_paragraph(labelled("Tính độc lập của thẩm định: ", &f.independence));
    }
    doc
}

/// Each form on its own page, in the NĐ 30/2020 layout, then the notes on forms left out.
fn forms(doc: Docx, d: &Dossier) -> Docx {
    let Some(forms) = &d.forms else { return doc };
    let mut doc = doc.add_paragraph(
        heading(1, "Các mẫu văn bản kèm theo (Phụ lục NĐ 331/2026)").page_break_before(true),
    );
    for x in &forms.notes {
        doc = doc.add_paragraph(item(x));
    }
    for f in &forms.forms {
        doc = doc
            .add_paragraph(page_break())
            .add_table(nd30_header(&f.sender, BLANK_DATE, false))
            .add_paragraph(para(""))
            .add_paragraph(
                heading(2, &format!("{}: {}", f.number, f.title)).align(AlignmentType::Center),
            )
            .add_paragraph(styled(&f.sender, |r| r.bold()).align(AlignmentType::Center))
            .add_paragraph(para(&format!("Kính gửi: {}", f.to)).align(AlignmentType::Center))
            .add_paragraph(para("1. Thông tin chung:"))
            .add_paragraph(item(&format!("Tên hệ thống thông tin: {}", d.system.name)))
            .add_paragraph(item(&format!(
                "Đơn vị vận hành hệ thống thông tin: {}",
                f.sender
            )))
            .add_paragraph(item(&format!("Địa chỉ: {}", f.address)))
            .add_paragraph(item(&format!(
                "Cấp độ đề xuất: Cấp độ {}",
                d.level.proposed
            )))
            .add_paragraph(para("2. Hồ sơ kèm theo:"));
        for a in &f.attachments {
            doc = doc.add_paragraph(item(a));
        }
        doc = doc.add_paragraph(para(&f.request));
        if let Some(n) = f.footnote {
            doc = doc.add_paragraph(styled(n, |r| r.italic().size(24)));
        }
        doc = doc.add_table(nd30_closing(
            "ĐẠI DIỆN CỦA CƠ QUAN, TỔ CHỨC",
            "(ký, ghi rõ họ tên, chức danh và đóng dấu)",
            false,
        ));
    }
    doc
}

fn overview(doc: Docx, d: &Dossier) -> anyhow::Result<Docx> {
    let law = &d.law.instruments;
    let mut doc = doc
        .add_paragraph(
            heading(1, "Phần I. Thuyết minh tổng quan về hệ thống thông tin")
                .page_break_before(true),
        )
        .add_paragraph(para(&format!("Căn cứ: {}.", law.overview_clause)))
        .add_paragraph(heading(2, "1. Thông tin chủ quản hệ thống thông tin"))
        .add_table(key_values(&kv(&[
            ("Tên cơ quan chủ quản", &d.owner.name),
            ("Căn cứ pháp lý, chức năng, nhiệm vụ", BLANK),
            ("Người đại diện, chức vụ", BLANK),
            ("Địa chỉ", &d.owner.address),
            ("Điện thoại, thư điện tử", BLANK),
        ])))
        .add_paragraph(heading(2, "2. Thông tin đơn vị vận hành"))
        .add_table(key_values(&kv(&[
            ("Tên đơn vị vận hành", &d.operator.name),
            ("Quyết định giao nhiệm vụ vận hành", BLANK),
            ("Người đại diện, chức vụ", BLANK),
            ("Địa chỉ", &d.operator.address),
            (
                &format!("Đơn vị chuyên trách về {}", law.security),
                &d.security_unit,
            ),
        ])));
    if !d.operator.contacts.is_empty() {
        let rows: Vec<Vec<String>> = d
            .operator
            .contacts
            .iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    c.role.clone(),
                    c.phone.clone(),
                    c.email.clone(),
                ]
            })
            .collect();
        doc = doc.add_table(table(
            Some(&s(&["Đầu mối", "Nhiệm vụ", "Điện thoại", "Thư điện tử"])),
            &rows,
            false,
        ));
    }
    let sc = &d.scope;
    doc = doc
        .add_paragraph(heading(2, "3. Phạm vi, quy mô, đối tượng phục vụ"))
        .add_paragraph(item(&format!("Mô tả: {}", d.system.description)))
        .add_paragraph(item(&format!(
            "Thành phần trong phạm vi: {} máy chủ, đặt tại {}.",
            sc.servers, sc.datacenters
        )))
        .add_paragraph(item(&format!("Người sử dụng: {}.", sc.users)))
        .add_paragraph(item(&format!("Dữ liệu cá nhân: {}.", sc.personal_data)))
        .add_paragraph(item(&format!("Tên miền công khai: {}.", sc.public_names)))
        .add_paragraph(item(&format!(
            "Yêu cầu về tính sẵn sàng: {}.",
            sc.availability
        )))
        .add_paragraph(item(&format!(
            "Nhóm người sử dụng và kênh truy cập: {BLANK}"
        )))
        .add_paragraph(para("Hệ thống liên quan, kết nối (ngoài phạm vi hồ sơ):"));
    if sc.connected.is_empty() {
        doc = doc.add_paragraph(para("Không có."));
    } else {
        let rows: Vec<Vec<String>> = sc
            .connected
            .iter()
            .map(|c| {
                vec![
                    c.id.clone(),
                    c.name.clone(),
                    c.relation.to_owned(),
                    c.level.clone(),
                ]
            })
            .collect();
        doc = doc.add_table(table(
            Some(&s(&["Mã", "Tên", "Quan hệ", "Cấp độ"])),
            &rows,
            false,
        ));
    }
    let (image, w, h) = png(&d.logical_svg)?;
    doc = doc
        .add_paragraph(heading(2, "4. Kiến trúc hệ thống"))
        .add_paragraph(heading(3, "4.1. Mô hình logic"))
        .add_paragraph(para(
            "Sơ đồ do capdo sinh từ inventory: hệ thống, máy chủ, mạng, trung tâm dữ liệu, hệ thống và bên ngoài liên quan, luồng kết nối được phép.",
        ))
        .add_paragraph(picture(image, w, h, false))
        .add_paragraph(heading(3, "4.2. Mô hình vật lý"))
        .add_paragraph(para(&format!(
            "{BLANK} (sơ đồ trung tâm dữ liệu, tủ rack, đường truyền, thiết bị bảo mật)"
        )))
        .add_paragraph(heading(3, "4.3. Danh mục thiết bị"));
    let rows: Vec<Vec<String>> = d
        .devices
        .iter()
        .map(|x| {
            vec![
                x.stt.to_string(),
                x.id.clone(),
                x.name.clone(),
                x.roles.clone(),
                x.os.clone(),
                x.datacenter.clone(),
                x.zone.clone(),
                x.addresses.clone(),
            ]
        })
        .collect();
    doc = doc
        .add_table(table(
            Some(&s(&[
                "STT",
                "Máy chủ",
                "Tên",
                "Vai trò",
                "Hệ điều hành",
                "Trung tâm dữ liệu",
                "Vùng mạng",
                "Địa chỉ IP",
            ])),
            &rows,
            false,
        ))
        .add_paragraph(para(&format!(
            "Thiết bị mạng chính (core switch, tường lửa trung tâm, WAF, lưu trữ tập trung, tường lửa cơ sở dữ liệu; chủng loại, số lượng, vị trí): {BLANK}"
        )))
        .add_paragraph(heading(3, "4.4. Danh mục ứng dụng, dịch vụ"));
    let rows: Vec<Vec<String>> = d
        .apps
        .iter()
        .map(|x| {
            vec![
                x.stt.to_string(),
                x.service.clone(),
                x.host.clone(),
                x.location.clone(),
                x.os.clone(),
                x.purpose.clone(),
            ]
        })
        .collect();
    doc = doc.add_table(table(
        Some(&s(&[
            "STT",
            "Dịch vụ",
            "Máy chủ",
            "Vị trí",
            "Hệ điều hành",
            "Mục đích",
        ])),
        &rows,
        false,
    ));
    let rows: Vec<Vec<String>> = d
        .zones
        .iter()
        .map(|x| {
            vec![
                x.stt.to_string(),
                x.zone.clone(),
                x.network.clone(),
                x.function.clone(),
                x.private.clone(),
                x.public.clone(),
                x.vlan.clone(),
                x.datacenter.clone(),
                x.policy.clone(),
            ]
        })
        .collect();
    let header = s(&[
        "STT",
        "Vùng mạng",
        "Mạng",
        "Chức năng",
        "Dải IP riêng",
        "Dải IP công cộng",
        "VLAN",
        "Trung tâm dữ liệu",
        "Luồng được phép vào",
    ]);
    Ok(wide(
        doc,
        vec![heading(3, "4.5. Quy hoạch vùng mạng và địa chỉ IP")],
        &header,
        &rows,
        vec![para(&format!("Tên miền công khai: {}.", sc.public_names))],
    ))
}

/// The paragraphs `before`, a data table and the paragraphs `after`: on the portrait page when
/// the table's words fit across it, else in a landscape section of their own (NĐ 30/2020
/// allows a landscape page for a wide table), the portrait pages resuming after it.
fn wide(
    mut doc: Docx,
    before: Vec<Paragraph>,
    header: &[String],
    rows: &[Vec<String>],
    after: Vec<Paragraph>,
) -> Docx {
    let landscape = !fits(header, rows, false);
    if landscape {
        doc = doc.add_paragraph(end_section(false));
    }
    for p in before {
        doc = doc.add_paragraph(p);
    }
    doc = doc.add_table(table(Some(header), rows, landscape));
    for p in after {
        doc = doc.add_paragraph(p);
    }
    if landscape {
        doc = doc.add_paragraph(end_section(true));
    }
    doc
}

fn justification(doc: Docx, d: &Dossier) -> Docx {
    let law = &d.law.instruments;
    let lv = &d.level;
    let sy = &d.system;
    let mut doc = doc
        .add_paragraph(heading(1, "Phần II. Thuyết minh đề xuất cấp độ").page_break_before(true))
        .add_paragraph(para(&format!("Căn cứ: {}.", law.justification_clause)))
        .add_paragraph(heading(2, "1. Căn cứ pháp lý"))
        .add_paragraph(para(&format!("{}.", law.legal_basis)))
        .add_paragraph(heading(2, "2. Bảng đề xuất cấp độ"))
        .add_table(table(
            Some(&s(&[
                "Tên hệ thống",
                "Loại thông tin xử lý",
                "Loại hệ thống",
                "Tiêu chí đáp ứng",
                "Cấp độ đề xuất",
            ])),
            &[vec![
                sy.name.clone(),
                format!(
                    "{} ({}; dữ liệu cá nhân cơ bản: {}, nhạy cảm: {})",
                    sy.information, sy.information_clause, sy.personal_basic, sy.personal_sensitive
                ),
                format!("{} ({})", sy.kind, sy.kind_clause),
                lv.deciding.basis.clone(),
                lv.proposed.to_string(),
            ]],
            false,
        ))
        .add_paragraph(heading(2, "3. Lập luận"))
        .add_paragraph(para(&format!(
            "Cấp độ theo tiêu chí: {}, theo {}: {} ({}). Cấp độ đã khai báo: {}. Tình trạng phê duyệt: {}.",
            lv.required, lv.deciding.basis, lv.deciding.text, lv.deciding.facts, lv.declared, sy.approval
        )));
    if !lv.note.is_empty() {
        doc = doc.add_paragraph(styled(&lv.note, |r| r.italic()));
    }
    let rows: Vec<Vec<String>> = lv
        .matched
        .iter()
        .map(|c| {
            vec![
                c.level.to_string(),
                c.basis.clone(),
                c.text.clone(),
                c.facts.clone(),
            ]
        })
        .collect();
    doc = doc
        .add_paragraph(para(&format!(
            "Các tiêu chí hệ thống đáp ứng (hệ thống đáp ứng nhiều tiêu chí thì áp dụng cấp độ cao nhất, {}):",
            law.highest_rule
        )))
        .add_table(table(
            Some(&s(&["Cấp độ", "Căn cứ", "Tiêu chí", "Thông tin của hệ thống"])),
            &rows,
            false,
        ))
        .add_paragraph(heading(3, "Lý do không thuộc cấp độ cao hơn"));
    if lv.higher.is_empty() {
        doc = doc.add_paragraph(para("Cấp độ 5 là cấp độ cao nhất."));
    }
    for h in &lv.higher {
        let rows: Vec<Vec<String>> = h
            .criteria
            .iter()
            .map(|c| vec![c.basis.clone(), c.text.clone(), c.facts.clone()])
            .collect();
        doc = doc
            .add_paragraph(para(&format!("Cấp độ {}:", h.level)))
            .add_table(table(
                Some(&s(&["Căn cứ", "Tiêu chí", "Không đáp ứng vì"])),
                &rows,
                false,
            ));
    }
    if d.law.nd331 {
        doc = doc
            .add_paragraph(heading(2, "4. Nhận diện sơ bộ rủi ro an ninh mạng chính"))
            .add_table(table(
                Some(&s(&["Nguy cơ chính", "Tác động dự kiến", "Biện pháp"])),
                &[vec![BLANK.into(), BLANK.into(), BLANK.into()]],
                false,
            ));
    }
    if lv.extras {
        doc = doc
            .add_paragraph(heading(
                2,
                &format!(
                    "Nội dung bổ sung đối với cấp độ 4, 5 ({})",
                    law.extras_clause
                ),
            ))
            .add_paragraph(para(
                "Hệ thống liên quan, kết nối và ảnh hưởng khi các hệ thống đó bị tấn công:",
            ));
        if lv.related.is_empty() {
            doc = doc.add_paragraph(para("Không có."));
        } else {
            let rows: Vec<Vec<String>> = lv
                .related
                .iter()
                .map(|c| vec![c.id.clone(), c.name.clone(), c.level.clone(), BLANK.into()])
                .collect();
            doc = doc.add_table(table(
                Some(&s(&["Mã", "Tên", "Cấp độ", "Ảnh hưởng đến hệ thống này"])),
                &rows,
                false,
            ));
        }
        doc = doc.add_paragraph(para(
            "Phạm vi ảnh hưởng khi hệ thống ngừng hoạt động (theo đồ thị phụ thuộc):",
        ));
        if lv.stops.is_empty() {
            doc = doc.add_paragraph(para("không có hệ thống nào khác ngừng theo."));
        }
        for x in &lv.stops {
            doc = doc.add_paragraph(item(x));
        }
        doc = doc
            .add_paragraph(item(&format!("Nguy cơ tấn công và tác động: {BLANK}")))
            .add_paragraph(item(&format!(
                "Phạm vi ảnh hưởng đến lợi ích công cộng, trật tự, an toàn xã hội, quốc phòng, an ninh quốc gia: {BLANK}"
            )))
            .add_paragraph(item(&format!("Yêu cầu vận hành 24/7: {}", lv.always_on)));
        if d.law.nd331 {
            doc = doc.add_paragraph(item(&format!("Báo cáo đánh giá rủi ro chi tiết: {BLANK}")));
        }
    }
    doc.add_paragraph(para("")).add_table(table(
        Some(&[
            "Người lập".to_owned(),
            format!("Đơn vị chuyên trách về {} thẩm tra", law.security),
            "Ngày".to_owned(),
        ]),
        &[vec![BLANK.into(), BLANK.into(), BLANK.into()]],
        false,
    ))
}

fn protection_plan(doc: Docx, d: &Dossier) -> Docx {
    let law = &d.law.instruments;
    let p = &d.plan;
    let mut doc = doc
        .add_paragraph(
            heading(
                1,
                &format!(
                    "Phần III. Thuyết minh phương án bảo đảm {} theo cấp độ {}",
                    law.security, p.level
                ),
            )
            .page_break_before(true),
        )
        .add_paragraph(para(&format!(
            "Căn cứ: {}; tiêu chuẩn {}. Yêu cầu là mức tối thiểu; không gồm an toàn vật lý; phương án phải được triển khai trước khi đưa hệ thống vào vận hành.",
            law.plan_clause, law.standard
        )))
        .add_paragraph(heading(2, "1. Bảng đáp ứng yêu cầu"))
        .add_paragraph(para(&p.source));
    for c in &p.counts {
        doc = doc.add_paragraph(item(&format!("{}: {}", c.label, c.n)));
    }
    let rows: Vec<Vec<String>> = p
        .rows
        .iter()
        .map(|r| {
            vec![
                r.stt.to_string(),
                r.id.clone(),
                r.title.clone(),
                r.basis.clone(),
                r.implementation.clone(),
                r.status.to_owned(),
                r.evidence.clone(),
                r.remediation.clone(),
            ]
        })
        .collect();
    let header = s(&[
        "STT",
        "Mã",
        "Yêu cầu (tình trạng cần tránh)",
        "Căn cứ",
        "Phương án triển khai",
        "Trạng thái",
        "Bằng chứng",
        "Kế hoạch khắc phục",
    ]);
    doc = wide(doc, vec![], &header, &rows, vec![])
        .add_paragraph(heading(2, "2. Yêu cầu quản lý"))
        .add_paragraph(para(&format!(
            "Các yêu cầu về quản lý theo cấp độ {} (bảy nhóm: chính sách, tổ chức, nhân lực, thiết kế và xây dựng, vận hành, quản lý rủi ro, kết thúc vận hành). capdo không đánh giá được các yêu cầu này: đơn vị chuyên trách về {} đánh giá, xác nhận; các kiểm tra liên quan của capdo nằm trong bảng 1.",
            p.level, law.security
        )));
    if !d.requirements.note.is_empty() {
        doc = doc.add_paragraph(para(&d.requirements.note));
    }
    let header = s(&[
        "STT",
        "Nhóm",
        "Yêu cầu",
        "Căn cứ",
        "Phương án triển khai",
        "Kiểm tra liên quan (bảng 1)",
        "Trạng thái",
    ]);
    let req_rows = |v: &[crate::dossier::requirements::Row]| -> Vec<Vec<String>> {
        v.iter()
            .map(|r| {
                vec![
                    r.stt.to_string(),
                    r.group.clone(),
                    r.text.clone(),
                    r.basis.clone(),
                    r.implementation.clone(),
                    r.controls.clone(),
                    r.status.to_owned(),
                ]
            })
            .collect()
    };
    doc = doc
        .add_table(table(
            Some(&header),
            &req_rows(&d.requirements.management),
            false,
        ))
        .add_paragraph(heading(2, "3. Yêu cầu kỹ thuật về ứng dụng và dữ liệu"))
        .add_table(table(
            Some(&header),
            &req_rows(&d.requirements.technical),
            false,
        ))
        .add_paragraph(heading(
            2,
            &format!("4. Nội dung phương án theo {}", law.plan_sections_article),
        ));
    for sec in &d.sections {
        doc = doc.add_paragraph(heading(3, &format!("{}) {}", sec.letter, sec.heading)));
        for x in &sec.filled {
            doc = doc.add_paragraph(item(x));
        }
        for x in &sec.todo {
            doc = doc.add_paragraph(item(&format!("{}: {x}", d.manual)));
        }
    }
    doc
}
