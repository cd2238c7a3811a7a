//! Build script shared by the Linux user test programs in guests/tests/*: links the program with
//! link/linux.ld (static, text at 0x00400000, entry `__start` from the `lrt` runtime).
fn main() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../link/linux.ld");
    println!("cargo:rerun-if-changed={script}");
    println!("cargo:rustc-link-arg-bins=-T{script}");
}
