//! Links the program with the bare-machine linker script.
fn main() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../link/bare.ld");
    println!("cargo:rerun-if-changed={script}");
    println!("cargo:rustc-link-arg-bins=-T{script}");
}
