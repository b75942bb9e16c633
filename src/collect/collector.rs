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
pub fn read_files_input(nonce: &str, sudo: bool, paths: &[&str]) -> Vec<u8> {
    let mut s = format!("{nonce}\n{}\n", if sudo { "sudo" } else { "" });
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
}

impl Request {
    pub fn new(sudo: bool, backup_paths: Vec<String>, command_timeout: u64) -> Self {
        Self {
            nonce: nonce(),
            sudo,
            backup_paths,
            command_timeout,
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
        s.into_bytes()
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
