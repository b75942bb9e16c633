//! Collecting facts from live hosts: the only module that touches the network.
//!
//! `collector` is the static script and its input, `transport` the ways to a host (ssh2, and
//! `record::Replay` for saved scans), `hosts` how each server is reached, `scan` the worker
//! pool, `parse` one pure parser per collector section, `host` the facts of one host.

pub mod collector;
pub mod facts;
pub mod host;
pub mod hosts;
pub mod parse;
pub mod record;
pub mod scan;
pub mod status;
pub mod transport;

use std::collections::BTreeMap;

use host::HostFacts;
use record::{FactsFile, HostRecord, RawRecord};
pub use status::TargetStatus;
use transport::Transport;

use crate::inventory::Inventory;

/// What became of one server's scan.
#[derive(Debug, Clone)]
pub enum HostState {
    Scanned(Box<host::HostFacts>),
    Failed(transport::CollectError),
}

/// The outcome of scanning some servers: what each gave, and the record to save.
pub struct Collected {
    pub hosts: BTreeMap<usize, HostState>,
    pub record: FactsFile,
    /// Per server, how long its scan took.
    pub durations: BTreeMap<usize, u64>,
}

/// Words that mark a configuration line as holding a secret.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "_pass",
    "secret",
    "token",
    "api_key",
    "apikey",
    "api-key",
    "private_key",
    "privatekey",
    "auth_key",
    "authkey",
    "credential",
];

/// Configuration files that may carry credentials (an Elasticsearch password in filebeat.yml,
/// a journal-upload key, …): their secret lines are redacted.
const SECRET_FILES: &[&str] = &[
    "/etc/filebeat/",
    "/var/ossec/",
    "/etc/systemd/journal-upload",
    "/etc/rsyslog",
    "/etc/syslog-ng/",
];

/// In the sections of `SECRET_FILES`, replace the value of every line that names a secret
/// with `[redacted by capdo]`, keeping the key (what precedes the first `=` or `:`; the whole
/// line when it has neither). Other sections (sshd's `PasswordAuthentication`, …) are kept.
pub fn redact(text: &str, nonce: &str) -> String {
    let begin = format!("@@{nonce} begin file ");
    let end = format!("@@{nonce} end ");
    let mut secret_file = false;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix(&begin) {
            secret_file = SECRET_FILES.iter().any(|p| path.starts_with(p));
        } else if line.starts_with(&end) {
            secret_file = false;
        } else if secret_file {
            let lower = line.to_ascii_lowercase();
            if SECRET_WORDS.iter().any(|w| lower.contains(w)) {
                match line.find(['=', ':']) {
                    Some(i) => {
                        out.push_str(&line[..=i]);
                        out.push_str(" [redacted by capdo]");
                    }
                    None => out.push_str("[redacted by capdo]"),
                }
                if line.ends_with('\n') {
                    out.push('\n');
                }
                continue;
            }
        }
        out.push_str(line);
    }
    out
}

/// Whether reads that need root go through `sudo -n` on this server.
pub fn sudo(inv: &Inventory, server: usize) -> bool {
    inv.servers[server]
        .ssh
        .sudo
        .or(inv.default_ssh.sudo)
        .unwrap_or(false)
}

/// Scan `servers` (inventory indexes) through `transport` with at most `jobs` in flight.
pub fn collect(
    inv: &Inventory,
    servers: &[usize],
    transport: &dyn Transport,
    opts: &hosts::Options,
    jobs: usize,
    progress: &dyn scan::Progress,
    generated_at: String,
) -> Collected {
    let requests: BTreeMap<usize, collector::Request> = servers
        .iter()
        .map(|&i| {
            let s = &inv.servers[i];
            let paths = s.backup.iter().filter_map(|b| b.path.clone()).collect();
            let deadline = hosts::host_spec(inv, i, opts).deadline.as_secs().max(1);
            (i, collector::Request::new(sudo(inv, i), paths, deadline))
        })
        .collect();
    let work: Vec<scan::Job> = requests
        .iter()
        .map(|(&i, r)| scan::Job {
            server: i,
            host: hosts::host_spec(inv, i, opts),
            command: collector::command(),
            input: r.input(),
        })
        .collect();
    let outcomes = scan::scan(work, transport, jobs, progress);
    let mut states = BTreeMap::new();
    let mut durations = BTreeMap::new();
    let mut records = BTreeMap::new();
    for o in outcomes {
        let Some(request) = requests.get(&o.server) else {
            continue;
        };
        let id = inv.servers[o.server].id.clone();
        let ms = o.duration.as_millis() as u64;
        durations.insert(o.server, ms);
        match o.result {
            Ok(raw) => {
                let nonce = raw.nonce.clone().unwrap_or_else(|| request.nonce.clone());
                // Secrets in configuration files (an Elasticsearch password in filebeat.yml, …)
                // never reach the facts file or a report.
                let text = redact(&String::from_utf8_lossy(&raw.stdout), &nonce);
                let mut facts =
                    HostFacts::from_output(&text, &nonce, raw.truncated, &request.backup_paths);
                if let Some(sig) = &raw.signal {
                    facts
                        .notes
                        .push(format!("the collector was killed by signal {sig}"));
                } else if let Some(code) = raw.exit.filter(|c| *c != 0) {
                    facts
                        .notes
                        .push(format!("the collector exited with status {code}"));
                }
                records.insert(
                    id,
                    HostRecord {
                        status: TargetStatus::Scanned,
                        error: None,
                        duration_ms: ms,
                        facts: facts.to_json(),
                        raw: Some(RawRecord {
                            nonce,
                            output: text,
                            exit: raw.exit,
                            signal: raw.signal,
                            truncated: raw.truncated,
                        }),
                    },
                );
                states.insert(o.server, HostState::Scanned(Box::new(facts)));
            }
            Err(e) => {
                records.insert(
                    id,
                    HostRecord {
                        status: TargetStatus::Failed(e.kind),
                        error: Some(e.message.clone()),
                        duration_ms: ms,
                        facts: serde_json::Map::new(),
                        raw: None,
                    },
                );
                states.insert(o.server, HostState::Failed(e));
            }
        }
    }
    Collected {
        hosts: states,
        record: FactsFile {
            schema: record::SCHEMA.into(),
            tool: format!("capdo {}", env!("CARGO_PKG_VERSION")),
            generated_at,
            hosts: records,
        },
        durations,
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn secrets_in_log_shipping_configuration_are_redacted_and_the_rest_kept() {
        let n = "0123456789abcdef";
        let text = format!(
            "@@{n} begin file /etc/filebeat/filebeat.yml\noutput.elasticsearch:\n  hosts: [\"10.0.0.5:9200\"]\n  password: \"hunter2\"\nAPI_KEY=abc123\n\
             <authd_pass>s3cr3t</authd_pass>\n\n@@{n} end file /etc/filebeat/filebeat.yml 0\n\
             @@{n} begin sshd-t\npasswordauthentication no\n\n@@{n} end sshd-t 0\n"
        );
        let r = redact(&text, n);
        assert!(
            !r.contains("hunter2") && !r.contains("s3cr3t") && !r.contains("abc123"),
            "{r}"
        );
        assert!(r.contains("  hosts: [\"10.0.0.5:9200\"]\n"));
        assert!(r.contains("  password: [redacted by capdo]\n"));
        assert!(r.contains("API_KEY= [redacted by capdo]\n"));
        // Facts outside those files are untouched.
        assert!(r.contains("passwordauthentication no\n"));
        let facts = crate::collect::host::HostFacts::from_output(&r, n, false, &[]);
        assert_eq!(
            facts.sshd.map(|(s, _)| s.password_authentication),
            Ok(Some(false))
        );
    }
}
