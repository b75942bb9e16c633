//! The dependency graph of the systems drawn as inline SVG for the HTML report, laid out here.
//!
//! Layout is a small layered (Sugiyama-style) drawing: cycles are broken by reversing the back
//! edges of a depth-first search, nodes go to layers by longest path (a system above what it
//! depends on), a few barycenter sweeps order each layer to cut crossings, and layers are
//! centred. It needs no crate: the graph drawn is the systems and externals (a few dozen nodes),
//! and owning the writer means every label goes through [`crate::escape::xml`], whatever the
//! inventory holds.
//! Pure computation: no I/O.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::view::Counts;
use super::{Report, view::Scope};
use crate::escape::xml;
use crate::graph::Graph;
use crate::inventory::{Inventory, NodeRef};

const NODE_W: f64 = 150.0;
const NODE_H: f64 = 44.0;
const GAP_X: f64 = 16.0;
const GAP_Y: f64 = 70.0;
const MARGIN: f64 = 12.0;
/// Labels longer than this many characters are cut (the `<title>` keeps the whole name).
const LABEL_CHARS: usize = 21;

/// A node to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawNode {
    /// Target id (`system:dvc`, `external:internet`).
    pub id: String,
    pub label: String,
    pub level: Option<u8>,
    /// CSS class suffix: a status (`fail`, `pass`, …), `none` or `external`.
    pub class: &'static str,
}

/// Where each node goes: layer (row) and position in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub layer: Vec<usize>,
    pub order: Vec<usize>,
    /// Number of nodes in the widest layer.
    pub width: usize,
    pub layers: usize,
}

/// Lay out `n` nodes with directed `edges` (from, to): `to` goes below `from` unless the edge
/// closes a cycle.
pub fn layout(n: usize, edges: &[(usize, usize)]) -> Layout {
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        if a != b && a < n && b < n && !succ[a].contains(&b) {
            succ[a].push(b);
        }
    }
    // Break cycles: drop the edges a depth-first search finds pointing back into its stack.
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut dag: Vec<Vec<usize>> = vec![Vec::new(); n];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some(&mut (v, ref mut i)) = stack.last_mut() {
            if let Some(&w) = succ[v].get(*i) {
                *i += 1;
                match state[w] {
                    0 => {
                        dag[v].push(w);
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    2 => dag[v].push(w),
                    _ => {} // a back edge: drawn, but not used for layering
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    // Longest path from the sources, in topological order (Kahn).
    let mut indeg = vec![0usize; n];
    for v in &dag {
        for &w in v {
            indeg[w] += 1;
        }
    }
    let mut queue: std::collections::VecDeque<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    let mut layer = vec![0usize; n];
    while let Some(v) = queue.pop_front() {
        for &w in &dag[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            indeg[w] -= 1;
            if indeg[w] == 0 {
                queue.push_back(w);
            }
        }
    }
    // A node nothing depends on sits just above its nearest dependency, not on the top row:
    // shorter arrows, and the top row does not hold every leaf system.
    let mut has_pred = vec![false; n];
    for ws in &dag {
        for &w in ws {
            has_pred[w] = true;
        }
    }
    for v in 0..n {
        if let Some(m) = dag[v]
            .iter()
            .map(|&w| layer[w])
            .min()
            .filter(|_| !has_pred[v])
        {
            layer[v] = m - 1;
        }
    }
    let layers = layer.iter().max().map_or(0, |m| m + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for v in 0..n {
        rows[layer[v]].push(v);
    }
    let mut pred: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (v, ws) in dag.iter().enumerate() {
        for &w in ws {
            pred[w].push(v);
        }
    }
    let mut pos = vec![0usize; n];
    let index = |rows: &Vec<Vec<usize>>, pos: &mut Vec<usize>| {
        for row in rows {
            for (i, &v) in row.iter().enumerate() {
                pos[v] = i;
            }
        }
    };
    index(&rows, &mut pos);
    // Barycenter sweeps, down then up; a node without neighbours on that side keeps its place.
    for sweep in 0..8 {
        let down = sweep % 2 == 0;
        let range: Vec<usize> = if down {
            (1..layers).collect()
        } else {
            (0..layers.saturating_sub(1)).rev().collect()
        };
        for l in range {
            let key = |v: usize| {
                let near = if down { &pred[v] } else { &dag[v] };
                let near: Vec<usize> = near
                    .iter()
                    .copied()
                    .filter(|&u| layer[u] == if down { l - 1 } else { l + 1 })
                    .collect();
                if near.is_empty() {
                    pos[v] as f64
                } else {
                    near.iter().map(|&u| pos[u] as f64).sum::<f64>() / near.len() as f64
                }
            };
            let mut keyed: Vec<(f64, usize)> = rows[l].iter().map(|&v| (key(v), v)).collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            rows[l] = keyed.into_iter().map(|(_, v)| v).collect();
            for (i, &v) in rows[l].iter().enumerate() {
                pos[v] = i;
            }
        }
    }
    Layout {
        width: rows.iter().map(Vec::len).max().unwrap_or(0),
        layers,
        layer,
        order: pos,
    }
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Draw `nodes` and `edges` as one `<svg>` element.
pub fn draw(nodes: &[DrawNode], edges: &[(usize, usize)]) -> String {
    if nodes.is_empty() {
        return String::new();
    }
    let lay = layout(nodes.len(), edges);
    let mut row_len = vec![0usize; lay.layers];
    for &l in &lay.layer {
        row_len[l] += 1;
    }
    let total_w = MARGIN * 2.0 + lay.width as f64 * (NODE_W + GAP_X) - GAP_X;
    let total_h = MARGIN * 2.0 + lay.layers as f64 * (NODE_H + GAP_Y) - GAP_Y;
    let xy = |v: usize| {
        let row_w = row_len[lay.layer[v]] as f64 * (NODE_W + GAP_X) - GAP_X;
        let x0 = (total_w - row_w) / 2.0;
        (
            x0 + lay.order[v] as f64 * (NODE_W + GAP_X),
            MARGIN + lay.layer[v] as f64 * (NODE_H + GAP_Y),
        )
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="depgraph" viewBox="0 0 {total_w:.0} {total_h:.0}" width="{total_w:.0}" height="{total_h:.0}" role="img">"#
    );
    s.push_str(
        r#"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>"#,
    );
    s.push('\n');
    for &(a, b) in edges {
        if a == b || a >= nodes.len() || b >= nodes.len() {
            continue;
        }
        let (ax, ay) = xy(a);
        let (bx, by) = xy(b);
        let (x1, x2) = (ax + NODE_W / 2.0, bx + NODE_W / 2.0);
        let below = lay.layer[b] > lay.layer[a];
        let (y1, y2, class) = if below {
            (ay + NODE_H, by, "edge")
        } else {
            // Against the layering: a cycle or a same-layer edge.
            (ay, by + NODE_H, "edge back")
        };
        let bend = ((y2 - y1).abs() / 2.0).max(GAP_Y / 2.0) * if below { 1.0 } else { -1.0 };
        let _ = writeln!(
            s,
            r#"<path class="{class}" d="M{x1:.1},{y1:.1} C{x1:.1},{:.1} {x2:.1},{:.1} {x2:.1},{y2:.1}" marker-end="url(#arrow)"><title>{} → {}</title></path>"#,
            y1 + bend,
            y2 - bend,
            xml(&nodes[a].id),
            xml(&nodes[b].id),
        );
    }
    for (v, n) in nodes.iter().enumerate() {
        let (x, y) = xy(v);
        let level = n.level.map(|l| format!(" · L{l}")).unwrap_or_default();
        let _ = writeln!(
            s,
            r#"<g class="node st-{}" data-target="{}"><title>{} ({}){level}</title><rect x="{x:.1}" y="{y:.1}" width="{NODE_W}" height="{NODE_H}" rx="6"/><text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text class="sub" x="{:.1}" y="{:.1}" text-anchor="middle">{}{level}</text></g>"#,
            n.class,
            xml(&n.id),
            xml(&n.label),
            xml(&n.id),
            x + NODE_W / 2.0,
            y + 18.0,
            xml(&cut(&n.label, LABEL_CHARS)),
            x + NODE_W / 2.0,
            y + 35.0,
            xml(&cut(&n.id, LABEL_CHARS + 4)),
        );
    }
    s.push_str("</svg>");
    s
}

/// The systems and the externals they depend on, coloured by the worst status of each system's
/// findings and its servers'.
pub fn dependencies(inv: &Inventory, g: &Graph, report: &Report, scope: &Scope) -> String {
    let mut per_target: BTreeMap<&str, Counts> = BTreeMap::new();
    for f in &report.findings {
        per_target
            .entry(f.target.as_str())
            .or_default()
            .add(f.status);
    }
    let mut nodes = Vec::new();
    let mut index: BTreeMap<NodeRef, usize> = BTreeMap::new();
    for (i, s) in inv.systems.iter().enumerate() {
        // The scope lists the systems in inventory order: looking each one up by id made this
        // quadratic (half the HTML report's growth from 50,000 to 100,000 servers).
        let sc = scope
            .systems
            .get(i)
            .filter(|x| x.id == s.id)
            .or_else(|| scope.systems.iter().find(|x| x.id == s.id));
        let mut counts = Counts::default();
        let own = inv.target_id(NodeRef::System(i));
        for t in sc.into_iter().flat_map(|x| &x.own) {
            if let Some(c) = per_target.get(t.as_str()) {
                counts.merge(c);
            }
        }
        index.insert(NodeRef::System(i), nodes.len());
        nodes.push(DrawNode {
            id: own,
            label: s.name.clone(),
            level: g.level_of(inv, NodeRef::System(i)).map(|l| l.get()),
            class: counts.worst(),
        });
    }
    let mut edges = Vec::new();
    for (i, s) in inv.systems.iter().enumerate() {
        for &d in &s.depends_on {
            let to = *index.entry(d).or_insert_with(|| {
                nodes.push(DrawNode {
                    id: inv.target_id(d),
                    label: match d {
                        NodeRef::External(e) => inv.externals[e].name.clone(),
                        NodeRef::System(x) => inv.systems[x].name.clone(),
                        other => inv.node_id(other).to_owned(),
                    },
                    level: None,
                    class: "external",
                });
                nodes.len() - 1
            });
            edges.push((index[&NodeRef::System(i)], to));
        }
    }
    draw(&nodes, &edges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_sits_below_everything_that_depends_on_it() {
        // 0 → 1 → 3, 0 → 2 → 3, 0 → 3: 3 is on the longest path's end.
        let edges = [(0, 1), (1, 3), (0, 2), (2, 3), (0, 3)];
        let l = layout(4, &edges);
        for (a, b) in edges {
            assert!(l.layer[a] < l.layer[b], "{a} → {b}: {:?}", l.layer);
        }
        assert_eq!((l.layers, l.width), (3, 2));
    }

    #[test]
    fn a_node_nothing_depends_on_sits_just_above_its_nearest_dependency() {
        // 0 → 1 → 2 → 3, and 4 → 3: 4 goes on the row above 3, not the top row.
        let l = layout(5, &[(0, 1), (1, 2), (2, 3), (4, 3)]);
        assert_eq!(l.layer, vec![0, 1, 2, 3, 2]);
    }

    #[test]
    fn cycles_are_laid_out_without_looping() {
        let l = layout(3, &[(0, 1), (1, 2), (2, 0)]);
        assert_eq!(l.layer, vec![0, 1, 2]);
    }

    #[test]
    fn no_two_nodes_share_a_place() {
        let edges: Vec<(usize, usize)> = (0..30).map(|i| (i % 7, 7 + i % 13)).collect();
        let l = layout(20, &edges);
        let mut seen = std::collections::BTreeSet::new();
        for v in 0..20 {
            assert!(seen.insert((l.layer[v], l.order[v])), "node {v} overlaps");
        }
    }

    #[test]
    fn labels_are_escaped() {
        let svg = draw(
            &[DrawNode {
                id: "system:x".into(),
                label: "<script>alert(1)</script> & \"q\"".into(),
                level: Some(3),
                class: "fail",
            }],
            &[],
        );
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;"));
    }
}
