//! Where spec files come from: the disk, or texts held in memory. Both apply the same limits,
//! so a file's problems read the same whichever way it arrives.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest spec file accepted, in bytes (1 MiB; the largest real one is a few KiB).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Why a file could not be read: the message, and a hint when there is one.
pub type ReadError = (String, Option<String>);

/// A source of spec files.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// The file system.
    Disk,
    /// Files by full path, never touching the disk.
    Memory(&'a BTreeMap<PathBuf, String>),
}

impl Source<'_> {
    /// Whether `dir` is a directory (in memory: whether any file lies under it).
    pub fn is_dir(&self, dir: &Path) -> bool {
        match self {
            Source::Disk => dir.is_dir(),
            Source::Memory(files) => files.keys().any(|p| p != dir && p.starts_with(dir)),
        }
    }

    /// The entries directly inside `dir`, unsorted.
    pub fn list(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        match self {
            Source::Disk => Ok(std::fs::read_dir(dir)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect()),
            Source::Memory(files) => {
                if !self.is_dir(dir) {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "no such directory",
                    ));
                }
                Ok(files
                    .keys()
                    .filter(|p| p.parent() == Some(dir))
                    .cloned()
                    .collect())
            }
        }
    }

    /// The text of one file: a regular file (links followed) of at most [`MAX_FILE_BYTES`],
    /// in UTF-8.
    pub fn read(&self, path: &Path) -> Result<String, ReadError> {
        match self {
            Source::Disk => read_disk(path),
            Source::Memory(files) => match files.get(path) {
                Some(text) if text.len() as u64 > MAX_FILE_BYTES => Err(too_big(text.len() as u64)),
                Some(text) => Ok(text.clone()),
                None => Err(("cannot read file: no such file".into(), None)),
            },
        }
    }
}

fn too_big(len: u64) -> ReadError {
    (
        format!("file is {len} bytes, over the limit of {MAX_FILE_BYTES} bytes (1 MiB)"),
        Some("a spec file holds one method or one table; split it or trim it".into()),
    )
}

fn not_regular(kind: &str) -> ReadError {
    (
        format!("not a regular file ({kind})"),
        Some(
            "spec files must be plain files (a link to one is fine); FIFOs, devices, sockets \
             and directories are refused"
                .into(),
        ),
    )
}

/// What kind of non-regular file this is, for the diagnostic.
fn kind(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a plain file"
    }
}

/// Reads a file from disk: checks its kind and size before opening it (opening a FIFO would
/// wait for a writer), checks again on the open handle, and never reads past the limit.
fn read_disk(path: &Path) -> Result<String, ReadError> {
    let io = |e: std::io::Error| (format!("cannot read file: {e}"), None);
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(not_regular(kind(meta.file_type())));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(not_regular(kind(meta.file_type())));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|_| {
        (
            "cannot read file: stream did not contain valid UTF-8".into(),
            Some("save the file as UTF-8".into()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_lists_only_direct_children() {
        let files: BTreeMap<PathBuf, String> = [
            ("s/methods/a.b.yaml", "x"),
            ("s/methods/sub/c.yaml", "y"),
            ("s/scopes.yaml", "z"),
        ]
        .into_iter()
        .map(|(p, t)| (PathBuf::from(p), t.to_string()))
        .collect();
        let src = Source::Memory(&files);
        assert!(src.is_dir(Path::new("s/methods")));
        assert!(!src.is_dir(Path::new("s/types")));
        assert_eq!(
            src.list(Path::new("s/methods")).unwrap(),
            vec![PathBuf::from("s/methods/a.b.yaml")]
        );
        assert!(src.list(Path::new("s/types")).is_err());
        assert_eq!(src.read(Path::new("s/scopes.yaml")).unwrap(), "z");
    }

    #[test]
    fn oversized_texts_are_refused_in_memory_too() {
        let files: BTreeMap<PathBuf, String> = [(
            PathBuf::from("big.yaml"),
            "#".repeat(MAX_FILE_BYTES as usize + 1),
        )]
        .into();
        let (msg, hint) = Source::Memory(&files)
            .read(Path::new("big.yaml"))
            .unwrap_err();
        assert!(msg.contains("1048576 bytes"), "{msg}");
        assert!(hint.is_some());
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_directories_are_refused_without_reading() {
        let (msg, _) = read_disk(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(msg, "not a regular file (a character device)");
        let (msg, _) = read_disk(Path::new("/")).unwrap_err();
        assert_eq!(msg, "not a regular file (a directory)");
    }
}
