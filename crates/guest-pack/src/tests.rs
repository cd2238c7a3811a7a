use super::manifest::checksum;
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
    flips_never_give_other_bytes(&packed, 0..packed.len(), [0x01, 0x80, 0xff], &data);
}

/// Flips each bit pattern of `flips` into each byte of `packed` in `bytes`: expanding gives
/// an error, or (for a bit the format ignores) `original`, never other bytes.
fn flips_never_give_other_bytes(
    packed: &[u8],
    bytes: std::ops::Range<usize>,
    flips: [u8; 3],
    original: &[u8],
) {
    for i in bytes {
        for flip in flips {
            let mut bad = packed.to_vec();
            bad[i] ^= flip;
            if let Ok(out) = expand(&bad) {
                assert!(out == original, "byte {i} ^ {flip:#x} expanded to other bytes");
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

/// The shipped form of `image` with every file `generator` makes under `dir` left out, as
/// `cargo xtask web` writes it (compressed at `level`), and its manifest.
fn ship(image: &[u8], generator: &str, dir: &str, level: i32) -> (Vec<u8>, Manifest) {
    let fs = mkfs::Image::open(image.to_vec()).expect("a dux image");
    let files = generators::find(generator)
        .expect("registered")
        .generate()
        .into_iter()
        .map(|(file, bytes)| {
            let path = format!("{dir}/{file}");
            assert!(
                fs.read(&path).expect("present") == bytes,
                "{path} is what the generator makes"
            );
            manifest::Regenerated {
                generator: generator.into(),
                extents: fs.extents(&path).expect("a file"),
                length: bytes.len() as u64,
                file,
            }
        })
        .collect();
    let m = Manifest::new(image, files);
    let mut holed = image.to_vec();
    m.punch(&mut holed).expect("the manifest is the image's");
    (with_manifest(&m, &pack(&holed, level)), m)
}

/// A small dux image holding the tiny tables in `/data` and a few other files (about 1.6 MB).
fn small_db_image() -> Vec<u8> {
    let mut tree = mkfs::Tree::default();
    tree.file("/etc/rc", b"db /data\n".to_vec());
    for (name, bytes) in generators::find("db-tables/tiny").expect("registered").generate() {
        tree.file(&format!("/data/{name}"), bytes);
    }
    tree.file("/bin/x", sample(30_000));
    mkfs::Image::build(&tree, 400, 64).expect("fits").into_bytes()
}

#[test]
fn the_real_db_image_round_trips_without_its_tables() {
    // db-tiny as `cargo xtask guests` builds it, with its tables regenerated.
    let image = guest_files::guest("images/db-tiny.img");
    let (shipped, m) = ship(&image, "db-tables/tiny", "/data", 19);
    assert_eq!(m.files.len(), 6, "{m:?}");
    let whole = pack(&image, 19);
    assert!(shipped.len() < whole.len(), "{} against {} bytes", shipped.len(), whole.len());
    assert!(expand(&shipped).expect("expands") == image, "the same bytes");
    // The manifest reads back as written.
    assert_eq!(Manifest::decode(m.encode().as_bytes()), Ok(m));
}

#[test]
fn a_shipped_image_cut_anywhere_is_a_truncation() {
    let (shipped, m) = ship(&small_db_image(), "db-tables/tiny", "/data", 3);
    let header = m.frame().len();
    let cuts = (1..header + 40).chain([shipped.len() / 2, shipped.len() - 1]);
    for len in cuts {
        match expand(&shipped[..len]) {
            Err(ExpandError::Truncated { got }) => assert_eq!(got, len),
            other => panic!("{len} of {} bytes: {other:?}", shipped.len()),
        }
    }
}

#[test]
fn a_corrupt_manifest_never_expands_to_other_bytes() {
    let image = small_db_image();
    let (shipped, m) = ship(&image, "db-tables/tiny", "/data", 3);
    let header = m.frame().len();
    flips_never_give_other_bytes(&shipped, 0..header, [0x01, 0x20, 0xff], &image);
}

#[test]
fn wrong_manifests_are_refused_in_words() {
    let image = small_db_image();
    let (shipped, m) = ship(&image, "db-tables/tiny", "/data", 3);
    let frame = &shipped[m.frame().len()..];
    let with = |change: &dyn Fn(&mut Manifest)| {
        let mut bad = m.clone();
        change(&mut bad);
        expand(&with_manifest(&bad, frame))
    };

    let err = with(&|b| b.image_hash ^= 1).expect_err("a wrong checksum");
    assert_eq!(err, ExpandError::ImageChecksum);
    assert!(err.to_string().contains("checksum"), "{err}");
    let err = with(&|b| b.files[0].generator = "db-tables/huge".into()).expect_err("unknown");
    assert_eq!(err, ExpandError::UnknownGenerator { name: "db-tables/huge".into() });
    // The full tables are another generator's: other lengths, or (same length) other bytes.
    let err = with(&|b| b.files[0].file = "nothing.tbl".into()).expect_err("no such file");
    assert!(matches!(err, ExpandError::GeneratorMismatch { .. }), "{err}");
    assert!(err.to_string().contains("no such file"), "{err}");
    let err = with(&|b| {
        b.files[0].length += 1;
        b.files[0].extents[0].1 += 1;
    })
    .expect_err("another length");
    assert!(matches!(err, ExpandError::GeneratorMismatch { .. }), "{err}");
    // Two files swapped: each is written where the other's bytes were, and the checksum sees it.
    let err = with(&|b| {
        let (a, c) = (b.files[0].extents.clone(), b.files[0].length);
        let last = b.files.len() - 1;
        b.files[0].extents = b.files[last].extents.clone();
        b.files[0].length = b.files[last].length;
        b.files[last].extents = a;
        b.files[last].length = c;
    })
    .expect_err("swapped");
    assert!(
        matches!(err, ExpandError::GeneratorMismatch { .. } | ExpandError::ImageChecksum),
        "{err}"
    );
    let err = with(&|b| b.files[1].extents = b.files[0].extents.clone()).expect_err("overlap");
    assert!(matches!(err, ExpandError::BadManifest { .. }), "{err}");
    let err = with(&|b| b.files[0].extents[0].0 = u64::MAX - 2).expect_err("out of the image");
    assert!(err.to_string().contains("goes past"), "{err}");
    let err = with(&|b| b.image_len += 4096).expect_err("another size");
    assert!(matches!(err, ExpandError::SizeMismatch { .. }), "{err}");
    let err = with(&|b| b.image_len = MAX_EXPANDED + 1).expect_err("too large");
    assert!(matches!(err, ExpandError::TooLarge { .. }), "{err}");

    // Text that is not a manifest.
    for text in [
        "",
        "guest-pack regenerate 2\n",
        "guest-pack regenerate 1\n",
        "guest-pack regenerate 1\nimage 10\n",
        "guest-pack regenerate 1\nimage ten 0000000000000000\n",
        "guest-pack regenerate 1\nimage 10 123\n",
        "guest-pack regenerate 1\nimage 10 0000000000000000\nfile a\n",
        "guest-pack regenerate 1\nimage 10 0000000000000000\nfile g f 3 0-3\n",
        "guest-pack regenerate 1\nimage 10 0000000000000000\nfile g f 3 0+99999999999999999999\n",
    ] {
        let err = Manifest::decode(text.as_bytes()).expect_err(text);
        assert!(matches!(err, ExpandError::BadManifest { .. }), "{text:?}: {err}");
        assert!(err.to_string().len() > 40, "{err}");
    }
    assert!(Manifest::decode(&[0xff, 0xfe]).is_err());
    // A manifest frame announcing more than is accepted.
    let mut huge = manifest::FRAME_MAGIC.to_vec();
    huge.extend_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(expand(&huge), Err(ExpandError::BadManifest { .. })));
    // A manifest and nothing after it.
    assert_eq!(
        expand(&m.frame()),
        Err(ExpandError::Truncated { got: m.frame().len() }),
        "the frame is missing"
    );
    // Bytes after the frame.
    let mut extra = shipped.clone();
    extra.push(0);
    assert_eq!(expand(&extra), Err(ExpandError::TrailingBytes { extra: 1 }));
}

/// How long the worker's work on db-full takes natively: `cargo test --release -p guest-pack --
/// --ignored --nocapture regeneration_time` (after `cargo xtask guests`).
#[test]
#[ignore = "a measurement, on the 49 MB image"]
fn regeneration_time() {
    let image = guest_files::guest("images/db-full.img");
    let (shipped, m) = ship(&image, "db-tables/full", "/data", 3);
    let t = std::time::Instant::now();
    let holed = expand_frame(&shipped[m.frame().len()..]).expect("expands");
    let decode = t.elapsed();
    let t = std::time::Instant::now();
    let tables = generators::find("db-tables/full").expect("registered").generate();
    let generate = t.elapsed();
    drop(tables);
    let t = std::time::Instant::now();
    let mut restored = holed.clone();
    m.restore(&mut restored).expect("restores");
    let restore = t.elapsed();
    let t = std::time::Instant::now();
    let _ = checksum(&image);
    let hash = t.elapsed();
    let t = std::time::Instant::now();
    assert!(expand(&shipped).expect("expands") == image);
    let all = t.elapsed();
    println!(
        "db-full: {} bytes shipped (zstd -3), {} files; decode {decode:?}, generate {generate:?}, \
         restore (generate + copy + checksum) {restore:?}, checksum alone {hash:?}; expand in all \
         {all:?}",
        shipped.len(),
        m.files.len()
    );
}
