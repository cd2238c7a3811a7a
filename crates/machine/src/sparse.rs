//! Snapshot encoding of large byte buffers (RAM, disk images): only their non-zero 4 KB chunks,
//! each written as one byte string. A booted machine's memory and a workload's disk image are
//! mostly zeros, so a snapshot shrinks to what the guests actually wrote, and the bytes are
//! copied in bulk rather than one by one. Use as `#[serde(with = "crate::sparse")]` on a
//! `Vec<u8>`.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_bytes::{ByteBuf, Bytes};

/// Bytes per chunk.
const CHUNK: usize = 4096;

/// Largest buffer a snapshot may describe (the machine's RAM and disks are far smaller): a
/// corrupt length must not make the reader allocate without bound.
const MAX_LEN: u64 = 1 << 32;

#[derive(Serialize)]
struct SparseRef<'a> {
    len: u64,
    chunks: Vec<(u32, &'a Bytes)>,
}

#[derive(Deserialize)]
struct Sparse {
    len: u64,
    chunks: Vec<(u32, ByteBuf)>,
}

/// Writes `bytes` as its length and its non-zero chunks.
pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    let chunks = bytes
        .chunks(CHUNK)
        .enumerate()
        // An OR over the whole chunk, not `any`: without the early exit it vectorises.
        .filter(|(_, c)| c.iter().fold(0u8, |acc, &b| acc | b) != 0)
        .map(|(i, c)| (i as u32, Bytes::new(c)))
        .collect();
    SparseRef { len: bytes.len() as u64, chunks }.serialize(s)
}

/// Reads what [`serialize`] wrote; chunks outside the length, of the wrong size or out of
/// order are errors.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let sparse = Sparse::deserialize(d)?;
    if sparse.len > MAX_LEN {
        return Err(D::Error::custom(format!("buffer of {} bytes is too large", sparse.len)));
    }
    let len = sparse.len as usize;
    let mut bytes = vec![0u8; len];
    let mut next = 0usize;
    for (index, data) in sparse.chunks {
        let at = index as usize * CHUNK;
        let want = CHUNK.min(len.saturating_sub(at));
        if (index as usize) < next || at >= len || data.len() != want {
            return Err(D::Error::custom(format!(
                "chunk {index} ({} bytes) does not fit a buffer of {len} bytes",
                data.len()
            )));
        }
        bytes[at..at + want].copy_from_slice(&data);
        next = index as usize + 1;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Buf(#[serde(with = "super")] Vec<u8>);

    #[test]
    fn round_trips_and_skips_zero_chunks() {
        let mut data = vec![0u8; 10 * 4096 + 100];
        data[5] = 1;
        data[7 * 4096 + 9] = 2;
        data[10 * 4096 + 99] = 3; // in the short last chunk
        let encoded = bincode::serialize(&Buf(data.clone())).expect("encodes");
        assert!(encoded.len() < 3 * 4096 + 200, "{} bytes for 3 non-zero chunks", encoded.len());
        let back: Buf = bincode::deserialize(&encoded).expect("decodes");
        assert_eq!(back.0, data);
        let empty: Buf =
            bincode::deserialize(&bincode::serialize(&Buf(Vec::new())).expect("encodes"))
                .expect("decodes");
        assert!(empty.0.is_empty());
    }

    #[test]
    fn a_chunk_outside_the_buffer_is_an_error() {
        #[derive(serde::Serialize)]
        struct Raw {
            len: u64,
            chunks: Vec<(u32, serde_bytes::ByteBuf)>,
        }
        let bad = |len: u64, chunks: Vec<(u32, usize)>| {
            let raw = Raw {
                len,
                chunks: chunks
                    .into_iter()
                    .map(|(i, n)| (i, serde_bytes::ByteBuf::from(vec![1; n])))
                    .collect(),
            };
            bincode::deserialize::<Buf>(&bincode::serialize(&raw).expect("encodes")).is_err()
        };
        assert!(bad(4096, vec![(1, 4096)]), "beyond the end");
        assert!(bad(8192, vec![(0, 100)]), "short chunk");
        assert!(bad(8192, vec![(1, 4096), (0, 4096)]), "out of order");
        assert!(bad(1 << 40, vec![]), "too large");
        assert!(!bad(8192, vec![(0, 4096), (1, 4096)]), "a good one");
    }
}
