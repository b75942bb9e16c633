//! Evidence bundles (`capdo check --evidence DIR`): what a check read and what it concluded,
//! with a manifest (`capdo.evidence/v1`) giving the size and SHA-256 of every file, so that an
//! auditor can later show the bundle is the one the check wrote.
//!
//! This module owns the bundle's layout, the refusal of a folder that is neither empty nor a
//! previous bundle, and the manifest. It copies only what the check already holds: the input
//! files as they were read (inventory, waivers), the report, and the collector output that
//! `collect` has already redacted. It never reads the identity file or the SSH passphrase, so
//! no key material can reach a bundle.
//!
//! Layout: `inventory/…` (paths relative to `-i`), `policies/…` (relative to `-p`), `inputs/…`
//! (any other input file, e.g. `--waivers` from elsewhere), `report.json`, `facts.json` (the
//! scan as `capdo.facts/v1`, replayable with `check --facts`), `hosts/<server>/collector-output.txt`,
//! and `manifest.json`, written last and atomically: a bundle without a manifest is partial.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};

use crate::collect::record::FactsFile;
use crate::diag::Sources;
use crate::output::Mode;

pub const SCHEMA: &str = "capdo.evidence/v1";
pub const MANIFEST: &str = "manifest.json";

/// A folder checked to receive a bundle (see [`prepare`]).
#[derive(Debug)]
pub struct Destination {
    dir: PathBuf,
    /// The files of the previous bundle there, to replace.
    previous: Vec<String>,
}

/// The manifest of a bundle.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub schema: String,
    pub tool: Tool,
    /// The command line of the check, as given (the passphrase never is: it comes from the
    /// environment).
    pub command_line: Vec<String>,
    pub generated_at: String,
    /// `offline`, `scan` (live over SSH) or `facts` (a saved scan, named by `facts_input`).
    pub mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts_input: Option<String>,
    /// The exit code of the check.
    pub exit_code: i32,
    /// Every file of the bundle but the manifest, by path.
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative to the bundle, `/`-separated.
    pub path: String,
    pub size: u64,
    pub sha256: String,
    /// For a copied input, the path it was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Check that `dir` can take a bundle: absent (it is created), empty, or a previous bundle
/// (its `manifest.json` lists every file in it). Anything else is refused before the check
/// runs, so nobody's files are overwritten.
pub fn prepare(dir: &Path) -> anyhow::Result<Destination> {
    if !dir.exists() {
        crate::output::create_dir_all(dir, Mode::Private)
            .with_context(|| format!("cannot create evidence folder `{}`", dir.display()))?;
        return Ok(Destination {
            dir: dir.to_path_buf(),
            previous: Vec::new(),
        });
    }
    if !dir.is_dir() {
        bail!(
            "evidence folder `{}` exists and is not a folder",
            dir.display()
        );
    }
    let mut present = Vec::new();
    list_files(dir, dir, &mut present)?;
    if present.is_empty() {
        return Ok(Destination {
            dir: dir.to_path_buf(),
            previous: Vec::new(),
        });
    }
    let manifest_path = dir.join(MANIFEST);
    if !manifest_path.is_file() {
        bail!(
            "evidence folder `{}` is not empty and holds no {MANIFEST} (not a previous evidence bundle, or a partial one); choose a new or empty folder",
            dir.display()
        );
    }
    let text = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("cannot read `{}`", manifest_path.display()))?;
    let old: Manifest = serde_json::from_str(&text)
        .ok()
        .filter(|m: &Manifest| m.schema == SCHEMA)
        .with_context(|| {
            format!(
                "`{}` is not a capdo evidence manifest ({SCHEMA}); choose a new or empty folder",
                manifest_path.display()
            )
        })?;
    let listed: BTreeSet<&str> = old.files.iter().map(|f| f.path.as_str()).collect();
    if let Some(stray) = present
        .iter()
        .find(|p| p.as_str() != MANIFEST && !listed.contains(p.as_str()))
    {
        bail!(
            "evidence folder `{}` holds a previous bundle and also `{stray}`, which its manifest does not list; move it away or choose another folder",
            dir.display()
        );
    }
    Ok(Destination {
        dir: dir.to_path_buf(),
        previous: present.into_iter().filter(|p| p != MANIFEST).collect(),
    })
}

/// Every non-folder entry under `dir` (symbolic links included, not followed), relative and
/// `/`-separated.
fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> anyhow::Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?;
    for e in entries {
        let e = e.with_context(|| format!("cannot read `{}`", dir.display()))?;
        let path = e.path();
        let meta = std::fs::symlink_metadata(&path)
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        if meta.is_dir() {
            list_files(root, &path, out)?;
        } else {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push(slash_path(rel).unwrap_or_else(|| rel.display().to_string()));
        }
    }
    Ok(())
}

/// `a/b/c` from a relative path of plain components; `None` for anything else (`..`, a root).
fn slash_path(rel: &Path) -> Option<String> {
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str()?.to_owned()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// `path` relative to `dir`, as written or (one relative, the other absolute) once both are
/// resolved.
fn under(path: &Path, dir: &Path) -> Option<String> {
    path.strip_prefix(dir)
        .ok()
        .and_then(slash_path)
        .or_else(|| {
            let (path, dir) = (path.canonicalize().ok()?, dir.canonicalize().ok()?);
            path.strip_prefix(dir).ok().and_then(slash_path)
        })
}

/// A server id as one safe path component.
fn component(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        format!("_{s}")
    } else {
        s
    }
}

/// The files of a bundle, before they are written.
#[derive(Debug, Default)]
pub struct Bundle {
    files: Vec<(String, Vec<u8>, Option<String>)>,
}

impl Bundle {
    fn has(&self, path: &str) -> bool {
        self.files.iter().any(|(p, _, _)| p == path)
    }

    /// Add a file at a relative path; a path already taken gets `-2`, `-3`, … before its
    /// extension.
    pub fn add(&mut self, path: &str, bytes: Vec<u8>, source: Option<String>) {
        let mut unique = path.to_owned();
        let mut n = 2;
        while self.has(&unique) {
            unique = match path.rsplit_once('.') {
                Some((stem, ext)) if !stem.is_empty() && !stem.ends_with('/') => {
                    format!("{stem}-{n}.{ext}")
                }
                _ => format!("{path}-{n}"),
            };
            n += 1;
        }
        self.files.push((unique, bytes, source));
    }

    /// Every input file the check read (inventory, waivers, …), as read: under `inventory/`
    /// when it lies in the inventory folder (or is the inventory file), under `policies/` when
    /// it lies in the policies folder, else under `inputs/`.
    pub fn inputs(&mut self, sources: &Sources, inventory: &Path, policies: &Path) {
        for file in 0..sources.len() {
            let path = sources.path(file);
            let place = if path == inventory {
                path.file_name()
                    .and_then(|n| slash_path(Path::new(n)))
                    .map(|n| format!("inventory/{n}"))
            } else {
                under(path, inventory)
                    .map(|r| format!("inventory/{r}"))
                    .or_else(|| under(path, policies).map(|r| format!("policies/{r}")))
            };
            let place = place.unwrap_or_else(|| {
                let name = path
                    .file_name()
                    .map(|n| component(&n.to_string_lossy()))
                    .unwrap_or_else(|| "input".into());
                format!("inputs/{name}")
            });
            self.add(
                &place,
                sources.text(file).as_bytes().to_vec(),
                Some(path.display().to_string()),
            );
        }
    }

    /// The scan: `facts.json`, and per scanned host its raw collector output (already
    /// redacted by `collect`). Hosts that could not be scanned have none; `facts.json` says why.
    pub fn scan(&mut self, record: &FactsFile) {
        // Plain strings and numbers: serializing cannot fail.
        let json = serde_json::to_string_pretty(record).unwrap_or_default() + "\n";
        self.add("facts.json", json.into_bytes(), None);
        for (id, host) in &record.hosts {
            if let Some(raw) = &host.raw {
                self.add(
                    &format!("hosts/{}/collector-output.txt", component(id)),
                    raw.output.clone().into_bytes(),
                    None,
                );
            }
        }
    }
}

/// What the manifest says about the run.
#[derive(Debug)]
pub struct Run {
    pub command_line: Vec<String>,
    pub generated_at: String,
    pub mode: &'static str,
    pub facts_input: Option<String>,
    pub exit_code: i32,
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Write `bundle` into `dest`: the previous bundle there (if any) loses its manifest first and
/// then its files, the new files are written, and the manifest comes last, atomically.
pub fn write(dest: &Destination, bundle: Bundle, run: Run) -> anyhow::Result<()> {
    let dir = &dest.dir;
    if !dest.previous.is_empty() {
        remove_if_present(&dir.join(MANIFEST))?;
        for rel in &dest.previous {
            remove_if_present(&dir.join(rel))?;
        }
        remove_empty_dirs(dir);
    }
    let mut files = Vec::new();
    for (rel, bytes, source) in bundle.files {
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            crate::output::create_dir_all(parent, Mode::Private)?;
        }
        crate::output::write_atomic_mode(&path, &bytes, Mode::Private)?;
        files.push(FileEntry {
            sha256: sha256_hex(&bytes),
            size: bytes.len() as u64,
            path: rel,
            source,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        schema: SCHEMA.into(),
        tool: Tool {
            name: "capdo".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        command_line: run.command_line,
        generated_at: run.generated_at,
        mode: run.mode.into(),
        facts_input: run.facts_input,
        exit_code: run.exit_code,
        files,
    };
    let json = serde_json::to_string_pretty(&manifest)? + "\n";
    crate::output::write_atomic_mode(&dir.join(MANIFEST), json.as_bytes(), Mode::Private)
}

fn remove_if_present(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove `{}`", path.display()))
        }
        _ => Ok(()),
    }
}

/// Remove the folders under `dir` left empty by the previous bundle (not `dir` itself).
fn remove_empty_dirs(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            remove_empty_dirs(&path);
            // Fails, as it should, when something is left inside.
            let _ = std::fs::remove_dir(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_become_bundle_paths() {
        assert_eq!(
            slash_path(Path::new("./a/b.toml")).as_deref(),
            Some("a/b.toml")
        );
        assert_eq!(slash_path(Path::new("../b.toml")), None);
        assert_eq!(slash_path(Path::new("/etc/passwd")), None);
        assert_eq!(component("../x"), "_.._x");
        assert_eq!(component("web01"), "web01");
    }

    #[test]
    fn a_path_taken_twice_is_numbered() {
        let mut b = Bundle::default();
        b.add("inputs/waivers.toml", vec![], None);
        b.add("inputs/waivers.toml", vec![], None);
        b.add("inputs/waivers.toml", vec![], None);
        let paths: Vec<&str> = b.files.iter().map(|(p, _, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "inputs/waivers.toml",
                "inputs/waivers-2.toml",
                "inputs/waivers-3.toml"
            ]
        );
    }
}
