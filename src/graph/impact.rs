//! What `capdo impact` prints: the nodes that stop when one fails, and those that keep running
//! with less redundancy, as text or as JSON (`capdo.impact/v1`).

use super::{Graph, Impacted, Node};
use crate::inventory::{Inventory, NodeRef};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// The impact of `failed` in `format`.
pub fn render(inv: &Inventory, g: &Graph, failed: Node, format: Format) -> String {
    let impact = g.impact(inv, failed);
    if format == Format::Json {
        let stopped: Vec<serde_json::Value> = impact
            .stopped
            .iter()
            .map(|s| serde_json::json!({"node": inv.target_id(s.node), "because": inv.node_name(s.because)}))
            .collect();
        let degraded: Vec<String> = impact.degraded.iter().map(|n| inv.target_id(*n)).collect();
        let doc = serde_json::json!({
            "schema": "capdo.impact/v1",
            "failed": inv.node_name(failed),
            "stopped": stopped,
            "degraded": degraded,
        });
        return serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    }
    let mut out = String::new();
    let name = inv.node_name(failed);
    let systems: Vec<&Impacted> = impact
        .stopped
        .iter()
        .filter(|s| matches!(s.node, NodeRef::System(_)))
        .collect();
    if impact.stopped.is_empty() {
        out.push_str(&format!("If {name} fails, nothing else stops.\n"));
    } else {
        out.push_str(&format!(
            "If {name} fails, {} node(s) stop, {} of them system(s):\n",
            impact.stopped.len(),
            systems.len()
        ));
        for s in &impact.stopped {
            let level = match s.node {
                NodeRef::System(i) => format!(" (level {})", g.system_level(inv, i)),
                _ => String::new(),
            };
            out.push_str(&format!(
                "  {}{level}  ← {}\n",
                inv.target_id(s.node),
                inv.node_name(s.because)
            ));
        }
    }
    if !impact.degraded.is_empty() {
        out.push_str("Still running, with less redundancy or without their backup target:\n");
        for n in &impact.degraded {
            out.push_str(&format!("  {}\n", inv.target_id(*n)));
        }
    }
    out
}
