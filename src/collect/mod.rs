//! Collecting facts from live hosts: the only module that touches the network.
//!
//! `collector` is the static script and its input, `transport` the ways to a host (ssh2, and
//! `record::Replay` for saved scans), `hosts` how each server is reached, `scan` the worker
//! pool, `parse` one pure parser per collector section, `host` the facts of one host.

pub mod collector;
pub mod facts;
pub mod host;
pub mod hosts;
pub mod netfilter;
pub mod parse;
pub mod record;
pub mod redact;
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

/// What [`collect`] keeps of each host as its scan finishes.
pub enum Keep<'a> {
    /// The parsed facts, and the record to save with the raw output (an evidence bundle).
    All,
    /// The parsed facts, and the record without the raw output, dropped once parsed (a check
    /// that keeps no evidence).
    Facts,
    /// Nothing: each record goes to `sink` as its host finishes (`scan --facts-out`);
    /// [`Collected::hosts`] and the record's hosts stay empty. The first error of the sink is
    /// kept and the rest of the scan goes on.
    Sink(&'a mut dyn FnMut(&str, &HostRecord) -> std::io::Result<()>),
}

/// The outcome of scanning some servers: what each gave, and the record to save.
pub struct Collected {
    pub hosts: BTreeMap<usize, HostState>,
    pub record: FactsFile,
    /// Per server, how long its scan took.
    pub durations: BTreeMap<usize, u64>,
    /// Per server, its scan's outcome (also with [`Keep::Sink`]).
    pub statuses: BTreeMap<usize, (TargetStatus, Option<String>)>,
    /// The first error of a [`Keep::Sink`].
    pub sink_error: Option<std::io::Error>,
}

/// Whether reads that need root go through `sudo -n` on this server.
pub fn sudo(inv: &Inventory, server: usize) -> bool {
    inv.servers[server]
        .ssh
        .sudo
        .or(inv.default_ssh.sudo)
        .unwrap_or(false)
}

/// The cleartext HTTP ports asked of a public web server ([`Inventory::public_web_front`]), and
/// its system's first public name: port 80 and the declared `tcp` services on 8000, 8008,
/// 8080 and 8888. None for any other server.
pub fn http_probe(inv: &Inventory, server: usize) -> (Vec<u16>, Option<String>) {
    let Some(system) = inv.public_web_front(server) else {
        return (vec![], None);
    };
    let mut ports: Vec<u16> = std::iter::once(80)
        .chain(
            inv.servers[server]
                .services
                .iter()
                .filter(|s| s.proto == crate::inventory::Proto::Tcp && HTTP_PORTS.contains(&s.port))
                .map(|s| s.port),
        )
        .collect();
    ports.sort_unstable();
    ports.dedup();
    (ports, inv.systems[system].public_names.first().cloned())
}

/// Ports where a web server commonly serves cleartext HTTP.
pub const HTTP_PORTS: [u16; 5] = [80, 8000, 8008, 8080, 8888];

/// Scan `servers` (inventory indexes) through `transport` with at most `jobs` in flight.
#[allow(clippy::too_many_arguments)] // each is a plain input of the use case
pub fn collect(
    inv: &Inventory,
    servers: &[usize],
    transport: &dyn Transport,
    opts: &hosts::Options,
    jobs: usize,
    progress: &dyn scan::Progress,
    generated_at: String,
    mut keep: Keep,
) -> Collected {
    let requests: BTreeMap<usize, collector::Request> = servers
        .iter()
        .map(|&i| {
            let s = &inv.servers[i];
            let paths = s.backup.iter().filter_map(|b| b.path.clone()).collect();
            let deadline = hosts::host_spec(inv, i, opts).deadline.as_secs().max(1);
            let (http_ports, http_host) = http_probe(inv, i);
            let request = collector::Request::new(sudo(inv, i), paths, deadline)
                .with_tls(s.tls_ports())
                .with_http(http_ports, http_host)
                .with_addresses(s.addresses.clone());
            (i, request)
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
    let mut states = BTreeMap::new();
    let mut durations = BTreeMap::new();
    let mut statuses = BTreeMap::new();
    let mut records = BTreeMap::new();
    let mut sink_error = None;
    // Each host is parsed as it finishes, and what is not kept is dropped there.
    scan::scan_each(work, transport, jobs, progress, |_, o| {
        let Some(request) = requests.get(&o.server) else {
            return;
        };
        let id = inv.servers[o.server].id.clone();
        let ms = o.duration.as_millis() as u64;
        durations.insert(o.server, ms);
        let (record, state) = match o.result {
            Ok(raw) => {
                let nonce = raw.nonce.clone().unwrap_or_else(|| request.nonce.clone());
                // Stored once: the bytes become the text without a copy when they are UTF-8
                // (almost always), and redaction copies only when it removes something.
                let mut text = String::from_utf8(raw.stdout)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                // Secrets (docs/collector.md "Secrets") never reach the facts, the facts file,
                // a report or an evidence bundle.
                if let std::borrow::Cow::Owned(clean) = redact::redact(&text, &nonce) {
                    text = clean;
                }
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
                let raw = (!matches!(keep, Keep::Facts)).then_some(RawRecord {
                    nonce,
                    output: text,
                    exit: raw.exit,
                    signal: raw.signal,
                    truncated: raw.truncated,
                });
                (
                    HostRecord {
                        status: TargetStatus::Scanned,
                        error: None,
                        duration_ms: ms,
                        facts: facts.to_json(),
                        raw,
                    },
                    HostState::Scanned(Box::new(facts)),
                )
            }
            Err(e) => (
                HostRecord {
                    status: TargetStatus::Failed(e.kind),
                    error: Some(e.message.clone()),
                    duration_ms: ms,
                    facts: serde_json::Map::new(),
                    raw: None,
                },
                HostState::Failed(e),
            ),
        };
        statuses.insert(o.server, (record.status, record.error.clone()));
        match &mut keep {
            Keep::Sink(sink) => {
                if sink_error.is_none()
                    && let Err(e) = sink(&id, &record)
                {
                    sink_error = Some(e);
                }
            }
            Keep::All | Keep::Facts => {
                records.insert(id, record);
                states.insert(o.server, state);
            }
        }
    });
    Collected {
        hosts: states,
        record: FactsFile {
            schema: record::SCHEMA.into(),
            tool: format!("capdo {}", env!("CARGO_PKG_VERSION")),
            generated_at,
            hosts: records,
        },
        durations,
        statuses,
        sink_error,
    }
}
