//! The required level of a system from its attributes, by the criteria of each regime
//! (regulations.md §2.3: NĐ 85/2016 Đ7–Đ11, NĐ 331/2026 Đ11–Đ16).
//!
//! Every criterion that matches is kept with its article and clause; the highest decides
//! (NĐ 85 Đ5.2, NĐ 331 Đ8.2: a system meeting several criteria takes the highest level).

use crate::inventory::{
    InfoType, Level, Regime, Scope, SecurityImpact, System, SystemKind, WorksGrade,
};

/// One criterion a system meets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub level: Level,
    /// Article and clause, e.g. "NĐ 85/2016 Đ9.2.c".
    pub basis: String,
    /// Why it matched, in English, naming the attributes used.
    pub reason: String,
}

/// The level a system's attributes require, and every criterion that matched (highest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Required {
    pub level: Level,
    pub criteria: Vec<Criterion>,
}

impl Required {
    /// The criterion that decided the level.
    pub fn deciding(&self) -> &Criterion {
        // `required` always pushes at least one criterion.
        &self.criteria[0]
    }
}

/// Legacy user-count threshold for private/personal information (NĐ 85 Đ8.2.c / Đ9.2.c).
const LEGACY_USERS: u64 = 10_000;
/// Current thresholds of data subjects (NĐ 331 Đ12.2.b / Đ13.2.c).
const BASIC_SUBJECTS: u64 = 100_000;
const SENSITIVE_SUBJECTS: u64 = 10_000;

pub fn required(s: &System, regime: Regime) -> Required {
    let mut c = Vec::new();
    match regime {
        Regime::Nd85 => nd85(s, &mut c),
        Regime::Nd331 => nd331(s, &mut c),
    }
    if c.is_empty() {
        let (law, art) = match regime {
            Regime::Nd85 => ("NĐ 85/2016", "Đ7"),
            Regime::Nd331 => ("NĐ 331/2026", "Đ11"),
        };
        c.push(crit(
            1,
            law,
            art,
            "no criterion of a higher level matches its attributes".into(),
        ));
    }
    // Highest first; among equals keep the order the law lists them in.
    c.sort_by_key(|x| std::cmp::Reverse(x.level));
    Required {
        level: c[0].level,
        criteria: c,
    }
}

fn crit(level: u8, law: &str, clause: &str, reason: String) -> Criterion {
    Criterion {
        level: Level::new(level as i64).unwrap_or(Level::MIN),
        basis: format!("{law} {clause}"),
        reason,
    }
}

fn has(s: &System, t: InfoType) -> bool {
    s.information.contains(&t)
}

fn private_or_personal(s: &System) -> bool {
    has(s, InfoType::Private) || has(s, InfoType::Personal)
}

fn nd85(s: &System, c: &mut Vec<Criterion>) {
    let law = "NĐ 85/2016";
    let users = s
        .users
        .unwrap_or(s.personal_data.basic + s.personal_data.sensitive);
    let secret = has(s, InfoType::StateSecret);
    let citizen = s.kind == SystemKind::CitizenService;

    if s.kind == SystemKind::Internal && !secret {
        if private_or_personal(s) {
            c.push(crit(
                2,
                law,
                "Đ8.1",
                "internal system processing private or personal information".into(),
            ));
        } else {
            c.push(crit(
                1,
                law,
                "Đ7",
                "internal system processing only public information".into(),
            ));
        }
    }
    if citizen {
        match s.public_service_level {
            Some(l) if l >= 3 => c.push(crit(
                3,
                law,
                "Đ9.2.a",
                format!("provides online public services at level {l}"),
            )),
            Some(l) => c.push(crit(
                2,
                law,
                "Đ8.2.a",
                format!("provides online public services at level {l}"),
            )),
            None => {}
        }
        if s.conditional_business {
            c.push(crit(
                3,
                law,
                "Đ9.2.b",
                "provides an online service on the conditional-business list".into(),
            ));
        } else {
            c.push(crit(
                2,
                law,
                "Đ8.2.b",
                "provides online services not on the conditional-business list".into(),
            ));
        }
        if private_or_personal(s) {
            if users >= LEGACY_USERS {
                c.push(crit(3, law, "Đ9.2.c", format!("processes private or personal information of {users} users (≥ {LEGACY_USERS})")));
            } else {
                c.push(crit(2, law, "Đ8.2.c", format!("processes private or personal information of {users} users (< {LEGACY_USERS})")));
            }
        }
    }
    if s.kind == SystemKind::Infrastructure {
        match s.scope {
            Some(Scope::Agency) | None => c.push(crit(
                2,
                law,
                "Đ8.3",
                "information infrastructure serving one agency".into(),
            )),
            Some(Scope::Nationwide) if s.always_on => c.push(crit(
                4,
                law,
                "Đ10.3",
                "shared information infrastructure for agencies nationwide, required to run 24/7"
                    .into(),
            )),
            Some(scope) => c.push(crit(
                3,
                law,
                "Đ9.3",
                format!(
                    "shared information infrastructure for {}",
                    scope_name(scope)
                ),
            )),
        }
    }
    if s.national && s.always_on {
        c.push(crit(
            4,
            law,
            "Đ10.2",
            "national e-government system required to run 24/7 with no unplanned outage".into(),
        ));
    }
    security(s, c, law, ["Đ9.1", "Đ10.1", "Đ11.1"]);
    if s.kind == SystemKind::IndustrialControl {
        industrial(s, c, law, ["Đ9.4", "Đ10.4", "Đ11.4"]);
    }
    if s.national_data_store {
        c.push(crit(
            5,
            law,
            "Đ11.2",
            "centralised storage of especially important national data".into(),
        ));
    }
    if s.international_gateway {
        c.push(crit(
            5,
            law,
            "Đ11.3",
            "national infrastructure connecting Vietnam with international networks".into(),
        ));
    }
    if s.national_security_list || s.risk_level == Level::new(5) {
        c.push(crit(
            5,
            law,
            "Đ11.5",
            "on the Prime Minister's list of nationally important systems".into(),
        ));
    }
}

fn nd331(s: &System, c: &mut Vec<Criterion>) {
    let law = "NĐ 331/2026";
    let secret = has(s, InfoType::StateSecret);
    let citizen = s.kind == SystemKind::CitizenService;
    let pd = s.personal_data;

    if s.kind == SystemKind::Internal && !secret {
        if private_or_personal(s) {
            c.push(crit(
                2,
                law,
                "Đ12.1",
                "internal system processing private or personal information".into(),
            ));
        } else {
            c.push(crit(
                1,
                law,
                "Đ11",
                "internal system processing only public information".into(),
            ));
        }
    }
    if citizen {
        if s.conditional_business {
            c.push(crit(
                3,
                law,
                "Đ13.2.a",
                "provides an online service on the conditional-investment-business list".into(),
            ));
        } else {
            c.push(crit(
                2,
                law,
                "Đ12.2.a",
                "provides online services not on the conditional-investment-business list".into(),
            ));
        }
        if pd.basic >= BASIC_SUBJECTS || pd.sensitive >= SENSITIVE_SUBJECTS {
            c.push(crit(
                3,
                law,
                "Đ13.2.c",
                if pd.sensitive >= SENSITIVE_SUBJECTS {
                    format!(
                        "processes sensitive personal data of {} data subjects (≥ {SENSITIVE_SUBJECTS})",
                        pd.sensitive
                    )
                } else {
                    format!(
                        "processes basic personal data of {} data subjects (≥ {BASIC_SUBJECTS})",
                        pd.basic
                    )
                },
            ));
        } else if has(s, InfoType::Personal) {
            c.push(crit(
                2,
                law,
                "Đ12.2.b",
                format!(
                    "processes personal data of {} basic / {} sensitive data subjects (< {BASIC_SUBJECTS} / < {SENSITIVE_SUBJECTS})",
                    pd.basic, pd.sensitive
                ),
            ));
        }
    }
    if s.administrative_procedures {
        c.push(crit(
            3,
            law,
            "Đ13.2.b",
            "handles administrative procedures".into(),
        ));
    }
    if s.kind == SystemKind::Infrastructure {
        match s.scope {
            Some(Scope::Agency) | None => c.push(crit(2, law, "Đ12.3", "information infrastructure serving one agency".into())),
            Some(Scope::Nationwide) if s.always_on => c.push(crit(
                4,
                law,
                "Đ14.2",
                "information infrastructure nationwide, required to run 24/7 with no unplanned outage".into(),
            )),
            Some(scope) => c.push(crit(3, law, "Đ13.3", format!("shared information infrastructure for {}", scope_name(scope)))),
        }
    }
    if s.national && s.always_on {
        c.push(crit(
            4,
            law,
            "Đ14.2",
            "national e-government system required to run 24/7 with no unplanned outage".into(),
        ));
    }
    security(s, c, law, ["Đ13.1", "Đ14.1", "Đ15.1"]);
    if s.kind == SystemKind::IndustrialControl {
        industrial(s, c, law, ["Đ13.4", "Đ14.3", "Đ15.4"]);
    }
    if s.national_data_store {
        c.push(crit(
            5,
            law,
            "Đ15.2",
            "centralised storage of especially important national data".into(),
        ));
    }
    if s.international_gateway {
        c.push(crit(
            5,
            law,
            "Đ15.3",
            "national infrastructure connecting Vietnam with international networks".into(),
        ));
    }
    if s.national_security_list {
        c.push(crit(
            5,
            law,
            "Đ16.4",
            "on the list of information systems important to national security".into(),
        ));
    }
    if let Some(l) = s.risk_level {
        c.push(crit(
            l.get(),
            law,
            "Đ10.5",
            format!("the risk assessment or a Prime-Minister decision sets level {l}"),
        ));
    }
}

/// State secrets or defence/security systems, by how badly sabotage would harm them.
fn security(s: &System, c: &mut Vec<Criterion>, law: &str, clauses: [&str; 3]) {
    let secret = has(s, InfoType::StateSecret);
    match s.security_impact {
        Some(SecurityImpact::EspeciallySerious) => c.push(crit(
            5,
            law,
            clauses[2],
            "sabotage would cause especially serious harm to national defence or security".into(),
        )),
        Some(SecurityImpact::Serious) => c.push(crit(
            4,
            law,
            clauses[1],
            "sabotage would cause serious harm to national defence or security".into(),
        )),
        Some(SecurityImpact::Harm) => c.push(crit(
            3,
            law,
            clauses[0],
            "sabotage would harm national defence or security".into(),
        )),
        None if secret => c.push(crit(3, law, clauses[0], "processes state secrets".into())),
        None => {}
    }
}

fn industrial(s: &System, c: &mut Vec<Criterion>, law: &str, clauses: [&str; 3]) {
    match s.works_grade {
        Some(WorksGrade::Special) => c.push(crit(
            5,
            law,
            clauses[2],
            "industrial control of special-grade construction works".into(),
        )),
        Some(WorksGrade::I) => c.push(crit(
            4,
            law,
            clauses[1],
            "industrial control of grade I construction works".into(),
        )),
        Some(g @ (WorksGrade::II | WorksGrade::III | WorksGrade::IV)) => c.push(crit(
            3,
            law,
            clauses[0],
            format!("industrial control of grade {g:?} construction works"),
        )),
        None => {}
    }
}

/// "shared information infrastructure for …", completed by the scope.
fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Agency => "one agency",
        // regulations.md §2.3: a DC shared by the agencies of one ministry counts as one sector.
        Scope::Ministry => "the agencies of one ministry (one sector)",
        Scope::Sector => "the agencies of one sector",
        Scope::Province => "the agencies of one province",
        Scope::MultiProvince => "the agencies of several provinces",
        Scope::Nationwide => "agencies nationwide, not required to run 24/7",
    }
}
