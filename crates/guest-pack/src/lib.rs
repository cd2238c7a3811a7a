//! The guest files (kernels, disk images) as the web page ships them, and the code that expands
//! them again.
//!
//! The raw files are large — a disk image is 11–49 MB, most of it free blocks — so a page
//! fetching them raw downloaded 12–75 MB before a preset could boot. `cargo xtask web` therefore
//! writes each file as one zstd frame, `<name>.zst` ([`packed_name`]), with the file's size in
//! the frame header and a checksum of its contents at the end; the worker fetches that and
//! calls [`expand`]. What comes out is byte for byte the file the command line reads from
//! `target/guests/`, so a run in the browser is the same run as natively (the same run hash).
//!
//! Why zstd (measured on the real files, docs/performance.md): at level 19 it makes an 11 MB
//! image about 185 KB, half of what gzip -9 makes and within 15% of xz -9e, and it decodes fast;
//! and [`ruzstd`] is a pure-Rust decoder, so the worker's wasm needs no C toolchain. Only
//! decoding lives here; the encoder (libzstd) is a dependency of the xtask alone.
//!
//! Why not let the server compress (`Content-Encoding`): not every static host does it, the
//! browser would then report decoded bytes while the download's size is the compressed one (the
//! progress bar could not be right), and the files would still be stored raw.
//!
//! An image holding files that a deterministic generator makes (the database's tables) is
//! shipped with those files' bytes zeroed and a [`manifest`] in front of its frame that says how
//! to make them again; [`expand`] regenerates them ([`generators`]) and checks the complete
//! image's checksum. That takes `db-full.img` from 11.8 MB to 0.21 MB on the wire.
//!
//! Every failure is an [`ExpandError`] that says in words what is wrong; the tests feed
//! truncated and corrupted frames and manifests to check that bad input is reported, not a panic.

use std::fmt;
use std::io;

use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

pub mod generators;
pub mod manifest;

pub use manifest::Manifest;

/// What `cargo xtask web` appends to a guest file's name for its compressed form.
pub const SUFFIX: &str = ".zst";

/// zstd's frame magic number, little-endian (RFC 8878 §3.1.1).
const MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// The largest expanded size [`expand`] accepts (1 GiB): the biggest image is 49 MB, and a
/// corrupt header must not make the worker try to allocate gigabytes.
pub const MAX_EXPANDED: u64 = 1 << 30;

/// How many expanded bytes to decode between two moves into the output: small enough that the
/// decoder's own buffer stays small, large enough that the loop costs nothing.
const STEP: usize = 1 << 20;

/// The name under which the compressed form of guest file `name` is shipped
/// (`images/pmake-tiny.img` → `images/pmake-tiny.img.zst`).
pub fn packed_name(name: &str) -> String {
    format!("{name}{SUFFIX}")
}

/// Why compressed bytes could not be expanded. `Display` says it in words for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpandError {
    /// The bytes do not start with zstd's magic number: not a compressed guest file (a server's
    /// error page, say, or the raw file under the compressed name).
    NotPacked,
    /// The input ends before its frame does (an interrupted download); `got` bytes came.
    Truncated {
        /// How many bytes the input had.
        got: usize,
    },
    /// The frame is malformed; `detail` is the decoder's description.
    Corrupt {
        /// What the decoder found wrong.
        detail: String,
    },
    /// The frame does not record its expanded size or its content checksum, so the result
    /// could not be checked (every file `cargo xtask web` writes has both).
    Unchecked,
    /// The header announces more than [`MAX_EXPANDED`] bytes.
    TooLarge {
        /// The announced size.
        size: u64,
    },
    /// The frame expanded to another size than its header announced.
    SizeMismatch {
        /// Size in the header.
        declared: u64,
        /// Bytes the frame produced (or at least that many, if it was stopped early).
        got: u64,
    },
    /// The expanded bytes do not match the frame's content checksum.
    ChecksumMismatch,
    /// Bytes follow the frame; a guest file is one frame.
    TrailingBytes {
        /// How many.
        extra: usize,
    },
    /// The manifest of regenerated files in front of the frame is malformed or inconsistent.
    BadManifest {
        /// What is wrong with it.
        detail: String,
    },
    /// The manifest names a generator this build does not have.
    UnknownGenerator {
        /// Its name.
        name: String,
    },
    /// A generator does not make the file the manifest expects of it.
    GeneratorMismatch {
        /// The generator.
        generator: String,
        /// The file.
        file: String,
        /// What differs.
        detail: String,
    },
    /// The image rebuilt with its regenerated files fails the manifest's checksum.
    ImageChecksum,
}

impl fmt::Display for ExpandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpandError::NotPacked => {
                write!(f, "not a zstd-compressed file (it does not start with zstd's magic number)")
            }
            ExpandError::Truncated { got } => write!(
                f,
                "the compressed file is cut short: its {got} bytes end in the middle of the \
                 compressed data (an interrupted download?)"
            ),
            ExpandError::Corrupt { detail } => {
                write!(f, "the compressed data is corrupt: {detail}")
            }
            ExpandError::Unchecked => write!(
                f,
                "the compressed file does not record its size and checksum, so what it expands \
                 to cannot be checked"
            ),
            ExpandError::TooLarge { size } => write!(
                f,
                "the compressed file claims to expand to {size} bytes, more than the \
                 {MAX_EXPANDED} accepted"
            ),
            ExpandError::SizeMismatch { declared, got } => write!(
                f,
                "the compressed file expands to {got} bytes, not the {declared} its header \
                 announces"
            ),
            ExpandError::ChecksumMismatch => {
                write!(f, "the expanded bytes fail the file's checksum: the data is corrupt")
            }
            ExpandError::TrailingBytes { extra } => {
                write!(f, "{extra} unexpected bytes follow the compressed data")
            }
            ExpandError::BadManifest { detail } => write!(
                f,
                "the list of the image's regenerated files that comes with it is malformed: \
                 {detail}"
            ),
            ExpandError::UnknownGenerator { name } => write!(
                f,
                "the image needs files made by the generator `{name}`, which this worker does not \
                 have (the page and its files come from different builds?)"
            ),
            ExpandError::GeneratorMismatch { generator, file, detail } => write!(
                f,
                "the generator `{generator}` does not make the image's `{file}`: {detail}"
            ),
            ExpandError::ImageChecksum => write!(
                f,
                "the image rebuilt with its regenerated files fails its checksum: a generator \
                 made other bytes than the image was built with, or the data is corrupt"
            ),
        }
    }
}

impl std::error::Error for ExpandError {}

/// Expands one compressed guest file (a single zstd frame that records its size and content
/// checksum, as `cargo xtask web` writes them, after a [`manifest`] if the file's image left out
/// regenerable files) to exactly the original bytes.
///
/// Checks everything it can — the magic number, the header, every block, the announced size,
/// the checksum, nothing after the frame; the manifest, the regenerated files and the complete
/// image's checksum — and says which check failed, rather than returning bytes that might boot a
/// different disk.
pub fn expand(packed: &[u8]) -> Result<Vec<u8>, ExpandError> {
    let (manifest, frame) = manifest::split(packed)?;
    let Some(manifest) = manifest else { return expand_frame(packed) };
    let before = packed.len() - frame.len();
    // Sizes in errors count the whole file, as downloaded.
    let mut image = match expand_frame(frame) {
        Err(ExpandError::NotPacked) if frame.is_empty() => {
            return Err(ExpandError::Truncated { got: packed.len() });
        }
        Err(ExpandError::Truncated { got }) => {
            return Err(ExpandError::Truncated { got: before + got });
        }
        other => other?,
    };
    manifest.restore(&mut image)?;
    Ok(image)
}

/// Puts `manifest` in front of `frame` (the zstd frame of the image with the manifest's files
/// zeroed, [`Manifest::punch`]): the file `cargo xtask web` ships, which [`expand`] reads.
pub fn with_manifest(manifest: &Manifest, frame: &[u8]) -> Vec<u8> {
    let mut out = manifest.frame();
    out.extend_from_slice(frame);
    out
}

/// [`expand`] for a file that is one zstd frame.
fn expand_frame(packed: &[u8]) -> Result<Vec<u8>, ExpandError> {
    if packed.len() < MAGIC.len() {
        // Too short to tell what it is: the start of a frame, or nothing at all.
        return Err(if MAGIC.starts_with(packed) && !packed.is_empty() {
            ExpandError::Truncated { got: packed.len() }
        } else {
            ExpandError::NotPacked
        });
    }
    if packed[..MAGIC.len()] != MAGIC {
        return Err(ExpandError::NotPacked);
    }
    // The frame header descriptor (RFC 8878 §3.1.1.1.1): bits 7–6 size the content-size field,
    // bit 5 (single segment) implies one, bit 2 is the checksum flag. Both must be there, so
    // that a wrong expansion cannot pass unnoticed.
    let Some(&descriptor) = packed.get(MAGIC.len()) else {
        return Err(ExpandError::Truncated { got: packed.len() });
    };
    if (descriptor >> 6 == 0 && descriptor & 0x20 == 0) || descriptor & 0x04 == 0 {
        return Err(ExpandError::Unchecked);
    }

    let mut src = packed;
    let mut decoder = FrameDecoder::new();
    decoder.reset(&mut src).map_err(|e| classify(&e, packed.len(), src.len()))?;
    let declared = decoder.content_size();
    if declared > MAX_EXPANDED {
        return Err(ExpandError::TooLarge { size: declared });
    }
    // The header's size is checked below, so trusting it for the allocation is safe: it is at
    // most MAX_EXPANDED.
    let mut out = Vec::with_capacity(declared as usize);
    loop {
        let done = decoder
            .decode_blocks(&mut src, BlockDecodingStrategy::UptoBytes(STEP))
            .map_err(|e| classify(&e, packed.len(), src.len()))?;
        decoder
            .collect_to_writer(&mut out)
            .map_err(|e| ExpandError::Corrupt { detail: e.to_string() })?;
        // A frame that produces more than it announced stops here, not after filling memory.
        if out.len() as u64 > declared {
            return Err(ExpandError::SizeMismatch { declared, got: out.len() as u64 });
        }
        if done {
            break;
        }
    }
    if out.len() as u64 != declared {
        return Err(ExpandError::SizeMismatch { declared, got: out.len() as u64 });
    }
    match (decoder.get_checksum_from_data(), decoder.get_calculated_checksum()) {
        (Some(stored), Some(computed)) if stored == computed => {}
        (None, _) => return Err(ExpandError::Unchecked),
        _ => return Err(ExpandError::ChecksumMismatch),
    }
    if !src.is_empty() {
        return Err(ExpandError::TrailingBytes { extra: src.len() });
    }
    Ok(out)
}

/// Turns a decoder error into an [`ExpandError`]: running out of input (an end-of-file error
/// anywhere in its chain of causes, or no input left) is a truncation, anything else corruption.
fn classify(error: &(dyn std::error::Error + 'static), total: usize, left: usize) -> ExpandError {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if e.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::UnexpectedEof)
        {
            return ExpandError::Truncated { got: total };
        }
        cause = e.source();
    }
    if left == 0 {
        ExpandError::Truncated { got: total }
    } else {
        ExpandError::Corrupt { detail: error.to_string() }
    }
}

#[cfg(test)]
mod tests;
