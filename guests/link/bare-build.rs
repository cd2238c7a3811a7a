//! Build script shared by the bare-metal machine test programs in guests/machine-tests/*: links
//! the program with link/bare.ld (kseg0 at 0x80010000, entry `_start` from the `brt` runtime).
fn main() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../link/bare.ld");
    println!("cargo:rerun-if-changed={script}");
    println!("cargo:rustc-link-arg-bins=-T{script}");
}
