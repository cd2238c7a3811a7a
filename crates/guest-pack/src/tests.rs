use super::*;

/// Compresses as `cargo xtask web` does (libzstd, content size and checksum in the frame).
fn pack(bytes: &[u8], level: i32) -> Vec<u8> {
    let mut c = zstd::bulk::Compressor::new(level).expect("a compressor");
    c.include_checksum(true).expect("checksum flag");
    c.include_contentsize(true).expect("size flag");
    c.compress(bytes).expect("compresses")
}

/// Some bytes that look like a disk: runs of zeros, repeated blocks, and bytes that do not repeat.
fn sample(len: usize) -> Vec<u8> {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    (0..len)
        .map(|i| match (i / 4096) % 4 {
            0 => 0,
            1 => (i % 251) as u8,
            _ => {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 32) as u8
            }
        })
        .collect()
}

#[test]
fn round_trips_small_and_odd_inputs() {
    for data in [Vec::new(), vec![7], vec![0; 100_000], sample(3 * STEP + 12_345)] {
        assert_eq!(expand(&pack(&data, 3)).expect("expands"), data, "{} bytes", data.len());
    }
}

#[test]
fn real_guest_files_expand_to_exactly_their_bytes() {
    // What the worker fetches for the default preset, compressed at the xtask's level.
    for name in ["kernel-disco", "images/pmake-tiny.img"] {
        let raw = guest_files::guest(name);
        let packed = pack(&raw, 19);
        assert!(packed.len() * 5 < raw.len(), "{name}: {} of {} bytes", packed.len(), raw.len());
        assert!(expand(&packed).expect("expands") == raw, "{name} expands to its bytes");
    }
}

#[test]
fn every_truncation_is_reported_as_one() {
    let packed = pack(&sample(40_000), 3);
    assert_eq!(expand(&[]), Err(ExpandError::NotPacked));
    for len in 1..packed.len() {
        match expand(&packed[..len]) {
            Err(ExpandError::Truncated { got }) => assert_eq!(got, len),
            other => panic!("{len} of {} bytes: {other:?}", packed.len()),
        }
    }
    let message = expand(&packed[..packed.len() / 2]).expect_err("truncated").to_string();
    assert!(message.contains("cut short"), "{message}");
}

#[test]
fn a_truncated_real_image_is_an_error() {
    let packed = pack(&guest_files::guest("images/smoke.img"), 19);
    for len in [5, 100, packed.len() / 3, packed.len() - 1] {
        assert!(
            matches!(expand(&packed[..len]), Err(ExpandError::Truncated { .. })),
            "{len} of {} bytes",
            packed.len()
        );
    }
}

#[test]
fn corrupt_bytes_never_expand_to_something_else() {
    let data = sample(20_000);
    let packed = pack(&data, 3);
    for i in 0..packed.len() {
        for flip in [0x01, 0x80, 0xff] {
            let mut bad = packed.clone();
            bad[i] ^= flip;
            // An error, or (for a bit the format ignores) the same bytes: never other bytes.
            if let Ok(out) = expand(&bad) {
                assert!(out == data, "byte {i} ^ {flip:#x} expanded to other bytes");
            }
        }
    }
}

#[test]
fn what_is_not_one_checked_frame_is_refused_in_words() {
    let data = sample(10_000);
    assert_eq!(expand(&data), Err(ExpandError::NotPacked));
    assert_eq!(expand(b"<html>not found</html>"), Err(ExpandError::NotPacked));

    let mut extra = pack(&data, 3);
    extra.extend_from_slice(&[1, 2, 3]);
    assert_eq!(expand(&extra), Err(ExpandError::TrailingBytes { extra: 3 }));

    let mut c = zstd::bulk::Compressor::new(3).expect("a compressor");
    c.include_checksum(false).expect("flag");
    assert_eq!(expand(&c.compress(&data).expect("compresses")), Err(ExpandError::Unchecked));

    for e in [ExpandError::NotPacked, ExpandError::ChecksumMismatch, ExpandError::Unchecked] {
        assert!(e.to_string().len() > 30 && e.to_string().contains(' '), "{e}");
    }
    assert_eq!(packed_name("images/a.img"), "images/a.img.zst");
}
