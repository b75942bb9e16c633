//! Every output format of `capdo check`, rendered from one finished [`Report`].
//!
//! The CLI picks the formats (`--format` for standard output or `--output`, `--out-json`,
//! `--out-html`, … for files) and the writers; [`Renderer::write`] (in [`super::stream`])
//! writes a format into one as it is made. [`Renderer::render`] builds the same text whole in
//! memory: the reference the streaming writers are tested against. Nothing here prints.

use std::path::Path;

use super::view::{self, Scope};
use super::{Report, json, junit, sarif, svg, text};
use crate::graph::Graph;
use crate::inventory::Inventory;
use crate::policy::Lang;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The terminal report.
    Text,
    /// `capdo.report/v1`.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
    /// One self-contained HTML page.
    Html,
    /// Markdown.
    Md,
}

/// What the renderers need beside the report.
pub struct Renderer<'a> {
    pub report: &'a Report,
    pub inventory: &'a Inventory,
    pub graph: &'a Graph,
    pub lang: Lang,
    /// `--templates`: `report/report.html.hbs` or `report/report.md.hbs` there replace the
    /// shipped templates.
    pub templates: Option<&'a Path>,
    /// Terminal style of the text format.
    pub style: text::Style,
}

impl Renderer<'_> {
    /// `format` as a string, built whole in memory (see [`Renderer::write`]). Fails only when a report template does not render (an overriding
    /// template naming a value that does not exist, in strict mode).
    pub fn render(&self, format: Format) -> anyhow::Result<String> {
        Ok(match format {
            Format::Text => self.text().plain(),
            Format::Json => json(self.report),
            Format::Sarif => {
                sarif::render(self.report, &Scope::of(self.inventory, self.graph).names)
            }
            Format::Junit => junit::render(self.report)?,
            Format::Html | Format::Md => {
                let scope = Scope::of(self.inventory, self.graph);
                let drawing = if format == Format::Html {
                    svg::dependencies(self.inventory, self.graph, self.report, &scope)
                } else {
                    String::new()
                };
                let exposure = if format == Format::Html {
                    let m = super::exposure::Matrix::of(
                        self.inventory,
                        self.report,
                        view::labels(self.lang).anywhere_else,
                    );
                    (0..m.len()).map(|i| m.table(i)).collect()
                } else {
                    Vec::new()
                };
                let v = view::build(self.report, &scope, self.lang, drawing, exposure.into());
                if format == Format::Html {
                    view::render_html(&v, self.templates)?
                } else {
                    view::render_markdown(&v, self.templates)?
                }
            }
        })
    }

    /// The text format with its colours apart, for a stream that takes colour; [`Self::render`]
    /// gives it without colour.
    pub fn text(&self) -> crate::output::Styled {
        text::render(
            self.report,
            &text::groups(self.inventory),
            self.inventory.systems.len(),
            &self.inventory.organization.name,
            &self.style,
        )
    }
}
