//! # abi — the host ⇄ guest interface, written down once
//!
//! Everything two sides of the simulation must agree on, as types and constants that both
//! sides compile against, so the copies cannot drift apart:
//!
//! | module | between | what |
//! |---|---|---|
//! | [`segments`] | CPU, guests | the MIPS32 segments the guests use |
//! | [`address_map`] | machine ⇄ bare-metal guests (dux native, test programs) | physical address map, device registers, interrupt lines |
//! | [`mcall`] | monitor ⇄ guests on the monitor (dux's Disco HAL, SPLASHOS) | monitor-call numbers, error codes, `info` selectors |
//! | [`special`] | monitor ⇄ guests on the monitor | the special page of virtual privileged registers |
//! | [`kstats`] | dux ⇄ the simulator's host side | the kernel-statistics block, its events and page uses |
//! | [`syscall`] | dux ⇄ its user programs (and the host's names for Table 2) | system-call numbers and names |
//! | [`errno`] | dux ⇄ its user programs | the error numbers a failed system call returns |
//!
//! `no_std`, no dependencies: the guests (mipsel-unknown-none) and the host crates (machine,
//! monitor, sim) use the same source. The prose references are docs/machine.md (machine),
//! docs/monitor-abi.md (monitor) and docs/guest-os.md (dux); where this crate and a document
//! disagree, one of them has a bug.

#![no_std]

pub mod address_map;
pub mod errno;
pub mod kstats;
pub mod mcall;
pub mod segments;
pub mod special;
pub mod syscall;
