//! What the tests of several crates read from the guest build (`cargo xtask guests`, which
//! writes `target/guests/`): a guest binary by name, a staged root file-system variant turned
//! into a disk image with the lines its run must print, and the in-order check of a console
//! against those lines. Test support only: a missing file panics with the command that makes it.

use std::path::PathBuf;

/// `target/guests/` of this workspace.
pub fn dir() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/guests")
}

/// The guest file `name` (a kernel, a program) under [`dir`].
pub fn guest(name: &str) -> Vec<u8> {
    let path = dir().join(name);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} — run `cargo xtask guests`", path.display()))
}

/// The staged root file-system variant `name` as a disk image of `blocks` blocks and `inodes`
/// inodes, and the lines its run must print (its `/expected.txt`).
pub fn variant(name: &str, blocks: u32, inodes: u32) -> (Vec<u8>, Vec<String>) {
    let root = dir().join("rootfs").join(name);
    let tree = mkfs::Tree::from_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e} — run `cargo xtask guests`", root.display()));
    let image = mkfs::Image::build(&tree, blocks, inodes)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .into_bytes();
    let expected = std::fs::read_to_string(root.join("expected.txt"))
        .unwrap_or_else(|e| panic!("{}/expected.txt: {e}", root.display()));
    (image, expected.lines().map(str::to_string).collect())
}

/// A small disk (2 048 blocks, 256 inodes) holding only `/init`: how the tests boot a
/// self-test program (ktest, a hostile kernel's victim) as process 1.
pub fn disk_with_init(init: Vec<u8>) -> Vec<u8> {
    let mut tree = mkfs::Tree::default();
    tree.file("/init", init);
    mkfs::Image::build(&tree, 2048, 256)
        .expect("a 2 048-block image holds one program")
        .into_bytes()
}

/// True if every expected line appears in the console, in order (other lines may come between).
pub fn in_order(console: &str, expected: &[String]) -> bool {
    let mut lines = console.lines();
    expected.iter().all(|want| lines.any(|l| l == want))
}

#[cfg(test)]
mod tests {
    use super::in_order;

    #[test]
    fn lines_must_come_in_order_with_others_between() {
        let want = ["a".to_string(), "c".to_string()];
        assert!(in_order("a\nb\nc\n", &want));
        assert!(!in_order("c\nb\na\n", &want));
        assert!(!in_order("a\nb\n", &want));
        assert!(!in_order("xa\nc\n", &want), "whole lines only");
    }
}
