//! Vietnamese wording of the dossier: labels of inventory values, the regimes' instruments, and
//! the level criteria of each regime (regulations.md §2.2–§2.3) with the facts of a system that
//! show why a criterion does or does not apply.
//!
//! The criteria here are the words of the decrees; which ones a system meets is decided by
//! `crate::graph::level`, never here. This module only explains.

use jiff::civil::Date;

use crate::inventory::{
    ApprovalStatus, InfoType, Regime, Role, Scope, SecurityImpact, System, SystemKind, WorksGrade,
    Zone,
};

/// A blank to be filled by hand, as on a printed form.
pub const BLANK: &str = "……………………";

/// What a status cell says when nothing decided the requirement.
pub const MANUAL: &str = "Cần hoàn thiện thủ công";

/// What a requirement capdo does not judge says: the security unit does.
pub const FOR_SECURITY_UNIT: &str = "Đơn vị chuyên trách đánh giá, xác nhận";

/// `dd/mm/yyyy`, as Vietnamese official documents write dates.
pub fn date(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
}

/// `1.234.567`: thousands separated by dots.
pub fn number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

pub fn yes_no(b: bool) -> &'static str {
    if b { "có" } else { "không" }
}

/// The instruments of a regime, as the dossier cites them.
#[derive(Debug, serde::Serialize)]
pub struct Instruments {
    pub code: &'static str,
    /// Laws, decree, circular and standard, in one line.
    pub legal_basis: &'static str,
    pub decree: &'static str,
    /// "an toàn thông tin" or "an ninh mạng".
    pub security: &'static str,
    /// "ATTT" or "ANM".
    pub abbr: &'static str,
    /// The list of mandatory documents (NĐ 85 Đ15 / NĐ 331 Đ21).
    pub dossier_article: &'static str,
    /// The narrative's content (TT 12 Đ8 / NĐ 331 Đ22), by part.
    pub overview_clause: &'static str,
    pub justification_clause: &'static str,
    pub extras_clause: &'static str,
    pub plan_clause: &'static str,
    /// The seven sections of the protection plan (NĐ 85 Đ19.2 / NĐ 331 Đ29.2).
    pub plan_sections_article: &'static str,
    /// Information types and system kinds (NĐ 85 Đ6 / NĐ 331 Đ9).
    pub classification_article: &'static str,
    /// "Composite takes the highest level" (NĐ 85 Đ5.2 / NĐ 331 Đ8.2).
    pub highest_rule: &'static str,
    pub standard: &'static str,
}

pub fn instruments(regime: Regime) -> Instruments {
    match regime {
        Regime::Nd85 => Instruments {
            code: "nd85",
            legal_basis: "Luật An toàn thông tin mạng số 86/2015/QH13; Nghị định số 85/2016/NĐ-CP; Thông tư số 12/2022/TT-BTTTT; TCVN 11930:2017",
            decree: "NĐ 85/2016",
            security: "an toàn thông tin",
            abbr: "ATTT",
            dossier_article: "NĐ 85/2016 Đ15",
            overview_clause: "TT 12/2022 Đ8.3",
            justification_clause: "TT 12/2022 Đ8.4",
            extras_clause: "TT 12/2022 Đ8.5",
            plan_clause: "TT 12/2022 Đ8.6",
            plan_sections_article: "NĐ 85/2016 Đ19.2",
            classification_article: "NĐ 85/2016 Đ6",
            highest_rule: "NĐ 85/2016 Đ5.2",
            standard: "TCVN 11930:2017",
        },
        Regime::Nd331 => Instruments {
            code: "nd331",
            legal_basis: "Luật An ninh mạng số 116/2025/QH15; Nghị định số 331/2026/NĐ-CP; TCVN 14423:2026",
            decree: "NĐ 331/2026",
            security: "an ninh mạng",
            abbr: "ANM",
            dossier_article: "NĐ 331/2026 Đ21",
            overview_clause: "NĐ 331/2026 Đ22.3",
            justification_clause: "NĐ 331/2026 Đ22.4",
            extras_clause: "NĐ 331/2026 Đ22.5",
            plan_clause: "NĐ 331/2026 Đ22.6",
            plan_sections_article: "NĐ 331/2026 Đ29.2",
            classification_article: "NĐ 331/2026 Đ9",
            highest_rule: "NĐ 331/2026 Đ8.2",
            standard: "TCVN 14423:2026",
        },
    }
}

/// The system kind in the decree's words, with its point of Đ6.2 / Đ9.2.
pub fn kind(k: SystemKind) -> (&'static str, &'static str) {
    match k {
        SystemKind::Internal => ("Hệ thống thông tin phục vụ hoạt động nội bộ", "a"),
        SystemKind::CitizenService => ("Hệ thống thông tin phục vụ người dân, doanh nghiệp", "b"),
        SystemKind::Infrastructure => ("Hệ thống cơ sở hạ tầng thông tin", "c"),
        SystemKind::IndustrialControl => ("Hệ thống thông tin điều khiển công nghiệp", "d"),
        SystemKind::Other => ("Hệ thống thông tin khác", "đ"),
    }
}

pub fn info_type(t: InfoType) -> &'static str {
    match t {
        InfoType::Public => "Thông tin công cộng",
        InfoType::Private => "Thông tin riêng",
        InfoType::Personal => "Thông tin cá nhân",
        InfoType::StateSecret => "Thông tin bí mật nhà nước",
    }
}

pub fn scope(s: Option<Scope>) -> &'static str {
    match s {
        None => "không khai báo (coi như một cơ quan, tổ chức)",
        Some(Scope::Agency) => "một cơ quan, tổ chức",
        Some(Scope::Ministry) => "các cơ quan, tổ chức trong một bộ",
        Some(Scope::Sector) => "các cơ quan, tổ chức trong một ngành",
        Some(Scope::Province) => "các cơ quan, tổ chức trong một tỉnh",
        Some(Scope::MultiProvince) => "các cơ quan, tổ chức của một số tỉnh",
        Some(Scope::Nationwide) => "các cơ quan, tổ chức trên phạm vi toàn quốc",
    }
}

pub fn zone(z: Zone) -> &'static str {
    match z {
        Zone::InternetEdge => "Vùng mạng biên",
        Zone::Dmz => "Vùng DMZ",
        Zone::Server => "Vùng máy chủ nội bộ",
        Zone::Database => "Vùng máy chủ cơ sở dữ liệu",
        Zone::Management => "Vùng quản trị",
        Zone::DeviceManagement => "Vùng quản trị thiết bị hệ thống",
        Zone::User => "Vùng mạng nội bộ người dùng",
        Zone::Wireless => "Vùng mạng không dây",
        Zone::Backup => "Vùng sao lưu",
        Zone::SpecialPurpose => "Vùng kết nối mạng truyền số liệu chuyên dùng",
    }
}

pub fn role(r: Role) -> &'static str {
    match r {
        Role::Web => "Máy chủ web",
        Role::App => "Máy chủ ứng dụng",
        Role::Api => "Dịch vụ API, tích hợp",
        Role::Database => "Máy chủ cơ sở dữ liệu",
        Role::Cache => "Bộ nhớ đệm",
        Role::Queue => "Hàng đợi thông điệp",
        Role::File => "Máy chủ tệp",
        Role::Storage => "Lưu trữ",
        Role::Backup => "Máy chủ sao lưu",
        Role::Siem => "Thu thập, phân tích sự kiện (SIEM)",
        Role::Log => "Máy chủ nhật ký",
        Role::Monitoring => "Giám sát",
        Role::Dns => "Máy chủ DNS",
        Role::Mail => "Thư điện tử",
        Role::Proxy => "Proxy",
        Role::LoadBalancer => "Cân bằng tải",
        Role::Ntp => "Đồng bộ thời gian (NTP)",
        Role::Patch => "Cập nhật bản vá tập trung",
        Role::Directory => "Dịch vụ thư mục",
        Role::Sso => "Xác thực tập trung (SSO)",
        Role::Bastion => "Máy chủ trung gian quản trị",
        Role::Firewall => "Tường lửa",
        Role::Waf => "Tường lửa ứng dụng web",
        Role::Hypervisor => "Máy chủ ảo hóa",
        Role::ContainerHost => "Máy chủ chạy container",
        Role::Other => "Khác",
    }
}

/// A common service name for a port, when there is one.
pub fn service_name(port: u16) -> Option<&'static str> {
    Some(match port {
        22 => "SSH (quản trị)",
        25 => "SMTP",
        53 => "DNS",
        80 => "HTTP",
        123 => "NTP",
        389 => "LDAP",
        443 => "HTTPS",
        465 | 587 => "SMTP (gửi thư)",
        514 => "Syslog",
        636 => "LDAPS",
        993 => "IMAPS",
        995 => "POP3S",
        1433 => "Microsoft SQL Server",
        1521 => "Oracle Database",
        3306 => "MySQL/MariaDB",
        5432 => "PostgreSQL",
        6379 => "Redis",
        8080 | 8443 => "HTTP(S) ứng dụng",
        9200 => "Elasticsearch/OpenSearch",
        _ => return None,
    })
}

pub fn approval_status(s: ApprovalStatus) -> &'static str {
    match s {
        ApprovalStatus::Draft => "Đang dự thảo",
        ApprovalStatus::Submitted => "Đã gửi thẩm định",
        ApprovalStatus::Appraised => "Đã thẩm định",
        ApprovalStatus::Approved => "Đã được phê duyệt",
    }
}

fn impact(i: Option<SecurityImpact>) -> &'static str {
    match i {
        None => "không khai báo",
        Some(SecurityImpact::Harm) => "gây tổn hại",
        Some(SecurityImpact::Serious) => "gây tổn hại nghiêm trọng",
        Some(SecurityImpact::EspeciallySerious) => "gây tổn hại đặc biệt nghiêm trọng",
    }
}

fn grade(g: Option<WorksGrade>) -> &'static str {
    match g {
        None => "không khai báo",
        Some(WorksGrade::Special) => "cấp đặc biệt",
        Some(WorksGrade::I) => "cấp I",
        Some(WorksGrade::II) => "cấp II",
        Some(WorksGrade::III) => "cấp III",
        Some(WorksGrade::IV) => "cấp IV",
    }
}

/// Which facts of a system a criterion turns on.
#[derive(Debug, Clone, Copy)]
enum Facts {
    KindInfo,
    PublicServiceLevel,
    Conditional,
    Users,
    PersonalData,
    AdministrativeProcedures,
    Infrastructure,
    NationalEgov,
    NationalOrInfra,
    Security,
    Industrial,
    DataStore,
    Gateway,
    SecurityList,
    /// NĐ 85 Đ11.5 reads the list and a level 5 set by decision.
    SecurityListOrDecision,
    RiskLevel,
}

/// One criterion of a regime: its level, clause (as `crate::graph::level` writes it) and text.
#[derive(Debug, Clone, Copy)]
pub struct Criterion {
    pub level: u8,
    pub basis: &'static str,
    pub text: &'static str,
    facts: Facts,
}

impl Criterion {
    /// The system's values that this criterion reads, stated in Vietnamese.
    pub fn facts(&self, s: &System) -> String {
        let (kind, _) = kind(s.kind);
        let kind = format!("loại hệ thống: {}", lower_first(kind));
        let secret = s.information.contains(&InfoType::StateSecret);
        match self.facts {
            Facts::KindInfo => format!(
                "{kind}; thông tin xử lý: {}",
                info_list(s).unwrap_or_else(|| "không khai báo".into())
            ),
            Facts::PublicServiceLevel => format!(
                "{kind}; mức độ dịch vụ công trực tuyến: {}",
                s.public_service_level
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "không khai báo".into())
            ),
            Facts::Conditional => format!(
                "{kind}; dịch vụ thuộc danh mục ngành, nghề kinh doanh có điều kiện: {}",
                yes_no(s.conditional_business)
            ),
            Facts::Users => format!(
                "{kind}; số người sử dụng có thông tin riêng, thông tin cá nhân được xử lý: {}",
                s.users
                    .or(s.personal_data.map(|pd| pd.basic + pd.sensitive))
                    .map(number)
                    .unwrap_or_else(|| "không khai báo".into())
            ),
            Facts::PersonalData => match s.personal_data {
                Some(pd) => format!(
                    "{kind}; chủ thể dữ liệu cá nhân cơ bản: {}, nhạy cảm: {}",
                    number(pd.basic),
                    number(pd.sensitive)
                ),
                None => format!("{kind}; số chủ thể dữ liệu cá nhân: không khai báo"),
            },
            Facts::AdministrativeProcedures => format!(
                "giải quyết thủ tục hành chính: {}",
                s.administrative_procedures.map_or("không khai báo", yes_no)
            ),
            Facts::Infrastructure => format!(
                "{kind}; phạm vi phục vụ: {}; yêu cầu vận hành 24/7: {}",
                scope(s.scope),
                yes_no(s.always_on)
            ),
            Facts::NationalEgov => format!(
                "hệ thống thông tin quốc gia: {}; yêu cầu vận hành 24/7: {}",
                yes_no(s.national),
                yes_no(s.always_on)
            ),
            Facts::NationalOrInfra => format!(
                "{kind}; hệ thống thông tin quốc gia: {}; phạm vi phục vụ: {}; yêu cầu vận hành 24/7: {}",
                yes_no(s.national),
                scope(s.scope),
                yes_no(s.always_on)
            ),
            Facts::Security => format!(
                "xử lý thông tin bí mật nhà nước: {}; mức tổn hại đến quốc phòng, an ninh quốc gia khi bị phá hoại: {}",
                yes_no(secret),
                impact(s.security_impact)
            ),
            Facts::Industrial => format!("{kind}; cấp công trình: {}", grade(s.works_grade)),
            Facts::DataStore => format!(
                "lưu trữ tập trung dữ liệu đặc biệt quan trọng của quốc gia: {}",
                yes_no(s.national_data_store)
            ),
            Facts::Gateway => format!(
                "hạ tầng kết nối liên thông giữa Việt Nam với quốc tế: {}",
                yes_no(s.international_gateway)
            ),
            Facts::SecurityList => format!(
                "thuộc danh mục hệ thống thông tin quan trọng về an ninh quốc gia: {}",
                yes_no(s.national_security_list)
            ),
            Facts::SecurityListOrDecision => format!(
                "thuộc danh mục hệ thống thông tin quan trọng quốc gia: {}; cấp độ theo quyết định của Thủ tướng Chính phủ: {}",
                yes_no(s.national_security_list),
                s.risk_level
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "không có".into())
            ),
            Facts::RiskLevel => format!(
                "cấp độ theo quyết định của Thủ tướng Chính phủ hoặc kết quả đánh giá rủi ro: {}",
                s.risk_level
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "không có".into())
            ),
        }
    }
}

fn info_list(s: &System) -> Option<String> {
    (!s.information.is_empty()).then(|| {
        s.information
            .iter()
            .map(|&t| lower_first(info_type(t)))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// "Hệ thống …" → "hệ thống …", for use inside a sentence.
pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

const fn c(level: u8, basis: &'static str, text: &'static str, facts: Facts) -> Criterion {
    Criterion {
        level,
        basis,
        text,
        facts,
    }
}

/// NĐ 85/2016 Đ7–Đ11 (regulations.md §2.3).
const ND85: &[Criterion] = &[
    c(
        1,
        "NĐ 85/2016 Đ7",
        "Hệ thống thông tin phục vụ hoạt động nội bộ, chỉ xử lý thông tin công cộng",
        Facts::KindInfo,
    ),
    c(
        2,
        "NĐ 85/2016 Đ8.1",
        "Hệ thống thông tin phục vụ hoạt động nội bộ có xử lý thông tin riêng, thông tin cá nhân nhưng không xử lý thông tin bí mật nhà nước",
        Facts::KindInfo,
    ),
    c(
        2,
        "NĐ 85/2016 Đ8.2.a",
        "Hệ thống thông tin phục vụ người dân, doanh nghiệp cung cấp dịch vụ công trực tuyến mức độ 2 trở xuống",
        Facts::PublicServiceLevel,
    ),
    c(
        2,
        "NĐ 85/2016 Đ8.2.b",
        "Hệ thống thông tin phục vụ người dân, doanh nghiệp cung cấp dịch vụ trực tuyến không thuộc danh mục ngành, nghề kinh doanh có điều kiện",
        Facts::Conditional,
    ),
    c(
        2,
        "NĐ 85/2016 Đ8.2.c",
        "Hệ thống thông tin phục vụ người dân, doanh nghiệp cung cấp dịch vụ trực tuyến khác có xử lý thông tin riêng, thông tin cá nhân của dưới 10.000 người sử dụng",
        Facts::Users,
    ),
    c(
        2,
        "NĐ 85/2016 Đ8.3",
        "Hệ thống cơ sở hạ tầng thông tin phục vụ hoạt động của một cơ quan, tổ chức",
        Facts::Infrastructure,
    ),
    c(
        3,
        "NĐ 85/2016 Đ9.1",
        "Hệ thống thông tin xử lý thông tin bí mật nhà nước hoặc phục vụ quốc phòng, an ninh mà khi bị phá hoại sẽ gây tổn hại đến quốc phòng, an ninh quốc gia",
        Facts::Security,
    ),
    c(
        3,
        "NĐ 85/2016 Đ9.2.a",
        "Hệ thống thông tin phục vụ người dân, doanh nghiệp cung cấp dịch vụ công trực tuyến mức độ 3 trở lên",
        Facts::PublicServiceLevel,
    ),
    c(
        3,
        "NĐ 85/2016 Đ9.2.b",
        "Hệ thống thông tin phục vụ người dân, doanh nghiệp cung cấp dịch vụ trực tuyến thuộc danh mục ngành, nghề kinh doanh có điều kiện",
        Facts::Conditional,
    ),
    c(
        3,
        "NĐ 85/2016 Đ9.2.c",
        "Hệ thống thông tin phục vụ người dân, doanh nghiệp có xử lý thông tin riêng, thông tin cá nhân của từ 10.000 người sử dụng trở lên",
        Facts::Users,
    ),
    c(
        3,
        "NĐ 85/2016 Đ9.3",
        "Hệ thống cơ sở hạ tầng thông tin dùng chung phục vụ hoạt động của các cơ quan, tổ chức trong phạm vi một ngành, một tỉnh hoặc một số tỉnh",
        Facts::Infrastructure,
    ),
    c(
        3,
        "NĐ 85/2016 Đ9.4",
        "Hệ thống thông tin điều khiển công nghiệp phục vụ công trình cấp II, cấp III, cấp IV",
        Facts::Industrial,
    ),
    c(
        4,
        "NĐ 85/2016 Đ10.1",
        "Hệ thống thông tin xử lý thông tin bí mật nhà nước hoặc phục vụ quốc phòng, an ninh mà khi bị phá hoại sẽ gây tổn hại nghiêm trọng đến quốc phòng, an ninh quốc gia",
        Facts::Security,
    ),
    c(
        4,
        "NĐ 85/2016 Đ10.2",
        "Hệ thống thông tin quốc gia phục vụ phát triển Chính phủ điện tử, yêu cầu vận hành 24/7 và không chấp nhận ngừng vận hành mà không có kế hoạch trước",
        Facts::NationalEgov,
    ),
    c(
        4,
        "NĐ 85/2016 Đ10.3",
        "Hệ thống cơ sở hạ tầng thông tin dùng chung phục vụ hoạt động của các cơ quan, tổ chức trên phạm vi toàn quốc, yêu cầu vận hành 24/7 và không chấp nhận ngừng vận hành mà không có kế hoạch trước",
        Facts::Infrastructure,
    ),
    c(
        4,
        "NĐ 85/2016 Đ10.4",
        "Hệ thống thông tin điều khiển công nghiệp phục vụ công trình cấp I",
        Facts::Industrial,
    ),
    c(
        5,
        "NĐ 85/2016 Đ11.1",
        "Hệ thống thông tin xử lý thông tin bí mật nhà nước hoặc phục vụ quốc phòng, an ninh mà khi bị phá hoại sẽ gây tổn hại đặc biệt nghiêm trọng đến quốc phòng, an ninh quốc gia",
        Facts::Security,
    ),
    c(
        5,
        "NĐ 85/2016 Đ11.2",
        "Hệ thống thông tin phục vụ lưu trữ dữ liệu tập trung đối với một số loại hình thông tin, dữ liệu đặc biệt quan trọng của quốc gia",
        Facts::DataStore,
    ),
    c(
        5,
        "NĐ 85/2016 Đ11.3",
        "Hệ thống cơ sở hạ tầng thông tin quốc gia phục vụ kết nối liên thông hoạt động giữa Việt Nam với quốc tế",
        Facts::Gateway,
    ),
    c(
        5,
        "NĐ 85/2016 Đ11.4",
        "Hệ thống thông tin điều khiển công nghiệp phục vụ công trình cấp đặc biệt hoặc liên quan đến an ninh quốc gia",
        Facts::Industrial,
    ),
    c(
        5,
        "NĐ 85/2016 Đ11.5",
        "Hệ thống thông tin khác theo quyết định của Thủ tướng Chính phủ (danh mục hệ thống thông tin quan trọng quốc gia)",
        Facts::SecurityListOrDecision,
    ),
];

/// NĐ 331/2026 Đ10.5, Đ11–Đ16 (regulations.md §2.3).
const ND331: &[Criterion] = &[
    c(
        1,
        "NĐ 331/2026 Đ11",
        "Hệ thống thông tin phục vụ hoạt động nội bộ, chỉ xử lý thông tin công cộng",
        Facts::KindInfo,
    ),
    c(
        2,
        "NĐ 331/2026 Đ12.1",
        "Hệ thống thông tin phục vụ hoạt động nội bộ có xử lý thông tin riêng, thông tin cá nhân nhưng không xử lý thông tin bí mật nhà nước",
        Facts::KindInfo,
    ),
    c(
        2,
        "NĐ 331/2026 Đ12.2.a",
        "Hệ thống thông tin phục vụ người dân, doanh nghiệp cung cấp dịch vụ trực tuyến không thuộc danh mục ngành, nghề đầu tư kinh doanh có điều kiện",
        Facts::Conditional,
    ),
    c(
        2,
        "NĐ 331/2026 Đ12.2.b",
        "Hệ thống thông tin phục vụ người dân, doanh nghiệp cung cấp dịch vụ trực tuyến khác có xử lý dữ liệu cá nhân của dưới 100.000 chủ thể (dữ liệu cá nhân cơ bản) hoặc dưới 10.000 chủ thể (dữ liệu cá nhân nhạy cảm)",
        Facts::PersonalData,
    ),
    c(
        2,
        "NĐ 331/2026 Đ12.3",
        "Hệ thống cơ sở hạ tầng thông tin phục vụ hoạt động của một cơ quan, tổ chức",
        Facts::Infrastructure,
    ),
    c(
        3,
        "NĐ 331/2026 Đ13.1",
        "Hệ thống thông tin xử lý thông tin bí mật nhà nước hoặc phục vụ quốc phòng, an ninh mà khi bị phá hoại sẽ gây tổn hại đến quốc phòng, an ninh quốc gia",
        Facts::Security,
    ),
    c(
        3,
        "NĐ 331/2026 Đ13.2.a",
        "Hệ thống thông tin phục vụ người dân, doanh nghiệp cung cấp dịch vụ trực tuyến thuộc danh mục ngành, nghề đầu tư kinh doanh có điều kiện",
        Facts::Conditional,
    ),
    c(
        3,
        "NĐ 331/2026 Đ13.2.b",
        "Hệ thống thông tin giải quyết thủ tục hành chính",
        Facts::AdministrativeProcedures,
    ),
    c(
        3,
        "NĐ 331/2026 Đ13.2.c",
        "Hệ thống thông tin phục vụ người dân, doanh nghiệp có xử lý dữ liệu cá nhân của từ 100.000 chủ thể trở lên (dữ liệu cá nhân cơ bản) hoặc từ 10.000 chủ thể trở lên (dữ liệu cá nhân nhạy cảm)",
        Facts::PersonalData,
    ),
    c(
        3,
        "NĐ 331/2026 Đ13.3",
        "Hệ thống cơ sở hạ tầng thông tin dùng chung phục vụ hoạt động của các cơ quan, tổ chức trong phạm vi một bộ, một ngành, một tỉnh hoặc một số tỉnh",
        Facts::Infrastructure,
    ),
    c(
        3,
        "NĐ 331/2026 Đ13.4",
        "Hệ thống thông tin điều khiển công nghiệp phục vụ công trình cấp II, cấp III, cấp IV",
        Facts::Industrial,
    ),
    c(
        4,
        "NĐ 331/2026 Đ14.1",
        "Hệ thống thông tin xử lý thông tin bí mật nhà nước hoặc phục vụ quốc phòng, an ninh mà khi bị phá hoại sẽ gây tổn hại nghiêm trọng đến quốc phòng, an ninh quốc gia",
        Facts::Security,
    ),
    c(
        4,
        "NĐ 331/2026 Đ14.2",
        "Hệ thống thông tin quốc gia phục vụ Chính phủ điện tử hoặc hệ thống cơ sở hạ tầng thông tin dùng chung trên phạm vi toàn quốc, yêu cầu vận hành 24/7 và không chấp nhận ngừng vận hành mà không có kế hoạch trước",
        Facts::NationalOrInfra,
    ),
    c(
        4,
        "NĐ 331/2026 Đ14.3",
        "Hệ thống thông tin điều khiển công nghiệp phục vụ công trình cấp I",
        Facts::Industrial,
    ),
    c(
        5,
        "NĐ 331/2026 Đ15.1",
        "Hệ thống thông tin xử lý thông tin bí mật nhà nước hoặc phục vụ quốc phòng, an ninh chiến lược mà khi bị phá hoại sẽ gây tổn hại đặc biệt nghiêm trọng đến quốc phòng, an ninh quốc gia",
        Facts::Security,
    ),
    c(
        5,
        "NĐ 331/2026 Đ15.2",
        "Hệ thống thông tin phục vụ lưu trữ dữ liệu tập trung đối với một số loại hình thông tin, dữ liệu đặc biệt quan trọng của quốc gia",
        Facts::DataStore,
    ),
    c(
        5,
        "NĐ 331/2026 Đ15.3",
        "Hệ thống cơ sở hạ tầng thông tin quốc gia phục vụ kết nối liên thông giữa Việt Nam với quốc tế",
        Facts::Gateway,
    ),
    c(
        5,
        "NĐ 331/2026 Đ15.4",
        "Hệ thống thông tin điều khiển công nghiệp phục vụ công trình cấp đặc biệt hoặc liên quan đến an ninh quốc gia",
        Facts::Industrial,
    ),
    c(
        2,
        "NĐ 331/2026 Đ12.4",
        "Hệ thống thông tin khác được xác định cấp độ 2 theo quyết định của Thủ tướng Chính phủ hoặc theo kết quả đánh giá rủi ro",
        Facts::RiskLevel,
    ),
    c(
        3,
        "NĐ 331/2026 Đ13.5",
        "Hệ thống thông tin khác được xác định cấp độ 3 theo quyết định của Thủ tướng Chính phủ hoặc theo kết quả đánh giá rủi ro",
        Facts::RiskLevel,
    ),
    c(
        4,
        "NĐ 331/2026 Đ14.4",
        "Hệ thống thông tin khác được xác định cấp độ 4 theo quyết định của Thủ tướng Chính phủ hoặc theo kết quả đánh giá rủi ro",
        Facts::RiskLevel,
    ),
    c(
        5,
        "NĐ 331/2026 Đ15.5",
        "Hệ thống thông tin khác theo quyết định của Thủ tướng Chính phủ hoặc theo kết quả đánh giá rủi ro",
        Facts::RiskLevel,
    ),
    c(
        5,
        "NĐ 331/2026 Đ16.4",
        "Hệ thống thông tin quan trọng về an ninh quốc gia (thuộc danh mục do Thủ tướng Chính phủ phê duyệt)",
        Facts::SecurityList,
    ),
];

/// A level set by Prime-Minister decision or by the risk assessment (NĐ 331 Đ10.5; any level).
const RISK: Criterion = c(
    0,
    "NĐ 331/2026 Đ10.5",
    "Cấp độ theo quyết định của Thủ tướng Chính phủ hoặc cao hơn theo kết quả đánh giá rủi ro",
    Facts::RiskLevel,
);

pub fn criteria(regime: Regime) -> &'static [Criterion] {
    match regime {
        Regime::Nd85 => ND85,
        Regime::Nd331 => ND331,
    }
}

/// The criterion written `basis` (as `crate::graph::level` writes it), when the table has it.
pub fn criterion(regime: Regime, basis: &str) -> Option<Criterion> {
    if regime == Regime::Nd331 && basis == RISK.basis {
        return Some(RISK);
    }
    criteria(regime).iter().find(|c| c.basis == basis).copied()
}

/// The ministry in charge of the security of information systems on a date (regulations.md §1
/// "Institutional change"): who receives the annual report, and who appraises a level-4 or 5
/// dossier, dated that day, whatever the regime the systems are judged by. Each row holds from
/// its date until the next row's; the newest first.
///
/// - From 19/8/2026 (NĐ 331/2026 in force, Đ38): **Bộ Công an** (NĐ 331 Đ35.4.b; Luật 116
///   Đ39.2).
/// - From the merger of MIC into MOST in 2025 (regulations.md: UNCONFIRMED date 01/3/2025):
///   Bộ Khoa học và Công nghệ, which took over MIC's role; the row says the date is
///   unconfirmed.
/// - Before: Bộ Thông tin và Truyền thông (TT 12/2022 Đ13–Đ14; NĐ 85/2016 Đ12).
pub const MINISTRY_IN_CHARGE: [(Date, &str); 3] = [
    (jiff::civil::date(2026, 8, 19), "Bộ Công an"),
    (
        jiff::civil::date(2025, 3, 1),
        "Bộ Khoa học và Công nghệ (hợp nhất Bộ Thông tin và Truyền thông; ngày 01/3/2025 chưa được xác nhận)",
    ),
    (jiff::civil::date(1, 1, 1), "Bộ Thông tin và Truyền thông"),
];

/// The ministry in charge on `day` ([`MINISTRY_IN_CHARGE`]).
pub fn ministry_in_charge(day: Date) -> &'static str {
    MINISTRY_IN_CHARGE
        .iter()
        .find(|(from, _)| day >= *from)
        .map_or(MINISTRY_IN_CHARGE[2].1, |(_, who)| who)
}

/// A backup schedule in words.
pub fn schedule(s: crate::inventory::Schedule) -> &'static str {
    use crate::inventory::Schedule;
    match s {
        Schedule::Hourly => "hằng giờ",
        Schedule::Daily => "hằng ngày",
        Schedule::Weekly => "hằng tuần",
        Schedule::Monthly => "hằng tháng",
    }
}

/// `s`, or the blank a person fills in when it is missing or empty.
pub fn or_blank(s: Option<&str>) -> String {
    match s {
        Some(s) if !s.trim().is_empty() => s.to_owned(),
        _ => BLANK.to_owned(),
    }
}

/// `items` joined with commas, or `empty` when there are none.
pub fn join_or(items: &[String], empty: &str) -> String {
    if items.is_empty() {
        empty.to_owned()
    } else {
        items.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report goes to the ministry in charge on its date (issue 15, item 5): Bộ Công an from
    /// 19/8/2026 whatever the regime, never the merged Bộ Thông tin và Truyền thông after 2025.
    #[test]
    fn the_annual_report_goes_to_the_ministry_in_charge_on_its_date() {
        use jiff::civil::date;
        assert_eq!(ministry_in_charge(date(2026, 12, 14)), "Bộ Công an");
        assert_eq!(ministry_in_charge(date(2026, 8, 19)), "Bộ Công an");
        assert!(ministry_in_charge(date(2026, 8, 18)).starts_with("Bộ Khoa học và Công nghệ"));
        assert!(ministry_in_charge(date(2025, 12, 1)).contains("chưa được xác nhận"));
        assert_eq!(
            ministry_in_charge(date(2024, 12, 20)),
            "Bộ Thông tin và Truyền thông"
        );
    }

    #[test]
    fn numbers_are_grouped_by_dots_and_dates_written_day_first() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(2_100_000), "2.100.000");
        assert_eq!(date(Date::constant(2023, 3, 8)), "08/03/2023");
    }

    /// Every clause the level code can decide by has a Vietnamese text here.
    #[test]
    fn every_clause_of_the_level_code_has_a_text() {
        use crate::inventory::{Level, PersonalData};
        for regime in [Regime::Nd85, Regime::Nd331] {
            for c in criteria(regime) {
                assert!(
                    c.basis.starts_with(instruments(regime).decree),
                    "{}",
                    c.basis
                );
            }
            // A system meeting as many criteria as the inventory allows.
            let mut s = crate::dossier::tests::system();
            s.information = [InfoType::Private, InfoType::StateSecret].into();
            s.security_impact = Some(SecurityImpact::EspeciallySerious);
            s.national = true;
            s.always_on = true;
            s.national_data_store = true;
            s.international_gateway = true;
            s.national_security_list = true;
            s.administrative_procedures = Some(true);
            s.risk_level = Level::new(4);
            s.personal_data = Some(PersonalData {
                basic: 200_000,
                sensitive: 0,
            });
            for kind in [
                SystemKind::Internal,
                SystemKind::CitizenService,
                SystemKind::Infrastructure,
                SystemKind::IndustrialControl,
            ] {
                s.kind = kind;
                for (g, scope) in [
                    (WorksGrade::Special, None),
                    (WorksGrade::I, Some(Scope::Ministry)),
                    (WorksGrade::III, Some(Scope::Nationwide)),
                ] {
                    s.works_grade = Some(g);
                    s.scope = scope;
                    for found in crate::graph::level::required(&s, regime).criteria {
                        assert!(
                            criterion(regime, &found.basis).is_some(),
                            "no text for {}",
                            found.basis
                        );
                    }
                }
            }
        }
    }
}
