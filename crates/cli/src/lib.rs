//! The native front end's library: the pieces of `disco` that tests use in-process.

pub mod symbols;
pub mod user;
