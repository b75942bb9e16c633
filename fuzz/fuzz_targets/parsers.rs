//! Each section parser on its own, fed arbitrary text.
#![no_main]

use capdo::collect::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let files = vec![("/etc/ssh/sshd_config".to_owned(), text.to_string())];
    let _ = parse::os_release::parse(&text);
    let _ = parse::nft::parse(&text);
    let _ = parse::iptables::parse(&text, &text);
    let _ = parse::ipv6::parse(&text, &text, false);
    let _ = parse::listen::ss(&text);
    let _ = parse::listen::proc_net(&text, &text, &text, &text);
    let _ = parse::sshd::from_t(&text);
    let _ = parse::sshd::from_files(&files);
    let _ = parse::jobs::cron(&[("/etc/crontab".to_owned(), text.to_string())], &text);
    let _ = parse::jobs::timers(&[("/etc/systemd/system/a.timer".to_owned(), text.to_string())]);
    let _ = parse::logfwd::parse(&[("/etc/rsyslog.conf".to_owned(), text.to_string())]);
    let _ = parse::procs::parse(&text);
    let _ = parse::timesync::timedatectl(&text);
    let _ = parse::timesync::chronyc(&text);
    let _ = parse::sections::split(&text, "0123456789abcdef");
    let pam = vec![("/etc/pam.d/common-auth".to_owned(), text.to_string())];
    let _ = parse::pam::password(&pam, &[&text], &text);
    let _ = parse::pam::lockout(&pam, &text);
    let _ = parse::pam::pass_max_days(&text);
    let _ = parse::profile::tmout(&[("/etc/profile".to_owned(), text.to_string())]);
    let _ = parse::accounts::passwd(&text);
    let _ = parse::accounts::locked(&text);
    let _ = parse::accounts::last_login(&text, 1_700_000_000);
    let _ = parse::updates::apt(&text);
    let _ = parse::updates::apt_has_lists(&text);
    let _ = parse::updates::dnf(&text, &text);
    let rotate = vec![
        ("/etc/logrotate.conf".to_owned(), text.to_string()),
        ("/etc/logrotate.d/a".to_owned(), text.to_string()),
    ];
    let _ = parse::logrotate::retention(&rotate);
    let _ = parse::logrotate::journald(&[("/etc/systemd/journald.conf".to_owned(), text.to_string())]);
});
