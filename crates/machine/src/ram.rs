//! Machine memory: one byte array, node after node, plus the per-page write generations the
//! CPUs' decoded-instruction caches rely on (see `mips::Bus::code_generation`).

/// Top bit of a generation: some CPU decoded code from the page, so writes must bump it.
const WATCHED: u32 = 1 << 31;

/// The machine's RAM.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Ram {
    #[serde(with = "crate::sparse")]
    bytes: Vec<u8>,
    generations: Vec<u32>,
}

impl Ram {
    /// `size` bytes of zeroed memory (a multiple of 4 KB).
    pub fn new(size: u32) -> Ram {
        Ram { bytes: vec![0; size as usize], generations: vec![0; (size / 4096) as usize] }
    }

    /// Size in bytes.
    pub fn size(&self) -> u32 {
        self.bytes.len() as u32
    }

    /// The whole memory.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// True if `pa..pa+len` is RAM.
    #[inline(always)]
    pub fn contains(&self, pa: u32, len: u32) -> bool {
        (pa as usize).checked_add(len as usize).is_some_and(|end| end <= self.bytes.len())
    }

    /// Reads `len` (1, 2 or 4) bytes, little-endian. The caller checked the range.
    #[inline(always)]
    pub fn read(&self, pa: u32, len: u32) -> u32 {
        let a = pa as usize;
        let b = &self.bytes;
        match len {
            1 => u32::from(b[a]),
            2 => u32::from(u16::from_le_bytes([b[a], b[a + 1]])),
            _ => u32::from_le_bytes([b[a], b[a + 1], b[a + 2], b[a + 3]]),
        }
    }

    /// Writes the low `len` bytes of `v`. The caller checked the range.
    #[inline(always)]
    pub fn write(&mut self, pa: u32, len: u32, v: u32) {
        let a = pa as usize;
        self.bytes[a..a + len as usize].copy_from_slice(&v.to_le_bytes()[..len as usize]);
        self.touch(pa >> 12);
    }

    /// Copies `data` into memory at `pa` (loader, DMA). False if it does not fit.
    pub fn write_bytes(&mut self, pa: u32, data: &[u8]) -> bool {
        if !self.contains(pa, data.len() as u32) || data.len() > u32::MAX as usize {
            return false;
        }
        let a = pa as usize;
        self.bytes[a..a + data.len()].copy_from_slice(data);
        if !data.is_empty() {
            for page in pa >> 12..=(pa + data.len() as u32 - 1) >> 12 {
                self.touch(page);
            }
        }
        true
    }

    /// `len` bytes at `pa`, if in range.
    pub fn slice(&self, pa: u32, len: u32) -> Option<&[u8]> {
        self.contains(pa, len).then(|| &self.bytes[pa as usize..(pa + len) as usize])
    }

    #[inline(always)]
    fn touch(&mut self, page: u32) {
        if let Some(g) = self.generations.get_mut(page as usize)
            && *g & WATCHED != 0
        {
            *g = (*g + 1) & !WATCHED;
        }
    }

    /// The write generation of page `ppn`, which from now on counts writes.
    pub fn code_generation(&mut self, ppn: crate::ids::Mppn) -> u32 {
        match self.generations.get_mut(ppn.index()) {
            Some(g) => {
                *g |= WATCHED;
                *g & !WATCHED
            }
            None => 0,
        }
    }
}
