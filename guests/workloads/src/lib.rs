//! The logic of the dux workloads, shared by the guest programs and the host.
//!
//! The paper's Pmake and Database workloads are programs under `guests/user/` (`pmake`, `cc1`,
//! `ld`, `db`); what they compute lives here, in plain `no_std` + `alloc` Rust with no system
//! calls, so the very same code also runs on the host: to generate their inputs, to compute
//! the results a guest run must print (`expected.txt` in each root file system, see
//! `crates/rootfs`), and in unit tests.
//!
//! - [`lang`], [`object`], [`cc1`], [`ld`], [`vm`]: Mini-C, a small C-like language, its
//!   compiler (tokenizer, parser, symbol tables, constant folding and propagation, bytecode),
//!   object files, linker, and an interpreter used by the tests;
//! - [`make`], [`pmake`]: makefiles, the build plan that decides what runs next, the final
//!   checksum, and a whole pmake run in memory;
//! - [`db`]: the decision-support database: tables in a compact binary format, hash indexes,
//!   eight TPC-H-like queries;
//! - [`inputs`]: deterministic generators for the source tree and the tables, tiny and full;
//! - [`files`], [`hash`], [`rng`]: the file trait, stable hashes, a seeded random generator.
//!
//! ```ignore
//! use workloads::{files::MemFiles, inputs, pmake};
//! let mut fs = MemFiles::new();
//! for (path, data) in inputs::srctree::generate(&inputs::srctree::TINY) {
//!     fs.insert(&path, data);
//! }
//! let lines = pmake::run_in_memory("Makefile", None, &mut fs).unwrap();
//! assert!(lines.last().unwrap().starts_with("pmake: "));
//! ```

#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod cc1;
pub mod db;
pub mod engineering;
pub mod files;
pub mod hash;
pub mod inputs;
pub mod lang;
pub mod ld;
pub mod make;
pub mod object;
pub mod pmake;
pub mod radix;
pub mod raytrace;
pub mod rng;
pub mod vm;

#[cfg(test)]
mod toolchain_tests;
