//! The documents a security unit hands in: the level-proposal dossier of one system (hồ sơ đề
//! xuất cấp độ: overview, level justification, protection plan and, under NĐ 331/2026, the cover
//! forms Mẫu 01/02 and 05) and the annual report (báo cáo định kỳ, Mẫu 08).
//!
//! Both are built from the validated inventory and the graph, plus, optionally, a finished
//! `capdo.report/v1` JSON report whose findings give each requirement its status. The data is
//! prepared here in Vietnamese and rendered with handlebars templates (strict mode) shipped in
//! `templates/dossier/` and `templates/annual/`, each replaceable from `--templates DIR`, or,
//! from the same data, as a Word file in the NĐ 30/2020 layout (`docx`). This module never
//! prints, never writes files and never touches a host: renderers return the document's bytes.

mod annual;
mod appraisal;
mod attest;
mod build;
mod docx;
mod forms;
mod plan;
mod report;
mod requirements;
mod transition;
pub mod vi;

use std::path::Path;

use anyhow::{anyhow, bail};
use handlebars::Handlebars;

use crate::check::Regimes;
use crate::escape;
use crate::graph::Graph;
use crate::inventory::{Inventory, NodeRef, Regime};

pub use annual::AnnualFormat;
pub use appraisal::warnings as appraisal_warnings;
pub use attest::problems as attestation_problems;
pub use report::ReportInput;
pub use transition::Transition;

/// Output format of the dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Md,
    Html,
    /// A Word file in the NĐ 30/2020 administrative format, from the same content model.
    Docx,
}

impl Format {
    /// Whether the document is a binary file (not for a terminal).
    pub fn is_binary(self) -> bool {
        self == Format::Docx
    }
}

impl AnnualFormat {
    /// Whether the document is a binary file (not for a terminal).
    pub fn is_binary(self) -> bool {
        self == AnnualFormat::Docx
    }
}

/// The shipped templates: (name, text), Markdown then HTML. A file `<templates>/<name>.hbs`
/// replaces one.
const MARKDOWN_TEMPLATES: &[(&str, &str)] = &[
    (
        "dossier/dossier.md",
        include_str!("../../templates/dossier/dossier.md.hbs"),
    ),
    (
        "annual/annual.md",
        include_str!("../../templates/annual/annual.md.hbs"),
    ),
];
const HTML_TEMPLATES: &[(&str, &str)] = &[
    (
        "dossier/dossier.html",
        include_str!("../../templates/dossier/dossier.html.hbs"),
    ),
    (
        "annual/annual.html",
        include_str!("../../templates/annual/annual.html.hbs"),
    ),
];

/// The template engines: [`escape::html`] for the HTML templates, [`escape::markdown_prose`] for
/// the Markdown ones.
pub struct Engines {
    html: Handlebars<'static>,
    md: Handlebars<'static>,
}

impl Engines {
    /// The shipped templates, each replaced by `<templates>/<name>.hbs` when that file exists
    /// (e.g. `templates/dossier/dossier.md.hbs`).
    pub fn new(templates: Option<&Path>) -> anyhow::Result<Engines> {
        Ok(Engines {
            html: crate::template::engine(escape::html, HTML_TEMPLATES, templates)?,
            md: crate::template::engine(escape::markdown_prose, MARKDOWN_TEMPLATES, templates)?,
        })
    }

    fn render(
        &self,
        name: &str,
        html: bool,
        data: &impl serde::Serialize,
    ) -> anyhow::Result<String> {
        let hb = if html { &self.html } else { &self.md };
        hb.render(name, data)
            .map_err(|e| anyhow!("rendering template `{name}`: {e}"))
    }
}

/// What a dossier is made from.
pub struct Input<'a> {
    /// The controls the requirements are taken from.
    pub catalog: &'a crate::policy::Catalog,
    pub inv: &'a Inventory,
    pub regime: Regime,
    /// Date of the document (and of the age checks it quotes).
    pub today: jiff::civil::Date,
    /// Findings of a check, for the status of each requirement.
    pub report: Option<&'a ReportInput>,
    /// `--regime both` during the transition: add each system's transition debt.
    pub transition: Option<Transition<'a>>,
}

/// The system named by `name` (`id` or `system:id`), or an error with a suggestion.
pub fn find_system(inv: &Inventory, name: &str) -> anyhow::Result<usize> {
    let id = name.strip_prefix("system:").unwrap_or(name);
    match inv.lookup(id) {
        Some(NodeRef::System(i)) => Ok(i),
        Some(other) => bail!(
            "`{id}` is a {}, not a system; `capdo dossier` takes a system id",
            other.kind()
        ),
        None => {
            let mut ids: Vec<&str> = inv.systems.iter().map(|s| s.id.as_str()).collect();
            ids.sort_unstable();
            let hint = crate::diag::suggest(id, ids.iter().copied())
                .unwrap_or_else(|| format!("the systems are: {}", ids.join(", ")));
            bail!("no system `{id}` in the inventory ({hint})")
        }
    }
}

/// The level-proposal dossier of `system`, as Markdown, one self-contained HTML file or a Word
/// file: three writers of one content model (`build::Dossier`).
pub fn dossier(
    input: &Input,
    system: usize,
    format: Format,
    engines: &Engines,
) -> anyhow::Result<Vec<u8>> {
    let g = Graph::build(input.inv, input.regime);
    let data = build::dossier(input, &g, system);
    match format {
        Format::Md => engines
            .render("dossier/dossier.md", false, &data)
            .map(String::into_bytes),
        Format::Html => engines
            .render("dossier/dossier.html", true, &data)
            .map(String::into_bytes),
        Format::Docx => docx::dossier(&data),
    }
}

/// The annual report of every system as Markdown, one self-contained HTML file, CSV (the
/// table only) or a Word file: four writers of one content model (`annual::Annual`).
pub fn annual_report(
    input: &Input,
    format: AnnualFormat,
    engines: &Engines,
) -> anyhow::Result<Vec<u8>> {
    let data = annual::model(input);
    match format {
        AnnualFormat::Md => engines
            .render("annual/annual.md", false, &data)
            .map(String::into_bytes),
        AnnualFormat::Html => engines
            .render("annual/annual.html", true, &data)
            .map(String::into_bytes),
        AnnualFormat::Csv => annual::csv_table(&data.rows).map(String::into_bytes),
        AnnualFormat::Docx => docx::annual(&data),
    }
}

/// The reports a document reads under `regimes`: the findings of its regime and, under
/// `--regime both` (refused outside the transition), those of NĐ 331/2026 when the report was
/// judged under it (`None` inside when it was not).
#[allow(clippy::type_complexity)]
fn reports(
    regimes: Regimes,
    today: jiff::civil::Date,
    report: Option<&Path>,
) -> anyhow::Result<(Option<ReportInput>, Option<Option<ReportInput>>)> {
    let both = matches!(regimes, Regimes::Both { .. });
    if both {
        transition::check_window(today)?;
    }
    let main = report
        .map(|p| ReportInput::read(p, regimes.main()))
        .transpose()?;
    let current = both.then(|| report.and_then(|p| ReportInput::read(p, Regime::Nd331).ok()));
    Ok((main, current))
}

/// `capdo dossier SYSTEM`: the dossier of the system named on the command line, with statuses
/// from `report` when given, rendered with the templates of `templates` (or the shipped ones).
/// Under `--regime both` (during the transition only) it is written under the inventory's
/// regime and adds the system's transition debt.
#[allow(clippy::too_many_arguments)]
pub fn dossier_command(
    catalog: &crate::policy::Catalog,
    inv: &Inventory,
    regimes: Regimes,
    today: jiff::civil::Date,
    system: &str,
    format: Format,
    report: Option<&Path>,
    templates: &Path,
) -> anyhow::Result<Vec<u8>> {
    let system = find_system(inv, system)?;
    let (report, current) = reports(regimes, today, report)?;
    let engines = Engines::new(Some(templates))?;
    let input = Input {
        catalog,
        inv,
        regime: regimes.main(),
        today,
        report: report.as_ref(),
        transition: current.as_ref().map(|c| Transition { report: c.as_ref() }),
    };
    dossier(&input, system, format, &engines)
}

/// `capdo annual-report`: the annual report of every system (with each one's transition debt
/// under `--regime both`).
pub fn annual_command(
    catalog: &crate::policy::Catalog,
    inv: &Inventory,
    regimes: Regimes,
    today: jiff::civil::Date,
    format: AnnualFormat,
    report: Option<&Path>,
    templates: &Path,
) -> anyhow::Result<Vec<u8>> {
    let (report, current) = reports(regimes, today, report)?;
    let engines = Engines::new(Some(templates))?;
    let input = Input {
        catalog,
        inv,
        regime: regimes.main(),
        today,
        report: report.as_ref(),
        transition: current.as_ref().map(|c| Transition { report: c.as_ref() }),
    };
    annual_report(&input, format, &engines)
}

#[cfg(test)]
pub(crate) mod tests {

    /// A bare system for unit tests.
    pub fn system() -> crate::inventory::System {
        let loc = crate::diag::Loc::new(crate::diag::FileId::default(), 0..0);
        crate::inventory::System {
            id: "s".into(),
            name: "S".into(),
            description: None,
            kind: crate::inventory::SystemKind::Other,
            information: Default::default(),
            personal_data: Default::default(),
            users: None,
            public_service_level: None,
            administrative_procedures: None,
            conditional_business: false,
            scope: None,
            national: false,
            always_on: false,
            security_impact: None,
            works_grade: None,
            national_security_works: false,
            national_data_store: false,
            international_gateway: false,
            national_security_list: false,
            risk_level: None,
            public_names: vec![],
            level: None,
            approval: None,
            regulation: None,
            owner: None,
            operator: None,
            appraiser: None,
            unit_locs: Default::default(),
            servers: vec![],
            depends_on: vec![],
            protection: Default::default(),
            loc: loc.clone(),
            level_loc: loc.clone(),
            depends_loc: loc,
        }
    }
}
