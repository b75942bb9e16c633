//! The exit codes of DESIGN.md (a contract): what a command's outcome means to a script or a CI
//! job. Use cases decide them; `main` only returns them to the shell.

/// Exit codes (contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Nothing at or above `--fail-on` failed.
    Ok = 0,
    /// A finding (or drift, or a diff's regression) at or above `--fail-on` failed.
    Failed = 1,
    /// Usage error, invalid input, or tool error.
    Error = 2,
    /// No failure at that level, but some target could not be scanned or some check at that
    /// level could not be made.
    Unscanned = 3,
}

impl Exit {
    /// The gate of `check`, `drift` and `diff`: a failure wins over a check that could not be
    /// made, which wins over success.
    pub fn gate(failed: bool, unproven: bool) -> Exit {
        if failed {
            Exit::Failed
        } else if unproven {
            Exit::Unscanned
        } else {
            Exit::Ok
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_outranks_an_unproven_check() {
        assert_eq!(Exit::gate(true, true), Exit::Failed);
        assert_eq!(Exit::gate(false, true), Exit::Unscanned);
        assert_eq!(Exit::gate(false, false), Exit::Ok);
        assert_eq!(Exit::Unscanned as i32, 3);
    }
}
