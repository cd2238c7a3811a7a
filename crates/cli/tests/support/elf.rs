//! A minimal static MIPS32 little-endian ELF executable writer: a text segment (R+X) and a data
//! segment (R+W), each on its own pages, plus section headers so `llvm-objdump -d` can
//! disassemble the result.

/// One loadable segment.
pub struct Segment<'a> {
    /// Where it is loaded (page aligned).
    pub vaddr: u32,
    /// Its contents (file size = memory size).
    pub bytes: &'a [u8],
}

/// e_flags: MIPS32 release 2, o32 ABI, `noreorder` — what ld.lld writes for our guests.
const EF_MIPS: u32 = 0x7000_1001;
/// File alignment of segments: the host and guest page size.
const PAGE: usize = 0x1000;
const EHDR: usize = 52;
const PHDR: usize = 32;
const SHDR: usize = 40;

/// Section names, NUL separated: offsets 1 (.text), 7 (.data), 13 (.shstrtab).
const SHSTRTAB: &[u8] = b"\0.text\0.data\0.shstrtab\0";

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn pad_to(out: &mut Vec<u8>, align: usize) {
    out.resize(out.len().next_multiple_of(align), 0);
}

fn u32_of(v: usize) -> u32 {
    u32::try_from(v).expect("ELF offsets fit 32 bits")
}

/// The bytes of an executable that starts at `entry` with `text` (R+X) and `data` (R+W).
pub fn executable(entry: u32, text: &Segment<'_>, data: &Segment<'_>) -> Vec<u8> {
    assert_eq!(text.vaddr as usize % PAGE, 0, "text must be page aligned");
    assert_eq!(data.vaddr as usize % PAGE, 0, "data must be page aligned");
    let text_off = PAGE;
    let data_off = (text_off + text.bytes.len()).next_multiple_of(PAGE);
    let strtab_off = data_off + data.bytes.len();
    let shoff = (strtab_off + SHSTRTAB.len()).next_multiple_of(4);

    let mut out = Vec::with_capacity(shoff + 4 * SHDR);
    // ELF header.
    out.extend_from_slice(&[0x7f, b'E', b'L', b'F', 1, 1, 1, 0]);
    out.extend_from_slice(&[0; 8]);
    put16(&mut out, 2); // ET_EXEC
    put16(&mut out, 8); // EM_MIPS
    put32(&mut out, 1); // EV_CURRENT
    put32(&mut out, entry);
    put32(&mut out, u32_of(EHDR)); // e_phoff
    put32(&mut out, u32_of(shoff));
    put32(&mut out, EF_MIPS);
    put16(&mut out, EHDR as u16);
    put16(&mut out, PHDR as u16);
    put16(&mut out, 2); // e_phnum
    put16(&mut out, SHDR as u16);
    put16(&mut out, 4); // e_shnum
    put16(&mut out, 3); // e_shstrndx
    // Program headers: PT_LOAD text (R+X), PT_LOAD data (R+W).
    for (seg, off, flags) in [(text, text_off, 4 | 1), (data, data_off, 4 | 2)] {
        put32(&mut out, 1); // PT_LOAD
        put32(&mut out, u32_of(off));
        put32(&mut out, seg.vaddr);
        put32(&mut out, seg.vaddr);
        put32(&mut out, u32_of(seg.bytes.len()));
        put32(&mut out, u32_of(seg.bytes.len()));
        put32(&mut out, flags);
        put32(&mut out, u32_of(PAGE));
    }
    pad_to(&mut out, PAGE);
    out.extend_from_slice(text.bytes);
    pad_to(&mut out, PAGE);
    out.extend_from_slice(data.bytes);
    out.extend_from_slice(SHSTRTAB);
    pad_to(&mut out, 4);
    // Section headers: null, .text, .data, .shstrtab.
    out.extend_from_slice(&[0; SHDR]);
    let sections = [
        (1, 1, 2 | 4, text.vaddr, text_off, text.bytes.len(), 4), // PROGBITS, ALLOC+EXEC
        (7, 1, 2 | 1, data.vaddr, data_off, data.bytes.len(), 4), // PROGBITS, ALLOC+WRITE
        (13, 3, 0, 0, strtab_off, SHSTRTAB.len(), 1),             // STRTAB
    ];
    for (name, kind, flags, addr, off, size, align) in sections {
        for v in [name, kind, flags, addr, u32_of(off), u32_of(size), 0, 0, align, 0] {
            put32(&mut out, v);
        }
    }
    out
}
