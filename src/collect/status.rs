//! What became of one target of a check: not scanned at all (`offline`), scanned, or why its
//! scan failed. The report (`targets[].status`) and the facts file (`hosts.*.status`) write it
//! with the same names; it stays typed everywhere in between.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::transport::FailKind;

/// The status of a target: `offline`, `scanned`, or a [`FailKind`] (`unreachable`, `timeout`,
/// `auth-failed`, `host-key-mismatch`, `host-key-unknown`, `protocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetStatus {
    /// Not scanned: the organisation, datacenters, networks, systems, and servers under
    /// `--offline`.
    Offline,
    Scanned,
    /// The scan of the host failed, for this reason.
    Failed(FailKind),
}

impl TargetStatus {
    const NAMES: &'static [&'static str] = &[
        "offline",
        "scanned",
        "unreachable",
        "timeout",
        "auth-failed",
        "host-key-mismatch",
        "host-key-unknown",
        "protocol",
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TargetStatus::Offline => "offline",
            TargetStatus::Scanned => "scanned",
            TargetStatus::Failed(kind) => kind.as_str(),
        }
    }

    fn parse(s: &str) -> Option<TargetStatus> {
        Some(match s {
            "offline" => TargetStatus::Offline,
            "scanned" => TargetStatus::Scanned,
            "unreachable" => TargetStatus::Failed(FailKind::Unreachable),
            "timeout" => TargetStatus::Failed(FailKind::Timeout),
            "auth-failed" => TargetStatus::Failed(FailKind::AuthFailed),
            "host-key-mismatch" => TargetStatus::Failed(FailKind::HostKeyMismatch),
            "host-key-unknown" => TargetStatus::Failed(FailKind::HostKeyUnknown),
            "protocol" => TargetStatus::Failed(FailKind::Protocol),
            _ => return None,
        })
    }

    /// Read a facts file's host status leniently: a status this capdo does not know (a hand-made
    /// or newer file) is a `protocol` failure, so the host is replayed as not scanned, never as a
    /// pass.
    pub fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<TargetStatus, D::Error> {
        let s = String::deserialize(d)?;
        Ok(TargetStatus::parse(&s).unwrap_or(TargetStatus::Failed(FailKind::Protocol)))
    }
}

impl fmt::Display for TargetStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for TargetStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TargetStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TargetStatus, D::Error> {
        let s = String::deserialize(d)?;
        TargetStatus::parse(&s)
            .ok_or_else(|| serde::de::Error::unknown_variant(&s, TargetStatus::NAMES))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_as_written_and_an_unknown_one_is_refused() {
        for name in TargetStatus::NAMES {
            let s: TargetStatus = serde_json::from_str(&format!("\"{name}\"")).expect(name);
            assert_eq!(s.as_str(), *name);
            assert_eq!(
                serde_json::to_string(&s).expect("json"),
                format!("\"{name}\"")
            );
        }
        let e = serde_json::from_str::<TargetStatus>("\"down\"").expect_err("unknown");
        assert!(e.to_string().starts_with("unknown variant `down`"), "{e}");
    }

    #[test]
    fn a_facts_file_status_this_capdo_does_not_know_is_a_protocol_failure() {
        #[derive(Deserialize)]
        struct Host {
            #[serde(deserialize_with = "TargetStatus::lenient")]
            status: TargetStatus,
        }
        let h: Host = serde_json::from_str(r#"{"status": "down"}"#).expect("lenient");
        assert_eq!(h.status, TargetStatus::Failed(FailKind::Protocol));
        let h: Host = serde_json::from_str(r#"{"status": "timeout"}"#).expect("lenient");
        assert_eq!(h.status, TargetStatus::Failed(FailKind::Timeout));
    }
}
