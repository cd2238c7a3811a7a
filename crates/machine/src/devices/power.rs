//! The power register: writing a word halts the machine with that exit code.
//!
//! | offset | register | |
//! |---|---|---|
//! | 0x00 | HALT | write: stop the machine, exit code = value |

use crate::address_map::power::HALT;
use crate::device::{Device, DeviceCtx};

/// The power device.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Power;

impl Device for Power {
    fn read(&mut self, offset: u32, _ctx: &mut DeviceCtx<'_>) -> Option<u32> {
        (offset == HALT).then_some(0)
    }

    fn write(&mut self, offset: u32, value: u32, ctx: &mut DeviceCtx<'_>) -> Option<()> {
        if offset != HALT {
            return None;
        }
        ctx.halt.get_or_insert(value);
        Some(())
    }
}
