//! One file per command: each reads its inputs (through [`super::input`]), calls the library,
//! and writes what it returns.

mod annual_report;
mod check;
mod completions;
mod controls;
mod diff;
mod dossier;
mod drift;
mod explain;
mod export;
mod graph;
mod impact;
mod import;
mod init;
mod man;
mod render;
mod scan;
mod validate;

use std::path::Path;

use super::Io;
use super::args::{Cli, Command, ExportTo, ImportFrom};
use crate::exit::Exit;
use crate::output::write_atomic;

/// Run the command of `cli`.
pub fn dispatch(cli: &Cli, io: &mut Io) -> anyhow::Result<Exit> {
    let g = &cli.global();
    match &cli.command {
        Command::Validate => validate::run(g, io),
        Command::Graph { format, focus } => graph::run(g, io, *format, focus.as_deref()),
        Command::Impact { node, format } => impact::run(g, io, node, *format),
        Command::Scan { facts_out, hosts } => scan::run(g, io, facts_out, hosts),
        Command::Check {
            offline,
            facts,
            hosts,
            format,
            output,
            out_json,
            out_html,
            out_md,
            out_sarif,
            out_junit,
            fail_on,
            waivers,
            evidence,
        } => check::run(
            g,
            io,
            &check::Args {
                offline: *offline,
                facts,
                hosts,
                format: *format,
                output: output.as_deref(),
                also: [
                    (crate::report::Format::Json, out_json.as_deref()),
                    (crate::report::Format::Html, out_html.as_deref()),
                    (crate::report::Format::Md, out_md.as_deref()),
                    (crate::report::Format::Sarif, out_sarif.as_deref()),
                    (crate::report::Format::Junit, out_junit.as_deref()),
                ],
                fail_on: fail_on.severity(),
                waivers: waivers.as_deref(),
                evidence: evidence.as_deref(),
            },
        ),
        Command::Render { hosts, kinds, out } => render::run(g, io, hosts, kinds, out),
        Command::Drift {
            hosts,
            kinds,
            format,
        } => drift::run(g, io, hosts, kinds, *format),
        Command::Dossier {
            system,
            format,
            report,
            output,
        } => dossier::run(g, io, system, *format, report.as_deref(), output.as_deref()),
        Command::AnnualReport {
            format,
            report,
            output,
        } => annual_report::run(g, io, *format, report.as_deref(), output.as_deref()),
        Command::Controls { level, format } => controls::run(g, io, *level, *format),
        Command::Explain { control } => explain::run(g, io, control),
        Command::Diff {
            old,
            new,
            format,
            output,
            fail_on,
            allow_regime_change,
        } => diff::run(
            io,
            (old, new),
            *format,
            output.as_deref(),
            fail_on.severity(),
            *allow_regime_change,
        ),
        Command::Init { dir } => init::run(g, io, dir),
        Command::Import {
            from:
                ImportFrom::Ansible {
                    inventory,
                    out,
                    datacenter,
                    zone,
                },
        } => import::run(g, io, inventory, out.as_deref(), datacenter.clone(), *zone),
        Command::Export {
            to: ExportTo::Ansible { format, output },
        } => export::run(g, io, *format, output.as_deref()),
        Command::Completions { shell } => completions::run(io, *shell),
        Command::Man { out } => man::run(g, io, out.as_deref()),
    }
}

/// A document to `output` (written atomically), or to standard output. A binary one (a Word
/// file) never goes to standard output, which is masked for terminals and CI logs
/// ([`crate::output::TerminalSafe`]) and would corrupt it: without `output` it is written to
/// `default_name` in the current folder, which must not exist yet (a unit may have filled in
/// an earlier one), and standard error says where.
fn emit_document(
    io: &mut Io,
    output: Option<&Path>,
    bytes: &[u8],
    binary: bool,
    default_name: &str,
) -> anyhow::Result<()> {
    match output {
        Some(path) => write_atomic(path, bytes),
        None if binary => {
            let name: String = default_name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let path = Path::new(&name);
            if path.exists() {
                anyhow::bail!(
                    "{name} already exists and capdo does not overwrite a Word file it was not given: \
                     give --output FILE.docx"
                );
            }
            write_atomic(path, bytes)?;
            writeln!(
                io.err,
                "capdo: wrote {name} (--output FILE.docx chooses the file)"
            )?;
            Ok(())
        }
        None => Ok(io.out.write_all(bytes)?),
    }
}

/// `text` to `output` (written atomically), or to standard output.
fn emit(io: &mut Io, output: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => write_atomic(path, text.as_bytes()),
        None => Ok(io.out.write_all(text.as_bytes())?),
    }
}
