//! The `.qdpx` ZIP archive opened safely: unsafe entry names refused, unpacked sizes and ratios limited as `ambit-ingest` limits docx.
//!
//! Nothing is ever unpacked to disk; still, an archive with an entry named `../x` or
//! `/etc/x` was not written by a QDA program and is refused. Sizes are checked twice: the
//! sizes the archive declares, before anything is unpacked, and the bytes actually
//! unpacked while reading, since a hostile archive can lie about the first. Entries the
//! project does not refer to are never unpacked.

use std::collections::HashSet;
use std::fmt;
use std::io::{self, Read, Seek};

use ambit_ingest::ZipLimits;

use crate::{Error, Result};

/// A limit hit while unpacking, carried through quick-xml's IO error to the caller.
#[derive(Debug)]
pub(crate) struct LimitHit {
    entry: String,
    what: String,
}

impl LimitHit {
    pub fn to_error(&self, name: &str) -> Error {
        Error::ArchiveLimit {
            name: name.to_owned(),
            entry: self.entry.clone(),
            what: self.what.clone(),
        }
    }
}

impl fmt::Display for LimitHit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "entry `{}` {}", self.entry, self.what)
    }
}

impl std::error::Error for LimitHit {}

/// An opened, checked archive.
pub(crate) struct Archive<R: Read + Seek> {
    zip: zip::ZipArchive<R>,
    pub name: String,
    limits: ZipLimits,
    total: u64,
    /// Entry names in archive order (directories left out).
    pub entries: Vec<String>,
    /// Entries read so far, to report the ones nothing refers to.
    pub used: HashSet<String>,
}

/// Whether an entry name is absolute or climbs out of the archive.
pub(crate) fn unsafe_name(entry: &str) -> bool {
    entry.starts_with(['/', '\\'])
        || entry.split(['/', '\\']).any(|c| c == "..")
        || entry.get(1..2) == Some(":")
}

impl<R: Read + Seek> Archive<R> {
    pub fn open(reader: R, name: &str, limits: ZipLimits) -> Result<Archive<R>> {
        let mut zip = zip::ZipArchive::new(reader).map_err(|e| Error::Archive {
            name: name.to_owned(),
            reason: format!("not a ZIP archive, or a truncated one ({e})"),
        })?;
        let mut entries = Vec::with_capacity(zip.len());
        let mut declared = 0u64;
        for i in 0..zip.len() {
            let entry = zip.by_index_raw(i).map_err(|e| Error::Archive {
                name: name.to_owned(),
                reason: format!("ZIP entry {} cannot be read ({e})", i + 1),
            })?;
            let entry_name = entry.name().to_owned();
            if unsafe_name(&entry_name) || entry.enclosed_name().is_none() {
                return Err(Error::UnsafeEntry {
                    name: name.to_owned(),
                    entry: entry_name,
                });
            }
            let limit = |what: String| Error::ArchiveLimit {
                name: name.to_owned(),
                entry: entry_name.clone(),
                what,
            };
            if entry.size() > limits.entry_bytes {
                return Err(limit(format!(
                    "declares {} unpacked bytes, more than the per-entry limit of {} bytes",
                    entry.size(),
                    limits.entry_bytes
                )));
            }
            declared = declared.saturating_add(entry.size());
            if declared > limits.total_bytes {
                return Err(limit(format!(
                    "brings the declared unpacked size over the total limit of {} bytes",
                    limits.total_bytes
                )));
            }
            if !entry.is_dir() {
                entries.push(entry_name);
            }
        }
        Ok(Archive {
            zip,
            name: name.to_owned(),
            limits,
            total: 0,
            entries,
            used: HashSet::new(),
        })
    }

    /// A reader of the entry that enforces the limits; `None` when there is no such entry.
    pub fn stream(&mut self, entry: &str) -> Result<Option<impl Read + '_>> {
        let file = match self.zip.by_name(entry) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => {
                return Err(Error::Archive {
                    name: self.name.clone(),
                    reason: format!("ZIP entry `{entry}` cannot be read ({e})"),
                })
            }
        };
        self.used.insert(entry.to_owned());
        Ok(Some(Limited {
            compressed: file.compressed_size().max(1),
            inner: file,
            entry: entry.to_owned(),
            size: 0,
            limits: self.limits,
            total: &mut self.total,
        }))
    }

    /// The entry's bytes; `None` when there is no such entry.
    pub fn read(&mut self, entry: &str) -> Result<Option<Vec<u8>>> {
        let name = self.name.clone();
        let Some(mut r) = self.stream(entry)? else {
            return Ok(None);
        };
        let mut out = Vec::new();
        r.read_to_end(&mut out)
            .map_err(|e| io_error(&name, entry, &e))?;
        Ok(Some(out))
    }
}

/// An IO error while unpacking: a limit hit, or a damaged entry.
pub(crate) fn io_error(name: &str, entry: &str, e: &io::Error) -> Error {
    match e.get_ref().and_then(|i| i.downcast_ref::<LimitHit>()) {
        Some(hit) => hit.to_error(name),
        None => Error::Archive {
            name: name.to_owned(),
            reason: format!("ZIP entry `{entry}` is damaged or truncated ({e})"),
        },
    }
}

/// Unpacks an entry while counting its bytes against the limits.
struct Limited<'t, F> {
    inner: F,
    entry: String,
    size: u64,
    compressed: u64,
    limits: ZipLimits,
    total: &'t mut u64,
}

impl<F: Read> Read for Limited<'_, F> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.size += n as u64;
        *self.total += n as u64;
        let hit = |what: String| {
            io::Error::other(LimitHit {
                entry: self.entry.clone(),
                what,
            })
        };
        if self.size > self.limits.entry_bytes {
            return Err(hit(format!(
                "unpacks to more than the per-entry limit of {} bytes",
                self.limits.entry_bytes
            )));
        }
        if *self.total > self.limits.total_bytes {
            return Err(hit(format!(
                "brings the archive over the total unpacked limit of {} bytes",
                self.limits.total_bytes
            )));
        }
        if self.size > self.limits.ratio_after_bytes
            && self.size / self.compressed > self.limits.ratio
        {
            return Err(hit(format!(
                "unpacks to more than {} times its compressed size of {} bytes \
                 (the ratio limit, checked past {} bytes)",
                self.limits.ratio, self.compressed, self.limits.ratio_after_bytes
            )));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names() {
        for (name, bad) in [
            ("project.qde", false),
            ("sources/A.txt", false),
            ("../x", true),
            ("sources/../../x", true),
            ("/etc/passwd", true),
            ("\\x", true),
            ("C:/x", true),
            ("a..b.txt", false),
        ] {
            assert_eq!(unsafe_name(name), bad, "{name}");
        }
    }
}
