//! A flat physical memory implementing [`Bus`]: RAM from address 0, nothing else. Enough for
//! the CPU's own tests, its benchmark, and the user-mode runner; the machine crate has the
//! real thing (caches, NUMA, devices).

use crate::bus::{Bus, BusFault, Size};

/// Top bit of a page generation: the page holds decoded code, so writes must bump it.
const WATCHED: u32 = 1 << 31;

/// RAM of a fixed size starting at physical address 0.
#[derive(Clone, Debug)]
pub struct FlatMemory {
    bytes: Vec<u8>,
    generations: Vec<u32>,
    link: Option<u32>,
}

impl FlatMemory {
    /// `size` bytes of zeroed RAM (rounded up to whole 4 KB pages).
    pub fn new(size: usize) -> FlatMemory {
        let size = size.div_ceil(4096) * 4096;
        FlatMemory { bytes: vec![0; size], generations: vec![0; size / 4096], link: None }
    }

    /// Size in bytes.
    pub fn size(&self) -> usize {
        self.bytes.len()
    }

    /// The whole memory.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Copies `data` to physical address `pa`; false if it does not fit.
    pub fn load_bytes(&mut self, pa: u32, data: &[u8]) -> bool {
        let start = pa as usize;
        let Some(end) = start.checked_add(data.len()).filter(|&e| e <= self.bytes.len()) else {
            return false;
        };
        self.bytes[start..end].copy_from_slice(data);
        for page in start / 4096..end.div_ceil(4096) {
            self.touch(page);
        }
        true
    }

    /// Copies little-endian words to `pa`; false if they do not fit.
    pub fn load_words(&mut self, pa: u32, words: &[u32]) -> bool {
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        self.load_bytes(pa, &bytes)
    }

    /// Reads `len` bytes at `pa`, if in range.
    pub fn slice(&self, pa: u32, len: usize) -> Option<&[u8]> {
        let start = pa as usize;
        self.bytes.get(start..start.checked_add(len)?)
    }

    /// The little-endian word at `pa`, if in range and aligned.
    pub fn word(&self, pa: u32) -> Option<u32> {
        if pa & 3 != 0 {
            return None;
        }
        let s = self.slice(pa, 4)?;
        Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }

    #[inline(always)]
    fn touch(&mut self, page: usize) {
        if let Some(g) = self.generations.get_mut(page)
            && *g & WATCHED != 0
        {
            *g = (*g + 1) & !WATCHED;
        }
    }
}

impl Bus for FlatMemory {
    fn fetch(&mut self, pa: u32, _clock: &mut u64) -> Result<u32, BusFault> {
        self.word(pa).ok_or(BusFault::Error)
    }

    #[inline(always)]
    fn read(
        &mut self,
        pa: u32,
        size: Size,
        _cached: bool,
        _clock: &mut u64,
    ) -> Result<u32, BusFault> {
        let a = pa as usize;
        let b = &self.bytes;
        match size {
            Size::Byte => b.get(a).map(|&v| u32::from(v)),
            Size::Half => b.get(a..a + 2).map(|s| u32::from(u16::from_le_bytes([s[0], s[1]]))),
            Size::Word => b.get(a..a + 4).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]])),
        }
        .ok_or(BusFault::Error)
    }

    #[inline(always)]
    fn write(
        &mut self,
        pa: u32,
        size: Size,
        v: u32,
        _cached: bool,
        _clock: &mut u64,
    ) -> Result<(), BusFault> {
        let a = pa as usize;
        let n = size as usize;
        let dst = self.bytes.get_mut(a..a + n).ok_or(BusFault::Error)?;
        dst.copy_from_slice(&v.to_le_bytes()[..n]);
        self.touch(a >> 12);
        if self.link.is_some_and(|l| l >> 4 == pa >> 4) {
            self.link = None;
        }
        Ok(())
    }

    fn link(&mut self, pa: u32) {
        self.link = Some(pa);
    }

    fn check_link(&mut self, pa: u32) -> bool {
        self.link.take().is_some_and(|l| l >> 4 == pa >> 4)
    }

    fn unlink(&mut self) {
        self.link = None;
    }

    fn code_generation(&mut self, ppn: u32) -> u32 {
        match self.generations.get_mut(ppn as usize) {
            Some(g) => {
                *g |= WATCHED;
                *g & !WATCHED
            }
            None => 0,
        }
    }
}
