//! Loading a bare-metal ELF image into machine memory, with the `object` crate. Segments must be
//! linked in kseg0 or kseg1 (the unmapped segments, where a bare-metal program lives); their
//! physical address is the virtual address minus the segment base.

use abi::segments::{KSEG0, SSEG};
use object::elf;
use object::read::elf::{FileHeader, ProgramHeader};

use crate::ram::Ram;

/// Why an image cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// Not a well-formed ELF file.
    #[error("not a valid ELF file: {0}")]
    Malformed(String),
    /// A valid ELF file of the wrong kind.
    #[error("not a 32-bit little-endian MIPS executable: {0}")]
    WrongKind(String),
    /// A segment outside kseg0/kseg1.
    #[error(
        "segment at {0:#010x} is not in kseg0 or kseg1: bare-metal images must be linked there"
    )]
    NotUnmapped(u32),
    /// The entry point is not in a loaded executable segment.
    #[error("entry point {0:#010x} is not inside a loaded segment")]
    BadEntry(u32),
    /// A segment that does not fit in memory.
    #[error("segment at physical {addr:#010x} ({len} bytes) does not fit in {ram} bytes of memory")]
    TooBig {
        /// Physical address.
        addr: u32,
        /// Bytes.
        len: u32,
        /// Memory size.
        ram: u32,
    },
}

/// A loaded image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// The entry point (virtual).
    pub entry: u32,
    /// First physical address above every segment.
    pub end: u32,
}

/// Copies the image's loadable segments into `ram`.
pub fn load(ram: &mut Ram, data: &[u8]) -> Result<Image, LoadError> {
    let malformed = |e: object::read::Error| LoadError::Malformed(e.to_string());
    let h = elf::FileHeader32::<object::LittleEndian>::parse(data).map_err(malformed)?;
    let e = h.endian().map_err(malformed)?;
    if h.e_machine(e) != elf::EM_MIPS {
        return Err(LoadError::WrongKind(format!("machine {}", h.e_machine(e))));
    }
    if h.e_type(e) != elf::ET_EXEC {
        return Err(LoadError::WrongKind("not an executable (ET_EXEC)".into()));
    }
    let mut end = 0;
    let mut loaded = 0;
    let entry = h.e_entry(e);
    let mut entry_ok = false;
    for ph in h.program_headers(e, data).map_err(malformed)? {
        if ph.p_type(e) != elf::PT_LOAD || ph.p_memsz(e) == 0 {
            continue;
        }
        let va = ph.p_vaddr(e);
        if !(KSEG0..SSEG).contains(&va) {
            return Err(LoadError::NotUnmapped(va));
        }
        let pa = va & 0x1FFF_FFFF;
        let bytes = ph
            .data(e, data)
            .map_err(|_| LoadError::Malformed("segment data outside the file".into()))?;
        let memsz = ph.p_memsz(e);
        if (bytes.len() as u32) > memsz {
            return Err(LoadError::Malformed("segment file size exceeds its memory size".into()));
        }
        let fits = pa.checked_add(memsz).is_some_and(|top| top <= ram.size());
        if !fits || !ram.write_bytes(pa, bytes) {
            return Err(LoadError::TooBig { addr: pa, len: memsz, ram: ram.size() });
        }
        // The rest of the segment (.bss) is zero: memory starts zeroed, but be explicit in case
        // the image is loaded over something.
        let zeros = vec![0; (memsz - bytes.len() as u32) as usize];
        ram.write_bytes(pa + bytes.len() as u32, &zeros);
        end = end.max(pa + memsz);
        loaded += 1;
        entry_ok |= (va..va + memsz).contains(&entry);
    }
    if loaded == 0 {
        return Err(LoadError::WrongKind("no loadable segment".into()));
    }
    if !entry_ok {
        return Err(LoadError::BadEntry(entry));
    }
    Ok(Image { entry, end })
}
