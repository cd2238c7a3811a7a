//! Deterministic input generators: the same parameters give the same bytes on every machine
//! (no clock, no host randomness, only [`crate::rng::Rng`] from a fixed seed).
//!
//! - [`srctree`]: the Mini-C source tree and makefile that pmake builds;
//! - [`tables`]: the database's tables.
//!
//! Each has a `TINY` size (a few million guest instructions, for tests and quick demos) and a
//! `FULL` size (the workload at the scale of the paper's runs).

pub mod srctree;
pub mod tables;
