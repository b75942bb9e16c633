//! The required level of a system from its attributes, by the criteria of each regime
//! (regulations.md §2.3: NĐ 85/2016 Đ7–Đ11, NĐ 331/2026 Đ11–Đ16).
//!
//! Every criterion that matches is kept with its article and clause; the highest decides
//! (NĐ 85 Đ5.2, NĐ 331 Đ8.2: a system meeting several criteria takes the highest level).

use crate::diag::Diagnostic;
use crate::inventory::{
    InfoType, Inventory, Level, Regime, Scope, SecurityImpact, System, SystemKind, WorksGrade,
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

/// An input the criteria need and the inventory does not give: the level cannot be decided
/// without it, and it is never read as the value that gives the lowest level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// The inventory key to write, e.g. `scope`.
    pub key: &'static str,
    /// The level the criterion would give if the missing input were the worse case.
    pub could_require: Level,
    /// The criterion's article and clause.
    pub basis: String,
    /// What is missing and what it could change, in English.
    pub reason: String,
}

/// The level a system's attributes require, and every criterion that matched (highest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Required {
    /// The level the criteria that could be decided give.
    pub level: Level,
    pub criteria: Vec<Criterion>,
    /// Inputs that are not written and could raise the level (empty when the level is decided).
    pub missing: Vec<Missing>,
    /// On the list of systems important to national security while meeting a level-3 or 4
    /// criterion (NĐ 331 Đ20.4): the level stays, the level-5 procedure applies. The clause.
    pub level5_procedure: Option<String>,
}

impl Required {
    /// The criterion that decided the level.
    pub fn deciding(&self) -> &Criterion {
        // `required` always pushes at least one criterion.
        &self.criteria[0]
    }

    /// The level the system must be held to at least: the decided level, raised to what a
    /// missing input could require (a missing input never counts as the lowest case).
    pub fn held(&self) -> Level {
        self.missing
            .iter()
            .map(|m| m.could_require)
            .fold(self.level, Level::max)
    }

    /// Whether every input the criteria need is written.
    pub fn decided(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Legacy user-count threshold for private/personal information (NĐ 85 Đ8.2.c / Đ9.2.c).
const LEGACY_USERS: u64 = 10_000;
/// Current thresholds of data subjects (NĐ 331 Đ12.2.b / Đ13.2.c).
const BASIC_SUBJECTS: u64 = 100_000;
const SENSITIVE_SUBJECTS: u64 = 10_000;

/// Where each criterion sits in a regime's decree. The two decrees share most criteria with
/// different article numbers; what only one of them has is in `nd85_only` / `nd331_only`.
struct Clauses {
    law: &'static str,
    /// Internal system with only public information (level 1).
    internal_public: &'static str,
    /// Internal system with private or personal information (level 2).
    internal_private: &'static str,
    /// Online service not on / on the conditional-business list (levels 2, 3).
    not_conditional: &'static str,
    conditional: &'static str,
    /// Infrastructure for one agency / shared / nationwide and 24/7 (levels 2, 3, 4).
    infra_agency: &'static str,
    infra_shared: &'static str,
    infra_nationwide: &'static str,
    /// National e-government system, 24/7 (level 4).
    national_egov: &'static str,
    /// State secrets or defence/security, by harm (levels 3, 4, 5).
    security: [&'static str; 3],
    /// Industrial control by works grade (levels 3, 4, 5; level 5 also for works tied to
    /// national security).
    industrial: [&'static str; 3],
    data_store: &'static str,
    gateway: &'static str,
}

const ND85: Clauses = Clauses {
    law: "NĐ 85/2016",
    internal_public: "Đ7",
    internal_private: "Đ8.1",
    not_conditional: "Đ8.2.b",
    conditional: "Đ9.2.b",
    infra_agency: "Đ8.3",
    infra_shared: "Đ9.3",
    infra_nationwide: "Đ10.3",
    national_egov: "Đ10.2",
    security: ["Đ9.1", "Đ10.1", "Đ11.1"],
    industrial: ["Đ9.4", "Đ10.4", "Đ11.4"],
    data_store: "Đ11.2",
    gateway: "Đ11.3",
};

const ND331: Clauses = Clauses {
    law: "NĐ 331/2026",
    internal_public: "Đ11",
    internal_private: "Đ12.1",
    not_conditional: "Đ12.2.a",
    conditional: "Đ13.2.a",
    infra_agency: "Đ12.3",
    infra_shared: "Đ13.3",
    infra_nationwide: "Đ14.2",
    national_egov: "Đ14.2",
    security: ["Đ13.1", "Đ14.1", "Đ15.1"],
    industrial: ["Đ13.4", "Đ14.3", "Đ15.4"],
    data_store: "Đ15.2",
    gateway: "Đ15.3",
};

/// NĐ 331/2026: the clause of "other systems by Prime-Minister decision or by risk assessment"
/// at each level (index level − 1; regulations.md §2.3: Đ12 item 4, Đ13 item 5, Đ14 item 4,
/// Đ15 item 5). Level 1 has no such item: Đ10.5 (a higher level where the risk assessment
/// shows a higher risk) is cited alone.
pub const ND331_RISK: [&str; 5] = ["Đ10.5", "Đ12.4", "Đ13.5", "Đ14.4", "Đ15.5"];

pub fn required(s: &System, regime: Regime) -> Required {
    let clauses = match regime {
        Regime::Nd85 => &ND85,
        Regime::Nd331 => &ND331,
    };
    let mut c = Criteria {
        law: clauses.law,
        found: Vec::new(),
        missing: Vec::new(),
    };
    shared(s, clauses, regime, &mut c);
    match regime {
        Regime::Nd85 => nd85_only(s, &mut c),
        Regime::Nd331 => nd331_only(s, &mut c),
    }
    let Criteria {
        mut found,
        mut missing,
        ..
    } = c;
    if found.is_empty() {
        found.push(criterion(
            1,
            clauses.law,
            clauses.internal_public,
            "no criterion of a higher level matches its attributes".into(),
        ));
    }
    // Highest first; among equals, in clause order, so the deciding one is stable.
    found.sort_by(|a, b| b.level.cmp(&a.level).then_with(|| a.basis.cmp(&b.basis)));
    let level = found[0].level;
    // NĐ 331 Đ16.4 makes the systems on the national-security list level 5; one meeting a
    // level-3 or 4 criterion keeps its level and follows the level-5 procedure (Đ20.4).
    let listed = regime == Regime::Nd331 && s.national_security_list;
    if listed && level.get() < 3 {
        missing.push(Missing {
            key: "national_security_list",
            could_require: Level::MAX,
            basis: format!("{} Đ16.4", clauses.law),
            reason: "on the list of information systems important to national security, but no level-3 or level-4 criterion matches (Đ20.4 keeps only those at their level): a listed system is level 5".into(),
        });
    }
    // A missing input that could not raise the level changes nothing.
    missing.retain(|m| m.could_require > level);
    missing.sort_by(|a, b| b.could_require.cmp(&a.could_require).then(a.key.cmp(b.key)));
    let level5_procedure =
        (listed && (3..=4).contains(&level.get())).then(|| format!("{} Đ16.4, Đ20.4", clauses.law));
    Required {
        level,
        criteria: found,
        missing,
        level5_procedure,
    }
}

/// The criteria found so far, in one regime's decree.
struct Criteria {
    law: &'static str,
    found: Vec<Criterion>,
    missing: Vec<Missing>,
}

impl Criteria {
    fn add(&mut self, level: u8, clause: &str, reason: impl Into<String>) {
        self.found
            .push(criterion(level, self.law, clause, reason.into()));
    }

    fn missing(&mut self, key: &'static str, could: u8, clause: &str, reason: impl Into<String>) {
        self.missing.push(Missing {
            key,
            could_require: Level::new(could as i64).unwrap_or(Level::MAX),
            basis: format!("{} {clause}", self.law),
            reason: reason.into(),
        });
    }
}

fn criterion(level: u8, law: &str, clause: &str, reason: String) -> Criterion {
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

/// The criteria both decrees have, at their own clauses.
fn shared(s: &System, k: &Clauses, regime: Regime, c: &mut Criteria) {
    if s.kind == SystemKind::Internal && !has(s, InfoType::StateSecret) {
        if private_or_personal(s) {
            c.add(
                2,
                k.internal_private,
                "internal system processing private or personal information",
            );
        } else if s.information.is_empty() {
            c.missing(
                "information",
                2,
                k.internal_private,
                "`information` is not written: an internal system processing private or personal information is level 2",
            );
        } else {
            c.add(
                1,
                k.internal_public,
                "internal system processing only public information",
            );
        }
    }
    if s.kind == SystemKind::CitizenService {
        if s.conditional_business {
            c.add(
                3,
                k.conditional,
                "provides an online service on the conditional-business list",
            );
        } else {
            c.add(
                2,
                k.not_conditional,
                "provides online services not on the conditional-business list",
            );
        }
        if s.information.is_empty() {
            let clause = match regime {
                Regime::Nd85 => "Đ9.2.c",
                Regime::Nd331 => "Đ13.2.c",
            };
            c.missing(
                "information",
                3,
                clause,
                "`information` is not written: a citizen service processing the personal information of enough people is level 3",
            );
        }
    }
    if s.kind == SystemKind::Infrastructure {
        match s.scope {
            Some(Scope::Agency) => c.add(
                2,
                k.infra_agency,
                "information infrastructure serving one agency",
            ),
            None => {
                c.add(
                    2,
                    k.infra_agency,
                    "information infrastructure (serving at least one agency)",
                );
                let (could, clause) = if s.always_on {
                    (4, k.infra_nationwide)
                } else {
                    (3, k.infra_shared)
                };
                c.missing(
                    "scope",
                    could,
                    clause,
                    "`scope` is not written: infrastructure shared by the agencies of a ministry, sector or province is level 3 (nationwide and 24/7: level 4)",
                );
            }
            Some(Scope::Nationwide) if s.always_on => c.add(
                4,
                k.infra_nationwide,
                "shared information infrastructure for agencies nationwide, required to run 24/7",
            ),
            Some(scope) => c.add(
                3,
                k.infra_shared,
                format!(
                    "shared information infrastructure for {}",
                    scope_name(scope)
                ),
            ),
        }
    }
    if s.national && s.always_on {
        c.add(
            4,
            k.national_egov,
            "national e-government system required to run 24/7 with no unplanned outage",
        );
    }
    match s.security_impact {
        Some(SecurityImpact::EspeciallySerious) => c.add(
            5,
            k.security[2],
            "sabotage would cause especially serious harm to national defence or security",
        ),
        Some(SecurityImpact::Serious) => c.add(
            4,
            k.security[1],
            "sabotage would cause serious harm to national defence or security",
        ),
        Some(SecurityImpact::Harm) => c.add(
            3,
            k.security[0],
            "sabotage would harm national defence or security",
        ),
        None if has(s, InfoType::StateSecret) => c.add(3, k.security[0], "processes state secrets"),
        None => {}
    }
    if s.kind == SystemKind::IndustrialControl {
        if s.national_security_works {
            c.add(
                5,
                k.industrial[2],
                "industrial control of construction works tied to national security",
            );
        }
        match s.works_grade {
            Some(WorksGrade::Special) => c.add(
                5,
                k.industrial[2],
                "industrial control of special-grade construction works",
            ),
            Some(WorksGrade::I) => c.add(
                4,
                k.industrial[1],
                "industrial control of grade I construction works",
            ),
            Some(g @ (WorksGrade::II | WorksGrade::III | WorksGrade::IV)) => c.add(
                3,
                k.industrial[0],
                format!("industrial control of grade {g:?} construction works"),
            ),
            None if !s.national_security_works => c.missing(
                "works_grade",
                5,
                k.industrial[2],
                "`works_grade` is not written: industrial control is level 3 to 5 by the grade of the works it controls",
            ),
            None => {}
        }
    }
    if s.national_data_store {
        c.add(
            5,
            k.data_store,
            "centralised storage of especially important national data",
        );
    }
    if s.international_gateway {
        c.add(
            5,
            k.gateway,
            "national infrastructure connecting Vietnam with international networks",
        );
    }
}

/// NĐ 85/2016 only: online public service levels (mức độ) and user counts.
fn nd85_only(s: &System, c: &mut Criteria) {
    if s.kind == SystemKind::CitizenService {
        match s.public_service_level {
            Some(l) if l >= 3 => c.add(
                3,
                "Đ9.2.a",
                format!("provides online public services at level {l}"),
            ),
            Some(l) => c.add(
                2,
                "Đ8.2.a",
                format!("provides online public services at level {l}"),
            ),
            None => {}
        }
        if private_or_personal(s) {
            let users = s
                .users
                .or(s.personal_data.map(|pd| pd.basic + pd.sensitive));
            match users {
                Some(users) if users >= LEGACY_USERS => c.add(3, "Đ9.2.c", format!("processes private or personal information of {users} users (≥ {LEGACY_USERS})")),
                Some(users) => c.add(2, "Đ8.2.c", format!("processes private or personal information of {users} users (< {LEGACY_USERS})")),
                None => c.missing(
                    "users",
                    3,
                    "Đ9.2.c",
                    format!("processes private or personal information, but neither `users` nor `personal_data` says of how many people: {LEGACY_USERS} or more is level 3"),
                ),
            }
        }
    }
    if s.national_security_list || s.risk_level == Level::new(5) {
        c.add(
            5,
            "Đ11.5",
            "on the Prime Minister's list of nationally important systems",
        );
    }
}

/// NĐ 331/2026 only: data-subject counts, administrative procedures, the national-security list
/// and levels set by risk assessment.
fn nd331_only(s: &System, c: &mut Criteria) {
    if s.kind == SystemKind::CitizenService && has(s, InfoType::Personal) {
        subjects(s, c);
    }
    match s.administrative_procedures {
        Some(true) => c.add(3, "Đ13.2.b", "handles administrative procedures"),
        Some(false) => {}
        // An online public service is the handling of administrative procedures online: an
        // inventory written for NĐ 85 (with `public_service_level`) says so without the key.
        None => match s.public_service_level {
            Some(l) => c.add(
                3,
                "Đ13.2.b",
                format!("provides online public services (mức độ {l}), which handle administrative procedures"),
            ),
            None if s.kind == SystemKind::CitizenService => c.missing(
                "administrative_procedures",
                3,
                "Đ13.2.b",
                "`administrative_procedures` is not written: a system handling administrative procedures is level 3",
            ),
            None => {}
        },
    }
    if let Some(l) = s.risk_level {
        c.add(
            l.get(),
            ND331_RISK[l.get() as usize - 1],
            format!("the risk assessment or a Prime-Minister decision sets level {l} (Đ10.5)"),
        );
    }
}

/// NĐ 331/2026 Đ12.2.b / Đ13.2.c: the data subjects of a citizen service processing personal
/// data. `users` (the NĐ 85 count) is evidence when `personal_data` is not written.
fn subjects(s: &System, c: &mut Criteria) {
    match (s.personal_data, s.users) {
        (Some(pd), _) if pd.sensitive >= SENSITIVE_SUBJECTS => c.add(3, "Đ13.2.c", format!("processes sensitive personal data of {} data subjects (≥ {SENSITIVE_SUBJECTS})", pd.sensitive)),
        (Some(pd), _) if pd.basic >= BASIC_SUBJECTS => c.add(
            3,
            "Đ13.2.c",
            format!(
                "processes basic personal data of {} data subjects (≥ {BASIC_SUBJECTS})",
                pd.basic
            ),
        ),
        (Some(pd), _) => c.add(
            2,
            "Đ12.2.b",
            format!(
                "processes personal data of {} basic / {} sensitive data subjects (< {BASIC_SUBJECTS} / < {SENSITIVE_SUBJECTS})",
                pd.basic, pd.sensitive
            ),
        ),
        (None, Some(users)) if users >= BASIC_SUBJECTS => c.add(
            3,
            "Đ13.2.c",
            format!("processes personal information of {users} users, so of at least {BASIC_SUBJECTS} data subjects (`users`; `personal_data` is not written)"),
        ),
        (None, Some(users)) if users >= SENSITIVE_SUBJECTS => {
            c.add(
                2,
                "Đ12.2.b",
                format!("processes personal information of {users} users (`users`; `personal_data` is not written)"),
            );
            c.missing(
                "personal_data",
                3,
                "Đ13.2.c",
                format!("`personal_data` is not written: {users} users is level 3 if {SENSITIVE_SUBJECTS} or more of them have sensitive personal data"),
            );
        }
        (None, Some(users)) => c.add(
            2,
            "Đ12.2.b",
            format!("processes personal information of {users} users, fewer than {SENSITIVE_SUBJECTS} data subjects (`users`; `personal_data` is not written)"),
        ),
        (None, None) => c.missing(
            "personal_data",
            3,
            "Đ13.2.c",
            format!("processes personal data, but neither `personal_data` nor `users` gives the number of data subjects: {BASIC_SUBJECTS} basic or {SENSITIVE_SUBJECTS} sensitive is level 3"),
        ),
    }
}

/// A warning for every input a system's level needs and the inventory does not give under
/// `regime` (`capdo validate`): the level cannot be decided, and `LEVEL-UNDERCLASSIFIED` is an
/// error until it is written.
pub fn missing_inputs(inv: &Inventory, regime: Regime) -> Vec<Diagnostic> {
    inv.systems
        .iter()
        .flat_map(|s| {
            required(s, regime).missing.into_iter().map(move |m| {
                Diagnostic::new(
                    "level-input-missing",
                    format!(
                        "the level of system `{}` cannot be decided under {}: `{}` is not written",
                        s.id,
                        regime.as_str(),
                        m.key
                    ),
                )
                .at(s.loc.clone(), format!("level {} or more by {} is possible", m.could_require, m.basis))
                .hint(format!(
                    "{}; until then capdo holds the system to level {} and LEVEL-UNDERCLASSIFIED cannot pass",
                    m.reason, m.could_require
                ))
                .warning()
            })
        })
        .collect()
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
