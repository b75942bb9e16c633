//! The exposure matrix of the HTML report (issue 16): per scanned server, one row per
//! listening service and family (`exposure.listeners`), one column per class of sources — the
//! sources of each declared flow that reaches the server, the management zone, every other
//! zone of the inventory, and "anywhere else" (what no network or external of the inventory
//! holds) — and in each cell whether that class can open a connection through the host's live
//! firewall: `open` (every address of the class), `partly` (some), `closed`, or `unknown`,
//! with the rule that decided it.
//!
//! Built from the facts in the report (the collector's `decisions`: each range of sources with
//! its outcome and deciding rule) and the inventory; never reads a host. A cell the facts cannot
//! decide (the listener's exposure could not be evaluated, or was not recorded range by range)
//! is `unknown` with the reason, never `closed`.

use std::collections::HashMap;
use std::net::IpAddr;

use serde::Serialize;
use serde_json::Value;

use super::Report;
use crate::firewall::Family;
use crate::firewall::exposure::{Ranges, everything, intersect, normalize, subtract};
use crate::inventory::{Inventory, NodeRef};
use crate::policy::builtin::declared_flows::{self, Sources};

/// One server's matrix.
#[derive(Debug, Serialize)]
pub struct Table {
    /// `server:id`.
    pub server: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// Why there is no row (the listeners could not be read), or null.
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Column {
    /// `zone:management`, `flow from network:hq-mgmt`, …, `anywhere else`.
    pub label: String,
    /// What the column stands for (the flow's services, the zone's networks), for the hover.
    pub title: String,
}

#[derive(Debug, Serialize)]
pub struct Row {
    /// `tcp/443 ipv4`.
    pub service: String,
    /// The listening address.
    pub address: String,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Serialize)]
pub struct Cell {
    /// `open`, `partly`, `closed`, `unknown` or `none` (the class has no address of the
    /// family).
    pub state: &'static str,
    /// The accepted part when `partly` ("10.1.0.0/24, …"); empty otherwise.
    pub detail: String,
    /// The rules that decided, or why it is unknown.
    pub rule: String,
}

/// A class of sources, as ranges per family (v4, v6).
struct Class {
    label: String,
    title: String,
    ranges: [Ranges; 2],
}

/// Everything the matrices of one report need, computed once; each table is made on demand.
pub struct Matrix<'a> {
    inv: &'a Inventory,
    /// Servers with listeners in the facts: (target id, server index, the fact).
    servers: Vec<(String, usize, &'a Value)>,
    zones: Vec<Class>,
    anywhere: Class,
}

impl std::fmt::Debug for Matrix<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matrix")
            .field("servers", &self.servers.len())
            .finish_non_exhaustive()
    }
}

fn family_index(f: Family) -> usize {
    match f {
        Family::V4 => 0,
        Family::V6 => 1,
    }
}

const FAMILIES: [Family; 2] = [Family::V4, Family::V6];

impl<'a> Matrix<'a> {
    /// The matrices of `report`: one per server whose facts hold `exposure.listeners`, in the
    /// order of the report's facts. `anywhere` is the column label of the sources no network
    /// or external holds, in the report's language.
    pub fn of(inv: &'a Inventory, report: &'a Report, anywhere: &str) -> Matrix<'a> {
        let index: HashMap<&str, usize> = inv
            .servers
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let servers: Vec<(String, usize, &Value)> = report
            .facts
            .iter()
            .filter_map(|(id, facts)| {
                let fact = facts.get("exposure.listeners")?;
                let &i = index.get(id.as_str())?;
                Some((inv.target_id(NodeRef::Server(i)), i, fact))
            })
            .collect();
        if servers.is_empty() {
            return Matrix {
                inv,
                servers,
                zones: Vec::new(),
                anywhere: Class {
                    label: String::new(),
                    title: String::new(),
                    ranges: [Vec::new(), Vec::new()],
                },
            };
        }
        let mut zones: Vec<crate::inventory::Zone> = inv.networks.iter().map(|n| n.zone).collect();
        zones.sort_by_key(|z| (z.as_str() != "management", z.as_str()));
        zones.dedup();
        let zones = zones
            .into_iter()
            .map(|z| {
                let ep = crate::inventory::model::Endpoint::Zone(z);
                Class {
                    label: format!("zone:{}", z.as_str()),
                    title: inv
                        .networks
                        .iter()
                        .filter(|n| n.zone == z)
                        .map(|n| n.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    ranges: FAMILIES.map(|f| listed(declared_flows::sources(inv, &ep, f), f)),
                }
            })
            .collect();
        let anywhere = Class {
            label: anywhere.to_owned(),
            title: String::new(),
            ranges: FAMILIES
                .map(|f| subtract(&everything(f), &declared_flows::declared_space(inv, f))),
        };
        Matrix {
            inv,
            servers,
            zones,
            anywhere,
        }
    }

    /// How many servers have a matrix.
    pub fn len(&self) -> usize {
        self.servers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }

    /// The matrix of the `i`-th server.
    pub fn table(&self, i: usize) -> Table {
        let (id, s, fact) = &self.servers[i];
        let inv = self.inv;
        // Each declared flow reaching the server, once per source endpoint.
        let mut flows: Vec<Class> = Vec::new();
        for flow in inv
            .flows
            .iter()
            .filter(|f| declared_flows::reaches(inv, &f.to, *s))
        {
            let label = format!("{} →", declared_flows::endpoint_id(inv, &flow.from));
            let services = flow
                .services
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            match flows.iter_mut().find(|c| c.label == label) {
                Some(c) => {
                    c.title.push_str(", ");
                    c.title.push_str(&services);
                }
                None => flows.push(Class {
                    label,
                    title: services,
                    ranges: FAMILIES
                        .map(|f| listed(declared_flows::sources(inv, &flow.from, f), f)),
                }),
            }
        }
        let classes: Vec<&Class> = flows
            .iter()
            .chain(self.zones.iter())
            .chain(std::iter::once(&self.anywhere))
            .collect();
        let columns = classes
            .iter()
            .map(|c| Column {
                label: c.label.clone(),
                title: c.title.clone(),
            })
            .collect();
        let (rows, error) = match fact.as_array() {
            Some(entries) => (
                entries.iter().map(|e| row(e, &classes)).collect::<Vec<_>>(),
                None,
            ),
            None => (
                Vec::new(),
                Some(
                    fact.get("error")
                        .and_then(Value::as_str)
                        .unwrap_or("the listeners' exposure was not recorded")
                        .to_owned(),
                ),
            ),
        };
        Table {
            server: id.clone(),
            columns,
            rows,
            error,
        }
    }
}

fn listed(s: Sources, f: Family) -> Ranges {
    match s {
        Sources::Listed(r) => r,
        Sources::Anywhere => everything(f),
    }
}

/// One range of sources of the collector's `decisions`.
struct Piece<'v> {
    lo: u128,
    hi: u128,
    outcome: &'v str,
    by: &'v str,
}

fn to_u128(a: IpAddr) -> u128 {
    match a {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

fn row(e: &Value, classes: &[&Class]) -> Row {
    let s = |k: &str| {
        e.get(k)
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
    };
    let family = match s("family").as_deref() {
        Some("ipv6") => Family::V6,
        _ => Family::V4,
    };
    let service = format!(
        "{}/{} {}",
        s("proto").unwrap_or_default(),
        s("port").unwrap_or_default(),
        family.name()
    );
    // Why no cell can be decided, when that is so.
    let undecided: Option<String> = match e.get("decisions").and_then(Value::as_array) {
        Some(_) => None,
        None => Some(match s("error") {
            Some(why) => why,
            None => "not recorded range by range (more than 256 ranges of sources, or a scan by an older capdo): see `exposure.listeners`".to_owned(),
        }),
    };
    let pieces: Vec<Piece> = e
        .get("decisions")
        .and_then(Value::as_array)
        .map(|d| {
            d.iter()
                .filter_map(|p| {
                    let addr = |k: &str| p.get(k)?.as_str()?.parse::<IpAddr>().ok();
                    Some(Piece {
                        lo: to_u128(addr("from")?),
                        hi: to_u128(addr("to")?),
                        outcome: p.get("outcome")?.as_str()?,
                        by: p.get("by").and_then(Value::as_str).unwrap_or(""),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let cells = classes
        .iter()
        .map(|c| {
            let ranges = &c.ranges[family_index(family)];
            if ranges.is_empty() {
                return Cell {
                    state: "none",
                    detail: String::new(),
                    rule: String::new(),
                };
            }
            if let Some(why) = &undecided {
                return Cell {
                    state: "unknown",
                    detail: String::new(),
                    rule: why.clone(),
                };
            }
            cell(family, ranges, &pieces)
        })
        .collect();
    Row {
        service,
        address: s("address").unwrap_or_default(),
        cells,
    }
}

/// The cell of a class whose sources are `ranges`.
fn cell(family: Family, ranges: &Ranges, pieces: &[Piece]) -> Cell {
    let mut accepted: Ranges = Vec::new();
    let (mut open_by, mut shut_by, mut unknown_by): (Vec<&str>, Vec<&str>, Vec<&str>) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut covered: Ranges = Vec::new();
    for p in pieces {
        let part = intersect(ranges, &[(p.lo, p.hi)]);
        if part.is_empty() {
            continue;
        }
        covered.extend(part.iter().copied());
        let (list, by) = match p.outcome {
            "accept" => {
                accepted.extend(part);
                (&mut open_by, p.by)
            }
            "drop" | "reject" => (&mut shut_by, p.by),
            _ => (&mut unknown_by, p.outcome),
        };
        if !list.contains(&by) {
            list.push(by);
        }
    }
    // Sources of the class that no recorded range covers are not decided.
    if !subtract(ranges, &normalize(covered)).is_empty() && unknown_by.is_empty() {
        unknown_by.push("no recorded decision for part of these sources");
    }
    let rules = |v: &[&str]| {
        let mut s = v.iter().take(3).copied().collect::<Vec<_>>().join("; ");
        if v.len() > 3 {
            s.push_str(&format!("; … ({} rules)", v.len()));
        }
        s
    };
    let accepted = normalize(accepted);
    if !accepted.is_empty() {
        let all = subtract(ranges, &accepted).is_empty();
        let detail = if all {
            String::new()
        } else {
            let list: Vec<String> = accepted
                .iter()
                .flat_map(|&(lo, hi)| crate::firewall::exposure::prefixes(family, lo, hi))
                .collect();
            let mut d = list.iter().take(4).cloned().collect::<Vec<_>>().join(", ");
            if list.len() > 4 {
                d.push_str(&format!(", … ({} prefixes)", list.len()));
            }
            d
        };
        return Cell {
            state: if all { "open" } else { "partly" },
            detail,
            rule: rules(&open_by),
        };
    }
    if !unknown_by.is_empty() {
        return Cell {
            state: "unknown",
            detail: String::new(),
            rule: rules(&unknown_by),
        };
    }
    Cell {
        state: "closed",
        detail: String::new(),
        rule: rules(&shut_by),
    }
}
