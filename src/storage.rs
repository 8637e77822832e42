//! Content-addressed file storage in the data directory: a file's key is derived from its
//! SHA-256, so identical uploads are stored once and a stored file never changes.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Whether an I/O error means the disk (or the quota) is full.
pub fn is_full(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
    ) || matches!(e.raw_os_error(), Some(28 | 122)) // ENOSPC, EDQUOT
}

/// What a person is told when the disk is full.
pub const FULL_MESSAGE: &str =
    "服务器存储空间不足，上传的文件没有保存；已有的数据不受影响。请稍后再试，或联系平台管理员。";

#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub sha256: String,
    /// Relative path under the store: `ab/abcdef…`.
    pub key: String,
    pub size: u64,
}

impl FileStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Stores the bytes (atomically: a temporary file renamed into place).
    pub fn put(&self, bytes: &[u8]) -> io::Result<StoredFile> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let key = format!("{}/{}", &sha256[..2], sha256);
        let path = self.root.join(&key);
        if !path.exists() {
            let dir = path.parent().unwrap_or(&self.root);
            std::fs::create_dir_all(dir)?;
            let tmp = dir.join(format!(".{sha256}.{}.tmp", std::process::id()));
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
        }
        Ok(StoredFile {
            sha256,
            key,
            size: bytes.len() as u64,
        })
    }

    /// Moves a finished file into the store under its SHA-256 (hashed by streaming, so any size
    /// works in constant memory). The file must be on the same file system as the store.
    pub fn adopt(&self, path: &Path) -> io::Result<StoredFile> {
        let mut h = Sha256::new();
        let mut f = std::fs::File::open(path)?;
        let size = io::copy(&mut f, &mut h)?;
        let sha256 = hex::encode(h.finalize());
        let key = format!("{}/{}", &sha256[..2], sha256);
        let target = self.root.join(&key);
        if target.exists() {
            std::fs::remove_file(path)?;
        } else {
            std::fs::create_dir_all(target.parent().unwrap_or(&self.root))?;
            std::fs::rename(path, &target)?;
        }
        Ok(StoredFile { sha256, key, size })
    }

    /// As [`FileStore::adopt`] for a file whose SHA-256 the caller computed while writing it
    /// (an upload is hashed as it streams in, so it is not read a second time).
    pub fn adopt_hashed(&self, path: &Path, sha256: &str, size: u64) -> io::Result<StoredFile> {
        let key = format!("{}/{}", &sha256[..2], sha256);
        if self.path(&key).is_none() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a SHA-256"));
        }
        let target = self.root.join(&key);
        if target.exists() {
            std::fs::remove_file(path)?;
        } else {
            std::fs::create_dir_all(target.parent().unwrap_or(&self.root))?;
            std::fs::rename(path, &target)?;
        }
        Ok(StoredFile {
            sha256: sha256.to_owned(),
            key,
            size,
        })
    }

    /// Deletes a stored file (callers check that nothing refers to it any more).
    pub fn remove(&self, key: &str) -> io::Result<()> {
        match self.path(key) {
            Some(p) => match std::fs::remove_file(p) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a store key",
            )),
        }
    }

    /// A directory for temporary files on the same file system as the store.
    pub fn scratch(&self) -> io::Result<PathBuf> {
        let dir = self.root.join(".tmp");
        std::fs::create_dir_all(&dir)?;
        Ok(dir)
    }

    /// The path of a stored file; `None` for a key that is not of the form this store makes.
    pub fn path(&self, key: &str) -> Option<PathBuf> {
        let (dir, name) = key.split_once('/')?;
        let hex_ok = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        };
        (dir.len() == 2 && name.len() == 64 && name.starts_with(dir) && hex_ok(name))
            .then(|| self.root.join(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_by_content_and_refuses_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        let a = store.put("线路名称\n1路\n".as_bytes()).unwrap();
        let b = store.put("线路名称\n1路\n".as_bytes()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.key, format!("{}/{}", &a.sha256[..2], a.sha256));
        let path = store.path(&a.key).unwrap();
        assert_eq!(std::fs::read(path).unwrap(), "线路名称\n1路\n".as_bytes());
        for bad in [
            "../etc/passwd",
            "ab/../../x",
            "",
            "ab",
            &format!("zz/{}", a.sha256),
        ] {
            assert!(store.path(bad).is_none(), "{bad}");
        }
    }
}
