//! The manifest of a disk image shipped without its regenerable files.
//!
//! Some images hold files that a deterministic generator makes ([`crate::generators`]): the
//! database's tables, 16 MB of binary rows in `db-full.img` that no compressor takes below 9 MB.
//! `cargo xtask web` ships such an image with those files' bytes zeroed (zstd then codes them in a
//! few bytes) and puts in front of its zstd frame a manifest that says, for each file left out,
//! which generator makes it, its length and the byte ranges of the image where its bytes lie, in
//! file order, plus the length and a checksum (XXH64) of the complete original image. [`expand`]
//! (crate::expand) decodes the frame, runs each generator once, writes the files' bytes back into
//! their ranges and checks the result against that checksum: a wrong generator or manifest is an
//! error, never a silently different disk.
//!
//! The manifest travels as a zstd *skippable frame* (RFC 8878 §3.1.2: a magic number, a 4-byte
//! length, then bytes any zstd decoder passes over), so the file stays one download with one size
//! for the progress bar, and `zstd -d` still expands it (to the image with the holes). Its
//! contents are text, one item a line:
//!
//! ```text
//! guest-pack regenerate 1
//! image 49512448 0123456789abcdef
//! file db-tables/full lineitem.tbl 16000000 8192000+4194304 12390400+11805696
//! ```
//! `image LENGTH XXH64` (16 hex digits); `file GENERATOR NAME LENGTH OFFSET+LENGTH...`, the
//! ranges together exactly the file's length, inside the image, none overlapping another.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::{ExpandError, MAX_EXPANDED, generators};

/// The skippable frame's magic number (0x184D2A5E, little-endian): one of the sixteen RFC 8878
/// reserves for skippable frames, the one this crate uses for manifests.
pub const FRAME_MAGIC: [u8; 4] = [0x5e, 0x2a, 0x4d, 0x18];

/// The first line of every manifest: the format and its version.
const HEADER: &str = "guest-pack regenerate 1";

/// The largest manifest accepted (1 MB): a real one is a few hundred bytes a file.
pub const MAX_MANIFEST: usize = 1 << 20;

/// One file of the image left out of the shipped bytes, to be regenerated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Regenerated {
    /// The generator that makes it ([`generators::find`]).
    pub generator: String,
    /// The name of the file among the generator's outputs (`lineitem.tbl`).
    pub file: String,
    /// Its length in bytes.
    pub length: u64,
    /// Where its bytes lie in the image, in file order: `(offset, length)`.
    pub extents: Vec<(u64, u64)>,
}

/// What an image needs to be rebuilt from its shipped form: the files left out, and the length
/// and checksum of the complete image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The image's length in bytes.
    pub image_len: u64,
    /// [`checksum`] of the complete image.
    pub image_hash: u64,
    /// The files left out.
    pub files: Vec<Regenerated>,
}

/// The checksum the manifest records of an image: XXH64 with seed 0 (the hash zstd's own
/// content checksum is cut from), fast enough to check 49 MB in the worker in tens of ms.
pub fn checksum(bytes: &[u8]) -> u64 {
    twox_hash::XxHash64::oneshot(0, bytes)
}

/// A manifest error with `detail` in words.
fn bad(detail: impl Into<String>) -> ExpandError {
    ExpandError::BadManifest { detail: detail.into() }
}

impl Manifest {
    /// The manifest of `image` with `files` left out.
    pub fn new(image: &[u8], files: Vec<Regenerated>) -> Manifest {
        Manifest { image_len: image.len() as u64, image_hash: checksum(image), files }
    }

    /// The manifest as text (the format in the module's documentation).
    pub fn encode(&self) -> String {
        let mut s = format!("{HEADER}\nimage {} {:016x}\n", self.image_len, self.image_hash);
        for f in &self.files {
            let _ = write!(s, "file {} {} {}", f.generator, f.file, f.length);
            for (at, len) in &f.extents {
                let _ = write!(s, " {at}+{len}");
            }
            s.push('\n');
        }
        s
    }

    /// Reads a manifest from its text and checks that it is consistent ([`Manifest::check`]).
    pub fn decode(text: &[u8]) -> Result<Manifest, ExpandError> {
        let text = std::str::from_utf8(text).map_err(|_| bad("it is not text"))?;
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Err(bad(format!("it does not start with `{HEADER}`")));
        }
        let image = lines.next().ok_or_else(|| bad("it has no `image` line"))?;
        let mut words = image.split(' ');
        let (Some("image"), Some(len), Some(hash), None) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            return Err(bad(format!("`{image}` is not `image LENGTH CHECKSUM`")));
        };
        let image_len = number(len, "the image's length")?;
        let image_hash = u64::from_str_radix(hash, 16)
            .ok()
            .filter(|_| hash.len() == 16)
            .ok_or_else(|| bad(format!("`{hash}` is not a checksum of 16 hex digits")))?;
        let mut files = Vec::new();
        for line in lines {
            let mut words = line.split(' ');
            let (Some("file"), Some(generator), Some(file), Some(length)) =
                (words.next(), words.next(), words.next(), words.next())
            else {
                return Err(bad(format!("`{line}` is not `file GENERATOR NAME LENGTH RANGES`")));
            };
            let length = number(length, "a file's length")?;
            let extents = words
                .map(|range| {
                    let (at, len) = range
                        .split_once('+')
                        .ok_or_else(|| bad(format!("`{range}` is not OFFSET+LENGTH")))?;
                    Ok((number(at, "an offset")?, number(len, "a range's length")?))
                })
                .collect::<Result<Vec<_>, ExpandError>>()?;
            files.push(Regenerated {
                generator: generator.to_string(),
                file: file.to_string(),
                length,
                extents,
            });
        }
        let manifest = Manifest { image_len, image_hash, files };
        manifest.check()?;
        Ok(manifest)
    }

    /// Checks that the manifest describes some image: its length at most [`MAX_EXPANDED`], each
    /// file's ranges inside the image and together its length, no two ranges overlapping.
    pub fn check(&self) -> Result<(), ExpandError> {
        if self.image_len > MAX_EXPANDED {
            return Err(ExpandError::TooLarge { size: self.image_len });
        }
        let mut all = Vec::new();
        for f in &self.files {
            let mut total = 0u64;
            for &(at, len) in &f.extents {
                let end = at.checked_add(len).filter(|&end| end <= self.image_len);
                let Some(end) = end else {
                    return Err(bad(format!(
                        "{}: the range {at}+{len} goes past the image's {} bytes",
                        f.file, self.image_len
                    )));
                };
                total += len;
                all.push((at, end, &f.file));
            }
            if total != f.length {
                return Err(bad(format!(
                    "{}: its ranges hold {total} bytes, not its length {}",
                    f.file, f.length
                )));
            }
        }
        all.sort();
        for pair in all.windows(2) {
            if pair[1].0 < pair[0].1 {
                return Err(bad(format!("the ranges of {} and {} overlap", pair[0].2, pair[1].2)));
            }
        }
        Ok(())
    }

    /// Zeroes the files' bytes in `image` (what `cargo xtask web` ships), after checking that the
    /// manifest is consistent and is `image`'s.
    pub fn punch(&self, image: &mut [u8]) -> Result<(), ExpandError> {
        self.check()?;
        if image.len() as u64 != self.image_len || checksum(image) != self.image_hash {
            return Err(ExpandError::ImageChecksum);
        }
        for f in &self.files {
            for &(at, len) in &f.extents {
                image[at as usize..(at + len) as usize].fill(0);
            }
        }
        Ok(())
    }

    /// Writes the files back into `image` (the expanded shipped bytes): runs each generator once,
    /// copies each file's bytes into its ranges in order, and checks the length and checksum of
    /// the result.
    pub fn restore(&self, image: &mut [u8]) -> Result<(), ExpandError> {
        self.check()?;
        if image.len() as u64 != self.image_len {
            return Err(ExpandError::SizeMismatch {
                declared: self.image_len,
                got: image.len() as u64,
            });
        }
        let mut made: BTreeMap<&str, Vec<(String, Vec<u8>)>> = BTreeMap::new();
        for f in &self.files {
            let outputs = match made.entry(&f.generator) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    let g = generators::find(&f.generator).ok_or_else(|| {
                        ExpandError::UnknownGenerator { name: f.generator.clone() }
                    })?;
                    e.insert(g.generate())
                }
            };
            let mismatch = |detail: String| ExpandError::GeneratorMismatch {
                generator: f.generator.clone(),
                file: f.file.clone(),
                detail,
            };
            let bytes = outputs
                .iter()
                .find(|(name, _)| *name == f.file)
                .map(|(_, bytes)| bytes)
                .ok_or_else(|| mismatch("it makes no such file".into()))?;
            if bytes.len() as u64 != f.length {
                return Err(mismatch(format!(
                    "it makes {} bytes, the image had {}",
                    bytes.len(),
                    f.length
                )));
            }
            let mut from = 0usize;
            for &(at, len) in &f.extents {
                let (at, len) = (at as usize, len as usize);
                image[at..at + len].copy_from_slice(&bytes[from..from + len]);
                from += len;
            }
        }
        if checksum(image) != self.image_hash {
            return Err(ExpandError::ImageChecksum);
        }
        Ok(())
    }

    /// The manifest as a skippable frame, to put in front of the image's zstd frame.
    pub fn frame(&self) -> Vec<u8> {
        let text = self.encode();
        let mut out = Vec::with_capacity(8 + text.len());
        out.extend_from_slice(&FRAME_MAGIC);
        out.extend_from_slice(&(text.len() as u32).to_le_bytes());
        out.extend_from_slice(text.as_bytes());
        out
    }
}

/// Splits a shipped file into its manifest, if it starts with one, and the rest (the zstd
/// frame). Input too short to hold the manifest it announces is a truncation.
pub(crate) fn split(packed: &[u8]) -> Result<(Option<Manifest>, &[u8]), ExpandError> {
    let magic = &packed[..packed.len().min(4)];
    if magic.is_empty() || !FRAME_MAGIC.starts_with(magic) {
        return Ok((None, packed));
    }
    let truncated = ExpandError::Truncated { got: packed.len() };
    let len = packed.get(4..8).ok_or(truncated.clone())?;
    let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
    if len > MAX_MANIFEST {
        return Err(bad(format!(
            "it announces {len} bytes, more than the {MAX_MANIFEST} accepted"
        )));
    }
    let text = packed.get(8..8 + len).ok_or(truncated)?;
    Ok((Some(Manifest::decode(text)?), &packed[8 + len..]))
}

/// A decimal number of the manifest; `what` names it in the error.
fn number(word: &str, what: &str) -> Result<u64, ExpandError> {
    word.parse().map_err(|_| bad(format!("`{word}` is not a number ({what})")))
}
