//! Writes over NFS: the server's `/export` directory, which every client reads and writes at
//! the file level (paper §4.2.6; the block-level read-only export of the rest is `nfs.rs`).
//!
//! **Why files, not blocks.** Block-level writes from several clients into one file system
//! are unsound: each client would allocate blocks and inodes from its own view of the bitmaps
//! and inode blocks, and two would pick the same one. So the server is the one authority on
//! metadata: a client's operation on a path under `/export` is a request, and the server
//! carries it out with its own file-system code (`fs.rs`: `create`, `writei`, `unlink`). The
//! rest of the image stays the block-level, read-only export of `nfs.rs`: the server writes
//! only under `/export`, so every other block a client reads from it is still the image's.
//! (A client never looks at `/export`'s blocks through its own file system: every path under
//! it goes to the server, however stale the client's copies of the server's metadata blocks.)
//!
//! **The protocol** ([`net::Msg`] words; `h` a file handle — the server's inode number, which
//! the server hands out only for `/export` and the files directly in it):
//!
//! | request | payload | answer |
//! |---|---|---|
//! | `[LOOKUP, flags, length, 0]` | the name (≤ `NAME_MAX` bytes, no `/`; empty: `/export`) | `[ATTR, h, size, kind]` |
//! | `[FREAD, h, file block, 0]` | | `[FDATA, h, size, 0]` and the block's page (none: a hole or past the end) |
//! | `[FWRITE, h, offset, length]` | a page, the bytes at `offset % 4096` | `[ATTR, h, size, kind]` |
//! | `[GETATTR, h, 0, 0]` | | `[ATTR, h, size, kind]` |
//! | `[REMOVE, 0, length, 0]` | the name | `[ATTR, 0, 0, 0]` |
//!
//! and `[FERROR, errno, 0, 0]` for any request the server refuses. `flags` are [`CREATE`]
//! and [`TRUNC`]. A write carries one page and at most the rest of one block, so the server
//! merges it into the block (a partial block needs no read-modify-write at the client). The
//! server checks every request — the handle one it gave out and still a live file, the name,
//! the offset and the length inside one block — so a client cannot reach the server's other
//! files or corrupt its file system; a bad request gets an `FERROR`.
//!
//! **Pages.** A read is answered with the server's buffer-cache page as the payload, which the
//! monitor remaps into the client's page (as for block reads): one machine page backs the
//! block in both. A write's page is remapped into the server's receive page, and `writei`
//! copies it into the server's buffer: the server cannot know which buffer a write targets
//! before the frame is in, and the paper's remap was on the read path. The client caches
//! nothing of `/export` (no attribute or data cache): every read sees the server's latest
//! bytes, so a file one client wrote reads back the same on the server and on any client.

use alloc::vec::Vec;

use fsformat::{BLOCK, NAME_MAX, ROOT_INUM, kind};

use crate::fs::{self, FsError, Ino};
use crate::net::{self, Msg};
use crate::spinlock::Spinlock;
use crate::syscall::errno::{EBADF, EINVAL, EIO, EISDIR, ENOMEM};
use crate::{bio, hal, kalloc, nfs};

/// The exported directory, on the server and as clients name it.
pub const EXPORT: &[u8] = b"/export";

const LOOKUP: u32 = 16;
const FREAD: u32 = 17;
const FWRITE: u32 = 18;
const GETATTR: u32 = 19;
const REMOVE: u32 = 20;
const ATTR: u32 = 21;
const FDATA: u32 = 22;
const FERROR: u32 = 23;

/// `LOOKUP` flag: create the file if it is missing.
pub const CREATE: u32 = 1;
/// `LOOKUP` flag: empty the file.
pub const TRUNC: u32 = 2;

/// A file's attributes, as the server answers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attr {
    /// The file handle (the server's inode number).
    pub handle: u32,
    /// Bytes.
    pub size: u32,
    /// `fsformat::kind`.
    pub kind: u16,
}

/// The name under `/export` that an absolute `path` names on a client that has mounted the
/// server (empty for `/export` itself), or `None` if the path is this VM's own.
pub fn remote(path: &[u8]) -> Option<&[u8]> {
    if !nfs::mounted() {
        return None;
    }
    let rest = path.strip_prefix(EXPORT)?;
    if rest.is_empty() {
        return Some(rest);
    }
    let rest = rest.strip_prefix(b"/")?;
    Some(rest.strip_suffix(b"/").unwrap_or(rest))
}

// ---- The client ------------------------------------------------------------------------------

/// A page for one request's payload, freed on drop.
struct Page(u32);

impl Page {
    fn new() -> Result<Page, u32> {
        kalloc::alloc(kalloc::Use::Kernel).map(Page).ok_or(ENOMEM)
    }

    fn bytes(&mut self) -> &mut [u8] {
        // SAFETY: the page is ours alone until dropped.
        unsafe { core::slice::from_raw_parts_mut(hal::p2v(self.0) as *mut u8, BLOCK) }
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        kalloc::decref(self.0);
    }
}

/// The answer's message, or the server's errno (`EIO` if there was no answer).
fn answer(r: Option<(u32, Msg, u32)>) -> Result<(Msg, u32), u32> {
    match r {
        Some((nfs::SERVER, Msg([FERROR, e, _, _]), _)) => Err(e),
        Some((nfs::SERVER, m, pages)) => Ok((m, pages)),
        _ => Err(EIO),
    }
}

fn attr(m: Msg) -> Result<Attr, u32> {
    match m.0 {
        [ATTR, handle, size, k] => Ok(Attr { handle, size, kind: k as u16 }),
        _ => Err(EIO),
    }
}

/// A request naming `name` in a page.
fn named(op: u32, flags: u32, name: &[u8]) -> Result<Attr, u32> {
    if name.len() > NAME_MAX {
        return Err(crate::syscall::errno::ENAMETOOLONG);
    }
    let mut p = Page::new()?;
    p.bytes()[..name.len()].copy_from_slice(name);
    let r = net::call_sending(nfs::SERVER, Msg([op, flags, name.len() as u32, 0]), p.0, 1);
    attr(answer(r)?.0)
}

/// Looks up (with [`CREATE`]: creates) `name` in the server's `/export`.
pub fn lookup(name: &[u8], flags: u32) -> Result<Attr, u32> {
    named(LOOKUP, flags, name)
}

/// Removes `name` from the server's `/export`.
pub fn remove(name: &[u8]) -> Result<(), u32> {
    named(REMOVE, 0, name).map(|_| ())
}

/// The attributes of file `handle`.
pub fn getattr(handle: u32) -> Result<Attr, u32> {
    attr(answer(net::call(nfs::SERVER, Msg([GETATTR, handle, 0, 0]), 0, 0))?.0)
}

/// Reads up to `n` bytes of file `handle` at `off`, handing each piece to
/// `sink(bytes, position)`; the bytes read (short at the end of the file).
pub fn read(
    handle: u32,
    off: u32,
    n: u32,
    sink: &mut dyn FnMut(&[u8], u32) -> Result<(), FsError>,
) -> Result<u32, u32> {
    let mut p = Page::new()?;
    let mut done = 0;
    while done < n {
        let pos = off + done;
        let msg = Msg([FREAD, handle, pos / BLOCK as u32, 0]);
        let (m, pages) = answer(net::call(nfs::SERVER, msg, p.0, 1))?;
        let [FDATA, _, size, _] = m.0 else { return Err(EIO) };
        if pos >= size {
            break;
        }
        let at = pos as usize % BLOCK;
        let len = (BLOCK - at).min((n - done) as usize).min((size - pos) as usize);
        if pages == 0 {
            p.bytes()[at..at + len].fill(0);
        }
        sink(&p.bytes()[at..at + len], done).map_err(|_| crate::syscall::errno::EFAULT)?;
        done += len as u32;
    }
    Ok(done)
}

/// Writes `n` bytes into file `handle` at `off`, a block at a time, taking them from
/// `source(dst, position)`; the bytes written.
pub fn write(
    handle: u32,
    off: u32,
    n: u32,
    source: &mut dyn FnMut(&mut [u8], u32) -> Result<(), FsError>,
) -> Result<u32, u32> {
    let mut done = 0;
    while done < n {
        let pos = off.checked_add(done).ok_or(crate::syscall::errno::EFBIG)?;
        let at = pos as usize % BLOCK;
        let len = (BLOCK - at).min((n - done) as usize);
        // A fresh page per block: the last one is shared with the server now.
        let mut p = Page::new()?;
        source(&mut p.bytes()[at..at + len], done).map_err(|_| crate::syscall::errno::EFAULT)?;
        let msg = Msg([FWRITE, handle, pos, len as u32]);
        attr(answer(net::call_sending(nfs::SERVER, msg, p.0, 1))?.0)?;
        done += len as u32;
    }
    Ok(done)
}

/// Sends the raw request `req` with one zeroed page, and returns the answer's words: what a
/// faulty or hostile client could send, to test the server's checks (`nfs probe`).
pub fn probe(req: [u32; 4]) -> Result<[u32; 4], u32> {
    if !nfs::mounted() {
        return Err(EINVAL);
    }
    let mut p = Page::new()?;
    p.bytes().fill(0);
    match net::call_sending(nfs::SERVER, Msg(req), p.0, 1) {
        Some((nfs::SERVER, m, _)) => Ok(m.0),
        _ => Err(EIO),
    }
}

// ---- The server ------------------------------------------------------------------------------

/// Handles the server gave out: `/export` and the files in it (a request naming any other
/// inode is refused).
static GRANTED: Spinlock<Vec<u32>> = Spinlock::new("export", Vec::new());

/// Makes `/export` on the server if the image has none.
pub fn init() {
    if let Ok(ip) = fs::create(EXPORT, ROOT_INUM, kind::DIR) {
        fs::iunlock(ip);
        fs::iput(ip);
    }
}

/// Answers a request from VM `from` (an unknown one with an error); `payload` is the receive
/// page, holding `pages` pages of the request's payload.
pub fn serve(from: u32, msg: Msg, payload: u32, pages: u32) {
    // SAFETY: the receive page is the server loop's alone between two receives.
    let page = unsafe { core::slice::from_raw_parts(hal::p2v(payload) as *const u8, BLOCK) };
    let r = match msg.0 {
        [LOOKUP, flags, len, _] => name(page, pages, len).and_then(|n| do_lookup(n, flags)),
        [FREAD, h, block, _] => {
            do_read(from, h, block);
            return;
        }
        [FWRITE, h, off, len] if pages == 1 => do_write(h, off, len, page),
        [GETATTR, h, _, _] => with_file(h, false, |ip| Ok(attr_of(ip))),
        [REMOVE, _, len, _] => name(page, pages, len).and_then(do_remove),
        _ => Err(EINVAL),
    };
    let reply = match r {
        Ok(a) => Msg([ATTR, a.handle, a.size, u32::from(a.kind)]),
        Err(e) => Msg([FERROR, e, 0, 0]),
    };
    net::send(from, reply, 0, 0);
}

/// The name a request carries: in its page, at most `NAME_MAX` bytes, one path component.
fn name(page: &[u8], pages: u32, len: u32) -> Result<&[u8], u32> {
    if pages != 1 || len as usize > NAME_MAX {
        return Err(EINVAL);
    }
    let n = &page[..len as usize];
    if n.iter().any(|&c| c == b'/' || c == 0) || n == b"." || n == b".." {
        return Err(EINVAL);
    }
    Ok(n)
}

fn path_of(name: &[u8]) -> Vec<u8> {
    let mut p = EXPORT.to_vec();
    if !name.is_empty() {
        p.push(b'/');
        p.extend_from_slice(name);
    }
    p
}

/// The attributes of a locked inode.
fn attr_of(ip: Ino) -> Attr {
    let d = fs::get(ip);
    Attr { handle: fs::inum(ip), size: d.size, kind: d.kind }
}

fn do_lookup(name: &[u8], flags: u32) -> Result<Attr, u32> {
    let path = path_of(name);
    let ip = if flags & CREATE != 0 && !name.is_empty() {
        fs::create(&path, ROOT_INUM, kind::FILE).map_err(crate::syscall::fs_errno)?
    } else {
        let ip = fs::namei(&path, ROOT_INUM).map_err(crate::syscall::fs_errno)?;
        fs::ilock(ip);
        ip
    };
    let d = fs::get(ip);
    let ok = if name.is_empty() { d.kind == kind::DIR } else { d.kind == kind::FILE };
    if ok && flags & TRUNC != 0 && d.kind == kind::FILE {
        fs::itrunc(ip);
    }
    let a = attr_of(ip);
    fs::iunlock(ip);
    fs::iput(ip);
    if !ok {
        return Err(if d.kind == kind::DIR { EISDIR } else { EINVAL });
    }
    let mut g = GRANTED.lock();
    if !g.contains(&a.handle) {
        g.push(a.handle);
    }
    Ok(a)
}

/// Runs `f` on the locked inode of handle `h`, if the server gave `h` out and it is still a
/// live file (or directory, unless `file_only`).
fn with_file<T>(h: u32, file_only: bool, f: impl FnOnce(Ino) -> Result<T, u32>) -> Result<T, u32> {
    if !GRANTED.lock().contains(&h) {
        return Err(EBADF);
    }
    let ip = fs::iget(h).map_err(crate::syscall::fs_errno)?;
    fs::ilock(ip);
    let k = fs::get(ip).kind;
    let r = if k == kind::FILE || (k == kind::DIR && !file_only) { f(ip) } else { Err(EBADF) };
    fs::iunlock(ip);
    fs::iput(ip);
    r
}

/// Answers a read with the block's buffer page (remapped into the client by the monitor).
fn do_read(from: u32, h: u32, block: u32) {
    let r = with_file(h, false, |ip| {
        let size = fs::get(ip).size;
        let in_file = u64::from(block) * (BLOCK as u64) < u64::from(size);
        let blk = if in_file { fs::block_of(ip, block as usize) } else { 0 };
        let msg = Msg([FDATA, h, size, 0]);
        if blk == 0 {
            net::send(from, msg, 0, 0);
        } else {
            let b = bio::bread(blk);
            net::send(from, msg, b.page(), 1);
            bio::brelse(b);
        }
        Ok(())
    });
    if let Err(e) = r {
        net::send(from, Msg([FERROR, e, 0, 0]), 0, 0);
    }
}

/// Merges a write of `len` bytes at `off` (inside one block; the bytes at `off % 4096` of the
/// received page) into the file.
fn do_write(h: u32, off: u32, len: u32, page: &[u8]) -> Result<Attr, u32> {
    let at = off as usize % BLOCK;
    if len == 0 || at + len as usize > BLOCK {
        return Err(EINVAL);
    }
    with_file(h, true, |ip| {
        fs::writei(ip, off, len, &mut |dst, pos| {
            dst.copy_from_slice(&page[at + pos as usize..at + pos as usize + dst.len()]);
            Ok(())
        })
        .map_err(crate::syscall::fs_errno)?;
        Ok(attr_of(ip))
    })
}

fn do_remove(name: &[u8]) -> Result<Attr, u32> {
    if name.is_empty() {
        return Err(EINVAL);
    }
    let path = path_of(name);
    let ip = fs::namei(&path, ROOT_INUM).map_err(crate::syscall::fs_errno)?;
    let inum = fs::inum(ip);
    fs::iput(ip);
    fs::unlink(&path, ROOT_INUM).map_err(crate::syscall::fs_errno)?;
    GRANTED.lock().retain(|&g| g != inum);
    Ok(Attr { handle: 0, size: 0, kind: 0 })
}

/// Prints what clients left in `/export` (the server, as it powers off): each file's name,
/// size and FNV-1a 32 checksum (`nfsd: received NAME: N bytes, fnv XXXXXXXX`).
pub fn report() {
    let Ok(dp) = fs::namei(EXPORT, ROOT_INUM) else { return };
    fs::ilock(dp);
    let data = fs::read_all(dp).unwrap_or_default();
    fs::iunlock(dp);
    fs::iput(dp);
    for e in data.chunks(fsformat::DIRENT_BYTES) {
        let (inum, n) = fsformat::dirent_decode(e);
        if inum == 0 || n == b"." || n == b".." {
            continue;
        }
        let Ok(ip) = fs::iget(inum) else { continue };
        fs::ilock(ip);
        let bytes = if fs::get(ip).kind == kind::FILE { fs::read_all(ip).ok() } else { None };
        fs::iunlock(ip);
        fs::iput(ip);
        if let Some(b) = bytes {
            let name = core::str::from_utf8(n).unwrap_or("?");
            crate::kprintln!("nfsd: received {}: {} bytes, fnv {:08x}", name, b.len(), fnv32(&b));
        }
    }
}

/// FNV-1a, 32 bits (the host's `workloads::hash::fnv32`).
fn fnv32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}
