//! Saved scans (`capdo scan --facts-out FILE`, schema `capdo.facts/v1`) and the replay
//! transport that plays them back (`capdo check --facts FILE`).
//!
//! A record keeps each host's raw collector output as well as its parsed facts, so a replay
//! parses again with the current parsers and judges exactly as a live scan would.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::status::TargetStatus;
use super::transport::{CollectError, FailKind, HostSpec, MAX_OUTPUT, RawOutput, Transport};

pub const SCHEMA: &str = "capdo.facts/v1";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FactsFile {
    pub schema: String,
    pub tool: String,
    pub generated_at: String,
    /// By server id.
    pub hosts: BTreeMap<String, HostRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HostRecord {
    /// `scanned`, or why not (`unreachable`, `timeout`, `auth-failed`, `host-key-mismatch`,
    /// `host-key-unknown`, `protocol`); a status this capdo does not know reads as `protocol`.
    #[serde(deserialize_with = "TargetStatus::lenient")]
    pub status: TargetStatus,
    pub error: Option<String>,
    pub duration_ms: u64,
    /// The parsed facts under their contract names.
    pub facts: Map<String, Value>,
    /// The collector's raw output (lossy UTF-8) and how to read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<RawRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RawRecord {
    pub nonce: String,
    pub output: String,
    pub exit: Option<i32>,
    pub signal: Option<String>,
    pub truncated: bool,
}

impl FactsFile {
    pub fn read(path: &Path) -> anyhow::Result<FactsFile> {
        // Parsed as it is read: the file's text is never held beside what it holds.
        let f = std::fs::File::open(path)
            .with_context(|| format!("cannot read facts file `{}`", path.display()))?;
        let file: FactsFile = serde_json::from_reader(std::io::BufReader::new(f))
            .with_context(|| format!("`{}` is not a capdo facts file", path.display()))?;
        if file.schema != SCHEMA {
            bail!(
                "`{}` has schema `{}`; this capdo reads `{SCHEMA}`",
                path.display(),
                file.schema
            );
        }
        Ok(file)
    }
}

/// Plays a facts file back: each host answers with what was recorded for it. A host's output
/// is handed over, not copied (each host is asked once), and cut at [`MAX_OUTPUT`] as a live
/// scan would cut it.
pub struct Replay {
    file: FactsFile,
    outputs: Mutex<BTreeMap<String, String>>,
}

impl Replay {
    pub fn new(mut file: FactsFile) -> Replay {
        let outputs = file
            .hosts
            .iter_mut()
            .filter_map(|(id, rec)| {
                Some((id.clone(), std::mem::take(&mut rec.raw.as_mut()?.output)))
            })
            .collect();
        Replay {
            file,
            outputs: Mutex::new(outputs),
        }
    }
}

impl Transport for Replay {
    fn run(
        &self,
        host: &HostSpec,
        _command: &str,
        _input: &[u8],
    ) -> Result<RawOutput, CollectError> {
        let Some(rec) = self.file.hosts.get(&host.id) else {
            return Err(CollectError {
                kind: FailKind::Protocol,
                message: format!("{} is not in the facts file", host.id),
            });
        };
        let kind = match rec.status {
            TargetStatus::Scanned => None,
            TargetStatus::Failed(kind) => Some(kind),
            // A facts file holds scanned hosts; anything else was not scanned.
            TargetStatus::Offline => Some(FailKind::Protocol),
        };
        if let Some(kind) = kind {
            return Err(CollectError {
                kind,
                message: rec.error.clone().unwrap_or_default(),
            });
        }
        let Some(raw) = &rec.raw else {
            return Err(CollectError {
                kind: FailKind::Protocol,
                message: format!("the facts file holds no collector output for {}", host.id),
            });
        };
        let output = self
            .outputs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&host.id)
            .unwrap_or_default();
        let mut stdout = output.into_bytes();
        let cut = stdout.len() > MAX_OUTPUT;
        if cut {
            stdout.truncate(MAX_OUTPUT);
            stdout.shrink_to_fit();
        }
        Ok(RawOutput {
            stdout,
            exit: raw.exit.filter(|_| !cut),
            signal: raw.signal.clone(),
            truncated: raw.truncated || cut,
            nonce: Some(raw.nonce.clone()),
        })
    }
}
