//! The dependency graph of the inventory and everything derived from it: required and effective
//! levels, impact sets, dependency cycles, single points of failure and zone membership.
//!
//! Built once from a validated [`Inventory`]; pure computation, no I/O.

pub mod export;
pub mod impact;
pub mod level;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::inventory::{Inventory, Level, NodeRef, Regime, Role, Service, Zone};
pub use level::{Criterion, Missing, Required};

pub use crate::inventory::Node;

/// What an edge means. Edges point from the node that needs or holds to the node needed or held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edge {
    /// Organization → datacenter → network → server.
    Contains,
    /// System → server it runs on.
    RunsOn,
    /// System → system or external it needs.
    DependsOn,
    /// Server → server holding its backups.
    BacksUpTo,
    /// An allowed flow between two nodes (zones expand to their networks).
    Flow(Vec<Service>),
}

impl Edge {
    pub fn name(&self) -> &'static str {
        match self {
            Edge::Contains => "contains",
            Edge::RunsOn => "runs-on",
            Edge::DependsOn => "depends-on",
            Edge::BacksUpTo => "backs-up-to",
            Edge::Flow(_) => "flow",
        }
    }
}

/// Why a server or network has its effective level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelSource {
    pub level: Level,
    /// The system whose level is inherited.
    pub system: usize,
    /// Servers between this node and the system: for a backup server, the servers whose
    /// backups it stores, ending with the server that runs the system.
    pub via: Vec<usize>,
}

/// One step of what stops when a node fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impacted {
    pub node: NodeRef,
    /// The node whose failure stopped this one.
    pub because: Node,
}

/// The result of `impact`: what stops, and what keeps running with less redundancy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Impact {
    pub stopped: Vec<Impacted>,
    /// Systems still running but with fewer servers, and servers losing their backup target.
    pub degraded: Vec<NodeRef>,
}

pub struct Graph {
    pub graph: DiGraph<Node, Edge>,
    pub regime: Regime,
    index: BTreeMap<Node, NodeIndex>,
    /// Required level of each system, by the regime.
    pub required: Vec<Required>,
    /// Servers of each system grouped by role; servers with no role form the group `None`.
    pub role_groups: Vec<BTreeMap<Option<Role>, Vec<usize>>>,
    /// Effective level of each server (None: serves no system and holds no backup of one).
    pub server_levels: Vec<Option<LevelSource>>,
    /// Effective level of each network, through its highest server.
    pub network_levels: Vec<Option<(LevelSource, usize)>>,
    /// Highest level of the systems running in each datacenter, with that system.
    pub datacenter_levels: Vec<Option<(Level, usize)>>,
    /// Systems running on each server.
    pub systems_of_server: Vec<Vec<usize>>,
}

impl Graph {
    pub fn build(inv: &Inventory, regime: Regime) -> Graph {
        let mut graph = DiGraph::new();
        let mut index = BTreeMap::new();
        let mut add = |graph: &mut DiGraph<Node, Edge>, n: Node| {
            let ix = graph.add_node(n);
            index.insert(n, ix);
            ix
        };
        let org = add(&mut graph, Node::Organization);
        let dcs: Vec<_> = (0..inv.datacenters.len())
            .map(|i| add(&mut graph, Node::Item(NodeRef::Datacenter(i))))
            .collect();
        let nets: Vec<_> = (0..inv.networks.len())
            .map(|i| add(&mut graph, Node::Item(NodeRef::Network(i))))
            .collect();
        let srvs: Vec<_> = (0..inv.servers.len())
            .map(|i| add(&mut graph, Node::Item(NodeRef::Server(i))))
            .collect();
        let syss: Vec<_> = (0..inv.systems.len())
            .map(|i| add(&mut graph, Node::Item(NodeRef::System(i))))
            .collect();
        let exts: Vec<_> = (0..inv.externals.len())
            .map(|i| add(&mut graph, Node::Item(NodeRef::External(i))))
            .collect();
        let ix = |n: NodeRef| match n {
            NodeRef::Datacenter(i) => dcs[i],
            NodeRef::Network(i) => nets[i],
            NodeRef::Server(i) => srvs[i],
            NodeRef::System(i) => syss[i],
            NodeRef::External(i) => exts[i],
        };

        for &dc in &dcs {
            graph.add_edge(org, dc, Edge::Contains);
        }
        for (i, n) in inv.networks.iter().enumerate() {
            graph.add_edge(dcs[n.datacenter], nets[i], Edge::Contains);
        }
        for (i, s) in inv.servers.iter().enumerate() {
            graph.add_edge(nets[s.network], srvs[i], Edge::Contains);
            for t in s.backup.iter().flat_map(|b| &b.targets) {
                graph.add_edge(srvs[i], srvs[t.to], Edge::BacksUpTo);
            }
        }
        let mut systems_of_server = vec![Vec::new(); inv.servers.len()];
        for (i, s) in inv.systems.iter().enumerate() {
            for &srv in &s.servers {
                graph.add_edge(syss[i], srvs[srv], Edge::RunsOn);
                systems_of_server[srv].push(i);
            }
            for &d in &s.depends_on {
                graph.add_edge(syss[i], ix(d), Edge::DependsOn);
            }
        }
        let zone_nets = |z: Zone| -> Vec<NodeIndex> {
            inv.networks
                .iter()
                .enumerate()
                .filter(|(_, n)| n.zone == z)
                .map(|(i, _)| nets[i])
                .collect()
        };
        for f in &inv.flows {
            let ends = |e: crate::inventory::Endpoint| match e {
                crate::inventory::Endpoint::Zone(z) => zone_nets(z),
                crate::inventory::Endpoint::Node(n) => vec![ix(n)],
            };
            for a in ends(f.from) {
                for b in ends(f.to) {
                    graph.add_edge(a, b, Edge::Flow(f.services.clone()));
                }
            }
        }

        let required: Vec<Required> = inv
            .systems
            .iter()
            .map(|s| level::required(s, regime))
            .collect();
        let role_groups = inv
            .systems
            .iter()
            .map(|s| {
                let mut groups: BTreeMap<Option<Role>, Vec<usize>> = BTreeMap::new();
                for &srv in &s.servers {
                    let roles = &inv.servers[srv].roles;
                    if roles.is_empty() {
                        groups.entry(None).or_default().push(srv);
                    }
                    for &r in roles {
                        groups.entry(Some(r)).or_default().push(srv);
                    }
                }
                groups
            })
            .collect();

        let mut g = Graph {
            graph,
            regime,
            index,
            required,
            role_groups,
            server_levels: Vec::new(),
            network_levels: Vec::new(),
            datacenter_levels: Vec::new(),
            systems_of_server,
        };
        g.server_levels = g.compute_server_levels(inv);
        g.network_levels = g.compute_network_levels(inv);
        g.datacenter_levels = g.compute_datacenter_levels(inv);
        g
    }

    pub fn node_index(&self, n: Node) -> Option<NodeIndex> {
        self.index.get(&n).copied()
    }

    /// The level a system is held to: the higher of its declared level and the level its
    /// attributes require (raised to what a missing input could require). A system declared
    /// below its requirement is still judged by every control of the required level.
    pub fn system_level(&self, inv: &Inventory, system: usize) -> Level {
        let held = self.required[system].held();
        inv.systems[system].level.map_or(held, |l| l.max(held))
    }

    /// The level a system is protected at, as far as its dependants can count on: its
    /// declared (proposed or approved) level, even when its attributes require more; the held
    /// level when it declares none.
    pub fn declared_or_held(&self, inv: &Inventory, system: usize) -> Level {
        inv.systems[system]
            .level
            .unwrap_or_else(|| self.required[system].held())
    }

    /// Why a system is held above its declared level, when it is: "held to level 3, above its
    /// declared level 2: NĐ 331/2026 Đ13.2.b (handles administrative procedures)".
    pub fn held_above_declared(&self, inv: &Inventory, system: usize) -> Option<String> {
        let declared = inv.systems[system].level?;
        let req = &self.required[system];
        let held = req.held();
        if held <= declared {
            return None;
        }
        let why = if req.level >= held {
            let c = req.deciding();
            format!("{} ({})", c.basis, c.reason)
        } else {
            let m = &req.missing[0];
            format!("{}: {}", m.basis, m.reason)
        };
        Some(format!(
            "held to level {held}, above its declared level {declared}: {why}"
        ))
    }

    /// Servers take the highest level of the systems they serve; a server that stores another
    /// server's backups takes that server's level too (transitively). Processing systems from
    /// the highest level down means each server is settled the first time it is reached.
    fn compute_server_levels(&self, inv: &Inventory) -> Vec<Option<LevelSource>> {
        let mut out: Vec<Option<LevelSource>> = vec![None; inv.servers.len()];
        let mut order: Vec<usize> = (0..inv.systems.len()).collect();
        order.sort_by_key(|&s| (std::cmp::Reverse(self.system_level(inv, s)), s));
        // Where each server's backups go; a level travels along these edges.
        let backup_target: Vec<Vec<usize>> = inv
            .servers
            .iter()
            .map(|s| {
                s.backup
                    .iter()
                    .flat_map(|b| &b.targets)
                    .map(|t| t.to)
                    .collect()
            })
            .collect();
        for sys in order {
            let level = self.system_level(inv, sys);
            let mut queue: VecDeque<(usize, Vec<usize>)> = VecDeque::new();
            for &srv in &inv.systems[sys].servers {
                if out[srv].is_none() {
                    out[srv] = Some(LevelSource {
                        level,
                        system: sys,
                        via: Vec::new(),
                    });
                    queue.push_back((srv, vec![srv]));
                }
            }
            while let Some((srv, path)) = queue.pop_front() {
                for &target in backup_target[srv].iter() {
                    if out[target].is_none() {
                        let mut via = path.clone();
                        via.reverse();
                        out[target] = Some(LevelSource {
                            level,
                            system: sys,
                            via,
                        });
                        let mut next = path.clone();
                        next.push(target);
                        queue.push_back((target, next));
                    }
                }
            }
        }
        out
    }

    fn compute_network_levels(&self, inv: &Inventory) -> Vec<Option<(LevelSource, usize)>> {
        let mut out: Vec<Option<(LevelSource, usize)>> = vec![None; inv.networks.len()];
        for (i, s) in inv.servers.iter().enumerate() {
            if let Some(src) = &self.server_levels[i] {
                let slot = &mut out[s.network];
                // Prefer a server that serves the system itself over one storing backups.
                let better = slot.as_ref().is_none_or(|(cur, _)| {
                    (src.level, std::cmp::Reverse(src.via.len()))
                        > (cur.level, std::cmp::Reverse(cur.via.len()))
                });
                if better {
                    *slot = Some((src.clone(), i));
                }
            }
        }
        out
    }

    fn compute_datacenter_levels(&self, inv: &Inventory) -> Vec<Option<(Level, usize)>> {
        let mut out: Vec<Option<(Level, usize)>> = vec![None; inv.datacenters.len()];
        for (sys, s) in inv.systems.iter().enumerate() {
            let level = self.system_level(inv, sys);
            for &srv in &s.servers {
                let slot = &mut out[inv.server_datacenter(srv)];
                if slot.is_none_or(|(cur, _)| level > cur) {
                    *slot = Some((level, sys));
                }
            }
        }
        out
    }

    /// The level a node is judged at: a system's level, a server's or network's effective
    /// level, a datacenter's hosting level; externals have none.
    pub fn level_of(&self, inv: &Inventory, node: NodeRef) -> Option<Level> {
        match node {
            NodeRef::Datacenter(i) => self.datacenter_levels[i].map(|(l, _)| l),
            NodeRef::Network(i) => self.network_levels[i].as_ref().map(|(s, _)| s.level),
            NodeRef::Server(i) => self.server_levels[i].as_ref().map(|s| s.level),
            NodeRef::System(i) => Some(self.system_level(inv, i)),
            NodeRef::External(_) => None,
        }
    }

    /// Why a node has its level, in one sentence.
    pub fn explain_level(&self, inv: &Inventory, node: NodeRef) -> Option<String> {
        match node {
            NodeRef::Server(i) => Some(self.explain_server_level(inv, i)),
            NodeRef::Network(i) => Some(self.explain_network_level(inv, i)),
            NodeRef::Datacenter(i) => Some(match self.datacenter_levels[i] {
                Some((l, sys)) => format!(
                    "{} is level {l} because it runs {} (level {l})",
                    inv.datacenters[i].id, inv.systems[sys].id
                ),
                None => format!("{} has no level: it runs no system", inv.datacenters[i].id),
            }),
            NodeRef::System(i) => {
                let s = &inv.systems[i];
                let req = &self.required[i];
                let c = req.deciding();
                let mut text = match s.level {
                    Some(l) if l < req.held() => format!(
                        "{} is declared level {l} but held to level {}; its attributes require level {} ({}: {})",
                        s.id,
                        req.held(),
                        req.level,
                        c.basis,
                        c.reason
                    ),
                    Some(l) => format!(
                        "{} is declared level {l}; its attributes require level {} ({}: {})",
                        s.id, req.level, c.basis, c.reason
                    ),
                    None => format!(
                        "{} declares no level, so it is held to the required level {} ({}: {})",
                        s.id,
                        req.held(),
                        c.basis,
                        c.reason
                    ),
                };
                for m in &req.missing {
                    text.push_str(&format!(
                        "; level {} cannot be ruled out ({}: {})",
                        m.could_require, m.basis, m.reason
                    ));
                }
                Some(text)
            }
            NodeRef::External(_) => None,
        }
    }

    /// "bk01 is level 3 because it stores backups of db01, which serves cong-ttdt (level 3)".
    pub fn explain_server_level(&self, inv: &Inventory, server: usize) -> String {
        let id = &inv.servers[server].id;
        match &self.server_levels[server] {
            None => {
                format!("{id} has no level: it serves no system and stores no system's backups")
            }
            Some(src) => {
                let sys = &inv.systems[src.system];
                let mut text = format!("{id} is level {} because it ", src.level);
                for (n, &v) in src.via.iter().enumerate() {
                    if n > 0 {
                        text.push_str(", which ");
                    }
                    text.push_str(&format!("stores backups of {}", inv.servers[v].id));
                }
                if !src.via.is_empty() {
                    text.push_str(", which ");
                }
                text.push_str(&format!("serves {} (level {})", sys.id, src.level));
                text
            }
        }
    }

    pub fn explain_network_level(&self, inv: &Inventory, network: usize) -> String {
        let id = &inv.networks[network].id;
        match &self.network_levels[network] {
            None => format!("{id} has no level: none of its servers has one"),
            Some((src, srv)) => format!(
                "{id} is level {} because it holds {}",
                src.level,
                self.explain_server_level(inv, *srv)
                    .replacen(" is level", ", which is level", 1)
            ),
        }
    }

    /// Everything that stops when `failed` fails, in the order failure spreads, and what loses
    /// redundancy. A datacenter takes its networks down, a network its servers; a system stops
    /// when one of its role groups has no server left or when a system or external it depends
    /// on stops.
    pub fn impact(&self, inv: &Inventory, failed: Node) -> Impact {
        let mut alive: Vec<BTreeMap<Option<Role>, usize>> = self
            .role_groups
            .iter()
            .map(|g| g.iter().map(|(r, s)| (*r, s.len())).collect())
            .collect();
        let mut down: BTreeSet<Node> = BTreeSet::new();
        let mut stopped = Vec::new();
        let mut queue = VecDeque::new();
        down.insert(failed);
        queue.push_back(failed);
        let mut stop =
            |n: NodeRef, because: Node, down: &mut BTreeSet<Node>, queue: &mut VecDeque<Node>| {
                if down.insert(Node::Item(n)) {
                    stopped.push(Impacted { node: n, because });
                    queue.push_back(Node::Item(n));
                }
            };
        while let Some(n) = queue.pop_front() {
            let Some(ix) = self.node_index(n) else {
                continue;
            };
            // Children it contains.
            for e in self.graph.edges_directed(ix, Direction::Outgoing) {
                if *e.weight() == Edge::Contains
                    && let Node::Item(child) = self.graph[e.target()]
                {
                    stop(child, n, &mut down, &mut queue);
                }
            }
            for e in self.graph.edges_directed(ix, Direction::Incoming) {
                let Node::Item(NodeRef::System(sys)) = self.graph[e.source()] else {
                    continue;
                };
                match (e.weight(), n) {
                    (Edge::DependsOn, _) => stop(NodeRef::System(sys), n, &mut down, &mut queue),
                    (Edge::RunsOn, Node::Item(NodeRef::Server(srv))) => {
                        let roles = &inv.servers[srv].roles;
                        let keys: Vec<Option<Role>> = if roles.is_empty() {
                            vec![None]
                        } else {
                            roles.iter().map(|r| Some(*r)).collect()
                        };
                        let mut dead = false;
                        for k in keys {
                            if let Some(c) = alive[sys].get_mut(&k) {
                                *c = c.saturating_sub(1);
                                dead |= *c == 0;
                            }
                        }
                        if dead {
                            stop(NodeRef::System(sys), n, &mut down, &mut queue);
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut degraded = Vec::new();
        for (sys, groups) in self.role_groups.iter().enumerate() {
            let node = Node::Item(NodeRef::System(sys));
            if !down.contains(&node)
                && groups
                    .values()
                    .flatten()
                    .any(|s| down.contains(&Node::Item(NodeRef::Server(*s))))
            {
                degraded.push(NodeRef::System(sys));
            }
        }
        for (i, s) in inv.servers.iter().enumerate() {
            let node = Node::Item(NodeRef::Server(i));
            if let Some(b) = &s.backup
                && !down.contains(&node)
                && b.targets
                    .iter()
                    .any(|t| down.contains(&Node::Item(NodeRef::Server(t.to))))
            {
                degraded.push(NodeRef::Server(i));
            }
        }
        Impact { stopped, degraded }
    }

    /// For every system that lies on a dependency cycle, a shortest cycle through it, as a
    /// closed path starting and ending with that system; sorted by system.
    pub fn dependency_cycles(&self, inv: &Inventory) -> Vec<Vec<usize>> {
        let n = inv.systems.len();
        let mut deps: DiGraph<usize, ()> = DiGraph::with_capacity(n, 0);
        let nodes: Vec<NodeIndex> = (0..n).map(|i| deps.add_node(i)).collect();
        for (i, s) in inv.systems.iter().enumerate() {
            for d in &s.depends_on {
                if let NodeRef::System(j) = d {
                    deps.add_edge(nodes[i], nodes[*j], ());
                }
            }
        }
        let mut cycles = Vec::new();
        for scc in petgraph::algo::tarjan_scc(&deps) {
            // Self-dependencies are rejected by validation, so a cycle needs two systems.
            if scc.len() < 2 {
                continue;
            }
            let members: BTreeSet<usize> = scc.iter().map(|ix| deps[*ix]).collect();
            for &start in &members {
                cycles.push(cycle_through(inv, &members, start));
            }
        }
        cycles.sort();
        cycles
    }
}

/// A shortest cycle from `start` back to itself inside one strongly connected component.
fn cycle_through(inv: &Inventory, members: &BTreeSet<usize>, start: usize) -> Vec<usize> {
    let mut prev: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    let mut seen = BTreeSet::from([start]);
    while let Some(at) = queue.pop_front() {
        for d in &inv.systems[at].depends_on {
            let NodeRef::System(next) = *d else { continue };
            if !members.contains(&next) {
                continue;
            }
            if next == start {
                let mut path = vec![at];
                let mut cur = at;
                while cur != start {
                    cur = prev[&cur];
                    path.push(cur);
                }
                path.reverse();
                path.push(start);
                return path;
            }
            if seen.insert(next) {
                prev.insert(next, at);
                queue.push_back(next);
            }
        }
    }
    vec![start, start]
}

#[cfg(test)]
mod tests;
