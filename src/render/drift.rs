//! Drift: the rendered files compared with what is on the hosts, read over SSH (read-only,
//! with the static file reader), as unified diffs.

use std::collections::BTreeMap;

use serde::Serialize;

use super::File;
use crate::collect::collector::{nonce, read_files_command, read_files_input_with_timeout};
use crate::collect::hosts::{self, Options};
use crate::collect::parse::sections;
use crate::collect::scan::{self, Progress};
use crate::collect::transport::{CollectError, Transport};
use crate::inventory::Inventory;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// The live file equals the rendered one.
    Same,
    /// It differs; see the diff.
    Differs,
    /// The host has no such file.
    Missing,
    /// It could not be read (see `error`).
    Unreadable,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileDrift {
    pub path: &'static str,
    pub kind: &'static str,
    pub state: State,
    /// Unified diff from the live file to the rendered one (empty when the same).
    pub diff: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HostDrift {
    pub host: String,
    /// `read`, or why the host could not be read (`unreachable`, `timeout`, …).
    pub status: &'static str,
    pub error: Option<String>,
    pub files: Vec<FileDrift>,
}

impl HostDrift {
    pub fn drifted(&self) -> bool {
        self.files.iter().any(|f| f.state != State::Same)
    }
}

/// How `capdo drift` prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// The drift report in `format`: JSON (`capdo.drift/v1`), or one line per file with the diff
/// of each file that differs (of every file with a diff when `verbose`). Host text is masked
/// for the terminal.
pub fn render(report: &[HostDrift], format: Format, verbose: bool) -> anyhow::Result<String> {
    use std::fmt::Write as _;
    if format == Format::Json {
        let doc = serde_json::json!({"schema": "capdo.drift/v1", "hosts": report});
        return Ok(serde_json::to_string_pretty(&doc)? + "\n");
    }
    let mut out = String::new();
    for h in report {
        if let Some(e) = &h.error {
            writeln!(
                out,
                "{}: not read ({}): {}",
                h.host,
                h.status,
                crate::diag::mask_controls(e)
            )?;
            continue;
        }
        for f in &h.files {
            let state = match f.state {
                State::Same => "same",
                State::Differs => "DIFFERS",
                State::Missing => "MISSING",
                State::Unreadable => "UNREADABLE",
            };
            writeln!(
                out,
                "{}: {} {state}{}",
                h.host,
                f.path,
                // The reason comes from the host (an error message quoting a path).
                f.error
                    .as_deref()
                    .map(|e| format!(" ({})", crate::diag::mask_controls(e)))
                    .unwrap_or_default()
            )?;
            if !f.diff.is_empty() && verbose || f.state == State::Differs {
                write!(out, "{}", crate::diag::mask_controls(&f.diff))?;
            }
        }
    }
    Ok(out)
}

/// Compare `files` (rendered) with the hosts they belong to.
pub fn drift(
    inv: &Inventory,
    files: &[File],
    transport: &dyn Transport,
    opts: &Options,
    jobs: usize,
    progress: &dyn Progress,
) -> Vec<HostDrift> {
    let mut by_host: BTreeMap<usize, Vec<&File>> = BTreeMap::new();
    for f in files {
        by_host.entry(f.server).or_default().push(f);
    }
    let nonces: BTreeMap<usize, String> = by_host.keys().map(|&s| (s, nonce())).collect();
    let work: Vec<scan::Job> = by_host
        .iter()
        .map(|(&s, fs)| {
            let paths: Vec<&str> = fs.iter().map(|f| f.path).collect();
            let host = hosts::host_spec(inv, s, opts);
            // Each read on the host is killed by the host's own deadline.
            let limit = Some(host.deadline.as_secs().max(1));
            scan::Job {
                server: s,
                input: read_files_input_with_timeout(
                    &nonces[&s],
                    crate::collect::sudo(inv, s),
                    &paths,
                    limit,
                ),
                host,
                command: read_files_command(),
            }
        })
        .collect();
    scan::scan(work, transport, jobs, progress)
        .into_iter()
        .map(|o| {
            let host = inv.servers[o.server].id.clone();
            let rendered = by_host.get(&o.server).cloned().unwrap_or_default();
            match o.result {
                Err(CollectError { kind, message }) => HostDrift {
                    host,
                    status: kind.as_str(),
                    error: Some(message),
                    files: Vec::new(),
                },
                Ok(raw) => {
                    let text = String::from_utf8_lossy(&raw.stdout);
                    let nonce = raw
                        .nonce
                        .clone()
                        .unwrap_or_else(|| nonces[&o.server].clone());
                    let live: BTreeMap<String, sections::Section> = sections::split(&text, &nonce)
                        .into_iter()
                        .map(|s| (s.name.clone(), s))
                        .collect();
                    HostDrift {
                        host,
                        status: "read",
                        error: None,
                        files: rendered
                            .iter()
                            .map(|f| compare(f, live.get(&format!("file {}", f.path))))
                            .collect(),
                    }
                }
            }
        })
        .collect()
}

fn compare(f: &File, live: Option<&sections::Section>) -> FileDrift {
    let kind = f.kind.as_str();
    let (state, diff, error) = match live {
        None => (
            State::Unreadable,
            String::new(),
            Some("not read (output cut short)".into()),
        ),
        Some(s) if s.rc == Some(2) && s.body.starts_with("capdo: no such file") => (
            State::Missing,
            unified("/dev/null", "", f.path, &f.content),
            None,
        ),
        Some(s) if s.rc != Some(0) => (
            State::Unreadable,
            String::new(),
            Some(
                s.body
                    .lines()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(200)
                    .collect(),
            ),
        ),
        Some(s) if s.body == f.content => (State::Same, String::new(), None),
        Some(s) => (
            State::Differs,
            unified(f.path, &s.body, f.path, &f.content),
            None,
        ),
    };
    FileDrift {
        path: f.path,
        kind,
        state,
        diff,
        error,
    }
}

fn unified(old_name: &str, old: &str, new_name: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{old_name} (live)"),
            &format!("{new_name} (rendered)"),
        )
        .to_string()
}
