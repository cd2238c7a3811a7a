//! Links SPLASHOS where a Disco guest kernel lives (the supervisor segment, at 0xC0010000).
fn main() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../kernel-disco/kernel-disco.ld");
    println!("cargo:rerun-if-changed={script}");
    println!("cargo:rustc-link-arg-bins=-T{script}");
}
