//! The findings of a `capdo.report/v1` JSON report for the dossier's regime (read with the report
//! model, [`crate::report::read`]), and the rule that turns them into the status of one
//! requirement of the protection plan.

use std::path::Path;

use anyhow::{Context as _, anyhow, bail};

use crate::inventory::Regime;
use crate::report::JudgedBy;
use crate::report::read::{self, Needs, ReadError};

/// The finding statuses of `capdo.report/v1`, read with the type that writes them.
pub use crate::policy::Status as FindingStatus;
/// A finding as the report holds it.
pub use crate::report::ReportFinding as Finding;

/// The findings of a report, for one regime.
#[derive(Debug, Clone)]
pub struct ReportInput {
    /// Where it was read from, as given.
    pub path: String,
    pub generated_at: String,
    pub findings: Vec<Finding>,
}

impl ReportInput {
    /// Read `path`, check it is a `capdo.report/v1` report judged under `regime` (or under both
    /// regimes, whose findings of `regime` are kept).
    pub fn read(path: &Path, regime: Regime) -> anyhow::Result<ReportInput> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read report `{}`", path.display()))?;
        ReportInput::parse(&text, &path.display().to_string(), regime)
    }

    pub fn parse(text: &str, path: &str, regime: Regime) -> anyhow::Result<ReportInput> {
        let not_a_report = || {
            format!(
                "`{path}` is not a capdo.report/v1 JSON report (write one with `capdo check --format json --output FILE`)"
            )
        };
        // The dossier reads only the findings' control, target, status and message.
        let file = read::parse(text, Needs::default()).map_err(|e| match e {
            ReadError::WrongSchema(s) => anyhow!(
                "`{path}` has schema `{s}`; a `{}` report is needed",
                crate::report::SCHEMA
            ),
            ReadError::NotJson(e) => anyhow::Error::new(e).context(not_a_report()),
            ReadError::NotObject => anyhow!("not a JSON object").context(not_a_report()),
            ReadError::NoSchema => anyhow!("no `$.schema`").context(not_a_report()),
            ReadError::SchemaNotString => {
                anyhow!("`$.schema` is not a string").context(not_a_report())
            }
            ReadError::Invalid { path, message } => {
                anyhow!("at `{path}`: {message}").context(not_a_report())
            }
        })?;
        let want = regime.as_str();
        let findings = match file.regime {
            JudgedBy::Both => file
                .findings
                .into_iter()
                .filter(|f| f.regime == Some(regime))
                .collect(),
            JudgedBy::One(r) if r == regime => file.findings,
            JudgedBy::One(other) => {
                let other = other.as_str();
                bail!(
                    "report `{path}` was judged under `{other}` but the dossier is written under `{want}`; run `capdo --regime {want} check …` again or pass `--regime {other}`"
                )
            }
        };
        Ok(ReportInput {
            path: path.to_owned(),
            generated_at: file.generated_at,
            findings,
        })
    }
}

/// The status of one requirement, in the words of the protection plan (regulations.md §10.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Đã đáp ứng.
    Met,
    /// Đáp ứng một phần.
    Partly,
    /// Chưa đáp ứng.
    NotMet,
    /// Không áp dụng.
    NotApplicable,
    /// No report, no finding, or nothing decided: to be completed by hand.
    Manual,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::Met => "Đã đáp ứng",
            Standing::Partly => "Đáp ứng một phần",
            Standing::NotMet => "Chưa đáp ứng",
            Standing::NotApplicable => "Không áp dụng",
            Standing::Manual => super::vi::MANUAL,
        }
    }
}

/// Counts of the findings of one control over the system's targets.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub pass: usize,
    pub fail: usize,
    pub waived: usize,
    /// Error or manual: the check was not decided.
    pub undecided: usize,
    pub not_applicable: usize,
}

impl Tally {
    pub fn add(&mut self, s: FindingStatus) {
        match s {
            FindingStatus::Pass => self.pass += 1,
            FindingStatus::Fail => self.fail += 1,
            FindingStatus::Waived => self.waived += 1,
            FindingStatus::Error | FindingStatus::Manual => self.undecided += 1,
            FindingStatus::NotApplicable => self.not_applicable += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.pass + self.fail + self.waived + self.undecided + self.not_applicable
    }

    /// The rule (docs/dossier.md, "Status of a requirement"):
    /// - no finding → to be completed by hand;
    /// - every finding not-applicable → Không áp dụng;
    /// - no failure and nothing waived: all decided → Đã đáp ứng, some undecided (error,
    ///   manual) → to be completed by hand (an undecided check is never a pass);
    /// - failures and nothing passing or waived → Chưa đáp ứng;
    /// - failures or waived failures next to passes, or waived failures alone (an accepted
    ///   exception is not compliance) → Đáp ứng một phần.
    pub fn met(&self) -> Standing {
        if self.total() == 0 {
            Standing::Manual
        } else if self.total() == self.not_applicable {
            Standing::NotApplicable
        } else if self.fail + self.waived == 0 {
            if self.undecided == 0 {
                Standing::Met
            } else {
                Standing::Manual
            }
        } else if self.pass + self.waived == 0 {
            Standing::NotMet
        } else {
            Standing::Partly
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(statuses: &[FindingStatus]) -> Standing {
        let mut t = Tally::default();
        for &s in statuses {
            t.add(s);
        }
        t.met()
    }

    #[test]
    fn the_status_rule_never_counts_an_undecided_check_as_met() {
        use FindingStatus::*;
        assert_eq!(tally(&[]), Standing::Manual);
        assert_eq!(
            tally(&[NotApplicable, NotApplicable]),
            Standing::NotApplicable
        );
        assert_eq!(tally(&[Pass, NotApplicable]), Standing::Met);
        assert_eq!(tally(&[Pass, Error]), Standing::Manual);
        assert_eq!(tally(&[Manual]), Standing::Manual);
        assert_eq!(tally(&[Fail, Fail, Error]), Standing::NotMet);
        assert_eq!(tally(&[Fail, Pass]), Standing::Partly);
        assert_eq!(tally(&[Waived]), Standing::Partly);
        assert_eq!(tally(&[Waived, Fail]), Standing::Partly);
    }

    #[test]
    fn a_report_of_another_regime_or_schema_is_refused() {
        let r = r#"{"schema":"capdo.report/v1","regime":"nd85","findings":[]}"#;
        assert!(ReportInput::parse(r, "r.json", Regime::Nd85).is_ok());
        let e = ReportInput::parse(r, "r.json", Regime::Nd331).expect_err("refused");
        assert!(format!("{e:#}").contains("judged under `nd85`"));
        let e = ReportInput::parse(
            r#"{"schema":"x","regime":"nd85","findings":[]}"#,
            "r.json",
            Regime::Nd85,
        )
        .expect_err("refused");
        assert!(format!("{e:#}").contains("schema `x`"));
        assert!(ReportInput::parse("[]", "r.json", Regime::Nd85).is_err());
    }

    #[test]
    fn a_report_of_both_regimes_keeps_the_findings_of_the_dossiers_regime() {
        let r = r#"{"schema":"capdo.report/v1","regime":"both","findings":[
            {"control":"A","target":"system:x","status":"pass","regime":"nd85"},
            {"control":"A","target":"system:x","status":"fail","regime":"nd331"}]}"#;
        let got = ReportInput::parse(r, "r.json", Regime::Nd331).expect("parses");
        assert_eq!(got.findings.len(), 1);
        assert_eq!(got.findings[0].status, FindingStatus::Fail);
    }
}
