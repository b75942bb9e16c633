//! The `tls PORT` sections: which TLS versions a service accepts, from one `openssl s_client
//! -brief` handshake per version run on the host (see collector.sh).
//!
//! A section's body is `address HOST:PORT` (where the service answered), then for each
//! version a line `== tls1` … `== tls1_3` followed by s_client's output, every line indented
//! by two spaces (so no output line can pass for a version line).

use serde::Serialize;

/// A TLS protocol version, in the order of [`Version::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Version {
    #[serde(rename = "TLSv1.0")]
    Tls10,
    #[serde(rename = "TLSv1.1")]
    Tls11,
    #[serde(rename = "TLSv1.2")]
    Tls12,
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl Version {
    pub const ALL: [Version; 4] = [
        Version::Tls10,
        Version::Tls11,
        Version::Tls12,
        Version::Tls13,
    ];

    /// s_client's option for it, as the collector writes it on the version line.
    fn option(self) -> &'static str {
        match self {
            Version::Tls10 => "tls1",
            Version::Tls11 => "tls1_1",
            Version::Tls12 => "tls1_2",
            Version::Tls13 => "tls1_3",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Version::Tls10 => "TLSv1.0",
            Version::Tls11 => "TLSv1.1",
            Version::Tls12 => "TLSv1.2",
            Version::Tls13 => "TLSv1.3",
        }
    }

    /// Versions below 1.2, which the check refuses.
    pub fn is_legacy(self) -> bool {
        self < Version::Tls12
    }
}

/// What one handshake offering only `version` gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The handshake completed: the service accepts this version.
    Accepted,
    /// The service ended the handshake (an alert, a reply that is not TLS, a closed
    /// connection): it does not accept this version. The reason is OpenSSL's.
    Refused(String),
    /// The probe could not tell: the host's openssl cannot offer this version, the
    /// connection was not made, or no answer came in time.
    Undecided(String),
}

/// The versions one service accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// `HOST:PORT` where the service answered (`127.0.0.1:443`, `[::1]:443`, or a declared
    /// address).
    pub address: String,
    /// One outcome per version of [`Version::ALL`] that the section holds.
    pub versions: Vec<(Version, Outcome)>,
}

impl Probe {
    pub fn outcome(&self, v: Version) -> Option<&Outcome> {
        self.versions.iter().find(|(x, _)| *x == v).map(|(_, o)| o)
    }

    /// The versions with `want`'s kind of outcome.
    pub fn with(&self, want: fn(&Outcome) -> bool) -> Vec<Version> {
        self.versions
            .iter()
            .filter(|(_, o)| want(o))
            .map(|(v, _)| *v)
            .collect()
    }
}

/// Client-side failures: the host's openssl could not make the offer at all, so the service
/// was never asked.
const CLIENT_SIDE: [&str; 6] = [
    "no protocols available",
    "no ciphers available",
    "no cipher match",
    "unknown option",
    "legacy sigalg disallowed",
    "ca md too weak",
];

/// The probe of a `tls PORT` section that succeeded; `Err` when its body is not the
/// collector's.
pub fn probe(body: &str) -> Result<Probe, String> {
    let mut lines = body.lines();
    let address = lines
        .next()
        .and_then(|l| l.strip_prefix("address "))
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .ok_or("the probe names no address")?;
    let mut versions: Vec<(Version, Vec<&str>)> = vec![];
    for line in lines {
        if let Some(opt) = line.strip_prefix("== ") {
            let v = Version::ALL
                .into_iter()
                .find(|v| v.option() == opt.trim())
                .ok_or_else(|| format!("unknown version line `{}`", opt.trim()))?;
            versions.push((v, vec![]));
        } else if let Some((_, out)) = versions.last_mut() {
            out.push(line.strip_prefix("  ").unwrap_or(line));
        } else if !line.trim().is_empty() {
            return Err("output before the first version line".into());
        }
    }
    if versions.is_empty() {
        return Err("the probe holds no version".into());
    }
    Ok(Probe {
        address,
        versions: versions
            .into_iter()
            .map(|(v, out)| (v, outcome(v, &out)))
            .collect(),
    })
}

/// One handshake's outcome from s_client's output.
fn outcome(v: Version, out: &[&str]) -> Outcome {
    if out.iter().any(|l| l.trim() == "CONNECTION ESTABLISHED") {
        // `-tlsX` fixes the version: a handshake at another one cannot complete.
        return match out
            .iter()
            .find_map(|l| l.trim().strip_prefix("Protocol version:"))
        {
            Some(p) if negotiated(p.trim()) == Some(v) => Outcome::Accepted,
            Some(p) => Outcome::Undecided(format!("asked for {}, got {}", v.name(), p.trim())),
            None => Outcome::Accepted,
        };
    }
    let text = out.join("\n");
    let lower = text.to_ascii_lowercase();
    if out.iter().all(|l| l.trim().is_empty()) {
        return Outcome::Undecided("no answer within the probe's 10 s".into());
    }
    if let Some(why) = CLIENT_SIDE.iter().find(|w| lower.contains(*w)) {
        return Outcome::Undecided(format!("the host's openssl cannot offer it ({why})"));
    }
    if lower.contains("connect:errno=") {
        return Outcome::Undecided(format!(
            "the connection failed ({})",
            first_line(out).unwrap_or("connect error")
        ));
    }
    Outcome::Refused(reason(out).unwrap_or_else(|| first_line(out).unwrap_or("").to_owned()))
}

/// `TLSv1`, `TLSv1.1` … as s_client prints the negotiated version.
fn negotiated(p: &str) -> Option<Version> {
    match p {
        "TLSv1" | "TLSv1.0" => Some(Version::Tls10),
        "TLSv1.1" => Some(Version::Tls11),
        "TLSv1.2" => Some(Version::Tls12),
        "TLSv1.3" => Some(Version::Tls13),
        _ => None,
    }
}

/// The reason of OpenSSL's first error line: `…:error:CODE:LIBRARY:FUNCTION:REASON:FILE:…`
/// (1.1.1 and 3 alike).
fn reason(out: &[&str]) -> Option<String> {
    out.iter().find_map(|l| {
        let rest = l.split_once(":error:")?.1;
        let reason = rest.split(':').nth(3)?.trim();
        (!reason.is_empty()).then(|| reason.to_owned())
    })
}

fn first_line<'a>(out: &[&'a str]) -> Option<&'a str> {
    out.iter().map(|l| l.trim()).find(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::parse::sections::split;

    /// Real sections of the collector run on Debian 12 (OpenSSL 3.0) against `openssl
    /// s_server`: 14431 accepts TLS 1.0 to 1.3 (`-min_protocol TLSv1`, SECLEVEL=0), 14432
    /// refuses 1.0 and 1.1, 14433 is plain HTTP (`python3 -m http.server`), 14435 accepts
    /// TLS 1.3 only, 14436 listens on 127.0.0.2 only (a declared address), 14439 is closed.
    const DEBIAN12: &str =
        include_str!("../../../tests/fixtures/collect/tls/openssl-3.0-debian12.txt");

    /// Real `tls 443` sections of the collector run over SSH by capdo (`check --evidence`)
    /// on the firewall lab's release hosts (tests/lab/firewall.sh), each against that
    /// release's own `openssl s_server`: bullseye (OpenSSL 1.1.1w) told `-min_protocol TLSv1
    /// -cipher DEFAULT@SECLEVEL=0` over the MinProtocol=TLSv1.2 of its openssl.cnf, trixie
    /// (OpenSSL 3.5) with its defaults. 1.1.1 writes `DONE` after every handshake and `self
    /// signed certificate`; 3.5 opens every handshake with `Connecting to 127.0.0.1` and names
    /// `Peer Temp Key`, `Negotiated TLS1.3 group`: none of it changes an outcome.
    const BULLSEYE: &str =
        include_str!("../../../tests/fixtures/collect/tls/openssl-1.1.1-bullseye.txt");
    const TRIXIE: &str = include_str!("../../../tests/fixtures/collect/tls/openssl-3.5-trixie.txt");

    fn probes(text: &str) -> Vec<(String, Result<Probe, String>, Option<i32>)> {
        split(text, "0123456789abcdef")
            .into_iter()
            .map(|s| (s.name.clone(), probe(&s.body), s.rc))
            .collect()
    }

    fn accepted(p: &Probe) -> Vec<Version> {
        p.with(|o| matches!(o, Outcome::Accepted))
    }

    #[test]
    fn real_handshakes_of_openssl_3() {
        let all = probes(DEBIAN12);
        let get = |name: &str| {
            all.iter()
                .find(|(n, _, _)| n == name)
                .unwrap_or_else(|| panic!("{name}"))
        };
        let ok = |name: &str| get(name).1.clone().expect(name);
        use Version::*;
        let legacy = ok("tls 14431");
        assert_eq!(legacy.address, "127.0.0.1:14431");
        assert_eq!(accepted(&legacy), [Tls10, Tls11, Tls12, Tls13]);
        let modern = ok("tls 14432");
        assert_eq!(accepted(&modern), [Tls12, Tls13]);
        assert_eq!(
            modern.outcome(Tls10),
            Some(&Outcome::Refused("tlsv1 alert protocol version".into()))
        );
        let http = ok("tls 14433");
        assert!(accepted(&http).is_empty());
        assert_eq!(
            http.outcome(Tls12),
            Some(&Outcome::Refused("wrong version number".into()))
        );
        assert_eq!(accepted(&ok("tls 14435")), [Tls13]);
        let elsewhere = ok("tls 14436");
        assert_eq!(elsewhere.address, "127.0.0.2:14436");
        assert_eq!(accepted(&elsewhere), [Tls12, Tls13]);
        // A closed port: the section fails, with the collector's reason.
        let (_, closed, rc) = get("tls 14439");
        assert_eq!(*rc, Some(2));
        assert!(closed.is_err());
    }

    #[test]
    fn real_handshakes_of_openssl_1_1_1_and_3_5() {
        let only = |text: &str| {
            let mut all = probes(text);
            assert_eq!(all.len(), 1);
            let (name, p, rc) = all.remove(0);
            assert_eq!((name.as_str(), rc), ("tls 443", Some(0)));
            p.expect("probe")
        };
        use Version::*;
        let bullseye = only(BULLSEYE);
        assert_eq!(bullseye.address, "127.0.0.1:443");
        assert_eq!(accepted(&bullseye), [Tls10, Tls11, Tls12, Tls13]);
        let trixie = only(TRIXIE);
        assert_eq!(trixie.address, "127.0.0.1:443");
        assert_eq!(accepted(&trixie), [Tls12, Tls13]);
        for v in [Tls10, Tls11] {
            assert_eq!(
                trixie.outcome(v),
                Some(&Outcome::Refused("tlsv1 alert protocol version".into()))
            );
        }
    }

    #[test]
    fn what_the_client_cannot_offer_is_undecided() {
        let body = "address 127.0.0.1:443\n== tls1\n  40E7:error:0A0000BF:SSL routines:tls_setup_handshake:no protocols available:../ssl/statem/statem_lib.c:104:\n== tls1_3\n  s_client: Unknown option: -tls1_3\n== tls1_2\n";
        let p = probe(body).expect("probe");
        assert!(
            matches!(p.outcome(Version::Tls10), Some(Outcome::Undecided(w)) if w.contains("no protocols available"))
        );
        assert!(
            matches!(p.outcome(Version::Tls13), Some(Outcome::Undecided(w)) if w.contains("unknown option"))
        );
        assert!(
            matches!(p.outcome(Version::Tls12), Some(Outcome::Undecided(w)) if w.contains("no answer"))
        );
        assert_eq!(p.outcome(Version::Tls11), None);
    }

    #[test]
    fn a_body_that_is_not_the_collectors_is_an_error() {
        assert!(probe("").is_err());
        assert!(probe("address 127.0.0.1:443\n").is_err());
        assert!(probe("address 127.0.0.1:443\n== sslv3\n").is_err());
        assert!(probe("hello\n== tls1\n").is_err());
        // A certificate subject cannot forge a version line: the collector indents output.
        let p = probe("address a:1\n== tls1_2\n  == tls1\n  CONNECTION ESTABLISHED\n  Protocol version: TLSv1.2\n").expect("probe");
        assert_eq!(p.versions.len(), 1);
        assert_eq!(accepted(&p), [Version::Tls12]);
    }
}
