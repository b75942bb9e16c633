//! Running process names: `ps -e -o comm=` output, or `/proc/*/comm` lines.
//!
//! Each line is one name, trimmed (names may hold inner spaces); blank lines are skipped; the
//! result is deduplicated and sorted.

use std::collections::BTreeSet;

pub fn parse(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ps_output_of_this_machine() {
        let got = parse(include_str!(
            "../../../tests/fixtures/collect/procs/ps-e-comm.txt"
        ));
        for name in [
            "cron",
            "rsyslogd",
            "kthreadd",
            "kworker/R-rcu_gp",
            "irq/24-ACPI:Ged",
        ] {
            assert!(got.iter().any(|p| p == name), "{name} missing from {got:?}");
        }
        // "memfd:sealed-91" appears three times in the capture.
        assert_eq!(got.iter().filter(|p| *p == "memfd:sealed-91").count(), 1);
        assert!(got.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
    }

    #[test]
    fn proc_comm_lines_give_the_same_daemons() {
        let got = parse(include_str!(
            "../../../tests/fixtures/collect/procs/proc-comm.txt"
        ));
        assert!(got.contains(&"cron".to_owned()));
        assert!(got.contains(&"rsyslogd".to_owned()));
    }

    #[test]
    fn trims_and_keeps_inner_spaces() {
        assert_eq!(
            parse("  sshd \n\n(sd-pam)\nWeb Content\r\nsshd\n"),
            ["(sd-pam)", "Web Content", "sshd"]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics_and_is_sorted(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let got = parse(&String::from_utf8_lossy(&bytes));
            prop_assert!(got.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(got.iter().all(|p| !p.is_empty() && p.trim() == p));
        }
    }
}
