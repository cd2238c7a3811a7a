//! System calls: the numbers and conventions of docs/guest-os.md, decoded from the trap frame
//! and dispatched to the process and file operations.

use alloc::sync::Arc;
use alloc::vec::Vec;

use abi::syscall::{SEEK_CUR, SEEK_END, SEEK_SET, Syscall};
use fsformat::kind;

use crate::file::{self, Kind};
use crate::fs::{self, FsError};
use crate::hal::MonitorCycles;
use crate::proc::{self, PTABLE, State};
use crate::trap::TrapFrame;
use crate::vm::{FaultError, Mm};
use crate::{exec, export, hal, kalloc, pipe, printk, stats, timer};

/// POSIX error numbers (abi's, shared with ulib).
pub use abi::errno;
use errno::*;

type SysResult = Result<u32, u32>;

/// `match` on a system-call number with abi's names: `Name => body` for every [`Syscall`] once
/// (checked at compile time), then `_ => body` for numbers that name none.
///
/// The names become constant patterns, so this is the plain integer `match` the kernel always
/// had. A `match` on `Syscall::try_from(nr)` would mean the same, but LLVM inlines the
/// dispatcher differently then: other kernel code, and the golden runs (crates/sim/tests)
/// hash the kernel's image.
macro_rules! match_syscall {
    ($nr:expr, $($call:ident => $body:expr,)* _ => $other:expr $(,)?) => {{
        $(#[allow(non_upper_case_globals)] const $call: usize = Syscall::$call as usize;)*
        // Every call has an arm: the names are distinct (two equal consts do not compile), and
        // as many as the calls.
        const _: () = assert!([$(Syscall::$call),*].len() == Syscall::ALL.len());
        #[allow(non_upper_case_globals)]
        let r = match $nr {
            $($call => $body,)*
            _ => $other,
        };
        r
    }};
}

/// The errno of a file-system error.
pub(crate) fn fs_errno(e: FsError) -> u32 {
    match e {
        FsError::NotFound => ENOENT,
        FsError::Exists => EEXIST,
        FsError::NotDir => ENOTDIR,
        FsError::IsDir => EISDIR,
        FsError::NotEmpty => ENOTEMPTY,
        FsError::NoSpace => ENOSPC,
        FsError::NameTooLong => ENAMETOOLONG,
        FsError::TooBig => EFBIG,
        FsError::Fault => EFAULT,
        FsError::NoInodes => ENOSPC,
    }
}

fn fault_errno(_: FaultError) -> u32 {
    EFAULT
}

/// The current process's address space, files and cwd.
fn me() -> (usize, Arc<Mm>, Arc<crate::spinlock::Spinlock<file::Files>>, u32) {
    let i = proc::current();
    let t = PTABLE.lock();
    let p = &t.procs[i];
    (
        i,
        p.mm.clone().expect("user process without memory"),
        p.files.clone().expect("no files"),
        p.cwd,
    )
}

fn user_str(mm: &Mm, va: u32) -> Result<Vec<u8>, u32> {
    mm.space.lock().copy_in_str(&mm.tlb, va, 4096).map_err(fault_errno)
}

/// Runs the system call in the frame (the syscall instruction was already skipped).
///
/// `monitor_at_entry`: the monitor's cycles as the exception was delivered
/// (`hal::monitor_cycles_at_entry`, read before interrupts went on).
pub fn dispatch(tf: &mut TrapFrame, monitor_at_entry: MonitorCycles) {
    let nr = tf.regs[2] as usize;
    let a = [tf.regs[4], tf.regs[5], tf.regs[6], tf.regs[7]];
    // CPU time, not elapsed time: a sleeping call is charged only for its work, as in Table 2;
    // from the exception on, so that taking the trap (and under the monitor, forwarding it)
    // is part of the call.
    let start = proc::cpu_time().saturating_sub(crate::timer::cycles_since(tf.entry_count));
    let monitor_start = stats::monitor_start(proc::monitor_time(), monitor_at_entry);
    stats::syscall_enter(nr);
    let r = match_syscall! { nr,
        Exit => proc::exit(a[0] as i32),
        Fork => sys_fork(tf),
        Wait => sys_wait(a[0]),
        Exec => sys_exec(tf, a[0], a[1]),
        Getpid => Ok( // laid out so that its panic locations (in the image) stay unchanged
                PTABLE.lock().procs[proc::current()].pid),
        Sbrk => sys_sbrk(a[0] as i32),
        Yield => {
            proc::yield_now();
            Ok(0)
        },
        Sleep => sys_sleep(a[0]),
        Open => sys_open(a[0], a[1]),
        Close => sys_close(a[0]),
        Read => sys_read(a[0], a[1], a[2]),
        Write => sys_write(a[0], a[1], a[2]),
        Lseek => sys_lseek(a[0], a[1] as i32, a[2]),
        Fstat => sys_fstat(a[0], a[1]),
        Stat => sys_stat(a[0], a[1]),
        Unlink => sys_unlink(a[0]),
        Mkdir => sys_mkdir(a[0]),
        Readdir => sys_readdir(a[0], a[1]),
        Dup => sys_dup(a[0]),
        Pipe => sys_pipe(a[0]),
        Chdir => sys_chdir(a[0]),
        Clock => {
            let ns = timer::nanos();
            tf.regs[3] = (ns >> 32) as u32;
            Ok(ns as u32)
        },
        Cpuid => Ok(hal::cpu_id() as u32),
        ThreadCreate => sys_thread_create(tf, a[0], a[1], a[2]),
        ThreadExit => proc::exit_thread(a[0] as i32),
        ThreadJoin => proc::thread_join(a[0]),
        FutexWait => sys_futex_wait(a[0], a[1]),
        FutexWake => sys_futex_wake(a[0]),
        Shutdown => sys_shutdown(a[0]),
        Kstats => sys_kstats(a[0], a[1]),
        ShmAttach => sys_shm_attach(a[0], a[1]),
        ShmRemove => crate::shm::remove(a[0]).map(|()| 0).map_err(|_| EINVAL),
        Nfs => sys_nfs(a[0], a[1]),
        _ => Err(ENOSYS),
    };
    stats::syscall_cycles(nr, proc::cpu_time() - start);
    stats::syscall_monitor(nr, stats::monitor_since(proc::monitor_time(), monitor_start));
    stats::syscall_finishing(nr);
    match r {
        Ok(v) => {
            tf.regs[2] = v;
            tf.regs[7] = 0;
        }
        Err(e) => {
            tf.regs[2] = e;
            tf.regs[7] = 1;
        }
    }
}

fn sys_fork(tf: &TrapFrame) -> SysResult {
    let (i, mm, files, cwd) = me();
    let child_space = {
        let mut s = mm.space.lock();
        s.fork(&mm.tlb).ok_or(ENOMEM)?
    };
    let child_mm = Arc::new(Mm::new(child_space));
    let child_files = Arc::new(crate::spinlock::Spinlock::new("files", files.lock().fork()));
    let mut t = PTABLE.lock();
    let c = t.alloc().ok_or(EAGAIN)?;
    let pid = t.procs[c].pid;
    let name = t.procs[i].name;
    {
        let p = &mut t.procs[c];
        p.mm = Some(child_mm);
        p.files = Some(child_files);
        p.cwd = cwd;
        p.name = name;
        p.parent = i;
    }
    let mut ctf = *tf;
    ctf.regs[2] = 0;
    ctf.regs[7] = 0;
    proc::set_start(&mut t, c, &ctf);
    let cpu = t.least_loaded();
    t.procs[c].last_cpu = cpu;
    t.make_runnable(c, cpu);
    Ok(pid)
}

fn sys_wait(status_va: u32) -> SysResult {
    let (pid, code) = proc::wait()?;
    if status_va != 0 {
        let (_, mm, _, _) = me();
        mm.space.lock().copy_out(&mm.tlb, status_va, &code.to_le_bytes()).map_err(fault_errno)?;
    }
    Ok(pid)
}

fn sys_exec(tf: &mut TrapFrame, path_va: u32, argv_va: u32) -> SysResult {
    let (i, mm, _, cwd) = me();
    let path = user_str(&mm, path_va)?;
    let mut args = Vec::new();
    let mut total = 0;
    loop {
        let p = mm
            .space
            .lock()
            .read_u32(&mm.tlb, argv_va + 4 * args.len() as u32)
            .map_err(fault_errno)?;
        if p == 0 {
            break;
        }
        let a = user_str(&mm, p)?;
        total += a.len() + 1;
        if total > exec::ARG_MAX || args.len() > 1024 {
            return Err(E2BIG);
        }
        args.push(a);
    }
    let (new_mm, entry, sp) = exec::load(&path, cwd, &args).map_err(|e| match e {
        exec::ExecError::Fs(f) => fs_errno(f),
        exec::ExecError::NotExecutable => ENOEXEC,
        exec::ExecError::NoMemory => ENOMEM,
        exec::ExecError::TooBig => E2BIG,
    })?;
    new_mm.activate();
    let old = {
        let mut t = PTABLE.lock();
        proc::set_name(&mut t.procs[i], &path);
        t.procs[i].mm.replace(new_mm)
    };
    if let Some(old) = old {
        old.deactivate();
        drop(old);
    }
    exec::start_frame(tf, entry, sp);
    Ok(0)
}

fn sys_sbrk(delta: i32) -> SysResult {
    let (_, mm, _, _) = me();
    let mut s = mm.space.lock();
    let old = s.brk;
    let new = (i64::from(old) + i64::from(delta)) as u32;
    if new < s.brk_start || new > crate::shm::SHM_BASE {
        return Err(ENOMEM);
    }
    if new < old {
        let from = new.div_ceil(kalloc::PAGE) * kalloc::PAGE;
        let to = old.div_ceil(kalloc::PAGE) * kalloc::PAGE;
        s.unmap_range(&mm.tlb, from, to);
    }
    s.brk = new;
    Ok(old)
}

fn sys_sleep(ms: u32) -> SysResult {
    let until = timer::nanos() + u64::from(ms) * 1_000_000;
    while timer::nanos() < until {
        timer::nap();
    }
    Ok(0)
}

// The `open` flags, abi's (ulib's are the same).
use abi::syscall::{O_APPEND, O_CREATE, O_RDWR, O_TRUNC, O_WRONLY};

/// `open(path, flags)`: the access mode is read only (0), [`O_WRONLY`] or [`O_RDWR`];
/// [`O_CREATE`] makes a missing file, [`O_TRUNC`] empties a file opened for writing, and
/// [`O_APPEND`] writes at the end. A directory opens only for reading.
fn sys_open(path_va: u32, flags: u32) -> SysResult {
    let (_, mm, files, cwd) = me();
    let path = user_str(&mm, path_va)?;
    if let Some(name) = export::remote(&path) {
        return open_remote(&files, name, flags);
    }
    let ip = if flags & O_CREATE != 0 {
        fs::create(&path, cwd, kind::FILE).map_err(fs_errno)?
    } else {
        let ip = fs::namei(&path, cwd).map_err(fs_errno)?;
        fs::ilock(ip);
        ip
    };
    let writable = flags & (O_WRONLY | O_RDWR) != 0;
    let readable = flags & O_WRONLY == 0;
    if fs::get(ip).kind == kind::DIR && writable {
        fs::iunlock(ip);
        fs::iput(ip);
        return Err(EISDIR);
    }
    if flags & O_TRUNC != 0 && writable {
        fs::itrunc(ip);
    }
    fs::iunlock(ip);
    let f = file::new(Kind::Inode { ip, off: 0 }, readable, writable, flags & O_APPEND != 0);
    let fd = files.lock().install(f).ok_or(EMFILE)?;
    Ok(fd as u32)
}

/// `open` of a path under the NFS server's `/export` (`export.rs`): the server looks the name
/// up (creates it, empties it) and the descriptor keeps its handle.
fn open_remote(
    files: &crate::spinlock::Spinlock<file::Files>,
    name: &[u8],
    flags: u32,
) -> SysResult {
    let writable = flags & (O_WRONLY | O_RDWR) != 0;
    let create = if flags & O_CREATE != 0 { export::CREATE } else { 0 };
    let trunc = if flags & O_TRUNC != 0 && writable { export::TRUNC } else { 0 };
    let a = export::lookup(name, create | trunc)?;
    if a.kind == kind::DIR && writable {
        return Err(EISDIR);
    }
    let kind = Kind::Remote { handle: a.handle, off: 0 };
    let f = file::new(kind, flags & O_WRONLY == 0, writable, flags & O_APPEND != 0);
    let fd = files.lock().install(f).ok_or(EMFILE)?;
    Ok(fd as u32)
}

fn sys_close(fd: u32) -> SysResult {
    let (_, _, files, _) = me();
    let f = files.lock().fds.get_mut(fd as usize).and_then(|s| s.take()).ok_or(EBADF)?;
    drop(f);
    Ok(0)
}

fn fd_file(fd: u32) -> Result<(Arc<Mm>, file::FileRef), u32> {
    let (_, mm, files, _) = me();
    let f = files.lock().get(fd).ok_or(EBADF)?;
    Ok((mm, f))
}

enum Target {
    Inode(fs::Ino, u32),
    Remote(u32, u32),
    Console,
    Pipe(Arc<pipe::Pipe>),
}

fn target(f: &file::FileRef, write: bool) -> Result<Target, u32> {
    let g = f.lock();
    if (write && !g.writable) || (!write && !g.readable) {
        return Err(EBADF);
    }
    Ok(match &g.kind {
        Kind::Inode { ip, off } => Target::Inode(*ip, *off),
        Kind::Remote { handle, off } => Target::Remote(*handle, *off),
        Kind::Console => Target::Console,
        Kind::PipeRead(p) | Kind::PipeWrite(p) => Target::Pipe(p.clone()),
    })
}

fn sys_read(fd: u32, buf: u32, n: u32) -> SysResult {
    let (mm, f) = fd_file(fd)?;
    match target(&f, false)? {
        Target::Inode(ip, off) => {
            fs::ilock(ip);
            let r = fs::readi(ip, off, n, &mut |chunk, at| {
                mm.space.lock().copy_out(&mm.tlb, buf + at, chunk).map_err(|_| FsError::Fault)
            });
            fs::iunlock(ip);
            let got = r.map_err(fs_errno)?;
            if let Kind::Inode { off, .. } = &mut f.lock().kind {
                *off += got;
            }
            Ok(got)
        }
        Target::Remote(h, off) => {
            let got = export::read(h, off, n, &mut |chunk, at| {
                mm.space.lock().copy_out(&mm.tlb, buf + at, chunk).map_err(|_| FsError::Fault)
            })?;
            if let Kind::Remote { off, .. } = &mut f.lock().kind {
                *off += got;
            }
            Ok(got)
        }
        Target::Console => {
            let bytes = console_read(n);
            mm.space.lock().copy_out(&mm.tlb, buf, &bytes).map_err(fault_errno)?;
            Ok(bytes.len() as u32)
        }
        Target::Pipe(p) => {
            let mut tmp = alloc::vec![0u8; n.min(4096) as usize];
            let got = p.read(&mut tmp);
            mm.space.lock().copy_out(&mm.tlb, buf, &tmp[..got]).map_err(fault_errno)?;
            Ok(got as u32)
        }
    }
}

/// End of input typed at the console (Ctrl-D).
const CONSOLE_EOF: u8 = 0x04;

/// Reads at most `n` bytes of console input, like a terminal in line mode: waits (napping, so
/// the CPU idles) until some input comes, returns at the end of a line, echoes what it takes
/// (nothing else shows what was typed), and returns what it has — nothing at the start of a
/// line: end of file — when Ctrl-D comes.
fn console_read(n: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    while (bytes.len() as u32) < n {
        match hal::console_getc() {
            Some(CONSOLE_EOF) => break,
            Some(b) => {
                printk::write_bytes(&[b]);
                bytes.push(b);
                if b == b'\n' {
                    break;
                }
            }
            None if bytes.is_empty() && n > 0 => timer::nap(),
            None => break,
        }
    }
    bytes
}

fn sys_write(fd: u32, buf: u32, n: u32) -> SysResult {
    let (mm, f) = fd_file(fd)?;
    match target(&f, true)? {
        Target::Inode(ip, off) => {
            fs::ilock(ip);
            let off = if f.lock().append { fs::get(ip).size } else { off };
            let r = fs::writei(ip, off, n, &mut |dst, at| {
                mm.space.lock().copy_in(&mm.tlb, dst, buf + at).map_err(|_| FsError::Fault)
            });
            fs::iunlock(ip);
            let put = r.map_err(fs_errno)?;
            if let Kind::Inode { off: o, .. } = &mut f.lock().kind {
                *o = off + put;
            }
            Ok(put)
        }
        Target::Remote(h, off) => {
            let append = f.lock().append;
            let off = if append { export::getattr(h)?.size } else { off };
            let put = export::write(h, off, n, &mut |dst, at| {
                mm.space.lock().copy_in(&mm.tlb, dst, buf + at).map_err(|_| FsError::Fault)
            })?;
            if let Kind::Remote { off: o, .. } = &mut f.lock().kind {
                *o = off + put;
            }
            Ok(put)
        }
        Target::Console => {
            let mut done = 0;
            let mut tmp = [0u8; 256];
            while done < n {
                let m = (n - done).min(256) as usize;
                mm.space.lock().copy_in(&mm.tlb, &mut tmp[..m], buf + done).map_err(fault_errno)?;
                printk::write_bytes(&tmp[..m]);
                done += m as u32;
            }
            Ok(n)
        }
        Target::Pipe(p) => {
            let mut done = 0;
            let mut tmp = alloc::vec![0u8; 4096];
            while done < n {
                let m = (n - done).min(4096) as usize;
                mm.space.lock().copy_in(&mm.tlb, &mut tmp[..m], buf + done).map_err(fault_errno)?;
                p.write(&tmp[..m]).ok_or(EPERM)?;
                done += m as u32;
            }
            Ok(n)
        }
    }
}

fn sys_lseek(fd: u32, offset: i32, whence: u32) -> SysResult {
    let (_, f) = fd_file(fd)?;
    // A remote file's size is the server's (asked before taking the file's lock).
    let remote = match f.lock().kind {
        Kind::Remote { handle, .. } => Some(handle),
        _ => None,
    };
    let remote_size = match remote {
        Some(h) => export::getattr(h)?.size,
        None => 0,
    };
    let mut g = f.lock();
    let (size, off) = match &mut g.kind {
        Kind::Inode { ip, off } => {
            fs::ilock(*ip);
            let s = fs::get(*ip).size;
            fs::iunlock(*ip);
            (s, off)
        }
        Kind::Remote { off, .. } => (remote_size, off),
        _ => return Err(ESPIPE),
    };
    let base = match whence {
        SEEK_SET => 0,
        SEEK_CUR => i64::from(*off),
        SEEK_END => i64::from(size),
        _ => return Err(EINVAL),
    };
    let new = base + i64::from(offset);
    if !(0..=i64::from(u32::MAX)).contains(&new) {
        return Err(EINVAL);
    }
    *off = new as u32;
    Ok(new as u32)
}

fn stat_bytes(ip: fs::Ino) -> [u8; 16] {
    fs::ilock(ip);
    let d = fs::get(ip);
    let inum = fs::inum(ip);
    fs::iunlock(ip);
    let mut b = [0u8; 16];
    b[0..4].copy_from_slice(&1u32.to_le_bytes());
    b[4..8].copy_from_slice(&inum.to_le_bytes());
    b[8..10].copy_from_slice(&d.kind.to_le_bytes());
    b[10..12].copy_from_slice(&d.nlink.to_le_bytes());
    b[12..16].copy_from_slice(&d.size.to_le_bytes());
    b
}

/// `stat`'s bytes for a file under the NFS server's `/export` (device 2: the server's).
fn remote_stat_bytes(a: export::Attr) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[0..4].copy_from_slice(&2u32.to_le_bytes());
    b[4..8].copy_from_slice(&a.handle.to_le_bytes());
    b[8..10].copy_from_slice(&a.kind.to_le_bytes());
    b[10..12].copy_from_slice(&1u16.to_le_bytes());
    b[12..16].copy_from_slice(&a.size.to_le_bytes());
    b
}

fn sys_fstat(fd: u32, st: u32) -> SysResult {
    let (mm, f) = fd_file(fd)?;
    let (bytes, remote) = match &f.lock().kind {
        Kind::Inode { ip, .. } => (Some(*ip), None),
        Kind::Remote { handle, .. } => (None, Some(*handle)),
        _ => (None, None),
    };
    let b = match (bytes, remote) {
        (Some(ip), _) => stat_bytes(ip),
        (None, Some(h)) => remote_stat_bytes(export::getattr(h)?),
        (None, None) => {
            let mut b = [0u8; 16];
            b[8..10].copy_from_slice(&kind::DEVICE.to_le_bytes());
            b
        }
    };
    mm.space.lock().copy_out(&mm.tlb, st, &b).map_err(fault_errno)?;
    Ok(0)
}

fn sys_stat(path_va: u32, st: u32) -> SysResult {
    let (_, mm, _, cwd) = me();
    let path = user_str(&mm, path_va)?;
    let b = if let Some(name) = export::remote(&path) {
        remote_stat_bytes(export::lookup(name, 0)?)
    } else {
        let ip = fs::namei(&path, cwd).map_err(fs_errno)?;
        let b = stat_bytes(ip);
        fs::iput(ip);
        b
    };
    mm.space.lock().copy_out(&mm.tlb, st, &b).map_err(fault_errno)?;
    Ok(0)
}

fn sys_unlink(path_va: u32) -> SysResult {
    let (_, mm, _, cwd) = me();
    let path = user_str(&mm, path_va)?;
    if let Some(name) = export::remote(&path) {
        return export::remove(name).map(|()| 0);
    }
    fs::unlink(&path, cwd).map_err(fs_errno)?;
    Ok(0)
}

fn sys_mkdir(path_va: u32) -> SysResult {
    let (_, mm, _, cwd) = me();
    let path = user_str(&mm, path_va)?;
    if export::remote(&path).is_some() {
        return Err(EPERM); // the export is one flat directory
    }
    let ip = fs::create(&path, cwd, kind::DIR).map_err(fs_errno)?;
    fs::iunlock(ip);
    fs::iput(ip);
    Ok(0)
}

fn sys_readdir(fd: u32, dirent: u32) -> SysResult {
    let (mm, f) = fd_file(fd)?;
    let remote = match f.lock().kind {
        Kind::Remote { handle, off } => Some((handle, off)),
        _ => None,
    };
    if let Some((handle, off)) = remote {
        // Not under the file's lock: the request sleeps.
        return readdir_remote(&mm, &f, dirent, handle, off);
    }
    let (ip, mut off) = match &f.lock().kind {
        Kind::Inode { ip, off } => (*ip, *off),
        _ => return Err(ENOTDIR),
    };
    fs::ilock(ip);
    if fs::get(ip).kind != kind::DIR {
        fs::iunlock(ip);
        return Err(ENOTDIR);
    }
    let data = fs::read_all(ip);
    fs::iunlock(ip);
    let data = data.map_err(fs_errno)?;
    while (off as usize) + fsformat::DIRENT_BYTES <= data.len() {
        let e = &data[off as usize..off as usize + fsformat::DIRENT_BYTES];
        off += fsformat::DIRENT_BYTES as u32;
        if fsformat::dirent_decode(e).0 != 0 {
            mm.space.lock().copy_out(&mm.tlb, dirent, e).map_err(fault_errno)?;
            if let Kind::Inode { off: o, .. } = &mut f.lock().kind {
                *o = off;
            }
            return Ok(1);
        }
    }
    if let Kind::Inode { off: o, .. } = &mut f.lock().kind {
        *o = off;
    }
    Ok(0)
}

/// `readdir` of the NFS server's `/export`: its entries read over the subnet one by one.
fn readdir_remote(mm: &Mm, f: &file::FileRef, dirent: u32, h: u32, mut off: u32) -> SysResult {
    const E: usize = fsformat::DIRENT_BYTES;
    loop {
        let mut e = [0u8; E];
        let got = export::read(h, off, E as u32, &mut |c, at| {
            e[at as usize..at as usize + c.len()].copy_from_slice(c);
            Ok(())
        })?;
        let found = got as usize == E && fsformat::dirent_decode(&e).0 != 0;
        off += got;
        if found {
            mm.space.lock().copy_out(&mm.tlb, dirent, &e).map_err(fault_errno)?;
        }
        if found || (got as usize) < E {
            if let Kind::Remote { off: o, .. } = &mut f.lock().kind {
                *o = off;
            }
            return Ok(u32::from(found));
        }
    }
}

fn sys_dup(fd: u32) -> SysResult {
    let (_, _, files, _) = me();
    let mut fs = files.lock();
    let f = fs.get(fd).ok_or(EBADF)?;
    Ok(fs.install(f).ok_or(EMFILE)? as u32)
}

fn sys_pipe(fds_va: u32) -> SysResult {
    let (_, mm, files, _) = me();
    let p = Arc::new(pipe::Pipe::new());
    let r = file::new(Kind::PipeRead(p.clone()), true, false, false);
    let w = file::new(Kind::PipeWrite(p), false, true, false);
    let (rfd, wfd) = {
        let mut fs = files.lock();
        let rfd = fs.install(r).ok_or(EMFILE)?;
        match fs.install(w) {
            Some(wfd) => (rfd, wfd),
            None => {
                let r = fs.fds[rfd].take();
                drop(fs);
                drop(r);
                return Err(EMFILE);
            }
        }
    };
    let mut b = [0u8; 8];
    b[..4].copy_from_slice(&(rfd as u32).to_le_bytes());
    b[4..].copy_from_slice(&(wfd as u32).to_le_bytes());
    mm.space.lock().copy_out(&mm.tlb, fds_va, &b).map_err(fault_errno)?;
    Ok(0)
}

fn sys_chdir(path_va: u32) -> SysResult {
    let (i, mm, _, cwd) = me();
    let path = user_str(&mm, path_va)?;
    let ip = fs::namei(&path, cwd).map_err(fs_errno)?;
    fs::ilock(ip);
    let is_dir = fs::get(ip).kind == kind::DIR;
    let inum = fs::inum(ip);
    fs::iunlock(ip);
    fs::iput(ip);
    if !is_dir {
        return Err(ENOTDIR);
    }
    PTABLE.lock().procs[i].cwd = inum;
    Ok(0)
}

fn sys_thread_create(tf: &TrapFrame, entry: u32, arg: u32, stack: u32) -> SysResult {
    let (i, mm, files, cwd) = me();
    let mut t = PTABLE.lock();
    let c = t.alloc().ok_or(EAGAIN)?;
    let (tgid, name) = (t.procs[i].tgid, t.procs[i].name);
    {
        let p = &mut t.procs[c];
        p.mm = Some(mm);
        p.files = Some(files);
        p.cwd = cwd;
        p.tgid = tgid;
        p.name = name;
        p.parent = i;
    }
    let mut ctf = *tf;
    ctf.epc = entry;
    ctf.regs[4] = arg;
    ctf.regs[29] = stack & !7;
    ctf.regs[31] = 0;
    proc::set_start(&mut t, c, &ctf);
    let cpu = t.least_loaded();
    t.procs[c].last_cpu = cpu;
    t.make_runnable(c, cpu);
    Ok(t.procs[c].pid)
}

fn futex_chan(mm: &Mm, va: u32) -> Result<usize, u32> {
    let pa = mm.space.lock().resolve(&mm.tlb, va, false).map_err(fault_errno)?;
    Ok(0x4000_0000 | pa as usize)
}

fn sys_futex_wait(va: u32, expected: u32) -> SysResult {
    let (_, mm, _, _) = me();
    if va & 3 != 0 {
        return Err(EINVAL);
    }
    let chan = futex_chan(&mm, va)?;
    let mut s = mm.space.lock();
    let v = s.read_u32(&mm.tlb, va).map_err(fault_errno)?;
    if v != expected {
        return Err(EAGAIN);
    }
    s = proc::sleep(chan, s);
    drop(s);
    Ok(0)
}

fn sys_futex_wake(va: u32) -> SysResult {
    let (_, mm, _, _) = me();
    let chan = futex_chan(&mm, va)?;
    // Hold the address space's lock as a waiter does between checking the word and sleeping,
    // so a wake cannot slip in between and be lost.
    let _s = mm.space.lock();
    let mut t = PTABLE.lock();
    let n = t.procs.iter().filter(|p| p.state == State::Sleeping && p.chan == chan).count();
    t.wakeup(chan);
    Ok(n as u32)
}

fn sys_shutdown(code: u32) -> SysResult {
    if PTABLE.lock().procs[proc::current()].pid != 1 {
        return Err(EPERM);
    }
    crate::shutdown(code)
}

fn sys_nfs(op: u32, arg: u32) -> SysResult {
    match op {
        abi::syscall::NFS_PROBE => {
            let (_, mm, _, _) = me();
            let mut b = [0u8; 16];
            mm.space.lock().copy_in(&mm.tlb, &mut b, arg).map_err(fault_errno)?;
            let w =
                |k: usize| u32::from_le_bytes([b[4 * k], b[4 * k + 1], b[4 * k + 2], b[4 * k + 3]]);
            let answer = export::probe([w(0), w(1), w(2), w(3)])?;
            for (k, v) in answer.iter().enumerate() {
                b[4 * k..4 * k + 4].copy_from_slice(&v.to_le_bytes());
            }
            mm.space.lock().copy_out(&mm.tlb, arg, &b).map_err(fault_errno)?;
        }
        abi::syscall::NFS_START => crate::nfs::start(),
        abi::syscall::NFS_STOP => crate::nfs::stop(),
        abi::syscall::NFS_WHOAMI => {
            let (me, vms) = crate::net::whoami();
            return Ok(me | vms << 16);
        }
        _ => return Err(EINVAL),
    }
    Ok(0)
}

fn sys_shm_attach(key: u32, size: u32) -> SysResult {
    let (va, pages) = crate::shm::attach(key, size).map_err(|e| match e {
        crate::shm::ShmError::NoMemory | crate::shm::ShmError::Full => ENOMEM,
        _ => EINVAL,
    })?;
    let (_, mm, _, _) = me();
    let mut s = mm.space.lock();
    let mapped = s.map_shared(va, &pages);
    drop(s);
    // Pages newly mapped here were never in any TLB; nothing to shoot down.
    mapped.map(|()| va).map_err(|_| ENOMEM)
}

fn sys_kstats(buf: u32, len: u32) -> SysResult {
    let (_, mm, _, _) = me();
    let bytes = stats::as_bytes();
    let n = (len as usize).min(bytes.len());
    mm.space.lock().copy_out(&mm.tlb, buf, &bytes[..n]).map_err(fault_errno)?;
    Ok(n as u32)
}
