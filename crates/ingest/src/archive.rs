//! ZIP containers (docx, odt, xlsx) opened safely: unsafe entry paths refused, decompressed sizes and ratios limited.
//!
//! Entries are only ever read into memory, never written to disk; still, an office file with
//! an entry named `../x` or `/etc/x` was not made by an office suite, so it is refused rather
//! than silently read around.

use std::io::{Cursor, Read};

use crate::{Error, Format, Result};

/// Limits on what a ZIP container may unpack to, against zip bombs.
///
/// [`ZipLimits::for_file_limit`] derives them from the file-size limit, so one setting raises
/// them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    /// Largest decompressed size of one entry, in bytes.
    pub entry_bytes: u64,
    /// Largest decompressed size of all entries together, in bytes.
    pub total_bytes: u64,
    /// Largest decompressed/compressed ratio of an entry …
    pub ratio: u64,
    /// … checked only once the entry has unpacked this many bytes (small XML parts compress
    /// very well and are harmless).
    pub ratio_after_bytes: u64,
}

impl ZipLimits {
    /// Limits for a file-size limit of `max_bytes`: an entry may unpack to twice it, all
    /// entries to four times it, and past an eighth of it (at least 1 MiB) an entry may not be
    /// more than 100 times its compressed size.
    pub fn for_file_limit(max_bytes: u64) -> ZipLimits {
        ZipLimits {
            entry_bytes: max_bytes.saturating_mul(2),
            total_bytes: max_bytes.saturating_mul(4),
            ratio: 100,
            ratio_after_bytes: (max_bytes / 8).max(1024 * 1024),
        }
    }
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits::for_file_limit(crate::DEFAULT_MAX_BYTES)
    }
}

/// An opened, checked ZIP container.
pub(crate) struct Archive<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    name: &'a str,
    format: Format,
}

impl<'a> Archive<'a> {
    /// Opens the container and unpacks every entry once (to nowhere) to check the limits, so
    /// that a bomb is refused before any reader (ours or calamine's) touches it.
    pub fn open(
        name: &'a str,
        bytes: &'a [u8],
        format: Format,
        limits: &ZipLimits,
    ) -> Result<Archive<'a>> {
        let corrupt = |reason: String| Error::Corrupt {
            name: name.to_owned(),
            format,
            reason,
        };
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| corrupt(format!("not a readable ZIP container ({e})")))?;
        let mut total = 0u64;
        let mut buf = vec![0u8; 64 * 1024];
        for i in 0..zip.len() {
            let mut entry = zip
                .by_index(i)
                .map_err(|e| corrupt(format!("ZIP entry {} cannot be read ({e})", i + 1)))?;
            let entry_name = entry.name().to_owned();
            // `enclosed_name` quietly makes `/etc/x` relative; such a name is refused too.
            let unsafe_path = entry.enclosed_name().is_none()
                || entry_name.starts_with(['/', '\\'])
                || entry_name.split(['/', '\\']).any(|c| c == "..")
                || entry_name.get(1..2) == Some(":");
            if unsafe_path {
                return Err(Error::UnsafeArchivePath {
                    name: name.to_owned(),
                    entry: entry_name,
                });
            }
            let compressed = entry.compressed_size().max(1);
            let mut size = 0u64;
            loop {
                let n = entry
                    .read(&mut buf)
                    .map_err(|e| corrupt(format!("ZIP entry `{entry_name}` is damaged ({e})")))?;
                if n == 0 {
                    break;
                }
                size += n as u64;
                total += n as u64;
                let limit = |what: String| Error::ArchiveLimit {
                    name: name.to_owned(),
                    entry: entry_name.clone(),
                    what,
                };
                if size > limits.entry_bytes {
                    return Err(limit(format!(
                        "unpacks to more than the per-entry limit of {} bytes",
                        limits.entry_bytes
                    )));
                }
                if total > limits.total_bytes {
                    return Err(limit(format!(
                        "brings the archive over the total unpacked limit of {} bytes",
                        limits.total_bytes
                    )));
                }
                if size > limits.ratio_after_bytes && size / compressed > limits.ratio {
                    return Err(limit(format!(
                        "unpacks to more than {} times its compressed size of {compressed} bytes \
                         (the ratio limit, checked past {} bytes)",
                        limits.ratio, limits.ratio_after_bytes
                    )));
                }
            }
        }
        Ok(Archive { zip, name, format })
    }

    /// The entry's bytes, `None` when there is no such entry.
    pub fn read(&mut self, entry: &str) -> Result<Option<Vec<u8>>> {
        let (name, format) = (self.name, self.format);
        let corrupt = |reason: String| Error::Corrupt {
            name: name.to_owned(),
            format,
            reason,
        };
        let mut file = match self.zip.by_name(entry) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(corrupt(format!("ZIP entry `{entry}`: {e}"))),
        };
        let mut out = Vec::new();
        file.read_to_end(&mut out)
            .map_err(|e| corrupt(format!("ZIP entry `{entry}` is damaged ({e})")))?;
        Ok(Some(out))
    }

    /// The entry's bytes, or an error saying which part is missing.
    pub fn require(&mut self, entry: &str, what: &str) -> Result<Vec<u8>> {
        self.read(entry)?
            .ok_or_else(|| self.corrupt(format!("it has no `{entry}`, so it is not {what}")))
    }

    pub fn corrupt(&self, reason: String) -> Error {
        Error::Corrupt {
            name: self.name.to_owned(),
            format: self.format,
            reason,
        }
    }
}
