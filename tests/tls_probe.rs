//! Encryption in transit against real services. TLS-VERSION against real TLS services: `openssl s_server` processes configured to accept
//! known versions (and a cleartext server on a TLS port), probed by the real collector script
//! run with `sh` on this machine (the same script capdo sends over SSH, with the input capdo
//! sends), and judged by `capdo check --facts` on the saved output. The expected verdict of each
//! service is what its server was told to accept. HTTPS-REDIRECT likewise against real web
//! servers answering a page, a redirect to https:// or to http://, and a closed port.

mod common;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use capdo::collect::collector::{Request, SCRIPT};
use serde_json::{Value, json};

/// How a case's port is served.
enum Serve<'a> {
    /// `openssl s_server` on this address with these options.
    Tls(&'a str, &'a [&'a str]),
    /// A cleartext HTTP server.
    Cleartext,
    /// Nothing listens.
    Closed,
}

/// A server process, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The tests of this file one at a time: each chooses free ports, then binds them, and another
/// test's choice in between could take one.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// `n` distinct free TCP ports on the loopback addresses: every listener is held until all
/// are chosen (a port closed at once can be handed out again by the next bind).
fn free_ports(n: usize) -> Vec<u16> {
    let held: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free port"))
        .collect();
    held.iter()
        .map(|l| l.local_addr().expect("address").port())
        .collect()
}

/// Wait until `addr` accepts connections.
fn wait_for(addr: &str) {
    let start = Instant::now();
    while TcpStream::connect(addr).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{addr} did not come up"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `openssl s_server` on `host:port` with `args`, serving a fresh self-signed certificate.
fn s_server(dir: &Path, host: &str, port: u16, args: &[&str]) -> Server {
    let child = Command::new("openssl")
        .args(["s_server", "-quiet", "-accept"])
        .arg(format!("{host}:{port}"))
        .arg("-cert")
        .arg(dir.join("cert.pem"))
        .arg("-key")
        .arg(dir.join("key.pem"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl s_server");
    let server = Server(child);
    wait_for(&format!("{host}:{port}"));
    server
}

/// A cleartext HTTP server on a TLS port: answers every connection with a 400 and closes.
fn cleartext(port: u16) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).expect("bind");
    std::thread::spawn(move || {
        for mut c in listener.incoming().flatten() {
            let _ = c.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = [0u8; 1024];
            let _ = c.read(&mut buf);
            let _ = c.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
}

/// The collector's output, run here with `sh` as on a host, with `input` on its stdin.
fn collector(input: &[u8]) -> String {
    let mut sh = Command::new("sh")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sh");
    sh.stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("input");
    let out = sh.wait_with_output().expect("collector");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A facts file's record of a host scanned with `nonce` that printed `output`.
fn scanned(nonce: &str, output: &str) -> Value {
    json!({"status": "scanned", "error": null, "duration_ms": 1, "facts": {},
           "raw": {"nonce": nonce, "output": output, "exit": 0, "signal": null, "truncated": false}})
}

/// The JSON report of `capdo check --facts` on `inventory` (written in `dir`) and `hosts`.
fn check(dir: &Path, inventory: &str, hosts: serde_json::Map<String, Value>) -> Value {
    std::fs::write(dir.join("inventory.toml"), inventory).expect("inventory");
    let facts = dir.join("facts.json");
    std::fs::write(
        &facts,
        json!({"schema": "capdo.facts/v1", "tool": "capdo test", "generated_at": "2026-12-06T08:00:00Z", "hosts": hosts})
            .to_string(),
    )
    .expect("facts");
    let r = common::capdo(
        dir,
        &[
            "check",
            "--facts",
            facts.to_str().expect("utf-8"),
            "--format",
            "json",
        ],
    );
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr))
}

/// The finding of `control` on server `id`.
fn finding<'r>(report: &'r Value, control: &str, id: &str) -> &'r Value {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["control"] == control && f["target"] == format!("server:{id}"))
        .unwrap_or_else(|| panic!("no {control} finding for {id}"))
}

/// Whether this machine has `openssl`; in CI (`CAPDO_REQUIRE_OPENSSL`) its absence fails.
fn have_openssl() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CAPDO_REQUIRE_OPENSSL").is_none(),
            "openssl is required (CAPDO_REQUIRE_OPENSSL is set)"
        );
        eprintln!("skipped: no openssl on this machine");
    }
    ok
}

#[test]
fn tls_version_matches_what_real_services_accept() {
    if !have_openssl() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=capdo-tls-test",
        ])
        .arg("-keyout")
        .arg(dir.path().join("key.pem"))
        .arg("-out")
        .arg(dir.path().join("cert.pem"))
        .output()
        .expect("openssl req");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );

    let legacy_all = ["-min_protocol", "TLSv1", "-cipher", "DEFAULT@SECLEVEL=0"];
    let legacy_only = [
        "-min_protocol",
        "TLSv1",
        "-max_protocol",
        "TLSv1.1",
        "-cipher",
        "DEFAULT@SECLEVEL=0",
    ];
    let modern = ["-no_tls1", "-no_tls1_1"];
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let mut pool = free_ports(8).into_iter();
    let mut free_port = || pool.next().expect("a port");
    // (server id, port, how it is served, TLS-VERSION's expected status, part of the message)
    let cases: Vec<(&str, u16, Serve, &str, &str)> = vec![
        (
            "legacy",
            free_port(),
            Serve::Tls("127.0.0.1", &legacy_all),
            "fail",
            "accepts TLSv1.0 and TLSv1.1",
        ),
        (
            "oldonly",
            free_port(),
            Serve::Tls("127.0.0.1", &legacy_only),
            "fail",
            "accepts TLSv1.0 and TLSv1.1",
        ),
        (
            "modern",
            free_port(),
            Serve::Tls("127.0.0.1", &modern),
            "pass",
            "refuses TLS 1.0 and 1.1",
        ),
        (
            "tls12",
            free_port(),
            Serve::Tls("127.0.0.1", &["-tls1_2"]),
            "pass",
            "refuses TLS 1.0 and 1.1",
        ),
        (
            "tls13",
            free_port(),
            Serve::Tls("127.0.0.1", &["-tls1_3"]),
            "pass",
            "refuses TLS 1.0 and 1.1",
        ),
        // Bound to another address only: reached at the server's declared address.
        (
            "elsewhere",
            free_port(),
            Serve::Tls("127.0.0.2", &modern),
            "pass",
            "refuses TLS 1.0 and 1.1",
        ),
        (
            "http",
            free_port(),
            Serve::Cleartext,
            "fail",
            "completes no TLS handshake",
        ),
        (
            "closed",
            free_port(),
            Serve::Closed,
            "error",
            "nothing answers on port",
        ),
    ];
    let mut servers = vec![];
    for (_, port, serve, _, _) in &cases {
        match serve {
            Serve::Closed => {}
            Serve::Tls(host, args) => servers.push(s_server(dir.path(), host, *port, args)),
            Serve::Cleartext => cleartext(*port),
        }
    }

    // The collector, run here as on a host, with the input capdo sends: every port, and the
    // declared address 127.0.0.2. A line that is not a port or an address is ignored.
    let ports: Vec<u16> = cases.iter().map(|c| c.1).collect();
    let request = Request::new(false, vec![], 30)
        .with_tls(ports.clone())
        .with_addresses(vec!["127.0.0.2".parse().expect("ip")]);
    let mut input = request.input();
    input.extend_from_slice(b"tls-port 1;touch /tmp/capdo-pwned\naddress $(id)\n");
    let output = collector(&input);
    assert!(
        output.contains(&format!("begin tls {}", ports[0])),
        "{output}"
    );
    assert!(
        !output.contains("begin tls 1\n") && !output.contains("uid="),
        "{output}"
    );
    drop(servers);

    // One inventory server per service, each declaring its port as TLS, all at level 3.
    let mut inv = String::from(
        "[organization]\nname = \"Test\"\nregime = \"nd85\"\n\n[datacenters.hq]\nname = \"HQ\"\n\n\
         [networks.lan]\ndatacenter = \"hq\"\nzone = \"server\"\ncidr = [\"10.0.0.0/16\"]\n\n",
    );
    let mut hosts = serde_json::Map::new();
    for (i, (id, port, ..)) in cases.iter().enumerate() {
        inv.push_str(&format!(
            "[servers.{id}]\nnetwork = \"lan\"\naddress = [\"10.0.0.{}\"]\nservices = [\"tcp/{port}\"]\ntls = [\"tcp/{port}\"]\n\n",
            i + 1
        ));
        hosts.insert((*id).into(), scanned(&request.nonce, &output));
    }
    let ids: Vec<&str> = cases.iter().map(|c| c.0).collect();
    inv.push_str(&format!(
        "[systems.web]\nname = \"Web\"\nkind = \"internal\"\nlevel = 3\ninformation = [\"public\"]\nservers = {ids:?}\n"
    ));
    let report = check(dir.path(), &inv, hosts);
    for (id, port, _, status, message) in &cases {
        let f = finding(&report, "TLS-VERSION", id);
        assert_eq!(f["status"], *status, "{id} (port {port}): {f:#}");
        assert!(
            f["message"].as_str().is_some_and(|m| m.contains(message)),
            "{id}: {f:#}"
        );
        // The probe's outcome is also in the report's facts.
        let probed = report["facts"][id]["tls.services"]
            .as_array()
            .expect("tls.services")
            .iter()
            .any(|p| p["port"] == *port);
        assert!(probed, "{id}: {:#}", report["facts"][id]["tls.services"]);
    }
    let elsewhere = report["facts"]["elsewhere"]["tls.services"]
        .as_array()
        .expect("tls.services")
        .iter()
        .find(|p| p["port"] == cases[5].1)
        .expect("the probe of `elsewhere`");
    assert_eq!(elsewhere["address"], format!("127.0.0.2:{}", cases[5].1));
    assert_eq!(elsewhere["accepted"], json!(["TLSv1.2", "TLSv1.3"]));
}

/// A web server's answer: its status line, and the scheme of its redirect.
type WebAnswer = (&'static str, Option<&'static str>);

/// A web server answering every request with `status` and, when set, a `Location` made from
/// the request's Host header: `https://HOST/` or `http://HOST/`.
fn web(listener: TcpListener, status: &'static str, location: Option<&'static str>) {
    std::thread::spawn(move || {
        for mut c in listener.incoming().flatten() {
            let _ = c.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = [0u8; 4096];
            let n = c.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]);
            let host = request
                .lines()
                .find_map(|l| l.strip_prefix("Host: "))
                .unwrap_or("none")
                .trim()
                .to_owned();
            let location = location
                .map(|scheme| format!("Location: {scheme}://{host}/\r\n"))
                .unwrap_or_default();
            let _ = c.write_all(
                format!(
                    "HTTP/1.1 {status}\r\n{location}Content-Length: 0\r\nConnection: close\r\n\r\n"
                )
                .as_bytes(),
            );
        }
    });
}

/// HTTPS-REDIRECT against real answers: the collector's GET (this machine's curl, else wget)
/// of real web servers, for the portal's public name. The collector is asked for random free
/// ports; their sections are then labelled `http 80`, the port capdo asks a portal's web
/// server for, before `capdo check --facts` judges them (nothing else of the output changes).
#[test]
fn https_redirect_matches_what_real_web_servers_answer() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    // The web servers keep the listeners their ports were chosen with: nothing can take them.
    let mut held: std::collections::HashMap<u16, TcpListener> = (0..4)
        .map(|_| {
            let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free port");
            (l.local_addr().expect("address").port(), l)
        })
        .collect();
    let mut pool: Vec<u16> = held.keys().copied().collect();
    let mut free_port = || pool.pop().expect("a port");
    // (server id, port, the answer (status, redirect scheme) or closed, expected status, message)
    let cases: Vec<(&str, u16, Option<WebAnswer>, &str, &str)> = vec![
        (
            "to-https",
            free_port(),
            Some(("301 Moved Permanently", Some("https"))),
            "pass",
            "over HTTPS only",
        ),
        (
            "to-http",
            free_port(),
            Some(("302 Found", Some("http"))),
            "fail",
            "answers 302 to http://portal.example.vn/",
        ),
        (
            "page",
            free_port(),
            Some(("200 OK", None)),
            "fail",
            "answers 200 in cleartext",
        ),
        ("closed", free_port(), None, "pass", "over HTTPS only"),
    ];
    for (_, port, serve, _, _) in &cases {
        let listener = held.remove(port).expect("a held port");
        match serve {
            Some((status, location)) => web(listener, status, *location),
            // Closed: its listener goes.
            None => drop(listener),
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut inv = String::from(
        "[organization]\nname = \"Test\"\nregime = \"nd85\"\n\n[datacenters.hq]\nname = \"HQ\"\n\n\
         [networks.dmz]\ndatacenter = \"hq\"\nzone = \"dmz\"\ncidr = [\"10.1.0.0/16\"]\n\n",
    );
    let mut hosts = serde_json::Map::new();
    for (i, (id, port, ..)) in cases.iter().enumerate() {
        let request = Request::new(false, vec![], 30)
            .with_http(vec![*port], Some("portal.example.vn".into()));
        let nonce = &request.nonce;
        let output = collector(&request.input())
            .replace(
                &format!("@@{nonce} begin http {port}\n"),
                &format!("@@{nonce} begin http 80\n"),
            )
            .replace(
                &format!("@@{nonce} end http {port} "),
                &format!("@@{nonce} end http 80 "),
            );
        assert!(
            output.contains(&format!("@@{nonce} begin http 80\n")),
            "{output}"
        );
        inv.push_str(&format!(
            "[servers.{id}]\nnetwork = \"dmz\"\naddress = [\"10.1.0.{}\"]\nroles = [\"web\"]\nservices = [\"tcp/80\", \"tcp/443\"]\n\n",
            i + 1
        ));
        hosts.insert((*id).into(), scanned(nonce, &output));
    }
    let ids: Vec<&str> = cases.iter().map(|c| c.0).collect();
    inv.push_str(&format!(
        "[systems.portal]\nname = \"Cổng\"\nkind = \"citizen-service\"\nlevel = 2\ninformation = [\"public\"]\n\
         public_names = [\"portal.example.vn\"]\nusers = 1000\nservers = {ids:?}\n"
    ));
    let report = check(dir.path(), &inv, hosts);
    for (id, port, _, status, message) in &cases {
        let f = finding(&report, "HTTPS-REDIRECT", id);
        assert_eq!(f["status"], *status, "{id} (port {port}): {f:#}");
        assert!(
            f["message"].as_str().is_some_and(|m| m.contains(message)),
            "{id}: {f:#}"
        );
    }
    // The public name was asked for: the redirect names it.
    assert_eq!(
        report["facts"]["to-https"]["http.answers"][0]["location"],
        "https://portal.example.vn/"
    );
}
