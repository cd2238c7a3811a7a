//! `exec`: replace the calling process's program. The ELF headers are parsed with the
//! `object` crate; every loadable segment's pages are allocated and filled from the file
//! (pages wholly beyond the file's bytes are left to demand-zero), and a fresh stack gets the
//! o32 Linux initial layout (argc, argv, NULL envp, auxv) that `ulib`'s `_start` reads.
//!
//! A read-only segment (text, read-only data) is not copied: each of its pages that is a whole
//! file block maps the buffer cache's page of that block read-only ([`bio::pin`]). Every
//! process running the program then shares one page — and under Disco so does every VM, since
//! the buffer page is the machine page the global disk cache shares (paper §4.2.5). The user
//! programs are linked with each segment on its own 64 KB boundary in the file and in memory
//! (guests/link/user.ld), so their pages and file blocks line up. Writable data is copied.

use alloc::sync::Arc;
use alloc::vec::Vec;

use fsformat::BLOCK;
use object::elf;
use object::read::elf::{FileHeader, ProgramHeader};

use crate::fs::{self, FsError};
use crate::kalloc::{self, PAGE};
use crate::vm::{AddrSpace, Mm, STACK_TOP};
use crate::{bcopy, bio, hal, trap::TrapFrame};

/// Why exec failed (mapped to errno).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecError {
    /// The file system said no.
    Fs(FsError),
    /// Not a MIPS32 little-endian static executable we can load.
    NotExecutable,
    /// Out of memory.
    NoMemory,
    /// Arguments too long.
    TooBig,
}

/// Most bytes of arguments.
pub const ARG_MAX: usize = 16 * 1024;

/// Loads `path` with `args` into a new address space; on success returns it with the entry
/// point and initial stack pointer.
pub fn load(path: &[u8], cwd: u32, args: &[Vec<u8>]) -> Result<(Arc<Mm>, u32, u32), ExecError> {
    let ip = fs::namei(path, cwd).map_err(ExecError::Fs)?;
    fs::ilock(ip);
    let r = load_inode(ip, args);
    fs::iunlock(ip);
    fs::iput(ip);
    r
}

fn load_inode(ip: fs::Ino, args: &[Vec<u8>]) -> Result<(Arc<Mm>, u32, u32), ExecError> {
    if fs::get(ip).kind != fsformat::kind::FILE {
        return Err(ExecError::NotExecutable);
    }
    // The headers: the ELF header and the program headers, which follow it in every program
    // we link; read what they take (a whole page only if the program headers are elsewhere
    // in the first page), not a page each time.
    let mut head = read_head(ip, HEAD)?;
    let h = elf::FileHeader32::<object::LittleEndian>::parse(&head[..])
        .map_err(|_| ExecError::NotExecutable)?;
    let e = h.endian().map_err(|_| ExecError::NotExecutable)?;
    let need = h.e_phoff(e) as usize + h.e_phnum(e) as usize * h.e_phentsize(e) as usize;
    if need > head.len() && head.len() == HEAD as usize {
        head = read_head(ip, PAGE)?;
    }
    let h = elf::FileHeader32::<object::LittleEndian>::parse(&head[..])
        .map_err(|_| ExecError::NotExecutable)?;
    if h.e_machine(e) != elf::EM_MIPS || h.e_type(e) != elf::ET_EXEC {
        return Err(ExecError::NotExecutable);
    }
    let phdrs = h.program_headers(e, &head[..]).map_err(|_| ExecError::NotExecutable)?;
    let mut space = AddrSpace::new().ok_or(ExecError::NoMemory)?;
    let mut top = 0;
    for ph in phdrs.iter().filter(|p| p.p_type(e) == elf::PT_LOAD) {
        let (va, memsz, filesz, off) =
            (ph.p_vaddr(e), ph.p_memsz(e), ph.p_filesz(e), ph.p_offset(e));
        let end = va.checked_add(memsz).filter(|&x| x <= STACK_TOP - crate::vm::STACK_MAX);
        let (Some(end), true) = (end, filesz <= memsz) else {
            space.free();
            return Err(ExecError::NotExecutable);
        };
        let writable = ph.p_flags(e) & elf::PF_W != 0;
        space.segments.push((va & !0xFFF, end, writable));
        let whole = filesz == memsz;
        if let Err(err) = load_segment(&mut space, ip, va, filesz, off, writable, whole) {
            space.free();
            return Err(err);
        }
        top = top.max(end);
    }
    if top == 0 {
        space.free();
        return Err(ExecError::NotExecutable);
    }
    space.brk_start = top.div_ceil(PAGE) * PAGE;
    space.brk = space.brk_start;
    let mm = Arc::new(Mm::new(space));
    let sp = {
        let mut s = mm.space.lock();
        build_stack(&mut s, &mm.tlb, args)?
    };
    Ok((mm, h.e_entry(e), sp))
}

/// The bytes of the headers read first: the ELF header (52) and up to 14 program headers.
const HEAD: u32 = 512;

/// The first `n` bytes of the locked inode (fewer if the file is shorter).
fn read_head(ip: fs::Ino, n: u32) -> Result<Vec<u8>, ExecError> {
    let mut head = alloc::vec![0u8; n as usize];
    let got = fs::readi(ip, 0, n, &mut |c, at| {
        head[at as usize..at as usize + c.len()].copy_from_slice(c);
        Ok(())
    })
    .map_err(ExecError::Fs)?;
    head.truncate(got as usize);
    Ok(head)
}

/// Allocates and fills the pages of a segment that hold file bytes — or, for a read-only
/// segment, maps the buffer cache's page of a file block that lines up with a page. `whole`:
/// the segment has no zero-filled tail, so its last page may show the file's bytes after it.
fn load_segment(
    space: &mut AddrSpace,
    ip: fs::Ino,
    va: u32,
    filesz: u32,
    off: u32,
    writable: bool,
    whole: bool,
) -> Result<(), ExecError> {
    let mut page = va & !0xFFF;
    let file_end = va + filesz;
    // The disk blocks of a read-only segment, looked up together (see `fs::file_blocks`).
    let first = off as usize / BLOCK;
    let blocks = if writable {
        Vec::new()
    } else {
        fs::file_blocks(ip, first, (off as usize + filesz as usize).div_ceil(BLOCK) - first)
    };
    while page < file_end {
        let lined_up = page >= va && (off + (page - va)) % PAGE == 0;
        let shareable = !writable && lined_up && (page + PAGE <= file_end || whole);
        // A page of file bytes that is a whole block on the disk (not a hole): the buffer
        // cache's page, pinned.
        let block = || blocks.get((off + (page - va)) as usize / BLOCK - first).copied();
        let mapped = shareable.then(block).flatten().filter(|&b| b != 0).map(bio::pin);
        if let Some(pa) = mapped {
            if space.map(page, pa, false).is_err() {
                kalloc::decref(pa);
                return Err(ExecError::NoMemory);
            }
            page += PAGE;
            continue;
        }
        let pa = kalloc::alloc_zeroed(kalloc::Use::User).ok_or(ExecError::NoMemory)?;
        space.map(page, pa, writable).map_err(|_| ExecError::NoMemory)?;
        // The part of [va, file_end) inside this page.
        let from = va.max(page);
        let to = file_end.min(page + PAGE);
        let dst = hal::p2v(pa) + (from - page);
        fs::readi(ip, off + (from - va), to - from, &mut |c, at| {
            // SAFETY: `dst..dst + (to - from)` is inside the page we just allocated.
            unsafe { bcopy::copy((dst + at) as *mut u8, c.as_ptr(), c.len()) };
            Ok(())
        })
        .map_err(ExecError::Fs)?;
        page += PAGE;
    }
    Ok(())
}

fn build_stack(
    s: &mut AddrSpace,
    tlb: &crate::vm::TlbState,
    args: &[Vec<u8>],
) -> Result<u32, ExecError> {
    let total: usize = args.iter().map(|a| a.len() + 1).sum();
    if total > ARG_MAX {
        return Err(ExecError::TooBig);
    }
    let mut sp = STACK_TOP - 16;
    let mut ptrs = Vec::with_capacity(args.len());
    for a in args.iter().rev() {
        sp -= a.len() as u32 + 1;
        let mut bytes = a.clone();
        bytes.push(0);
        s.copy_out(tlb, sp, &bytes).map_err(|_| ExecError::NoMemory)?;
        ptrs.push(sp);
    }
    ptrs.reverse();
    // argc, argv[0..n], NULL, envp NULL, AT_PAGESZ 4096, AT_NULL 0.
    let mut words: Vec<u32> = Vec::with_capacity(args.len() + 7);
    words.push(args.len() as u32);
    words.extend(&ptrs);
    words.extend([0, 0, 6, 4096, 0, 0]);
    sp = (sp - 4 * words.len() as u32) & !7;
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    s.copy_out(tlb, sp, &bytes).map_err(|_| ExecError::NoMemory)?;
    Ok(sp)
}

/// Sets the trap frame to start the new program.
pub fn start_frame(tf: &mut TrapFrame, entry: u32, sp: u32) {
    tf.regs = [0; 32];
    tf.regs[29] = sp;
    tf.hi = 0;
    tf.lo = 0;
    tf.epc = entry;
}
