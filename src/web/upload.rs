//! Receiving an upload: the body is streamed to a scratch file next to the file store, hashed
//! as it arrives and cut off at the configured size limit, so memory stays constant whatever
//! the size. Multipart forms (the console, API clients) and raw bodies (the API) both end as a
//! [`Received`] file ready to be adopted by the store.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use actix_multipart::Multipart;
use actix_web::web;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::storage::{FileStore, StoredFile};

/// A scratch file that is deleted when dropped unless it was moved into the store.
pub struct ScratchFile {
    path: Option<PathBuf>,
}

impl ScratchFile {
    fn new(dir: &Path) -> std::io::Result<(Self, std::fs::File)> {
        let name = format!("upload-{}", hex::encode(rand::random::<[u8; 12]>()));
        let path = dir.join(name);
        let file = std::fs::File::create(&path)?;
        Ok((Self { path: Some(path) }, file))
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        if let Some(p) = self.path.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// A file received in full.
pub struct Received {
    pub file: ScratchFile,
    pub file_name: String,
    pub size: u64,
    pub sha256: String,
    /// The first bytes, to tell the format.
    pub head: Vec<u8>,
    /// The text fields of a multipart form.
    pub fields: HashMap<String, String>,
}

impl Received {
    /// Moves the file into the store (blocking: call from a blocking context).
    pub fn adopt(mut self, store: &FileStore) -> std::io::Result<StoredFile> {
        let path = self
            .file
            .path
            .take()
            .ok_or_else(|| std::io::Error::other("already adopted"))?;
        let stored = store.adopt_hashed(&path, &self.sha256, self.size);
        if stored.is_err() {
            let _ = std::fs::remove_file(&path);
        }
        stored
    }
}

/// A client's file name as we keep it: the last path segment, no control characters, at most
/// 120 characters; `fallback` when nothing is left.
pub fn clean_file_name(raw: &str, fallback: &str) -> String {
    let name: String = raw
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    let name = name.trim();
    if name.is_empty() || name == "." || name == ".." {
        fallback.to_owned()
    } else {
        name.to_owned()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("文件超过上传上限 {0}")]
    TooLarge(String),
    #[error("请选择要上传的文件")]
    NoFile,
    #[error("上传的文件是空的（0 字节）")]
    Empty,
    #[error("表单已过期，请刷新页面后重新提交")]
    Csrf,
    #[error("上传中断或格式有误：{0}")]
    Broken(String),
    #[error("{}", crate::storage::FULL_MESSAGE)]
    StorageFull,
    #[error("服务器无法保存上传的文件")]
    Io(std::io::Error),
}

impl From<std::io::Error> for UploadError {
    /// A full disk is said as such (507): the person can do nothing about it but wait, and
    /// the operator must hear of it.
    fn from(e: std::io::Error) -> Self {
        if crate::storage::is_full(&e) {
            tracing::error!(error = %e, "the data directory is full: an upload was refused");
            UploadError::StorageFull
        } else {
            UploadError::Io(e)
        }
    }
}

/// Where a file field's bytes go while it streams in.
struct Sink {
    file: std::io::BufWriter<std::fs::File>,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
    limit: u64,
    over: bool,
}

impl Sink {
    fn new(file: std::fs::File, limit: u64) -> Self {
        Self {
            file: std::io::BufWriter::with_capacity(256 * 1024, file),
            hasher: Sha256::new(),
            size: 0,
            head: Vec::with_capacity(16),
            limit,
            over: false,
        }
    }

    /// Writes a chunk; past the limit the rest is read and dropped, so the client still gets
    /// the answer instead of a broken connection.
    fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        self.size += chunk.len() as u64;
        if self.over || self.size > self.limit {
            self.over = true;
            return Ok(());
        }
        if self.head.len() < 16 {
            let take = (16 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        self.file.write_all(chunk)
    }

    fn finish(mut self) -> Result<(u64, String, Vec<u8>), UploadError> {
        if self.over {
            return Err(UploadError::TooLarge(crate::web::format::size(
                &(self.limit as i64),
            )));
        }
        self.file.flush()?;
        self.file.get_ref().sync_all()?;
        if self.size == 0 {
            return Err(UploadError::Empty);
        }
        Ok((self.size, hex::encode(self.hasher.finalize()), self.head))
    }
}

/// Reads a multipart form: text fields into `fields`, the first file field (`file`) to a
/// scratch file. With `csrf` set, a `csrf` field must come before the file and match it.
pub async fn multipart(
    form: Multipart,
    store: &FileStore,
    limit: u64,
    csrf: Option<&str>,
) -> Result<Received, UploadError> {
    let form = multipart_form(form, store, limit, csrf).await?;
    if let Some(e) = form.too_large {
        return Err(e);
    }
    let (file, file_name, size, sha256, head) = form.file.ok_or(UploadError::NoFile)?;
    Ok(Received {
        file,
        file_name,
        size,
        sha256,
        head,
        fields: form.fields,
    })
}

/// A multipart form whose file is optional: every text field in order (repeated keys kept),
/// the last value of each, and the file if one was chosen — or why it was refused for its
/// size (the fields are still there, to show the form again).
pub struct MultipartForm {
    pub pairs: Vec<(String, String)>,
    pub fields: HashMap<String, String>,
    pub file: Option<(ScratchFile, String, u64, String, Vec<u8>)>,
    pub too_large: Option<UploadError>,
}

impl MultipartForm {
    pub fn into_received(self) -> Option<Received> {
        let (file, file_name, size, sha256, head) = self.file?;
        Some(Received {
            file,
            file_name,
            size,
            sha256,
            head,
            fields: self.fields,
        })
    }
}

/// As [`multipart`], with the file optional.
pub async fn multipart_form(
    mut form: Multipart,
    store: &FileStore,
    limit: u64,
    csrf: Option<&str>,
) -> Result<MultipartForm, UploadError> {
    let dir = store.scratch()?;
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut received: Option<(ScratchFile, String, u64, String, Vec<u8>)> = None;
    let mut too_large = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| UploadError::Broken(e.to_string()))?;
        let name = field.name().unwrap_or("").to_owned();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_owned);
        match file_name {
            Some(file_name) if name == "file" && received.is_none() => {
                if let Some(expected) = csrf
                    && fields.get("csrf").map(String::as_str) != Some(expected)
                {
                    return Err(UploadError::Csrf);
                }
                let (scratch, f) = ScratchFile::new(&dir)?;
                let mut sink = Sink::new(f, limit);
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|e| UploadError::Broken(e.to_string()))?;
                    sink.write(&chunk)?;
                }
                match sink.finish() {
                    Ok((size, sha, head)) => {
                        received = Some((scratch, file_name, size, sha, head));
                    }
                    // Keep reading: the form's other fields are still wanted for the answer.
                    Err(UploadError::Empty) if file_name.is_empty() => {}
                    Err(e @ UploadError::TooLarge(_)) => too_large = Some(e),
                    Err(e) => return Err(e),
                }
            }
            _ => {
                // A text field: small, but still bounded.
                let mut value = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|e| UploadError::Broken(e.to_string()))?;
                    if value.len() + chunk.len() > 64 * 1024 {
                        return Err(UploadError::Broken("表单字段过长".into()));
                    }
                    value.extend_from_slice(&chunk);
                }
                if pairs.len() >= 1_000 {
                    return Err(UploadError::Broken("表单字段过多".into()));
                }
                let value = String::from_utf8(value)
                    .map_err(|_| UploadError::Broken("表单字段不是有效的 UTF-8 编码".into()))?;
                pairs.push((name.clone(), value.clone()));
                fields.insert(name, value);
            }
        }
    }
    if let Some(expected) = csrf
        && fields.get("csrf").map(String::as_str) != Some(expected)
    {
        return Err(UploadError::Csrf);
    }
    Ok(MultipartForm {
        pairs,
        fields,
        file: received,
        too_large,
    })
}

/// Reads a raw request body as the file.
pub async fn raw(
    mut body: web::Payload,
    store: &FileStore,
    limit: u64,
    file_name: &str,
) -> Result<Received, UploadError> {
    let dir = store.scratch()?;
    let (file, f) = ScratchFile::new(&dir)?;
    let mut sink = Sink::new(f, limit);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| UploadError::Broken(e.to_string()))?;
        sink.write(&chunk)?;
    }
    let (size, sha256, head) = sink.finish()?;
    Ok(Received {
        file,
        file_name: file_name.to_owned(),
        size,
        sha256,
        head,
        fields: HashMap::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::clean_file_name;

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(
            clean_file_name("C:\\报告\\汛情通报.pdf", "x"),
            "汛情通报.pdf"
        );
        assert_eq!(clean_file_name("../../etc/passwd", "x"), "passwd");
        assert_eq!(clean_file_name("a\u{0}b\nc.png", "x"), "abc.png");
        assert_eq!(clean_file_name("  ", "附件.pdf"), "附件.pdf");
        assert_eq!(clean_file_name("dir/..", "附件"), "附件");
        assert_eq!(clean_file_name(&"长".repeat(300), "x").chars().count(), 120);
    }
}
