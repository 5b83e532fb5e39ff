//! Where a fetch-mode [`Poller`](super::Poller) keeps its offset between runs.

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::sync::Mutex;

/// Keeps the offset of the next event to read (`imbot.v2.Event.get`'s `offset`), so that a
/// restarted poller resumes where the last one stopped.
pub trait OffsetStore: Send + Sync {
    /// The saved offset; `None` before the first save.
    fn load(&self) -> impl Future<Output = io::Result<Option<i64>>> + Send;
    /// Saves the offset.
    fn save(&self, offset: i64) -> impl Future<Output = io::Result<()>> + Send;
}

/// An offset kept in memory (lost with the process).
#[derive(Debug, Default)]
pub struct MemoryOffset(Mutex<Option<i64>>);

impl MemoryOffset {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The offset saved last.
    pub fn get(&self) -> Option<i64> {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl OffsetStore for MemoryOffset {
    fn load(&self) -> impl Future<Output = io::Result<Option<i64>>> + Send {
        std::future::ready(Ok(self.get()))
    }

    fn save(&self, offset: i64) -> impl Future<Output = io::Result<()>> + Send {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(offset);
        std::future::ready(Ok(()))
    }
}

/// An offset kept in a small text file (the number alone). A save writes a temporary file
/// beside it and renames it over the old one, so a crash leaves the old or the new offset,
/// never half a number.
#[derive(Debug, Clone)]
pub struct FileOffset {
    path: PathBuf,
}

impl FileOffset {
    /// A store in the file at `path` (created on the first save).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileOffset { path: path.into() }
    }
}

impl OffsetStore for FileOffset {
    fn load(&self) -> impl Future<Output = io::Result<Option<i64>>> + Send {
        let read = match std::fs::read_to_string(&self.path) {
            Ok(text) => text.trim().parse::<i64>().map(Some).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{} holds no offset: {e}", self.path.display()),
                )
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        };
        std::future::ready(read)
    }

    fn save(&self, offset: i64) -> impl Future<Output = io::Result<()>> + Send {
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(".tmp");
        let written = std::fs::write(&tmp, format!("{offset}\n"))
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        std::future::ready(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn file_offsets_survive_and_bad_files_are_errors() {
        let dir = std::env::temp_dir().join(format!("bitrix-offset-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("offset");
        let _ = std::fs::remove_file(&path);
        let store = FileOffset::new(&path);
        assert_eq!(store.load().await.unwrap(), None);
        store.save(42).await.unwrap();
        assert_eq!(FileOffset::new(&path).load().await.unwrap(), Some(42));
        std::fs::write(&path, "x").unwrap();
        assert!(store.load().await.is_err());
        let _ = std::fs::remove_dir_all(&dir);

        let mem = MemoryOffset::new();
        assert_eq!(mem.load().await.unwrap(), None);
        mem.save(7).await.unwrap();
        assert_eq!(mem.load().await.unwrap(), Some(7));
    }
}
