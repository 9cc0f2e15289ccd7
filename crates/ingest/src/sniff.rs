//! Recognise binary formats by their magic bytes, so a PDF named `.txt` is refused with a useful message.

use std::fmt;

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Sniffed {
    /// No known magic bytes: treat it as text (decoding may still refuse it).
    Text,
    /// A ZIP archive: .docx, .odt, .xlsx, .pptx, .epub ...
    Zip,
    /// A PDF document.
    Pdf,
    /// An OLE compound file: old Word .doc, Excel .xls.
    Ole,
    /// A Rich Text Format document.
    Rtf,
    /// A gzip-compressed file.
    Gzip,
    /// A PNG image.
    Png,
    /// A JPEG image.
    Jpeg,
    /// A GIF image.
    Gif,
    /// A Linux executable or library.
    Elf,
    /// A Windows executable or library.
    Exe,
}

/// Recognise a binary format by its first bytes; anything unknown is [`Sniffed::Text`].
///
/// ```
/// use ambit_ingest::{sniff, Sniffed};
/// assert_eq!(sniff(b"%PDF-1.7\n..."), Sniffed::Pdf);
/// assert_eq!(sniff("Päivi: hei".as_bytes()), Sniffed::Text);
/// ```
pub fn sniff(bytes: &[u8]) -> Sniffed {
    const MAGIC: &[(&[u8], Sniffed)] = &[
        (b"PK\x03\x04", Sniffed::Zip),
        (b"PK\x05\x06", Sniffed::Zip),
        (b"%PDF-", Sniffed::Pdf),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", Sniffed::Ole),
        (b"{\\rtf", Sniffed::Rtf),
        (b"\x1F\x8B", Sniffed::Gzip),
        (b"\x89PNG\r\n\x1A\n", Sniffed::Png),
        (b"\xFF\xD8\xFF", Sniffed::Jpeg),
        (b"GIF87a", Sniffed::Gif),
        (b"GIF89a", Sniffed::Gif),
        (b"\x7FELF", Sniffed::Elf),
    ];
    if let Some(&(_, kind)) = MAGIC.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return kind;
    }
    // "MZ" alone could begin a transcript ("MZ: hello"); a real executable header has NUL
    // bytes right after it.
    if bytes.starts_with(b"MZ") && bytes.iter().take(64).any(|&b| b == 0) {
        return Sniffed::Exe;
    }
    Sniffed::Text
}

impl Sniffed {
    /// What the content looks like, for messages: "looks like a ZIP archive (a .docx?)".
    pub fn describe(self) -> &'static str {
        match self {
            Sniffed::Text => "looks like text",
            Sniffed::Zip => "looks like a ZIP archive (a .docx, .odt or .xlsx?)",
            Sniffed::Pdf => "looks like a PDF document",
            Sniffed::Ole => "looks like an old Microsoft Office file (a .doc or .xls?)",
            Sniffed::Rtf => "looks like a Rich Text (.rtf) document",
            Sniffed::Gzip => "looks like a gzip-compressed file",
            Sniffed::Png => "looks like a PNG image",
            Sniffed::Jpeg => "looks like a JPEG image",
            Sniffed::Gif => "looks like a GIF image",
            Sniffed::Elf => "looks like a Linux program",
            Sniffed::Exe => "looks like a Windows program",
        }
    }

    /// What the researcher can do about it.
    pub fn advice(self) -> &'static str {
        match self {
            Sniffed::Text => {
                "rename it to its real extension (.txt, .md, .html, .eml, .csv …) and import that"
            }
            Sniffed::Zip => "rename it to its real extension (.docx, .odt or .xlsx)",
            Sniffed::Ole => {
                "open it in Word or LibreOffice and save it as .docx or .odt \
                 (password-protected .docx files look like this too: remove the password first)"
            }
            Sniffed::Rtf => "open it in a word processor and save it as .docx or .odt",
            Sniffed::Pdf => "rename it to .pdf and import that",
            Sniffed::Gzip => "decompress it first",
            Sniffed::Png | Sniffed::Jpeg | Sniffed::Gif | Sniffed::Elf | Sniffed::Exe => {
                "it cannot be imported as a document; leave it out of the import"
            }
        }
    }

    /// Whether the content may be text.
    pub fn is_text(self) -> bool {
        self == Sniffed::Text
    }
}

impl fmt::Display for Sniffed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}
