//! From the raw items to the checked model: resolve every reference, check every value, and
//! report all problems together.

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;
use std::ops::Range;

use ipnetwork::IpNetwork;
use jiff::civil::Date;
use toml::Spanned;

use super::load::{Item, RawInventory};
use super::model::*;
use super::raw;
use crate::diag::{Diagnostic, Loc, Sources, Suggester, suggest};

mod asset;
mod attest;
mod tls;
mod units;

/// Check the raw inventory. Returns the model, or every problem found.
pub fn validate(raw: RawInventory, sources: &Sources) -> Result<Inventory, Vec<Diagnostic>> {
    let mut v = Validator {
        sources,
        diags: Vec::new(),
        ids: HashMap::new(),
        broken: raw.broken.clone(),
        suggesters: HashMap::new(),
    };
    let inv = v.run(raw);
    if v.diags.is_empty() {
        Ok(inv)
    } else {
        Err(v.diags)
    }
}

struct Validator<'s> {
    sources: &'s Sources,
    diags: Vec<Diagnostic>,
    ids: HashMap<String, NodeRef>,
    broken: HashMap<String, &'static str>,
    /// Did-you-mean indices over the ids, built on the first unknown reference of each kind
    /// (`None` for flow endpoints: every id and every zone).
    suggesters: HashMap<Option<Want>, Suggester>,
}

/// What a reference may name, for messages.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Want {
    Datacenter,
    Network,
    Server,
    SystemOrExternal,
}

impl Want {
    fn name(self) -> &'static str {
        match self {
            Want::Datacenter => "a datacenter",
            Want::Network => "a network",
            Want::Server => "a server",
            Want::SystemOrExternal => "a system or an external",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Want::Datacenter => "datacenter",
            Want::Network => "network",
            Want::Server => "server",
            Want::SystemOrExternal => "system or external",
        }
    }

    fn accepts(self, node: NodeRef) -> bool {
        matches!(
            (self, node),
            (Want::Datacenter, NodeRef::Datacenter(_))
                | (Want::Network, NodeRef::Network(_))
                | (Want::Server, NodeRef::Server(_))
                | (
                    Want::SystemOrExternal,
                    NodeRef::System(_) | NodeRef::External(_)
                )
        )
    }

    fn broken_kinds(self) -> &'static [&'static str] {
        match self {
            Want::Datacenter => &["datacenter"],
            Want::Network => &["network"],
            Want::Server => &["server"],
            Want::SystemOrExternal => &["system", "external"],
        }
    }
}

impl Validator<'_> {
    /// Spans in the raw items are global (see [`Sources::locate`]).
    fn loc(&self, span: Range<usize>) -> Loc {
        self.sources.locate(span)
    }

    fn run(&mut self, raw: RawInventory) -> Inventory {
        let RawInventory {
            organization,
            defaults,
            datacenters,
            networks,
            servers,
            systems,
            externals,
            flows,
            root,
            organization_broken,
            ..
        } = raw;

        register(&mut self.ids, &datacenters, NodeRef::Datacenter);
        register(&mut self.ids, &networks, NodeRef::Network);
        register(&mut self.ids, &servers, NodeRef::Server);
        register(&mut self.ids, &systems, NodeRef::System);
        register(&mut self.ids, &externals, NodeRef::External);

        let organization = match organization {
            Some(item) => self.organization(item),
            None => {
                // A broken table was reported where it is written.
                if !organization_broken {
                    self.diags.push(
                        Diagnostic::new(
                            "missing-organization",
                            format!(
                                "the inventory `{}` has no `[organization]` table",
                                root.display()
                            ),
                        )
                        .hint("add `[organization]` with at least `name` (and `regime`, which defaults to nd331) to one of its files"),
                    );
                }
                Organization {
                    name: String::new(),
                    owner: None,
                    security_unit: None,
                    operator: None,
                    appraiser: None,
                    unit_locs: UnitLocs::default(),
                    address: None,
                    regime: Regime::Nd331,
                    contacts: Vec::new(),
                    protection: Protection::default(),
                    loc: None,
                }
            }
        };
        let (default_ssh, default_accounts) = match defaults.map(|d| d.value) {
            Some(d) => (
                d.ssh.map(|ssh| self.ssh(ssh, None)).unwrap_or_default(),
                self.account_names(d.accounts),
            ),
            None => (Ssh::default(), None),
        };

        let datacenters: Vec<Datacenter> = datacenters
            .into_iter()
            .map(|d| self.datacenter(d))
            .collect();
        let networks: Vec<Network> = networks.into_iter().map(|n| self.network(n)).collect();
        self.check_overlaps(&networks);
        let servers: Vec<Server> = servers
            .into_iter()
            .enumerate()
            .map(|(i, s)| self.server(i, s, &networks, default_accounts.as_ref()))
            .collect();
        self.check_addresses(&servers, &networks);
        self.check_jump_cycles(&servers, default_ssh.jump);
        let systems: Vec<System> = systems
            .into_iter()
            .enumerate()
            .map(|(i, s)| self.system(i, s))
            .collect();
        let externals: Vec<External> = externals.into_iter().map(|e| self.external(e)).collect();
        let flows: Vec<Flow> = flows.into_iter().filter_map(|f| self.flow(f)).collect();

        Inventory {
            organization,
            default_ssh,
            datacenters,
            networks,
            servers,
            systems,
            externals,
            flows,
            ids: std::mem::take(&mut self.ids),
        }
    }

    /// Resolve a reference; report a missing id (with a suggestion) or an id of the wrong kind.
    fn resolve(&mut self, r: &Spanned<String>, want: Want, key: &str) -> Option<NodeRef> {
        self.resolve_at(self.loc(r.span()), r.get_ref(), want, key)
    }

    fn resolve_at(&mut self, loc: Loc, id: &str, want: Want, key: &str) -> Option<NodeRef> {
        match self.ids.get(id) {
            Some(&node) if want.accepts(node) => Some(node),
            Some(&node) => {
                let hint = self.suggest_of(id, want);
                self.diags.push(
                    Diagnostic::new(
                        "wrong-reference",
                        format!(
                            "`{key}` must name {}, but `{id}` is a {}",
                            want.name(),
                            node.kind()
                        ),
                    )
                    .at(loc, format!("this is a {}", node.kind()))
                    .hint_opt(hint),
                );
                None
            }
            None => {
                if self
                    .broken
                    .get(id)
                    .is_some_and(|k| want.broken_kinds().contains(k))
                {
                    // Already reported where it is defined.
                    return None;
                }
                let hint = self.suggest_of(id, want);
                self.diags.push(
                    Diagnostic::new(
                        "unknown-reference",
                        format!("`{key}` names `{id}`, but there is no such {}", want.noun()),
                    )
                    .at(loc, "unknown id")
                    .hint_opt(hint),
                );
                None
            }
        }
    }

    fn suggest_of(&mut self, id: &str, want: Want) -> Option<String> {
        let ids = &self.ids;
        self.suggesters
            .entry(Some(want))
            .or_insert_with(|| {
                Suggester::new(
                    ids.iter()
                        .filter(|(_, n)| want.accepts(**n))
                        .map(|(k, _)| k.as_str()),
                )
            })
            .suggest(id)
    }

    fn level(&mut self, v: &Spanned<i64>, key: &str) -> Option<Level> {
        let level = Level::new(*v.get_ref());
        if level.is_none() {
            self.diags.push(
                Diagnostic::new("level-range", format!("`{key}` must be between 1 and 5"))
                    .at(
                        self.loc(v.span()),
                        format!("{} is not a level", v.get_ref()),
                    )
                    .hint("security levels (cấp độ) run from 1 to 5"),
            );
        }
        level
    }

    fn int_in(&mut self, v: &Spanned<i64>, key: &str, range: Range<i64>) -> Option<i64> {
        let n = *v.get_ref();
        if range.contains(&n) {
            Some(n)
        } else {
            self.diags.push(
                Diagnostic::new(
                    "out-of-range",
                    format!(
                        "`{key}` must be between {} and {}",
                        range.start,
                        range.end - 1
                    ),
                )
                .at(self.loc(v.span()), format!("{n} is out of range")),
            );
            None
        }
    }

    fn date(&mut self, v: &Spanned<toml::value::Datetime>, key: &str) -> Option<Date> {
        let dt = v.get_ref();
        let date = plain_date(dt);
        if date.is_none() {
            self.diags.push(
                Diagnostic::new("invalid-date", format!("`{key}` must be a date"))
                    .at(self.loc(v.span()), format!("`{dt}` is not a plain date"))
                    .hint("write a TOML date without quotes, e.g. 2025-11-01"),
            );
        }
        date
    }

    fn organization(&mut self, item: Item<raw::Organization>) -> Organization {
        let o = item.value;
        let u = self.units(o.security_unit, o.operator, o.appraiser);
        Organization {
            name: o.name,
            owner: o.owner,
            security_unit: u.security_unit,
            operator: u.operator,
            appraiser: u.appraiser,
            unit_locs: u.locs,
            address: o.address,
            regime: o.regime.map(|r| r.into_inner()).unwrap_or(Regime::Nd331),
            contacts: o.contacts,
            protection: o.protection.map(|p| self.protection(p)).unwrap_or_default(),
            loc: Some(item.loc),
        }
    }

    fn protection(&mut self, p: raw::Protection) -> Protection {
        let last_assessment = p
            .last_assessment
            .as_ref()
            .and_then(|d| self.date(d, "protection.last_assessment"));
        Protection {
            onsite_team: p.onsite_team,
            monitoring_provider: p.monitoring_provider,
            last_assessment,
            assessor: p.assessor,
            national_monitoring: p.national_monitoring,
            measures: p.measures.map(|m| {
                let span = m.span();
                m.get_ref()
                    .items(&span)
                    .map(|(x, _)| *x)
                    .collect::<BTreeSet<_>>()
            }),
            attestations: self.attestations(p.attestations),
            locs: ProtectionLocs {
                last_assessment: p.last_assessment.map(|d| self.loc(d.span())),
            },
        }
    }

    fn ssh(&mut self, s: raw::Ssh, this_server: Option<usize>) -> Ssh {
        let jump = s.jump.as_ref().and_then(|j| {
            let node = self.resolve(j, Want::Server, "ssh.jump")?;
            match (node, this_server) {
                (NodeRef::Server(t), Some(me)) if t == me => {
                    self.diags.push(
                        Diagnostic::new("self-reference", "a server cannot be its own jump host")
                            .at(self.loc(j.span()), "this server itself")
                            .hint("name the bastion server to connect through, or remove `jump`"),
                    );
                    None
                }
                (NodeRef::Server(t), _) => Some(t),
                _ => None,
            }
        });
        Ssh {
            user: s.user,
            port: s.port.and_then(|p| {
                if *p.get_ref() == 0 {
                    self.diags.push(
                        Diagnostic::new("out-of-range", "`ssh.port` must be between 1 and 65535")
                            .at(self.loc(p.span()), "0 is not a port"),
                    );
                    None
                } else {
                    Some(p.into_inner())
                }
            }),
            identity: s.identity,
            known_hosts: s.known_hosts,
            jump,
            timeout: s.timeout,
            sudo: s.sudo,
        }
    }

    fn datacenter(&mut self, item: Item<raw::Datacenter>) -> Datacenter {
        let d = item.value;
        let tier = d
            .tier
            .as_ref()
            .and_then(|t| self.int_in(t, "tier", 1..5))
            .map(|t| t as u8);
        let coordinates = d.coordinates.and_then(|c| {
            let lat = *c.lat.get_ref();
            let lon = *c.lon.get_ref();
            let mut ok = true;
            if !(-90.0..=90.0).contains(&lat) {
                self.diags.push(
                    Diagnostic::new("out-of-range", "latitude must be between -90 and 90")
                        .at(self.loc(c.lat.span()), format!("{lat} is not a latitude")),
                );
                ok = false;
            }
            if !(-180.0..=180.0).contains(&lon) {
                self.diags.push(
                    Diagnostic::new("out-of-range", "longitude must be between -180 and 180")
                        .at(self.loc(c.lon.span()), format!("{lon} is not a longitude")),
                );
                ok = false;
            }
            ok.then_some((lat, lon))
        });
        let (uplinks, devices) = self.network_gear(d.uplinks, d.devices);
        Datacenter {
            id: item.id,
            name: d.name,
            address: d.address,
            tier,
            coordinates,
            uplinks,
            devices,
            loc: item.loc,
        }
    }

    /// CIDRs of a network or external; a prefix with host bits set is a mistake.
    fn cidrs(&mut self, list: &Spanned<raw::List<IpNetwork>>) -> Vec<IpNetwork> {
        let span = list.span();
        let mut cidrs = Vec::new();
        for (cidr, cspan) in list.get_ref().items(&span) {
            let base = IpNetwork::new(cidr.network(), cidr.prefix()).ok();
            if base.is_some_and(|b| b.ip() != cidr.ip()) {
                self.diags.push(
                    Diagnostic::new("cidr-host-bits", format!("CIDR `{cidr}` has host bits set"))
                        .at(self.loc(cspan), "not a network address")
                        .hint(format!(
                            "did you mean `{}/{}`?",
                            cidr.network(),
                            cidr.prefix()
                        )),
                );
            }
            cidrs.push(*cidr);
        }
        cidrs
    }

    fn network(&mut self, item: Item<raw::Network>) -> Network {
        let n = item.value;
        let datacenter = match self.resolve(&n.datacenter, Want::Datacenter, "datacenter") {
            Some(NodeRef::Datacenter(d)) => d,
            // An unresolved datacenter was reported; a sentinel keeps the network in the model
            // so that servers in it are still checked, and the load fails anyway.
            _ => usize::MAX,
        };
        let cidrs = self.cidrs(&n.cidr);
        let span = n.cidr.span();
        if cidrs.is_empty() {
            self.diags.push(
                Diagnostic::new("empty-cidr", format!("network `{}` has no CIDR", item.id))
                    .at(self.loc(span), "empty list")
                    .hint("list the network's IPv4 and/or IPv6 prefixes, e.g. [\"10.10.1.0/24\"]"),
            );
        }
        let vlan = n
            .vlan
            .as_ref()
            .and_then(|v| self.int_in(v, "vlan", 1..4095))
            .map(|v| v as u16);
        Network {
            id: item.id,
            name: n.name,
            datacenter,
            zone: n.zone.into_inner(),
            cidrs,
            vlan,
            loc: item.loc,
        }
    }

    /// Networks of one datacenter must not overlap. Sorting by start address makes this a
    /// single sweep per datacenter and family.
    fn check_overlaps(&mut self, networks: &[Network]) {
        let mut ranges: Vec<(usize, bool, u128, u128, usize)> = Vec::new();
        for (i, n) in networks.iter().enumerate() {
            for c in &n.cidrs {
                let (v6, start, end) = cidr_range(c);
                ranges.push((n.datacenter, v6, start, end, i));
            }
        }
        ranges.sort_unstable();
        let mut reported = BTreeSet::new();
        let mut widest: Option<(usize, bool, u128, usize)> = None;
        for &(dc, v6, start, end, i) in &ranges {
            if dc == usize::MAX {
                continue;
            }
            match widest {
                Some((wdc, wv6, wend, wi)) if wdc == dc && wv6 == v6 && start <= wend => {
                    if wi != i && reported.insert((wi.min(i), wi.max(i))) {
                        let (a, b) = (&networks[wi], &networks[i]);
                        self.diags.push(
                            Diagnostic::new(
                                "overlapping-networks",
                                format!("networks `{}` and `{}` overlap", a.id, b.id),
                            )
                            .at(b.loc.clone(), "this network")
                            .also(a.loc.clone(), "overlaps this one in the same datacenter")
                            .hint(
                                "networks of one datacenter need disjoint CIDRs; fix the prefixes",
                            ),
                        );
                    }
                    if end > wend {
                        widest = Some((dc, v6, end, i));
                    }
                }
                _ => widest = Some((dc, v6, end, i)),
            }
        }
    }

    fn server(
        &mut self,
        index: usize,
        item: Item<raw::Server>,
        networks: &[Network],
        default_accounts: Option<&BTreeSet<String>>,
    ) -> Server {
        let mut s = item.value;
        let asset = self.asset(&mut s);
        let accounts = self.approved_accounts(default_accounts, s.accounts.take());
        let network = match self.resolve(&s.network, Want::Network, "network") {
            Some(NodeRef::Network(n)) => n,
            _ => usize::MAX,
        };
        let span = s.address.span();
        let mut addresses = Vec::new();
        for (addr, aspan) in s.address.get_ref().items(&span) {
            if let Some(net) = networks.get(network)
                && !net.cidrs.iter().any(|c| c.contains(*addr))
            {
                let cidrs = net
                    .cidrs
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                self.diags.push(
                    Diagnostic::new(
                        "address-outside-network",
                        format!("address `{addr}` is not inside network `{}`", net.id),
                    )
                    .at(self.loc(aspan), format!("not in {cidrs}"))
                    .also(net.loc.clone(), "network defined here")
                    .hint("fix the address, or put the server in the network that contains it"),
                );
            }
            addresses.push(*addr);
        }
        if addresses.is_empty() {
            self.diags.push(
                Diagnostic::new(
                    "empty-address",
                    format!("server `{}` has no address", item.id),
                )
                .at(self.loc(span), "empty list")
                .hint("list at least one address of the server"),
            );
        }
        let roles: Vec<Role> = list(s.roles);
        let services: Vec<Service> = list(s.services);
        let tls = self.tls_ports(s.tls);
        let agents: Vec<String> = list(s.agents);
        let ssh = s.ssh.map(|x| self.ssh(x, Some(index))).unwrap_or_default();
        let backup = s.backup.and_then(|b| self.backup(index, b));
        Server {
            id: item.id,
            name: s.name,
            network,
            addresses,
            os: s.os,
            roles,
            services,
            tls,
            ssh,
            backup,
            agents,
            ipv6: s.ipv6,
            accounts,
            asset,
            network_loc: self.loc(s.network.span()),
            loc: item.loc,
        }
    }

    /// An address belongs to one server within a datacenter (sites may reuse private ranges,
    /// as they may hold overlapping networks).
    fn check_addresses(&mut self, servers: &[Server], networks: &[Network]) {
        let mut seen: HashMap<(usize, IpAddr), usize> = HashMap::new();
        for (i, s) in servers.iter().enumerate() {
            let dc = networks.get(s.network).map_or(usize::MAX, |n| n.datacenter);
            for a in &s.addresses {
                match seen.get(&(dc, *a)) {
                    Some(&first) if first == i => self.diags.push(
                        Diagnostic::new(
                            "duplicate-address",
                            format!("server `{}` lists address `{a}` twice", s.id),
                        )
                        .at(s.loc.clone(), "this server")
                        .hint("list each address once"),
                    ),
                    Some(&first) => {
                        let other = &servers[first];
                        self.diags.push(
                            Diagnostic::new(
                                "duplicate-address",
                                format!("address `{a}` is used by `{}` and `{}`", other.id, s.id),
                            )
                            .at(s.loc.clone(), "this server")
                            .also(other.loc.clone(), "already has it")
                            .hint("within a datacenter each address belongs to one server; fix the inventory"),
                        );
                    }
                    None => {
                        seen.insert((dc, *a), i);
                    }
                }
            }
        }
    }

    /// A chain of jump hosts must end. A server without its own `ssh.jump` goes through
    /// `[defaults.ssh].jump`, except that bastion itself.
    fn check_jump_cycles(&mut self, servers: &[Server], default_jump: Option<usize>) {
        let mut done = vec![false; servers.len()];
        for start in 0..servers.len() {
            let mut path = Vec::new();
            let mut at = Some(start);
            while let Some(s) = at {
                if done[s] {
                    break;
                }
                if let Some(pos) = path.iter().position(|&p| p == s) {
                    let cycle: Vec<&str> = path[pos..]
                        .iter()
                        .chain(std::iter::once(&s))
                        .map(|&i: &usize| servers[i].id.as_str())
                        .collect();
                    self.diags.push(
                        Diagnostic::new(
                            "jump-cycle",
                            format!("ssh jump hosts form a cycle: {}", cycle.join(" → ")),
                        )
                        .at(
                            servers[s].loc.clone(),
                            "this server is reached through itself",
                        )
                        .hint("a chain of `ssh.jump` (a server without one uses `[defaults.ssh] jump`) must end at a server reachable directly"),
                    );
                    break;
                }
                path.push(s);
                at = jump_of(servers, default_jump, s);
            }
            for p in path {
                done[p] = true;
            }
        }
    }

    fn system(&mut self, index: usize, item: Item<raw::System>) -> System {
        let s = item.value;
        let level = s.level.as_ref().and_then(|l| self.level(l, "level"));
        let risk_level = s
            .risk_level
            .as_ref()
            .and_then(|l| self.level(l, "risk_level"));
        let public_service_level = s
            .public_service_level
            .as_ref()
            .and_then(|l| self.int_in(l, "public_service_level", 1..5))
            .map(|l| l as u8);
        let mut servers = Vec::new();
        if let Some(list) = &s.servers {
            let span = list.span();
            let mut seen = BTreeSet::new();
            for (id, sspan) in list.get_ref().items(&span) {
                if let Some(NodeRef::Server(i)) =
                    self.resolve_at(self.loc(sspan), id, Want::Server, "servers")
                    && seen.insert(i)
                {
                    servers.push(i);
                }
            }
        }
        let mut depends_on = Vec::new();
        if let Some(list) = &s.depends_on {
            let span = list.span();
            for (id, dspan) in list.get_ref().items(&span) {
                let loc = self.loc(dspan);
                match self.resolve_at(loc.clone(), id, Want::SystemOrExternal, "depends_on") {
                    Some(NodeRef::System(i)) if i == index => self.diags.push(
                        Diagnostic::new("self-reference", "a system cannot depend on itself")
                            .at(loc, "this system itself"),
                    ),
                    Some(node) if !depends_on.contains(&node) => depends_on.push(node),
                    _ => {}
                }
            }
        }
        let approval = s.approval.map(|a| Approval {
            status: a.status,
            decision: a.decision,
            date: a.date.as_ref().and_then(|d| self.date(d, "approval.date")),
            authority: a.authority,
        });
        let regulation = s.regulation.map(|r| Regulation {
            decision: r.decision,
            date: r
                .date
                .as_ref()
                .and_then(|d| self.date(d, "regulation.date")),
        });
        let u = self.units(None, s.operator, s.appraiser);
        System {
            id: item.id,
            name: s.name,
            description: s.description,
            kind: s.kind.into_inner(),
            information: list(s.information).into_iter().collect(),
            personal_data: s.personal_data,
            users: s.users,
            public_service_level,
            administrative_procedures: s.administrative_procedures,
            conditional_business: s.conditional_business,
            scope: s.scope,
            national: s.national,
            always_on: s.always_on,
            security_impact: s.security_impact,
            works_grade: s.works_grade,
            national_security_works: s.national_security_works,
            national_data_store: s.national_data_store,
            international_gateway: s.international_gateway,
            national_security_list: s.national_security_list,
            risk_level,
            public_names: list(s.public_names),
            level,
            approval,
            regulation,
            owner: s.owner,
            operator: u.operator,
            appraiser: u.appraiser,
            unit_locs: u.locs,
            servers,
            depends_on,
            protection: s.protection.map(|p| self.protection(p)).unwrap_or_default(),
            level_loc: s
                .level
                .as_ref()
                .map(|l| self.loc(l.span()))
                .unwrap_or_else(|| item.loc.clone()),
            depends_loc: s
                .depends_on
                .as_ref()
                .map(|l| self.loc(l.span()))
                .unwrap_or_else(|| item.loc.clone()),
            loc: item.loc,
        }
    }

    fn external(&mut self, item: Item<raw::External>) -> External {
        let e = item.value;
        External {
            id: item.id,
            name: e.name,
            kind: e.kind,
            cidrs: e.cidr.as_ref().map(|c| self.cidrs(c)).unwrap_or_default(),
            public_names: list(e.public_names),
            loc: item.loc,
        }
    }

    fn flow(&mut self, item: Item<raw::Flow>) -> Option<Flow> {
        let f = item.value;
        let from = self.endpoint(&f.from, "from");
        let to = self.endpoint(&f.to, "to");
        let span = f.services.span();
        let services: Vec<Service> = f.services.get_ref().items(&span).map(|(s, _)| *s).collect();
        if services.is_empty() {
            self.diags.push(
                Diagnostic::new("empty-services", "a flow must allow at least one service")
                    .at(self.loc(span), "empty list")
                    .hint("list what the flow carries, e.g. services = [\"tcp/443\"]"),
            );
        }
        Some(Flow {
            from: from?,
            to: to?,
            services,
            description: f.description,
            loc: item.loc,
        })
    }

    /// A flow endpoint: `kind:id`, or a bare id of a zone, network, server, system or external.
    fn endpoint(&mut self, r: &Spanned<String>, key: &str) -> Option<Endpoint> {
        let loc = self.loc(r.span());
        let text = r.get_ref().as_str();
        let zone = |z: &str| Zone::ALL.into_iter().find(|x| x.as_str() == z);
        let kinds = ["zone", "network", "server", "system", "external"];
        if let Some((kind, id)) = text.split_once(':') {
            if kind == "datacenter" {
                self.datacenter_endpoint(loc, id, key);
                return None;
            }
            if !kinds.contains(&kind) {
                self.diags.push(
                    Diagnostic::new("unknown-endpoint", format!("unknown endpoint kind `{kind}` in flow `{key}`"))
                        .at(loc, "not an endpoint kind")
                        .hint(suggest(kind, kinds).unwrap_or_else(|| {
                            "write `zone:`, `network:`, `server:`, `system:` or `external:` before the id".into()
                        })),
                );
                return None;
            }
            if kind == "zone" {
                return match zone(id) {
                    Some(z) => Some(Endpoint::Zone(z)),
                    None => {
                        self.diags.push(
                            Diagnostic::new(
                                "unknown-endpoint",
                                format!("unknown zone `{id}` in flow `{key}`"),
                            )
                            .at(loc, "not a zone")
                            .hint_opt(suggest(id, Zone::ALL.iter().map(|z| z.as_str()))),
                        );
                        None
                    }
                };
            }
            return match self.ids.get(id) {
                Some(&node) if node.kind() == kind => Some(Endpoint::Node(node)),
                Some(&node) => {
                    self.diags.push(
                        Diagnostic::new(
                            "wrong-reference",
                            format!(
                                "flow `{key}` says `{text}`, but `{id}` is a {}",
                                node.kind()
                            ),
                        )
                        .at(loc, format!("this is a {}", node.kind()))
                        .hint(format!("write `{}:{id}`", node.kind())),
                    );
                    None
                }
                None => {
                    if self.broken.get(id).is_none_or(|k| *k != kind) {
                        self.unknown_endpoint(loc, id, key);
                    }
                    None
                }
            };
        }
        match (zone(text), self.ids.get(text)) {
            (Some(z), None) => Some(Endpoint::Zone(z)),
            (None, Some(&NodeRef::Datacenter(_))) => {
                self.datacenter_endpoint(loc, text, key);
                None
            }
            (None, Some(&node)) => Some(Endpoint::Node(node)),
            (Some(_), Some(&node)) => {
                self.diags.push(
                    Diagnostic::new(
                        "ambiguous-endpoint",
                        format!(
                            "flow `{key}` endpoint `{text}` is both a zone and a {}",
                            node.kind()
                        ),
                    )
                    .at(loc, "ambiguous")
                    .hint(format!("write `zone:{text}` or `{}:{text}`", node.kind())),
                );
                None
            }
            (None, None) => {
                if !self.broken.contains_key(text) {
                    self.unknown_endpoint(loc, text, key);
                }
                None
            }
        }
    }

    fn datacenter_endpoint(&mut self, loc: Loc, id: &str, key: &str) {
        self.diags.push(
            Diagnostic::new(
                "wrong-reference",
                format!("flow `{key}` names datacenter `{id}`, but flows connect zones, networks, servers, systems and externals"),
            )
            .at(loc, "a datacenter")
            .hint("name the datacenter's networks, or a zone, instead"),
        );
    }

    fn unknown_endpoint(&mut self, loc: Loc, id: &str, key: &str) {
        let ids = &self.ids;
        let hint = self
            .suggesters
            .entry(None)
            .or_insert_with(|| {
                Suggester::new(
                    ids.keys()
                        .map(|k| k.as_str())
                        .chain(Zone::ALL.iter().map(|z| z.as_str())),
                )
            })
            .suggest(id);
        self.diags.push(
            Diagnostic::new(
                "unknown-endpoint",
                format!("flow `{key}` names `{id}`, which is not defined"),
            )
            .at(loc, "unknown endpoint")
            .hint(hint.unwrap_or_else(|| {
                "an endpoint is a zone, or the id of a network, server, system or external".into()
            })),
        );
    }
}

/// Values that reach rendered configuration files as text (issue 14): the checks live in
/// `rendered`; this only records their diagnostics.
impl Validator<'_> {
    fn rendered_path(&mut self, path: Spanned<String>, key: &str) -> String {
        self.diags
            .extend(super::rendered::check_path(&path, key, self.sources));
        path.into_inner()
    }
}

/// The values of an optional list, without their spans.
fn list<T: Clone>(l: Option<Spanned<raw::List<T>>>) -> Vec<T> {
    l.map(|l| {
        l.into_inner()
            .0
            .into_iter()
            .map(|x| x.into_inner())
            .collect()
    })
    .unwrap_or_default()
}

fn register<T>(ids: &mut HashMap<String, NodeRef>, items: &[Item<T>], make: fn(usize) -> NodeRef) {
    for (i, item) in items.iter().enumerate() {
        ids.insert(item.id.clone(), make(i));
    }
}

/// (is IPv6, first address, last address) of a CIDR, as integers.
fn cidr_range(c: &IpNetwork) -> (bool, u128, u128) {
    match c {
        IpNetwork::V4(n) => {
            let start = u32::from(n.network()) as u128;
            let size = if n.prefix() == 0 {
                1u128 << 32
            } else {
                1u128 << (32 - n.prefix())
            };
            (false, start, start + size - 1)
        }
        IpNetwork::V6(n) => {
            let start = u128::from(n.network());
            let host_bits = 128 - n.prefix() as u32;
            let last = if host_bits == 128 {
                u128::MAX
            } else {
                start | ((1u128 << host_bits) - 1)
            };
            (true, start, last)
        }
    }
}

/// A TOML local date (no time, no offset) that exists on the calendar.
pub(crate) fn plain_date(dt: &toml::value::Datetime) -> Option<Date> {
    match (dt.date, dt.time, dt.offset) {
        (Some(d), None, None) => Date::new(d.year as i16, d.month as i8, d.day as i8).ok(),
        _ => None,
    }
}
