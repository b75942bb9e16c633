//! The idle shell timeout: `TMOUT=N` in the login shells' start-up files (`/etc/profile`,
//! `/etc/profile.d/*.sh`, `/etc/bash.bashrc`, `/etc/bashrc`).
//!
//! An assignment counts where it starts a simple command (after `;`, `&&`, `||`, `then`, `do`,
//! `{` or at the start of the line) or follows `export`, `readonly`, `declare`, `typeset` and
//! their options (`declare -r TMOUT=900`). Quotes around the number are allowed. `TMOUT=0`
//! turns the timeout off and is not counted. The files are not run: an assignment inside a
//! branch counts as if it were taken. The collector sends only the lines that contain `TMOUT` (the rest
//! may hold secrets); whole files read the same.

/// The smallest `TMOUT` (seconds) set in `files` (`(path, content)`), or `None`.
pub fn tmout(files: &[(String, String)]) -> Option<u32> {
    files
        .iter()
        .flat_map(|(_, text)| text.lines())
        .flat_map(assignments)
        .filter(|&t| t > 0)
        .min()
}

/// The `TMOUT` values assigned on one line.
fn assignments(line: &str) -> Vec<u32> {
    let code = match line.trim_start() {
        l if l.starts_with('#') => return vec![],
        l => l,
    };
    let mut out = vec![];
    // At the start of a command, or after a declaring builtin and its options.
    let mut command_start = true;
    let spaced = code
        .replace(';', " ; ")
        .replace("&&", " ; ")
        .replace("||", " ; ");
    for word in spaced.split_whitespace() {
        if word.starts_with('#') {
            break;
        }
        match word {
            ";" | "then" | "do" | "else" | "{" | "export" | "readonly" | "declare" | "typeset"
            | "local" => {
                command_start = true;
                continue;
            }
            w if w.starts_with('-') && command_start => continue,
            _ => {}
        }
        if command_start && let Some(v) = word.strip_prefix("TMOUT=") {
            let v = v.trim_matches(|c| c == '"' || c == '\'');
            if let Ok(n) = v.parse::<u32>() {
                out.push(n);
            }
        }
        // Another assignment may follow (`A=1 TMOUT=2`); anything else ends the prefix.
        command_start = word.contains('=') && !word.starts_with('=');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    macro_rules! fx {
        ($name:literal) => {
            include_str!(concat!("../../../tests/fixtures/collect/profile/", $name))
        };
    }

    fn f(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(p, c)| ((*p).to_owned(), (*c).to_owned()))
            .collect()
    }

    #[test]
    fn stock_debian_sets_no_timeout() {
        let files = f(&[
            ("/etc/profile", fx!("etc-profile-debian12")),
            ("/etc/bash.bashrc", fx!("bash.bashrc-debian12")),
        ]);
        assert_eq!(tmout(&files), None);
    }

    #[test]
    fn the_smallest_of_every_form_wins() {
        let files = f(&[
            ("/etc/profile", fx!("etc-profile-debian12")),
            ("/etc/profile.d/tmout.sh", fx!("profile.d-tmout.sh")),
            ("/etc/profile.d/cis.sh", fx!("profile.d-cis.sh")),
        ]);
        assert_eq!(tmout(&files), Some(600));
        assert_eq!(tmout(&files[..2]), Some(900));
    }

    #[test]
    fn forms_that_count_and_forms_that_do_not() {
        assert_eq!(assignments("TMOUT=900"), [900]);
        assert_eq!(assignments("readonly TMOUT=900; export TMOUT"), [900]);
        assert_eq!(assignments("  declare -r -x TMOUT=\"300\""), [300]);
        assert_eq!(assignments("typeset -r TMOUT='120'"), [120]);
        assert_eq!(
            assignments("if [ \"$UID\" -ne 0 ]; then TMOUT=800; fi"),
            [800]
        );
        assert_eq!(assignments("LANG=C TMOUT=60 bash"), [60]);
        assert!(assignments("# TMOUT=10").is_empty());
        assert!(assignments("echo TMOUT=10").is_empty());
        assert!(assignments("TMOUT=$DEFAULT").is_empty());
        assert!(assignments("MYTMOUT=10").is_empty());
        assert_eq!(assignments("true # TMOUT=10"), Vec::<u32>::new());
        assert_eq!(
            tmout(&f(&[("/etc/bashrc", "TMOUT=0\n")])),
            None,
            "0 turns the timeout off"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let _ = tmout(&[("/etc/profile".to_owned(), text)]);
        }

        #[test]
        fn a_plain_assignment_is_always_found(n in 1u32.., prefix in "(export |readonly |declare -r |)") {
            let text = format!("# idle timeout\n{prefix}TMOUT={n}\n");
            prop_assert_eq!(tmout(&[("/etc/profile".to_owned(), text)]), Some(n));
        }
    }
}
