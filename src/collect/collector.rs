//! The collector script and what is sent with it.
//!
//! The script is a constant: [`command`] is the same for every host and every inventory (a test
//! keeps it so). What differs per host, the section marker and the backup paths to look at,
//! travels as data on the script's stdin ([`Request::input`]) and is only ever read with
//! `read -r` and used in quotes, never evaluated.

use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The POSIX sh collector (see `collector.sh` for the protocol).
pub const SCRIPT: &str = include_str!("collector.sh");

/// The exec command: `sh -c '<script>'`. It needs a POSIX-like login shell (sh, bash, dash,
/// ksh, zsh) on the host, as OpenSSH passes it to `$SHELL -c`.
pub fn command() -> &'static str {
    static COMMAND: OnceLock<String> = OnceLock::new();
    COMMAND.get_or_init(|| format!("sh -c '{}'", SCRIPT.replace('\'', r"'\''")))
}

/// The file reader used by `capdo drift`: as static as the collector, paths on stdin.
pub const READ_FILES: &str = include_str!("read_files.sh");

/// The exec command for [`READ_FILES`].
pub fn read_files_command() -> &'static str {
    static COMMAND: OnceLock<String> = OnceLock::new();
    COMMAND.get_or_init(|| format!("sh -c '{}'", READ_FILES.replace('\'', r"'\''")))
}

/// The reader's stdin: the marker, the options, one path per line (paths with a line break
/// cannot be sent and are left out).
/// Each read is killed on the host after 30 s; [`read_files_input_with_timeout`] sets the host's
/// deadline instead.
pub fn read_files_input(nonce: &str, sudo: bool, paths: &[&str]) -> Vec<u8> {
    read_files_input_with_timeout(nonce, sudo, paths, None)
}

/// [`read_files_input`], with every read on the host killed after `timeout` seconds.
pub fn read_files_input_with_timeout(
    nonce: &str,
    sudo: bool,
    paths: &[&str],
    timeout: Option<u64>,
) -> Vec<u8> {
    let mut opts: Vec<String> = timeout
        .map(|t| format!("timeout={t}"))
        .into_iter()
        .collect();
    if sudo {
        opts.push("sudo".into());
    }
    let mut s = format!("{nonce}\n{}\n", opts.join(" "));
    for p in paths.iter().filter(|p| !p.contains(['\n', '\r', '\0'])) {
        s.push_str(p);
        s.push('\n');
    }
    s.into_bytes()
}

/// What one host's collector run is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Frames the sections of the output; fresh for each run.
    pub nonce: String,
    /// Read root-only files and tools with `sudo -n`.
    pub sudo: bool,
    /// Directories whose newest file's age is wanted.
    pub backup_paths: Vec<String>,
    /// Seconds after which any single read on the host is killed (the host's deadline).
    pub command_timeout: u64,
    /// TCP ports whose TLS versions are probed (`tls PORT` sections).
    pub tls_ports: Vec<u16>,
    /// Where a probed service that answers on no loopback address is tried: the server's
    /// declared addresses.
    pub addresses: Vec<std::net::IpAddr>,
    /// Cleartext HTTP ports of a public web server (`http PORT` sections), asked for with
    /// `http_host` (the public name) as the Host header.
    pub http_ports: Vec<u16>,
    pub http_host: Option<String>,
}

impl Request {
    pub fn new(sudo: bool, backup_paths: Vec<String>, command_timeout: u64) -> Self {
        Self {
            nonce: nonce(),
            sudo,
            backup_paths,
            command_timeout,
            tls_ports: vec![],
            addresses: vec![],
            http_ports: vec![],
            http_host: None,
        }
    }

    /// The collector's stdin. A path with a line break could not be sent as one line; such
    /// paths are left out (the backup facts then say so).
    pub fn input(&self) -> Vec<u8> {
        let mut opts = format!("timeout={}", self.command_timeout);
        if self.sudo {
            opts.push_str(" sudo");
        }
        let mut s = format!("{}\n{opts}\n", self.nonce);
        for p in self.sendable_paths() {
            s.push_str("backup-path ");
            s.push_str(p);
            s.push('\n');
        }
        for p in &self.tls_ports {
            s.push_str(&format!("tls-port {p}\n"));
        }
        if !self.tls_ports.is_empty() || !self.http_ports.is_empty() {
            for a in &self.addresses {
                s.push_str(&format!("address {a}\n"));
            }
        }
        for p in &self.http_ports {
            s.push_str(&format!("http-port {p}\n"));
        }
        // A name the collector would drop anyway is not sent.
        if let Some(h) = self.http_host.as_deref().filter(|h| {
            !self.http_ports.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        }) {
            s.push_str(&format!("http-host {h}\n"));
        }
        s.into_bytes()
    }

    /// The request with a GET of `/` on each of `ports`, for the name `host`.
    pub fn with_http(mut self, ports: Vec<u16>, host: Option<String>) -> Self {
        self.http_ports = ports;
        self.http_host = host;
        self
    }

    /// The request with TLS probes of `ports`.
    pub fn with_tls(mut self, ports: Vec<u16>) -> Self {
        self.tls_ports = ports;
        self
    }

    /// The request with the server's declared addresses, where a probed service that answers
    /// on no loopback address is tried.
    pub fn with_addresses(mut self, addresses: Vec<std::net::IpAddr>) -> Self {
        self.addresses = addresses;
        self
    }

    pub fn sendable_paths(&self) -> impl Iterator<Item = &str> {
        self.backup_paths
            .iter()
            .map(String::as_str)
            .filter(|p| !p.contains(['\n', '\r', '\0']))
    }
}

/// 16 hex digits, different for every call. Not a secret: it only has to be unknown to the
/// files a host prints, so that their content cannot pass for a section marker.
pub fn nonce() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.write_u32(std::process::id());
    format!("{:016x}", h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_is_one_constant_for_every_host() {
        // Nothing per host or per inventory goes into the command: two requests with different
        // paths share it, and it does not contain their data.
        let a = Request::new(false, vec!["/var/backups/a".into()], 40);
        let b = Request::new(true, vec!["/srv/$(reboot)".into()], 40);
        assert_ne!(a.nonce, b.nonce);
        let cmd = command();
        assert!(cmd.starts_with("sh -c '# capdo collector v1"));
        assert!(!cmd.contains(&a.nonce) && !cmd.contains("/srv/"));
        assert_eq!(cmd, command());
    }

    #[test]
    fn input_carries_the_data_as_lines() {
        let mut r = Request::new(
            true,
            vec!["/var/backups/app".into(), "/bad\npath".into()],
            40,
        );
        r.nonce = "00ff00ff00ff00ff".into();
        assert_eq!(
            String::from_utf8(r.input()).expect("utf-8"),
            "00ff00ff00ff00ff\ntimeout=40 sudo\nbackup-path /var/backups/app\n"
        );
    }

    #[test]
    fn tls_ports_and_addresses_travel_as_lines() {
        let mut r = Request::new(false, vec![], 30)
            .with_tls(vec![443, 8443])
            .with_addresses(vec![
                "10.0.0.5".parse().expect("ip"),
                "fd00::5".parse().expect("ip"),
            ]);
        r.nonce = "00ff00ff00ff00ff".into();
        assert_eq!(
            String::from_utf8(r.input()).expect("utf-8"),
            "00ff00ff00ff00ff\ntimeout=30\ntls-port 443\ntls-port 8443\naddress 10.0.0.5\naddress fd00::5\n"
        );
        // No probe, no address line: the addresses only serve the probes.
        let mut r =
            Request::new(false, vec![], 30).with_addresses(vec!["10.0.0.5".parse().expect("ip")]);
        r.nonce = "00ff00ff00ff00ff".into();
        assert_eq!(r.input(), b"00ff00ff00ff00ff\ntimeout=30\n");
        // HTTP probes: the ports, then the public name unless the script would drop it.
        let mut r = Request::new(false, vec![], 30)
            .with_http(vec![80, 8080], Some("dvc.bnv.gov.vn".into()));
        r.nonce = "00ff00ff00ff00ff".into();
        assert_eq!(
            String::from_utf8(r.input()).expect("utf-8"),
            "00ff00ff00ff00ff\ntimeout=30\nhttp-port 80\nhttp-port 8080\nhttp-host dvc.bnv.gov.vn\n"
        );
        let mut r = Request::new(false, vec![], 30).with_http(vec![80], Some("cổng.vn".into()));
        r.nonce = "00ff00ff00ff00ff".into();
        assert_eq!(r.input(), b"00ff00ff00ff00ff\ntimeout=30\nhttp-port 80\n");
    }

    #[test]
    fn nonces_are_hex_and_distinct() {
        let n: std::collections::BTreeSet<String> = (0..1000).map(|_| nonce()).collect();
        assert_eq!(n.len(), 1000);
        assert!(
            n.iter()
                .all(|x| x.len() == 16 && x.chars().all(|c| c.is_ascii_hexdigit()))
        );
    }

    #[test]
    fn the_scripts_parse_as_posix_sh() {
        // `sh -n` checks syntax without running anything.
        for script in [SCRIPT, READ_FILES] {
            let out = std::process::Command::new("sh")
                .args(["-n", "-c", script])
                .output()
                .expect("sh");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    /// Run the part of the collector before its first section (the preamble, its functions and
    /// the backup-path loop) with `input`, in `cwd`.
    fn run_backup_loop(input: &str, cwd: &std::path::Path) -> String {
        let head = SCRIPT
            .split("\nsec id id -u\n")
            .next()
            .expect("the collector's first section");
        // The sections are written in one `{ … } | dd` group, opened before the backup loop.
        assert!(
            head.contains("\n{\n"),
            "the output group opens before the first section"
        );
        run_sh(&format!("{head}\n}} | cat\nexit 0\n"), input, cwd)
    }

    /// Run `script` with `input` on its stdin, in `cwd`; its stdout.
    fn run_sh(script: &str, input: &str, cwd: &std::path::Path) -> String {
        let mut child = std::process::Command::new("sh")
            .args(["-c", script])
            .current_dir(cwd)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("sh");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("wait");
        String::from_utf8(out.stdout).expect("utf-8")
    }

    #[test]
    fn a_backup_path_starting_with_a_dash_is_never_a_find_option() {
        // `find -delete -xdev …` would delete the login user's files; `find -newer x` would read
        // another file's time. Only absolute paths are searched.
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("keep-me");
        std::fs::write(&victim, "x").expect("write");
        std::fs::create_dir(dir.path().join("-newer")).expect("mkdir");
        std::fs::write(dir.path().join("-newer/f"), "x").expect("write");
        let backups = dir.path().join("backups");
        std::fs::create_dir(&backups).expect("mkdir");
        std::fs::write(backups.join("b.tar"), "x").expect("write");
        let nonce = "0123456789abcdef";
        let input = format!(
            "{nonce}\ntimeout=5\nbackup-path -delete\nbackup-path -newer\nbackup-path {}\n",
            backups.display()
        );
        let text = run_backup_loop(&input, dir.path());
        assert!(victim.exists(), "a backup path deleted a file: {text}");
        let sections = crate::collect::parse::sections::split(&text, nonce);
        assert_eq!(sections.len(), 3, "{text}");
        for s in &sections[..2] {
            assert_eq!(s.rc, Some(2), "{text}");
            assert!(
                s.body.trim_end().ends_with(": not an absolute path"),
                "{text}"
            );
        }
        assert_eq!(sections[2].rc, Some(0), "{text}");
        let t: f64 = sections[2].body.trim().parse().expect("an mtime");
        assert!(t > 0.0);
    }

    #[test]
    fn secrets_are_scrubbed_on_the_host_and_the_reads_status_kept() {
        // The collector's functions, then `files` on a file holding a secret of every kind
        // capdo knows, and `scrubbed` of a command that fails.
        let head = SCRIPT
            .split("\n# The output leaves in blocks")
            .next()
            .expect("the collector's functions");
        let dir = tempfile::tempdir().expect("tempdir");
        let conf = dir.path().join("secrets.conf");
        let plain = "plain line: nothing to hide, mkdir -p /x, ssh -p2222\n";
        std::fs::write(
            &conf,
            format!(
                "30 1 * * * root mysqldump -uroot -pS3cret1 --all > /b\n\
                 ExecStart=/x -pS3cret2 -p2222\nEnvironment=PGPASSWORD=S3cret3\n\
                 x --password=S3cret4 y\naction(pwd=\"S3cret5\" server=\"a\")\n\
                 httpheaders=[\"Authorization: Bearer S3cret6\"]\n\
                 hosts: [\"https://elastic:S3cret7@10.0.0.7:9200\"]\n\
                 -----BEGIN RSA PRIVATE KEY-----\nS3cret8\n-----END RSA PRIVATE KEY-----\n{plain}"
            ),
        )
        .expect("write");
        let script = format!(
            "{head}\nfiles {}\nscrubbed sh -c \"echo out; exit 3\"; echo \"rc=$?\"\n",
            conf.display()
        );
        let text = run_sh(&script, "0123456789abcdef\ntimeout=5\n", dir.path());
        for i in 1..=8 {
            assert!(!text.contains(&format!("S3cret{i}")), "S3cret{i}: {text}");
        }
        assert!(text.contains(plain), "{text}");
        assert!(
            text.contains("-p2222\n") && text.contains("10.0.0.7:9200"),
            "{text}"
        );
        assert!(text.ends_with("out\nrc=3\n"), "{text}");
        // The same output through capdo's own redaction is unchanged: both sides agree.
        let body = text.split("rc=3").next().unwrap_or("");
        assert!(
            matches!(
                crate::collect::redact::redact(body, "0"),
                std::borrow::Cow::Borrowed(_)
            ),
            "{body}"
        );
    }

    /// The command lines of `script` that run one of `tools` (comments left out).
    fn lines_running<'a>(script: &'a str, tools: &[&str]) -> Vec<&'a str> {
        script
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with('#'))
            .filter(|l| {
                l.split(|c: char| c.is_whitespace() || c == '(' || c == '|')
                    .any(|w| tools.contains(&w))
            })
            .collect()
    }

    #[test]
    fn every_read_in_both_scripts_runs_under_timeout() {
        // A read of a file on a hung mount must be killed on the host: each one goes through
        // `$T` (timeout), or `priv`, `sec`, `psec`, which add it.
        for (name, script) in [("collector.sh", SCRIPT), ("read_files.sh", READ_FILES)] {
            for l in lines_running(script, &["head", "cat", "cut", "grep", "find", "awk"]) {
                if l.contains("command -v") || l.contains("$(cat -- \"$f\" 2>/dev/null)") {
                    // The /proc reads of ipv6-sysctl and processes: kernel files, never blocking.
                    continue;
                }
                let bounded = ["$T ", "priv ", "sec ", "psec "].iter().any(|w| {
                    l.starts_with(w)
                        || l.contains(&format!(" {w}"))
                        || l.contains(&format!("| {w}"))
                });
                assert!(bounded, "{name}: a read without timeout: {l}");
            }
        }
        assert!(
            READ_FILES.contains("timeout=*)"),
            "read_files.sh takes the deadline"
        );
    }

    #[test]
    fn every_path_argument_follows_a_double_dash() {
        for (name, script) in [("collector.sh", SCRIPT), ("read_files.sh", READ_FILES)] {
            for l in lines_running(script, &["head", "cat", "cut", "grep", "ls"]) {
                if l.contains("command -v") {
                    continue;
                }
                assert!(
                    l.contains(" -- "),
                    "{name}: a path without `--` before it: {l}"
                );
            }
        }
    }

    #[test]
    fn the_file_reader_reads_what_it_is_given_as_data() {
        let dir = tempfile::tempdir().expect("tempdir");
        let tricky = dir.path().join("a file; $(touch pwned)");
        std::fs::write(&tricky, "content\n").expect("write");
        let missing = dir.path().join("missing");
        // A FIFO would block a reader forever; it is never opened.
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(made.success());
        let nonce = "0123456789abcdef";
        let input = read_files_input(
            nonce,
            false,
            &[
                tricky.to_str().expect("utf-8"),
                missing.to_str().expect("utf-8"),
                fifo.to_str().expect("utf-8"),
            ],
        );
        let mut child = std::process::Command::new("sh")
            .args(["-c", READ_FILES])
            .current_dir(dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("sh");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(&input)
            .expect("write");
        let out = child.wait_with_output().expect("wait");
        let text = String::from_utf8(out.stdout).expect("utf-8");
        let sections = crate::collect::parse::sections::split(&text, nonce);
        assert_eq!(sections.len(), 3, "{text}");
        assert_eq!(sections[0].body, "content\n");
        assert_eq!(sections[0].rc, Some(0));
        assert_eq!(sections[1].rc, Some(2));
        assert_eq!(
            (sections[2].rc, sections[2].body.as_str()),
            (Some(3), "capdo: not a regular file\n")
        );
        assert!(!dir.path().join("pwned").exists(), "a path is never run");
    }
}
