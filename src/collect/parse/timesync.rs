//! Clock synchronisation: `timedatectl show` and `chronyc -n tracking`.
//!
//! `None` means "this output does not say" (the tool failed, or the daemon is not running), so
//! the caller can try the next source; it is never read as synchronised.

/// `NTPSynchronized=yes|no` from `timedatectl show`.
pub fn timedatectl(text: &str) -> Option<bool> {
    text.lines()
        .find_map(|line| match line.trim().strip_prefix("NTPSynchronized=")? {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        })
}

/// `Leap status` from `chronyc -n tracking`: "Normal", "Insert second" and "Delete second" are
/// synchronised, "Not synchronised" is not; anything else (such as "506 Cannot talk to
/// daemon") says nothing.
pub fn chronyc(text: &str) -> Option<bool> {
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        if key.trim() != "Leap status" {
            return None;
        }
        match value.trim() {
            "Normal" | "Insert second" | "Delete second" => Some(true),
            "Not synchronised" => Some(false),
            _ => None,
        }
    })
}

/// The server the clock follows, from `chronyc -n tracking`'s `Reference ID : 0A00007B
/// (10.0.0.123)`: the address in brackets. `None` when the line is absent or names no address
/// (a reference clock, or no source yet: `7F7F0101 ()`).
pub fn chronyc_reference(text: &str) -> Option<std::net::IpAddr> {
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        if key.trim() != "Reference ID" {
            return None;
        }
        let inner = value.split_once('(')?.1.split_once(')')?.0;
        inner.trim().parse().ok()
    })
}

/// The server systemd-timesyncd follows, from `timedatectl show-timesync`'s `ServerAddress=`.
pub fn timesyncd_server(text: &str) -> Option<std::net::IpAddr> {
    text.lines()
        .find_map(|line| line.trim().strip_prefix("ServerAddress="))
        .and_then(|a| a.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn chronyc_synchronised_to_a_local_server() {
        assert_eq!(
            chronyc(include_str!(
                "../../../tests/fixtures/collect/timesync/chronyc-synchronised.txt"
            )),
            Some(true)
        );
    }

    #[test]
    fn chronyc_before_the_first_sample_is_not_synchronised() {
        assert_eq!(
            chronyc(include_str!(
                "../../../tests/fixtures/collect/timesync/chronyc-unsynchronised.txt"
            )),
            Some(false)
        );
    }

    #[test]
    fn chronyc_without_daemon_says_nothing() {
        assert_eq!(
            chronyc(include_str!(
                "../../../tests/fixtures/collect/timesync/chronyc-no-daemon.txt"
            )),
            None
        );
    }

    #[test]
    fn timedatectl_without_systemd_says_nothing() {
        assert_eq!(
            timedatectl(include_str!(
                "../../../tests/fixtures/collect/timesync/timedatectl-no-systemd.txt"
            )),
            None
        );
    }

    #[test]
    fn timedatectl_show_properties() {
        assert_eq!(
            timedatectl(include_str!(
                "../../../tests/fixtures/collect/timesync/timedatectl-synchronised.txt"
            )),
            Some(true)
        );
        assert_eq!(timedatectl("NTP=yes\nNTPSynchronized=no\n"), Some(false));
        assert_eq!(timedatectl("NTPSynchronized=maybe\n"), None);
    }

    #[test]
    fn the_reference_is_the_server_in_brackets() {
        assert_eq!(
            chronyc_reference(include_str!(
                "../../../tests/fixtures/collect/timesync/chronyc-synchronised-10.0.0.123.txt"
            )),
            Some(std::net::IpAddr::from([10, 0, 0, 123]))
        );
        assert_eq!(
            chronyc_reference(include_str!(
                "../../../tests/fixtures/collect/timesync/chronyc-no-daemon.txt"
            )),
            None
        );
        assert_eq!(chronyc_reference("Reference ID    : 7F7F0101 ()\n"), None);
        assert_eq!(
            timesyncd_server(include_str!(
                "../../../tests/fixtures/collect/timesync/timedatectl-show-timesync.txt"
            )),
            Some(std::net::IpAddr::from([10, 10, 9, 20]))
        );
        assert_eq!(timesyncd_server("ServerName=ntp\n"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let text = String::from_utf8_lossy(&bytes);
            let _ = timedatectl(&text);
            let _ = chronyc(&text);
            let _ = chronyc_reference(&text);
            let _ = timesyncd_server(&text);
        }
    }
}
