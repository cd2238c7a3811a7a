//! Build script shared by the dux user programs in guests/user/*: links the program with
//! link/user.ld (static, text at 0x00400000, entry `__start` from the `ulib` runtime).
fn main() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../link/user.ld");
    println!("cargo:rerun-if-changed={script}");
    println!("cargo:rustc-link-arg-bins=-T{script}");
}
