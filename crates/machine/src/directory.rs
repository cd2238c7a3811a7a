//! The coherence directory: for every memory line, which CPUs' caches hold it and whether one
//! of them holds it modified. Kept at the line's home node in FLASH; here one array indexed by
//! line number, with the home node computed from the address.

/// No CPU owns the line modified.
pub const NO_OWNER: u8 = u8::MAX;

/// Sharers and owner of every line of memory.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Directory {
    sharers: Vec<u64>,
    owner: Vec<u8>,
}

impl Directory {
    /// A directory for `lines` lines, all uncached.
    pub fn new(lines: usize) -> Directory {
        Directory { sharers: vec![0; lines], owner: vec![NO_OWNER; lines] }
    }

    /// Bitmask of CPUs holding `line`.
    #[inline(always)]
    pub fn sharers(&self, line: u32) -> u64 {
        self.sharers[line as usize]
    }

    /// The CPU holding `line` modified, if any.
    #[inline(always)]
    pub fn owner(&self, line: u32) -> Option<usize> {
        let o = self.owner[line as usize];
        (o != NO_OWNER).then_some(o as usize)
    }

    /// Records that `cpu` holds `line` (shared).
    #[inline(always)]
    pub fn add_sharer(&mut self, line: u32, cpu: usize) {
        self.sharers[line as usize] |= 1 << cpu;
    }

    /// Records that `cpu` holds `line` modified, alone.
    #[inline(always)]
    pub fn set_exclusive(&mut self, line: u32, cpu: usize) {
        self.sharers[line as usize] = 1 << cpu;
        self.owner[line as usize] = cpu as u8;
    }

    /// The owner wrote the line back and keeps a shared copy.
    #[inline(always)]
    pub fn clear_owner(&mut self, line: u32) {
        self.owner[line as usize] = NO_OWNER;
    }

    /// `cpu` no longer holds `line`.
    #[inline(always)]
    pub fn remove(&mut self, line: u32, cpu: usize) {
        self.sharers[line as usize] &= !(1 << cpu);
        if self.owner[line as usize] == cpu as u8 {
            self.owner[line as usize] = NO_OWNER;
        }
    }

    /// No cache holds `line` any more.
    #[inline(always)]
    pub fn clear(&mut self, line: u32) {
        self.sharers[line as usize] = 0;
        self.owner[line as usize] = NO_OWNER;
    }
}
