//! Shared pieces of the differential tests: an ELF writer, the random-sequence generator, and
//! running a program under qemu-mipsel and under our runner.

pub mod elf;
pub mod randgen;
pub mod run;
