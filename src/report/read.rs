//! Reading a `capdo.report/v1` file back into the [`Report`] model that wrote it: the one reader
//! of `capdo diff` and of `capdo dossier --report` / `annual-report --report`.
//!
//! The schema is checked first, so that a facts file or a diff is refused by name rather than by
//! a missing field; then the model is read, and a wrong value is reported with its JSON path
//! (`$.findings[1].status`). Each command words the errors for its own users from
//! [`ReadError`]. Nothing here touches the file system: callers pass the text.

use super::{Report, SCHEMA};

/// What a reader needs beyond the fields every report has (see [`Report`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    /// `$.targets`, even if empty.
    pub targets: bool,
    /// `$.findings[].severity` on every finding.
    pub severities: bool,
}

/// Why a text is not a readable report.
#[derive(Debug)]
pub enum ReadError {
    /// Not JSON at all.
    NotJson(serde_json::Error),
    /// JSON, but not an object.
    NotObject,
    /// An object without `$.schema`.
    NoSchema,
    /// `$.schema` is not a string.
    SchemaNotString,
    /// Another schema (a facts file, a diff, …).
    WrongSchema(String),
    /// A report with a missing or wrong value at `path` (`$`, `$.findings[1].status`).
    Invalid { path: String, message: String },
}

/// Read the text of a report.
pub fn parse(text: &str, needs: Needs) -> Result<Report, ReadError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(ReadError::NotJson)?;
    match value.get("schema") {
        Some(serde_json::Value::String(s)) if s == SCHEMA => {}
        Some(serde_json::Value::String(s)) => return Err(ReadError::WrongSchema(s.clone())),
        Some(_) => return Err(ReadError::SchemaNotString),
        None if value.is_object() => return Err(ReadError::NoSchema),
        None => return Err(ReadError::NotObject),
    }
    let missing = missing(&value, needs);
    let report: Report = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        ReadError::Invalid {
            path: if path == "." {
                "$".to_owned()
            } else {
                format!("$.{path}")
            },
            message: e.inner().to_string(),
        }
    })?;
    // A value of the wrong type is reported before a needed field that is missing, as serde
    // reports a struct's missing fields after its present ones.
    match missing {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

/// The first field `needs` asks for that `report` lacks, worded as serde words a missing field.
fn missing(report: &serde_json::Value, needs: Needs) -> Option<ReadError> {
    let absent = |path: String, field: &str| ReadError::Invalid {
        path,
        message: format!("missing field `{field}`"),
    };
    if needs.severities {
        let findings = report.get("findings").and_then(|f| f.as_array());
        for (i, f) in findings.into_iter().flatten().enumerate() {
            if f.is_object() && f.get("severity").is_none() {
                return Some(absent(format!("$.findings[{i}]"), "severity"));
            }
        }
    }
    if needs.targets && report.get("targets").is_none() {
        return Some(absent("$".into(), "targets"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Severity, Status};

    const ALL: Needs = Needs {
        targets: true,
        severities: true,
    };

    fn err(text: &str, needs: Needs) -> String {
        match parse(text, needs) {
            Ok(_) => panic!("read: {text}"),
            Err(ReadError::Invalid { path, message }) => format!("{path}: {message}"),
            Err(other) => format!("{other:?}"),
        }
    }

    #[test]
    fn a_minimal_report_reads_with_empty_defaults() {
        let r = parse(
            r#"{"schema":"capdo.report/v1","regime":"both","findings":[
                {"control":"A","target":"system:x","status":"pass","regime":"nd85","later":1}],
                "added_later": {}}"#,
            Needs::default(),
        )
        .expect("reads");
        assert_eq!(r.regime, super::super::JudgedBy::Both);
        assert!(r.targets.is_empty() && r.tool.version.is_empty());
        assert_eq!(r.findings[0].status, Status::Pass);
        assert_eq!(r.findings[0].severity, Severity::Info);
    }

    #[test]
    fn what_a_reader_needs_is_required_and_named_by_its_path() {
        let no_targets = r#"{"schema":"capdo.report/v1","regime":"nd85","findings":[]}"#;
        assert_eq!(err(no_targets, ALL), "$: missing field `targets`");
        let no_severity = r#"{"schema":"capdo.report/v1","regime":"nd85","targets":[],
            "findings":[{"control":"A","target":"t","status":"pass","severity":"low"},
                        {"control":"A","target":"t","status":"pass"}]}"#;
        assert_eq!(
            err(no_severity, ALL),
            "$.findings[1]: missing field `severity`"
        );
        let bad = r#"{"schema":"capdo.report/v1","regime":"nd85","findings":[
            {"control":"A","target":"t","status":"passed"}]}"#;
        assert!(
            err(bad, ALL).starts_with("$.findings[0].status: unknown variant `passed`"),
            "{}",
            err(bad, ALL)
        );
        let regime = r#"{"schema":"capdo.report/v1","regime":"nd13","findings":[]}"#;
        assert!(err(regime, Needs::default()).starts_with("$.regime: unknown variant `nd13`"));
    }

    #[test]
    fn what_is_not_a_report_is_refused_before_its_fields_are_read() {
        assert!(matches!(parse("{", ALL), Err(ReadError::NotJson(_))));
        assert!(matches!(parse("[]", ALL), Err(ReadError::NotObject)));
        assert!(matches!(parse("{}", ALL), Err(ReadError::NoSchema)));
        assert!(matches!(
            parse(r#"{"schema":1}"#, ALL),
            Err(ReadError::SchemaNotString)
        ));
        assert!(
            matches!(parse(r#"{"schema":"capdo.facts/v1"}"#, ALL), Err(ReadError::WrongSchema(s)) if s == "capdo.facts/v1")
        );
    }

    #[test]
    fn a_built_report_reads_back_to_the_same_json() {
        let text = r#"{
  "schema": "capdo.report/v1",
  "tool": {
    "name": "capdo",
    "version": "0.1.0"
  },
  "generated_at": "2026-11-22T08:00:00Z",
  "regime": "both",
  "targets": [
    {
      "id": "server:web01",
      "kind": "server",
      "effective_level": 3,
      "status": "host-key-mismatch",
      "error": "the host key changed",
      "duration_ms": 12
    }
  ],
  "facts": {},
  "findings": [
    {
      "control": "TIME-SYNC",
      "target": "server:web01",
      "status": "waived",
      "severity": "medium",
      "level": 3,
      "title": "Time",
      "message": "m",
      "evidence": "e",
      "basis": [
        "b"
      ],
      "location": {
        "file": "inventory/servers.toml",
        "line": 1,
        "column": 2
      },
      "waiver": {
        "at": "policies/waivers.toml:3",
        "reason": "r",
        "approved_by": "a",
        "ticket": null,
        "expires": "2027-01-01",
        "expired": false
      },
      "remediation": "fix",
      "regime": "nd331",
      "transition_debt": true,
      "unconfirmed": "why"
    }
  ],
  "summary": {
    "pass": 0,
    "fail": 0,
    "error": 0,
    "waived": 1,
    "not_applicable": 0,
    "manual": 0
  },
  "coverage": []
}
"#;
        let r = parse(text, ALL).expect("reads");
        assert_eq!(super::super::json(&r), text);
    }
}
