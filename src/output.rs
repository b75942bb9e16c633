//! Writing what capdo produces to files: atomically, so a reader sees the old file or the new
//! one, never a torn one. Used by every command and by the evidence bundle; knows nothing of the
//! command line.
//!
//! The temporary file of a write has an unpredictable name and is created with
//! `O_CREAT|O_EXCL` in the target's folder (through `tempfile`), so nothing planted there (a
//! file, a symlink) can receive the bytes; the rename then replaces the target itself, never
//! what a symlink at the target points to. Reports keep the user's umask; what holds raw host
//! output ([`Mode::Private`]: facts files, evidence bundles) is readable by its owner only.

use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
use std::path::Path;

use anyhow::{Context as _, anyhow, bail};

/// Who may read a written file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `0666` less the umask, as any program's output (reports, rendered files).
    Shared,
    /// `0600`: raw host output and what is derived from it (facts files, evidence bundles).
    Private,
}

/// Write `bytes` to `path` with the umask's permissions, through a temporary file in the same
/// folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic_mode(path, bytes, Mode::Shared)
}

/// Write `bytes` to `path` with `mode`, through a temporary file in the same folder and a
/// rename.
pub fn write_atomic_mode(path: &Path, bytes: &[u8], mode: Mode) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| anyhow!("`{}` is not a file name", path.display()))?;
    let bits = match mode {
        Mode::Shared => 0o666,
        Mode::Private => 0o600,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(bits))
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in `{}`", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    // On failure the temporary file is removed when `tmp` is dropped.
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(())
}

/// Create `dir` and its missing parents; the folders created are `0700` for [`Mode::Private`].
pub fn create_dir_all(dir: &Path, mode: Mode) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    if mode == Mode::Private {
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .with_context(|| format!("cannot create `{}`", dir.display()))
}

/// Refuse a path under `root` that passes through a symbolic link (`root` itself, which the
/// user named, may be one): what is written into a tree stays in that tree.
pub fn refuse_symlinks_below(root: &Path, path: &Path) -> anyhow::Result<()> {
    let Ok(rest) = path.strip_prefix(root) else {
        bail!("`{}` is not inside `{}`", path.display(), root.display());
    };
    let mut at = root.to_path_buf();
    for part in rest.components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => bail!(
                "`{}` is a symbolic link; capdo does not write through links inside `{}`",
                at.display(),
                root.display()
            ),
            _ => {}
        }
    }
    Ok(())
}

/// "1 server", "2 servers".
pub fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::MetadataExt as _;

    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn an_atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.txt");
        write_atomic(&path, b"one").expect("first write");
        write_atomic(&path, b"two").expect("second write");
        assert_eq!(std::fs::read(&path).expect("read back"), b"two");
        assert_eq!(names(dir.path()), ["out.txt"]);
    }

    #[test]
    fn a_symlink_planted_at_the_old_temporary_name_receives_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"keep").expect("victim");
        // The name the previous implementation used: `.NAME.tmpPID`.
        let planted = dir
            .path()
            .join(format!(".report.json.tmp{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).expect("plant");
        let path = dir.path().join("report.json");
        write_atomic(&path, b"{}").expect("write");
        assert_eq!(std::fs::read(&victim).expect("victim"), b"keep");
        assert_eq!(std::fs::read(&path).expect("report"), b"{}");
    }

    #[test]
    fn a_symlink_at_the_target_is_replaced_not_followed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"keep").expect("victim");
        let path = dir.path().join("out");
        std::os::unix::fs::symlink(&victim, &path).expect("link");
        write_atomic(&path, b"new").expect("write");
        assert_eq!(std::fs::read(&victim).expect("victim"), b"keep");
        assert!(
            !std::fs::symlink_metadata(&path)
                .expect("meta")
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn private_files_and_folders_are_for_the_owner_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let sub = dir.path().join("a/b");
        create_dir_all(&sub, Mode::Private).expect("dirs");
        assert_eq!(std::fs::metadata(&sub).expect("meta").mode() & 0o777, 0o700);
        let path = sub.join("facts.json");
        write_atomic_mode(&path, b"{}", Mode::Private).expect("write");
        assert_eq!(
            std::fs::metadata(&path).expect("meta").mode() & 0o777,
            0o600
        );
        let shared = sub.join("report.json");
        write_atomic(&shared, b"{}").expect("write");
        // Whatever the umask, a shared file is at least readable by its owner and never
        // executable.
        let m = std::fs::metadata(&shared).expect("meta").mode() & 0o777;
        assert!(m & 0o600 == 0o600 && m & 0o111 == 0, "{m:o}");
    }

    #[test]
    fn a_link_inside_the_output_tree_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("out");
        std::fs::create_dir_all(root.join("web01")).expect("dirs");
        std::os::unix::fs::symlink("/etc", root.join("web01/etc")).expect("link");
        let err = refuse_symlinks_below(&root, &root.join("web01/etc/ssh/sshd_config"))
            .expect_err("refused");
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(refuse_symlinks_below(&root, &root.join("db01/etc/x")).is_ok());
    }

    #[test]
    fn plural_counts() {
        assert_eq!(plural(1, "host"), "1 host");
        assert_eq!(plural(0, "host"), "0 hosts");
    }
}
