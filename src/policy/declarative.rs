//! Controls written as data: a rule (with an optional `when`) over inventory attributes and host
//! facts, and manual controls that wait for a human attestation.
//!
//! Attributes are the inventory seen from one target, under stable names (docs/policies.md):
//! `server.*` for a server, `system.*` for a system. Facts are the host's facts under their
//! report names (`facts.<server>`).

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::catalog::{AppliesTo, Check, Control};
use super::rule::{Env, Reads};
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
    let s = &inv.servers[i];
    let level = graph.level_of(inv, NodeRef::Server(i));
    let mut m = Map::new();
    m.insert("server.id".into(), json!(s.id));
    m.insert("server.level".into(), json!(level.map(|l| l.get())));
    m.insert("server.zone".into(), json!(inv.server_zone(i).as_str()));
    m.insert("server.roles".into(), json!(s.roles));
    m.insert("server.ipv6".into(), json!(s.ipv6));
    m.insert(
        "server.addresses".into(),
        json!(
            s.addresses
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
        ),
    );
    m.insert(
        "server.services".into(),
        json!(
            s.services
                .iter()
                .map(|x| json!({"proto": proto(x.proto), "port": x.port}))
                .collect::<Vec<_>>()
        ),
    );
    m.insert("server.agents".into(), json!(s.agents));
    m.insert("server.os".into(), json!(s.os));
    // The roles of the server its backups go to (null without a declared backup): a central
    // backup server has the `backup` or `storage` role.
    m.insert(
        "server.backup_to_roles".into(),
        s.backup
            .as_ref()
            .map_or(Value::Null, |b| json!(inv.servers[b.to].roles)),
    );
    m
}

/// The attributes of system `i`.
pub fn system_attrs(inv: &Inventory, graph: &Graph, i: usize) -> Map<String, Value> {
    let s = &inv.systems[i];
    let p = inv.system_protection(i);
    let mut m = Map::new();
    m.insert("system.id".into(), json!(s.id));
    m.insert(
        "system.level".into(),
        json!(graph.system_level(inv, i).get()),
    );
    m.insert("system.kind".into(), json!(s.kind));
    m.insert("system.information".into(), json!(s.information));
    m.insert(
        "system.state_secret".into(),
        json!(
            s.information
                .contains(&crate::inventory::InfoType::StateSecret)
        ),
    );
    m.insert("system.users".into(), json!(s.users));
    m.insert(
        "system.public_service_level".into(),
        json!(s.public_service_level),
    );
    m.insert("system.national".into(), json!(s.national));
    m.insert("system.always_on".into(), json!(s.always_on));
    m.insert("system.public_names".into(), json!(s.public_names));
    m.insert("system.measures".into(), json!(p.measures));
    m.insert(
        "system.approval_status".into(),
        json!(s.approval.as_ref().map(|a| a.status)),
    );
    m.insert(
        "system.approval_decision".into(),
        json!(s.approval.as_ref().and_then(|a| a.decision.as_deref())),
    );
    // Whose list the measures come from: a pass on the organisation's list is only as good as
    // the organisation-wide device's reach, and the finding says so.
    m.insert(
        "system.measures_from".into(),
        json!(if s.protection.measures.is_some() {
            "system"
        } else {
            "organization"
        }),
    );
    // The clauses of the level criteria the system meets ("NĐ 85/2016 Đ9.2.c", …): design
    // measures required for the systems of one criterion read them.
    m.insert(
        "system.criteria".into(),
        json!(
            graph.required[i]
                .criteria
                .iter()
                .map(|c| c.basis.as_str())
                .collect::<Vec<_>>()
        ),
    );
    let roles: std::collections::BTreeSet<Role> = s
        .servers
        .iter()
        .flat_map(|&x| inv.servers[x].roles.iter().copied())
        .collect();
    m.insert("system.server_roles".into(), json!(roles));
    // The servers the public reaches: web, proxy, load-balancer and API servers in the DMZ.
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
    m.insert("system.public_servers".into(), json!(public));
    m
}

/// Evaluate a declarative or manual control on one target (`kind:id`). `facts` is `None`
/// offline.
pub fn judge(
    control: &Arc<Control>,
    target: String,
    level: Option<Level>,
    attrs: &Map<String, Value>,
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
                        && attrs.get("system.measures_from") == Some(&json!("organization"))
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
    let one = |node: NodeRef, level: Option<Level>, attrs: &Map<String, Value>| {
        judge(
            control,
            inv.target_id(node),
            level,
            attrs,
            None,
            inv.node_loc(node),
        )
    };
    let none = Map::new();
    match control.applies_to {
        AppliesTo::Server => out.extend((0..inv.servers.len()).map(|i| {
            let node = NodeRef::Server(i);
            one(
                node,
                graph.level_of(inv, node),
                &server_attrs(inv, graph, i),
            )
        })),
        AppliesTo::System => out.extend((0..inv.systems.len()).map(|i| {
            one(
                NodeRef::System(i),
                Some(graph.system_level(inv, i)),
                &system_attrs(inv, graph, i),
            )
        })),
        AppliesTo::Datacenter => out.extend((0..inv.datacenters.len()).map(|i| {
            let node = NodeRef::Datacenter(i);
            one(node, graph.level_of(inv, node), &none)
        })),
        AppliesTo::Network => out.extend((0..inv.networks.len()).map(|i| {
            let node = NodeRef::Network(i);
            one(node, graph.level_of(inv, node), &none)
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
                    &none,
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
