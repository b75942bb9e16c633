//! How serious an exposure is: FW-EXPOSED-SERVICE's severity by what the service is (its
//! class, by port) and where the sources beyond the declared flows are (anywhere, another
//! zone, the server's own zone). The table is data: [`CLASSES`] and [`OTHER`], shown in
//! docs/firewall.md (a test keeps that copy equal to [`markdown`]).

use crate::firewall::Family;
use crate::firewall::addr_range;
use crate::firewall::exposure::{Ranges, normalize, subtract};
use crate::inventory::Inventory;
use crate::inventory::raw::{Proto, Service};
use crate::policy::Severity;

/// Where the sources a server is exposed to lie, narrowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Origin {
    /// Only networks of the server's own zone.
    SameZone,
    /// Networks of the inventory, some of another zone.
    OtherZone,
    /// Some address in no network of the inventory (the Internet, an external's CIDRs, space
    /// nobody declared).
    Anywhere,
}

impl Origin {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Origin::SameZone => "the same zone",
            Origin::OtherZone => "another zone",
            Origin::Anywhere => "anywhere",
        }
    }
}

/// A class of services: its ports and its severity from the same zone, another zone and
/// anywhere.
#[derive(Debug)]
pub(super) struct Class {
    pub name: &'static str,
    pub tcp: &'static [u16],
    pub udp: &'static [u16],
    /// Programs of this class, whatever port they listen on (`ss`'s process name).
    pub programs: &'static [&'static str],
    /// Indexed by [`Origin`]: same zone, other zone, anywhere.
    pub severity: [Severity; 3],
}

use Severity::{High, Low, Medium};

/// The classes, first match wins. A database or a remote-administration port open to
/// anywhere is what an intruder looks for first; the same port open inside its own zone is a
/// missing segmentation rule, not a door.
pub(super) const CLASSES: &[Class] = &[
    Class {
        name: "database, cache or search engine",
        // MySQL/MariaDB, PostgreSQL, SQL Server, Oracle, MongoDB, Redis, Elasticsearch,
        // CouchDB, Cassandra, memcached, InfluxDB, ClickHouse.
        tcp: &[
            3306, 5432, 1433, 1521, 27017, 6379, 9200, 9300, 5984, 9042, 11211, 8086, 9000, 8123,
        ],
        udp: &[11211],
        programs: &[
            "mysqld",
            "mariadbd",
            "postgres",
            "sqlservr",
            "tnslsnr",
            "mongod",
            "redis-server",
            "memcached",
            "influxd",
            "clickhouse-serv",
        ],
        severity: [Medium, High, High],
    },
    Class {
        name: "remote administration",
        // SSH, telnet, RDP, VNC, WinRM, Docker API, Kubernetes API and kubelet, IPMI, SNMP.
        tcp: &[22, 23, 3389, 5900, 5985, 5986, 2375, 2376, 6443, 10250],
        udp: &[623, 161],
        programs: &[
            "sshd",
            "sshd-session",
            "dropbear",
            "telnetd",
            "xrdp",
            "dockerd",
            "kubelet",
            "snmpd",
        ],
        severity: [Low, Medium, High],
    },
    Class {
        name: "file sharing, directory or message queue",
        // FTP, SMB, rpcbind, NFS, LDAP, Kerberos, RabbitMQ, Kafka, MQTT.
        tcp: &[21, 139, 445, 111, 2049, 389, 636, 88, 5672, 9092, 1883],
        udp: &[111, 2049, 137, 138, 88],
        programs: &[
            "vsftpd", "proftpd", "smbd", "nmbd", "rpcbind", "slapd", "krb5kdc", "beam.smp",
        ],
        severity: [Low, Medium, High],
    },
    Class {
        name: "monitoring agent or metrics",
        // node_exporter, Prometheus, Zabbix agent and server, NRPE, Netdata.
        tcp: &[9100, 9090, 10050, 10051, 5666, 19999],
        udp: &[],
        programs: &[
            "node_exporter",
            "prometheus",
            "zabbix_agentd",
            "zabbix_agent2",
            "nrpe",
            "netdata",
        ],
        severity: [Low, Low, Medium],
    },
    Class {
        name: "web",
        tcp: &[80, 443, 8080, 8443],
        udp: &[443],
        programs: &["nginx", "apache2", "httpd", "haproxy"],
        severity: [Low, Low, Medium],
    },
];

/// Every other service.
pub(super) const OTHER: Class = Class {
    name: "other service",
    tcp: &[],
    udp: &[],
    programs: &[],
    severity: [Low, Medium, Medium],
};

/// The class of a service: by the program listening when `ss` named it, then by sshd's own
/// ports (remote administration), then by protocol and port.
pub(super) fn class_of(
    service: Service,
    program: Option<&str>,
    ssh_ports: &[u16],
) -> &'static Class {
    let by_program = program.and_then(|p| CLASSES.iter().find(|c| c.programs.contains(&p)));
    let ssh = (service.proto == Proto::Tcp && ssh_ports.contains(&service.port))
        .then(|| CLASSES.iter().find(|c| c.programs.contains(&"sshd")))
        .flatten();
    by_program.or(ssh).unwrap_or_else(|| {
        CLASSES
            .iter()
            .find(|c| match service.proto {
                Proto::Tcp => c.tcp.contains(&service.port),
                Proto::Udp => c.udp.contains(&service.port),
            })
            .unwrap_or(&OTHER)
    })
}

/// Where `sources` (of `family`) lie, seen from server `s`.
pub(super) fn from(inv: &Inventory, s: usize, family: Family, sources: &Ranges) -> Origin {
    let zone = inv.networks[inv.servers[s].network].zone;
    let nets = |same: bool| -> Ranges {
        normalize(
            inv.networks
                .iter()
                .filter(|n| !same || n.zone == zone)
                .flat_map(|n| n.cidrs.iter())
                .filter(|c| Family::of(c.network()) == family)
                .filter_map(|c| addr_range(c.network(), u32::from(c.prefix())))
                .collect(),
        )
    };
    // An external's CIDRs are outside the data centre: they count as anywhere.
    if !subtract(sources, &nets(false)).is_empty() {
        Origin::Anywhere
    } else if !subtract(sources, &nets(true)).is_empty() {
        Origin::OtherZone
    } else {
        Origin::SameZone
    }
}

impl Class {
    /// Its severity when exposed to sources that lie `where_`.
    pub(super) fn severity(&self, where_: Origin) -> Severity {
        self.severity[where_ as usize]
    }
}

/// The table as Markdown, for docs/firewall.md.
#[cfg(test)]
pub(super) fn markdown() -> String {
    let ports = |c: &Class| {
        let mut p: Vec<String> = c.tcp.iter().map(|p| format!("tcp/{p}")).collect();
        p.extend(c.udp.iter().map(|p| format!("udp/{p}")));
        if p.is_empty() {
            "any other".to_owned()
        } else {
            p.join(" ")
        }
    };
    let mut out = String::from(
        "| service class | ports | programs | same zone | another zone | anywhere |\n|---|---|---|---|---|---|\n",
    );
    for c in CLASSES.iter().chain(std::iter::once(&OTHER)) {
        let programs: Vec<String> = c.programs.iter().map(|p| format!("`{p}`")).collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            c.name,
            ports(c),
            if programs.is_empty() {
                "any other".to_owned()
            } else {
                programs.join(" ")
            },
            c.severity[0].as_str(),
            c.severity[1].as_str(),
            c.severity[2].as_str()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(proto: Proto, port: u16) -> Service {
        Service { proto, port }
    }

    fn severity(service: Service, program: Option<&str>, origin: Origin) -> Severity {
        class_of(service, program, &[22]).severity(origin)
    }

    #[test]
    fn a_database_from_anywhere_is_high_and_from_its_zone_medium() {
        let pg = svc(Proto::Tcp, 5432);
        assert_eq!(severity(pg, None, Origin::Anywhere), High);
        assert_eq!(severity(pg, None, Origin::OtherZone), High);
        assert_eq!(severity(pg, None, Origin::SameZone), Medium);
        // By the program, on a port of its own.
        let odd = svc(Proto::Tcp, 15432);
        assert_eq!(severity(odd, Some("postgres"), Origin::Anywhere), High);
        assert_eq!(severity(odd, None, Origin::Anywhere), Medium);
        let ssh = svc(Proto::Tcp, 22);
        assert_eq!(severity(ssh, None, Origin::Anywhere), High);
        assert_eq!(severity(ssh, None, Origin::SameZone), Low);
        // sshd's configured port is remote administration even when `ss` names no program.
        assert_eq!(
            class_of(svc(Proto::Tcp, 2024), None, &[2024]).name,
            "remote administration"
        );
        assert_eq!(
            severity(svc(Proto::Tcp, 443), None, Origin::Anywhere),
            Medium
        );
        assert_eq!(class_of(svc(Proto::Udp, 5432), None, &[]).name, OTHER.name);
        assert_eq!(
            severity(svc(Proto::Tcp, 40000), None, Origin::OtherZone),
            Medium
        );
    }

    #[test]
    fn the_table_is_consistent() {
        let mut seen = std::collections::BTreeSet::new();
        let mut programs = std::collections::BTreeSet::new();
        for c in CLASSES {
            for p in c.programs {
                assert!(programs.insert(*p), "{p} in two classes");
            }
            for p in c.tcp {
                assert!(seen.insert((6, *p)), "tcp/{p} in two classes");
            }
            for p in c.udp {
                assert!(seen.insert((17, *p)), "udp/{p} in two classes");
            }
        }
        for c in CLASSES.iter().chain(std::iter::once(&OTHER)) {
            // Wider reach is never less serious.
            assert!(c.severity.windows(2).all(|w| w[0] <= w[1]), "{}", c.name);
        }
    }

    #[test]
    fn docs_firewall_md_shows_the_table() {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/firewall.md"))
            .expect("docs/firewall.md");
        assert!(
            doc.contains(&markdown()),
            "docs/firewall.md must contain the severity table as `markdown()` prints it:\n{}",
            markdown()
        );
    }
}
