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

    /// The saved scans at `paths` as one: every host of every file (the scans of several
    /// runners, one per site). A host recorded in two files is refused: which of its two scans
    /// to judge is not capdo's to guess.
    pub fn read_all(paths: &[std::path::PathBuf]) -> anyhow::Result<FactsFile> {
        let mut merged: Option<FactsFile> = None;
        let mut from: BTreeMap<String, &Path> = BTreeMap::new();
        for path in paths {
            let file = FactsFile::read(path)?;
            for id in file.hosts.keys() {
                if let Some(first) = from.insert(id.clone(), path) {
                    bail!(
                        "{id} is recorded in both `{}` and `{}`: give each server's scan once",
                        first.display(),
                        path.display()
                    );
                }
            }
            match &mut merged {
                None => merged = Some(file),
                Some(m) => {
                    m.hosts.extend(file.hosts);
                    // The merged scan is as old as its oldest part.
                    if file.generated_at < m.generated_at {
                        m.generated_at = file.generated_at;
                    }
                }
            }
        }
        merged.ok_or_else(|| anyhow::anyhow!("no facts file given"))
    }
}

/// A facts file written as its hosts finish: each host's record goes to a spool file at once
/// (what a host said is not held until the last host answers), and [`Spool::finish`] writes the
/// facts file from it, hosts in id order, byte for byte what `serde_json::to_string_pretty` of
/// the whole [`FactsFile`] (and a line end) gives.
pub struct Spool {
    file: std::fs::File,
    /// Where each host's record lies in the spool.
    at: BTreeMap<String, (u64, u64)>,
    len: u64,
}

impl Spool {
    pub fn new() -> std::io::Result<Spool> {
        Ok(Spool {
            file: tempfile::tempfile()?,
            at: BTreeMap::new(),
            len: 0,
        })
    }

    /// Add the record of host `id`, as the facts file will hold it.
    pub fn add(&mut self, id: &str, rec: &HostRecord) -> std::io::Result<()> {
        use std::io::Write as _;
        let text = serde_json::to_string_pretty(rec).map_err(std::io::Error::other)?;
        // The record sits two levels deep (`{"hosts": {"id": …}}`): every line but its first
        // is indented by four more spaces. Strings hold no raw line end (JSON escapes them).
        let text = text.replace('\n', "\n    ");
        let mut w = std::io::BufWriter::new(&mut self.file);
        w.write_all(text.as_bytes())?;
        w.flush()?;
        drop(w);
        let n = text.len() as u64;
        self.at.insert(id.to_owned(), (self.len, n));
        self.len += n;
        Ok(())
    }

    /// Write the facts file (`tool`, `generated_at`, and every record added) to `out`.
    pub fn finish(
        mut self,
        tool: &str,
        generated_at: &str,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        use std::io::{Read as _, Seek as _, SeekFrom};
        let head = |k: &str, v: &str| -> std::io::Result<String> {
            Ok(format!(
                "  {}: {},\n",
                serde_json::to_string(k).map_err(std::io::Error::other)?,
                serde_json::to_string(v).map_err(std::io::Error::other)?
            ))
        };
        let mut text = String::from("{\n");
        text.push_str(&head("schema", SCHEMA)?);
        text.push_str(&head("tool", tool)?);
        text.push_str(&head("generated_at", generated_at)?);
        text.push_str("  \"hosts\": {");
        out.write_all(text.as_bytes())?;
        let mut buf = Vec::new();
        for (i, (id, &(offset, len))) in self.at.iter().enumerate() {
            let key = serde_json::to_string(id).map_err(std::io::Error::other)?;
            let sep = if i == 0 { "\n    " } else { ",\n    " };
            out.write_all(format!("{sep}{key}: ").as_bytes())?;
            self.file.seek(SeekFrom::Start(offset))?;
            buf.resize(len as usize, 0);
            self.file.read_exact(&mut buf)?;
            out.write_all(&buf)?;
        }
        out.write_all(if self.at.is_empty() {
            b"}\n}\n"
        } else {
            b"\n  }\n}\n"
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn record(i: usize) -> HostRecord {
        HostRecord {
            status: if i.is_multiple_of(2) {
                TargetStatus::Scanned
            } else {
                TargetStatus::Failed(FailKind::Timeout)
            },
            error: (i % 2 == 1).then(|| format!("took \"too\"\nlong {i}")),
            duration_ms: i as u64,
            facts: serde_json::json!({"os.id": "debian", "listening": [{"port": i}], "x": {}})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            raw: i.is_multiple_of(2).then(|| RawRecord {
                nonce: "n".into(),
                output: format!("line\n\tü {i}\n"),
                exit: Some(0),
                signal: None,
                truncated: false,
            }),
        }
    }

    #[test]
    fn a_spooled_facts_file_is_the_whole_file_byte_for_byte() {
        for n in [0, 1, 5] {
            let mut spool = Spool::new().expect("spool");
            let mut file = FactsFile {
                schema: SCHEMA.into(),
                tool: "capdo 0.1.0".into(),
                generated_at: "2026-11-22T08:00:00Z".into(),
                hosts: BTreeMap::new(),
            };
            // Added in the order hosts finish, written in id order.
            for i in (0..n).rev() {
                let id = format!("h\"{i}");
                spool.add(&id, &record(i)).expect("add");
                file.hosts.insert(id, record(i));
            }
            let mut out = Vec::new();
            spool
                .finish(&file.tool, &file.generated_at, &mut out)
                .expect("finish");
            let whole = serde_json::to_string_pretty(&file).expect("json") + "\n";
            assert_eq!(String::from_utf8(out).expect("utf-8"), whole, "{n} hosts");
        }
    }
}
