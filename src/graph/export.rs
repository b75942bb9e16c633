//! The graph written out for people and tools: Graphviz dot, Mermaid and JSON, optionally
//! focused on one node (what it needs and what needs it).

use std::collections::BTreeSet;
use std::fmt::Write;

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde::Serialize;

use super::{Edge, Graph, Node};
use crate::escape;
use crate::inventory::{Inventory, NodeRef};

/// Nodes to draw: all, or the focus node with what it needs (the systems, servers and externals
/// it uses, the network and datacenter holding it, the servers holding its backups) and what
/// needs it, transitively. Flows are drawn between the nodes kept but not followed.
pub fn selection(g: &Graph, focus: Option<Node>) -> BTreeSet<NodeIndex> {
    let Some(focus) = focus.and_then(|f| g.node_index(f)) else {
        return g.graph.node_indices().collect();
    };
    let mut keep = BTreeSet::from([focus]);
    for needs in [true, false] {
        let mut stack = vec![focus];
        let mut seen = BTreeSet::from([focus]);
        while let Some(n) = stack.pop() {
            let out = g
                .graph
                .edges_directed(n, Direction::Outgoing)
                .map(|e| (e.weight(), e.target(), true));
            let inc = g
                .graph
                .edges_directed(n, Direction::Incoming)
                .map(|e| (e.weight(), e.source(), false));
            for (edge, next, outgoing) in out.chain(inc) {
                // "Needs" follows use edges forward and containment backward; "needed by" the
                // opposite.
                let follow = match edge {
                    Edge::Flow(_) => false,
                    Edge::Contains => outgoing != needs,
                    _ => outgoing == needs,
                };
                if follow && seen.insert(next) {
                    keep.insert(next);
                    stack.push(next);
                }
            }
        }
    }
    keep
}

fn node_id(inv: &Inventory, n: Node) -> String {
    match n {
        Node::Organization => "organization".into(),
        Node::Item(r) => inv.target_id(r),
    }
}

fn node_label(inv: &Inventory, g: &Graph, n: Node) -> (String, Option<u8>) {
    match n {
        Node::Organization => (inv.organization.name.clone(), None),
        Node::Item(r) => {
            let name = match r {
                NodeRef::Datacenter(i) => inv.datacenters[i].name.clone(),
                NodeRef::Network(i) => {
                    format!("{} ({})", inv.networks[i].id, inv.networks[i].zone.as_str())
                }
                NodeRef::Server(i) => inv.servers[i].id.clone(),
                NodeRef::System(i) => inv.systems[i].name.clone(),
                NodeRef::External(i) => inv.externals[i].name.clone(),
            };
            (name, g.level_of(inv, r).map(|l| l.get()))
        }
    }
}

/// The zone of a network or server.
fn zone(inv: &Inventory, n: Node) -> Option<&'static str> {
    match n {
        Node::Item(NodeRef::Network(i)) => Some(inv.networks[i].zone.as_str()),
        Node::Item(NodeRef::Server(i)) => Some(inv.server_zone(i).as_str()),
        _ => None,
    }
}

fn kind(n: Node) -> &'static str {
    match n {
        Node::Organization => "organization",
        Node::Item(r) => r.kind(),
    }
}

fn edge_label(e: &Edge) -> String {
    match e {
        Edge::Flow(services) => services
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        other => other.name().to_owned(),
    }
}

pub fn dot(inv: &Inventory, g: &Graph, focus: Option<Node>) -> String {
    let keep = selection(g, focus);
    let mut out =
        String::from("digraph capdo {\n  rankdir=LR;\n  node [fontname=\"sans-serif\"];\n");
    for &ix in &keep {
        let n = g.graph[ix];
        let (name, level) = node_label(inv, g, n);
        let shape = match n {
            Node::Organization => "house",
            Node::Item(NodeRef::Datacenter(_)) => "box3d",
            Node::Item(NodeRef::Network(_)) => "hexagon",
            Node::Item(NodeRef::Server(_)) => "box",
            Node::Item(NodeRef::System(_)) => "ellipse",
            Node::Item(NodeRef::External(_)) => "octagon",
        };
        let level = level.map(|l| format!("\\ncấp độ {l}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  \"{}\" [shape={shape}, label=\"{}{level}\"];",
            escape::dot(&node_id(inv, n)),
            escape::dot(&name)
        );
    }
    for e in g.graph.edge_references() {
        if keep.contains(&e.source()) && keep.contains(&e.target()) {
            let style = match e.weight() {
                Edge::Contains => ", style=dotted",
                Edge::Flow(_) => ", style=dashed",
                Edge::BacksUpTo => ", color=blue",
                _ => "",
            };
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\" [label=\"{}\"{style}];",
                escape::dot(&node_id(inv, g.graph[e.source()])),
                escape::dot(&node_id(inv, g.graph[e.target()])),
                escape::dot(&edge_label(e.weight()))
            );
        }
    }
    out.push_str("}\n");
    out
}

pub fn mermaid(inv: &Inventory, g: &Graph, focus: Option<Node>) -> String {
    let keep = selection(g, focus);
    // Mermaid ids must be plain words; number the nodes and keep the real id in the label.
    let mid = |ix: NodeIndex| format!("n{}", ix.index());
    let mut out = String::from("flowchart LR\n");
    for &ix in &keep {
        let n = g.graph[ix];
        let (name, level) = node_label(inv, g, n);
        let level = level
            .map(|l| format!("<br/>cấp độ {l}"))
            .unwrap_or_default();
        let text = format!(
            "{}<br/>{}{level}",
            escape::mermaid(&node_id(inv, n)),
            escape::mermaid(&name)
        );
        let shape = match n {
            Node::Item(NodeRef::System(_)) => format!("([\"{text}\"])"),
            Node::Item(NodeRef::Network(_)) => format!("{{{{\"{text}\"}}}}"),
            Node::Item(NodeRef::External(_)) => format!(">\"{text}\"]"),
            _ => format!("[\"{text}\"]"),
        };
        let _ = writeln!(out, "  {}{shape}", mid(ix));
    }
    for e in g.graph.edge_references() {
        if keep.contains(&e.source()) && keep.contains(&e.target()) {
            let arrow = match e.weight() {
                Edge::Contains => "-.->",
                Edge::Flow(_) => "==>",
                _ => "-->",
            };
            let _ = writeln!(
                out,
                "  {} {arrow}|\"{}\"| {}",
                mid(e.source()),
                escape::mermaid(&edge_label(e.weight())),
                mid(e.target())
            );
        }
    }
    out
}

/// A node of the selection, for a caller that draws it (the dossier's picture).
#[derive(Debug, Clone)]
pub struct ViewNode {
    /// Target id (`system:dvc`, `server:web01`).
    pub id: String,
    pub label: String,
    pub level: Option<u8>,
    /// `system`, `server`, `network`, `datacenter`, `external` or `organization`.
    pub kind: &'static str,
}

/// The selection (see [`selection`]) as nodes and edges (indices into the nodes), every kind
/// of edge included, for a caller that draws it.
pub fn view(
    inv: &Inventory,
    g: &Graph,
    focus: Option<Node>,
) -> (Vec<ViewNode>, Vec<(usize, usize)>) {
    let keep: Vec<NodeIndex> = selection(g, focus).into_iter().collect();
    let at = |ix: NodeIndex| keep.iter().position(|&k| k == ix);
    let nodes = keep
        .iter()
        .map(|&ix| {
            let n = g.graph[ix];
            let (label, level) = node_label(inv, g, n);
            ViewNode {
                id: node_id(inv, n),
                label,
                level,
                kind: kind(n),
            }
        })
        .collect();
    let edges = g
        .graph
        .edge_references()
        .filter_map(|e| Some((at(e.source())?, at(e.target())?)))
        .collect();
    (nodes, edges)
}

#[derive(Serialize)]
struct JsonGraph {
    schema: &'static str,
    nodes: Vec<JsonNode>,
    edges: Vec<JsonEdge>,
}

#[derive(Serialize)]
struct JsonNode {
    id: String,
    kind: &'static str,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    level_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    zone: Option<&'static str>,
}

#[derive(Serialize)]
struct JsonEdge {
    from: String,
    to: String,
    kind: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    services: Vec<String>,
}

pub fn json(inv: &Inventory, g: &Graph, focus: Option<Node>) -> String {
    let keep = selection(g, focus);
    let nodes = keep
        .iter()
        .map(|&ix| {
            let n = g.graph[ix];
            let (name, level) = node_label(inv, g, n);
            JsonNode {
                id: node_id(inv, n),
                kind: kind(n),
                name,
                level,
                level_reason: match n {
                    Node::Item(r) if level.is_some() => g.explain_level(inv, r),
                    _ => None,
                },
                zone: zone(inv, n),
            }
        })
        .collect();
    let edges = g
        .graph
        .edge_references()
        .filter(|e| keep.contains(&e.source()) && keep.contains(&e.target()))
        .map(|e| JsonEdge {
            from: node_id(inv, g.graph[e.source()]),
            to: node_id(inv, g.graph[e.target()]),
            kind: e.weight().name(),
            services: match e.weight() {
                Edge::Flow(s) => s.iter().map(|s| s.to_string()).collect(),
                _ => Vec::new(),
            },
        })
        .collect();
    let doc = JsonGraph {
        schema: "capdo.graph/v1",
        nodes,
        edges,
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
