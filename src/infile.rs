//! Opening input files (inventory files, the waivers file, policy packs, templates) the one
//! safe way. An input may come from a merge request: a file in it must not make capdo read
//! something outside the folder it was given, block, or fill memory.
//!
//! The rule: an input is read only when it is a regular file, no larger than its limit, whose
//! real path (symbolic links resolved) lies inside the folder it was found in (the `root`). A
//! link that stays inside the folder is followed; one that leaves it (`x.toml ->
//! ~/.ssh/id_ed25519`), a FIFO, a device, a folder where a file is expected, or a file over the
//! limit is refused with a reason, before a byte of it is read. Nothing here prints.

use std::io::Read as _;
use std::path::{Path, PathBuf};

/// Why an input file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Its real path lies outside the input folder.
    OutsideRoot { real: PathBuf, root: PathBuf },
    /// Not a regular file (a FIFO, a device, a socket, a folder).
    NotRegular(&'static str),
    /// Larger than the limit (bytes).
    TooLarge(u64),
    /// The system refused (missing, unreadable, a dangling link).
    Io(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::OutsideRoot { real, root } => write!(
                f,
                "it is a link to `{}`, outside `{}`; capdo reads no input through a link that leaves its folder",
                real.display(),
                root.display()
            ),
            Refused::NotRegular(kind) => write!(f, "it is {kind}, not a regular file"),
            Refused::TooLarge(limit) => write!(f, "it is larger than {}", size(*limit)),
            Refused::Io(why) => f.write_str(why),
        }
    }
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes >> 10)
    }
}

/// Read `path`, an input found in (or named inside) the folder `root`, if it is a regular file
/// of at most `max` bytes that stays inside `root`.
pub fn read(path: &Path, root: &Path, max: u64) -> Result<Vec<u8>, Refused> {
    let io = |e: std::io::Error| Refused::Io(e.to_string());
    let real = path.canonicalize().map_err(io)?;
    let real_root = root.canonicalize().map_err(io)?;
    if !real.starts_with(&real_root) {
        return Err(Refused::OutsideRoot {
            real,
            root: root.to_path_buf(),
        });
    }
    // Decided from the metadata, before opening: opening a FIFO for reading would block.
    let meta = std::fs::metadata(&real).map_err(io)?;
    check(&meta, max)?;
    let file = std::fs::File::open(&real).map_err(io)?;
    // The file opened is the one checked (not swapped for a FIFO or a device in between).
    check(&file.metadata().map_err(io)?, max)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max {
        return Err(Refused::TooLarge(max));
    }
    Ok(bytes)
}

/// [`read`], as UTF-8 text: a file that is not is refused (its bytes are never shown).
pub fn read_text(path: &Path, root: &Path, max: u64) -> Result<String, Refused> {
    String::from_utf8(read(path, root, max)?).map_err(|e| {
        Refused::Io(format!(
            "it is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

fn check(meta: &std::fs::Metadata, max: u64) -> Result<(), Refused> {
    use std::os::unix::fs::FileTypeExt as _;
    let t = meta.file_type();
    let kind = if t.is_file() {
        None
    } else if t.is_dir() {
        Some("a folder")
    } else if t.is_fifo() {
        Some("a FIFO")
    } else if t.is_char_device() || t.is_block_device() {
        Some("a device")
    } else if t.is_socket() {
        Some("a socket")
    } else {
        Some("a special file")
    };
    if let Some(kind) = kind {
        return Err(Refused::NotRegular(kind));
    }
    if meta.len() > max {
        return Err(Refused::TooLarge(max));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("inventory");
        std::fs::create_dir_all(&root).expect("root");
        (dir, root)
    }

    #[test]
    fn a_regular_file_inside_the_folder_is_read() {
        let (_d, root) = setup();
        std::fs::write(root.join("a.toml"), "x = 1\n").expect("write");
        assert_eq!(
            read_text(&root.join("a.toml"), &root, 100).expect("read"),
            "x = 1\n"
        );
    }

    #[test]
    fn a_link_inside_the_folder_is_followed_and_one_leaving_it_is_refused() {
        let (d, root) = setup();
        std::fs::write(root.join("a.toml"), "x = 1\n").expect("write");
        std::os::unix::fs::symlink("a.toml", root.join("b.toml")).expect("inner link");
        assert!(read(&root.join("b.toml"), &root, 100).is_ok());
        let secret = d.path().join("id_ed25519");
        std::fs::write(&secret, "-----BEGIN OPENSSH PRIVATE KEY-----\n").expect("secret");
        std::os::unix::fs::symlink(&secret, root.join("x.toml")).expect("outer link");
        let err = read(&root.join("x.toml"), &root, 100).expect_err("refused");
        assert!(matches!(err, Refused::OutsideRoot { .. }), "{err}");
        assert!(!err.to_string().contains("BEGIN"), "{err}");
    }

    #[test]
    fn special_files_are_refused_without_blocking() {
        let (_d, root) = setup();
        std::os::unix::fs::symlink("/dev/zero", root.join("zero.toml")).expect("link");
        // /dev is outside the folder: refused for that before anything else.
        assert!(read(&root.join("zero.toml"), &root, 100).is_err());
        let made = std::process::Command::new("mkfifo")
            .arg(root.join("fifo.toml"))
            .status()
            .expect("mkfifo");
        assert!(made.success());
        assert_eq!(
            read(&root.join("fifo.toml"), &root, 100),
            Err(Refused::NotRegular("a FIFO"))
        );
        std::fs::create_dir_all(root.join("dir.toml")).expect("dir");
        assert_eq!(
            read(&root.join("dir.toml"), &root, 100),
            Err(Refused::NotRegular("a folder"))
        );
    }

    #[test]
    fn an_oversized_file_is_refused_before_it_is_read() {
        let (_d, root) = setup();
        std::fs::write(root.join("big.toml"), vec![b'#'; 101]).expect("write");
        assert_eq!(
            read(&root.join("big.toml"), &root, 100),
            Err(Refused::TooLarge(100))
        );
        assert_eq!(
            Refused::TooLarge(32 << 20).to_string(),
            "it is larger than 32 MiB"
        );
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_without_its_bytes() {
        let (_d, root) = setup();
        std::fs::write(root.join("bin.toml"), b"ok\xff\xfesecret").expect("write");
        let err = read_text(&root.join("bin.toml"), &root, 100).expect_err("refused");
        assert!(err.to_string().contains("offset 2"), "{err}");
        assert!(!err.to_string().contains("secret"));
    }
}
