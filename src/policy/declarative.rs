//! Controls written as data: a rule (with an optional `when`) over inventory attributes and host
//! facts, and manual controls that wait for a human attestation.
//!
//! Attributes are the inventory seen from one target, under stable names (docs/policies.md):
//! `server.*` for a server, `system.*` for a system. Facts are the host's facts under their
//! report names (`facts.<server>`).

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::catalog::{AppliesTo, Check, Control};
use super::rule::{self, Env, Reads};
use super::{Finding, Status};
use crate::diag::Loc;
use crate::graph::Graph;
use crate::inventory::{Inventory, Level, NodeRef, Proto, Role, Zone};

fn proto(p: Proto) -> &'static str {
    match p {
        Proto::Tcp => "tcp",
        Proto::Udp => "udp",
    }
}

/// The attributes [`server_attrs`] gives: what a rule on a server may name with `attr`.
pub const SERVER_ATTRS: &[&str] = &[
    "server.id",
    "server.level",
    "server.zone",
    "server.roles",
    "server.ipv6",
    "server.addresses",
    "server.services",
    "server.agents",
    "server.os",
    "server.backup_to_roles",
];

/// The attributes [`system_attrs`] gives: what a rule on a system may name with `attr`.
pub const SYSTEM_ATTRS: &[&str] = &[
    "system.id",
    "system.level",
    "system.kind",
    "system.information",
    "system.state_secret",
    "system.users",
    "system.public_service_level",
    "system.national",
    "system.always_on",
    "system.public_names",
    "system.measures",
    "system.measures_from",
    "system.approval_status",
    "system.approval_decision",
    "system.criteria",
    "system.server_roles",
    "system.public_servers",
];

/// The attributes of server `i`.
pub fn server_attrs(inv: &Inventory, graph: &Graph, i: usize) -> Map<String, Value> {
    all_attrs(SERVER_ATTRS, |name| server_attr(inv, graph, i, name))
}

/// The attributes of system `i`.
pub fn system_attrs(inv: &Inventory, graph: &Graph, i: usize) -> Map<String, Value> {
    all_attrs(SYSTEM_ATTRS, |name| system_attr(inv, graph, i, name))
}

fn all_attrs(names: &[&str], attr: impl Fn(&str) -> Option<Value>) -> Map<String, Value> {
    names
        .iter()
        .filter_map(|&name| Some((name.to_owned(), attr(name)?)))
        .collect()
}

/// The inventory attributes of one target, each made when a rule reads it: a rule reads one or
/// two of them, and a check judges every target by every control of its kind.
#[derive(Clone, Copy)]
pub enum Attrs<'a> {
    /// A datacenter, a network or the organisation: no attribute.
    None,
    Server(&'a Inventory, &'a Graph, usize),
    System(&'a Inventory, &'a Graph, usize),
}

impl rule::Attrs for Attrs<'_> {
    fn attr(&self, name: &str) -> Option<Value> {
        match *self {
            Attrs::None => None,
            Attrs::Server(inv, graph, i) => server_attr(inv, graph, i, name),
            Attrs::System(inv, graph, i) => system_attr(inv, graph, i, name),
        }
    }
}

/// The attribute `name` of server `i` (one of [`SERVER_ATTRS`]).
fn server_attr(inv: &Inventory, graph: &Graph, i: usize, name: &str) -> Option<Value> {
    let s = &inv.servers[i];
    Some(match name {
        "server.id" => json!(s.id),
        "server.level" => json!(graph.level_of(inv, NodeRef::Server(i)).map(|l| l.get())),
        "server.zone" => json!(inv.server_zone(i).as_str()),
        "server.roles" => json!(s.roles),
        "server.ipv6" => json!(s.ipv6),
        "server.addresses" => json!(
            s.addresses
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
        ),
        "server.services" => json!(
            s.services
                .iter()
                .map(|x| json!({"proto": proto(x.proto), "port": x.port}))
                .collect::<Vec<_>>()
        ),
        "server.agents" => json!(s.agents),
        "server.os" => json!(s.os),
        // The roles of the server its backups go to (null without a declared backup): a central
        // backup server has the `backup` or `storage` role.
        "server.backup_to_roles" => s
            .backup
            .as_ref()
            .map_or(Value::Null, |b| json!(inv.servers[b.to].roles)),
        _ => return None,
    })
}

/// The attribute `name` of system `i` (one of [`SYSTEM_ATTRS`]).
fn system_attr(inv: &Inventory, graph: &Graph, i: usize, name: &str) -> Option<Value> {
    let s = &inv.systems[i];
    Some(match name {
        "system.id" => json!(s.id),
        "system.level" => json!(graph.system_level(inv, i).get()),
        "system.kind" => json!(s.kind),
        "system.information" => json!(s.information),
        "system.state_secret" => json!(
            s.information
                .contains(&crate::inventory::InfoType::StateSecret)
        ),
        "system.users" => json!(s.users),
        "system.public_service_level" => json!(s.public_service_level),
        "system.national" => json!(s.national),
        "system.always_on" => json!(s.always_on),
        "system.public_names" => json!(s.public_names),
        "system.measures" => json!(inv.system_protection(i).measures),
        "system.approval_status" => json!(s.approval.as_ref().map(|a| a.status)),
        "system.approval_decision" => {
            json!(s.approval.as_ref().and_then(|a| a.decision.as_deref()))
        }
        // Whose list the measures come from: a pass on the organisation's list is only as good
        // as the organisation-wide device's reach, and the finding says so.
        "system.measures_from" => json!(if s.protection.measures.is_some() {
            "system"
        } else {
            "organization"
        }),
        // The clauses of the level criteria the system meets ("NĐ 85/2016 Đ9.2.c", …): design
        // measures required for the systems of one criterion read them.
        "system.criteria" => json!(
            graph.required[i]
                .criteria
                .iter()
                .map(|c| c.basis.as_str())
                .collect::<Vec<_>>()
        ),
        "system.server_roles" => {
            let roles: std::collections::BTreeSet<Role> = s
                .servers
                .iter()
                .flat_map(|&x| inv.servers[x].roles.iter().copied())
                .collect();
            json!(roles)
        }
        // The servers the public reaches: web, proxy, load-balancer and API servers in the DMZ.
        "system.public_servers" => {
            let front = |x: usize| {
                inv.servers[x]
                    .roles
                    .iter()
                    .any(|r| matches!(r, Role::Web | Role::Proxy | Role::LoadBalancer | Role::Api))
            };
            let public: Vec<Value> = s
                .servers
                .iter()
                .filter(|&&x| inv.server_zone(x) == Zone::Dmz && front(x))
                .map(|&x| {
                    let srv = &inv.servers[x];
                    json!({
                        "id": srv.id,
                        "ipv6": srv.ipv6 && srv.addresses.iter().any(|a| a.is_ipv6()),
                        "https": srv.services.iter().any(|svc| svc.port == 443 && svc.proto == Proto::Tcp),
                    })
                })
                .collect();
            json!(public)
        }
        _ => return None,
    })
}

/// Evaluate a declarative or manual control on one target (`kind:id`). `facts` is `None`
/// offline.
pub fn judge(
    control: &Arc<Control>,
    target: String,
    level: Option<Level>,
    attrs: &dyn rule::Attrs,
    facts: Option<&Map<String, Value>>,
    loc: &Loc,
) -> Finding {
    let name = crate::inventory::split_target(&target).1.to_owned();
    let name = name.as_str();
    let params = control.params_at(level);
    let env = Env {
        facts,
        attrs,
        params: &params,
    };
    let mut reads = Reads::default();
    let (status, message) = match &control.check {
        _ if !control.applies_at(level) => {
            (Status::NotApplicable, control.outside_levels(name, level))
        }
        Check::Rule {
            when,
            rule,
            pass,
            fail,
        } => {
            let applies = match when {
                Some(w) => w.eval(&env, &mut reads),
                None => Ok(true),
            };
            match applies.and_then(|a| {
                if a {
                    rule.eval(&env, &mut reads).map(Some)
                } else {
                    Ok(None)
                }
            }) {
                Ok(None) => (
                    Status::NotApplicable,
                    format!("the condition of the control does not hold for {name}"),
                ),
                Ok(Some(true)) => {
                    let mut message = fill(pass, name, &params);
                    if reads.has("system.measures")
                        && attrs.attr("system.measures_from") == Some(json!("organization"))
                    {
                        message.push_str(" (on the organisation's list, `[organization.protection] measures`: confirm that the organisation-wide device protects this system)");
                    }
                    (Status::Pass, message)
                }
                Ok(Some(false)) => (Status::Fail, fill(fail, name, &params)),
                Err(why) => (Status::Error, format!("{name}: {why}")),
            }
        }
        Check::Manual => (
            Status::Manual,
            format!("needs a human attestation for {name}: {}", control.title_en),
        ),
        Check::Builtin(_) => (Status::Error, "not a declarative control".into()),
    };
    let mut evidence = reads.evidence();
    if !params.is_empty() && status != Status::NotApplicable {
        let p: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k} = {}", num(*v)))
            .collect();
        if !evidence.is_empty() {
            evidence.push_str("; ");
        }
        evidence.push_str(&format!(
            "required at level {}: {}",
            level.map_or(1, |l| l.get()),
            p.join(", ")
        ));
    }
    Finding {
        control: Arc::clone(control),
        target,
        status,
        level,
        message,
        evidence,
        basis: control.basis_at(level),
        location: Some(loc.clone()),
        waiver: None,
        regime: None,
        transition_debt: false,
    }
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

/// `{target}` and `{param}` in a message.
fn fill(template: &str, target: &str, params: &std::collections::BTreeMap<String, f64>) -> String {
    let mut s = template.replace("{target}", target);
    for (k, v) in params {
        s = s.replace(&format!("{{{k}}}"), &num(*v));
    }
    s
}

/// The inventory-side declarative and manual findings of `control`.
pub fn inventory_findings(
    control: &Arc<Control>,
    inv: &Inventory,
    graph: &Graph,
    out: &mut Vec<Finding>,
) {
    let one = |node: NodeRef, level: Option<Level>, attrs: Attrs| {
        judge(
            control,
            inv.target_id(node),
            level,
            &attrs,
            None,
            inv.node_loc(node),
        )
    };
    match control.applies_to {
        AppliesTo::Server => out.extend((0..inv.servers.len()).map(|i| {
            let node = NodeRef::Server(i);
            one(
                node,
                graph.level_of(inv, node),
                Attrs::Server(inv, graph, i),
            )
        })),
        AppliesTo::System => out.extend((0..inv.systems.len()).map(|i| {
            one(
                NodeRef::System(i),
                Some(graph.system_level(inv, i)),
                Attrs::System(inv, graph, i),
            )
        })),
        AppliesTo::Datacenter => out.extend((0..inv.datacenters.len()).map(|i| {
            let node = NodeRef::Datacenter(i);
            one(node, graph.level_of(inv, node), Attrs::None)
        })),
        AppliesTo::Network => out.extend((0..inv.networks.len()).map(|i| {
            let node = NodeRef::Network(i);
            one(node, graph.level_of(inv, node), Attrs::None)
        })),
        AppliesTo::Organization => {
            // The organisation answers at the highest level of its systems.
            let level = (0..inv.systems.len())
                .map(|i| graph.system_level(inv, i))
                .max();
            let loc = inv
                .organization
                .loc
                .clone()
                .or_else(|| inv.systems.first().map(|s| s.loc.clone()));
            if let Some(loc) = loc {
                out.push(judge(
                    control,
                    "organization".into(),
                    level,
                    &Attrs::None,
                    None,
                    &loc,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Inventory, Graph) {
        let mut sources = crate::diag::Sources::new();
        let inv = match crate::inventory::load(std::path::Path::new("inventory"), &mut sources) {
            Ok(inv) => inv,
            Err(_) => panic!("the sample inventory loads"),
        };
        let g = Graph::build(&inv, crate::inventory::Regime::Nd85);
        (inv, g)
    }

    #[test]
    fn the_attribute_lists_name_every_attribute_given() {
        let (inv, g) = sample();
        let keys = |m: Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
        let sorted = |l: &[&str]| {
            let mut v: Vec<String> = l.iter().map(|s| s.to_string()).collect();
            v.sort();
            v
        };
        assert_eq!(keys(server_attrs(&inv, &g, 0)), sorted(SERVER_ATTRS));
        assert_eq!(keys(system_attrs(&inv, &g, 0)), sorted(SYSTEM_ATTRS));
    }

    #[test]
    fn attributes_of_a_server_and_a_system() {
        let (inv, g) = sample();
        let web = inv
            .servers
            .iter()
            .position(|s| s.id == "portal-web01")
            .expect("portal-web01");
        let a = server_attrs(&inv, &g, web);
        assert_eq!(a["server.zone"], "dmz");
        assert!(
            a["server.services"]
                .as_array()
                .expect("services")
                .contains(&json!({"proto": "tcp", "port": 443})),
            "{}",
            a["server.services"]
        );
        assert_eq!(a["server.level"], 3);
        let portal = inv
            .systems
            .iter()
            .position(|s| s.id == "portal")
            .expect("portal");
        let s = system_attrs(&inv, &g, portal);
        assert_eq!(s["system.kind"], "citizen-service");
        assert_eq!(s["system.level"], 3);
        // Organisation-wide measures apply to a system that sets none of its own.
        assert!(
            s["system.measures"]
                .as_array()
                .expect("measures")
                .contains(&json!("waf"))
        );
        let public = s["system.public_servers"].as_array().expect("public");
        assert!(!public.is_empty());
        assert!(
            public
                .iter()
                .all(|p| p["https"] == true && p["ipv6"] == true)
        );
    }
}
