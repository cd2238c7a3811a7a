//! The kernel's self-test, run as `/init` on a disk image of its own: it exercises the kernel
//! through raw system calls (no `ulib`, so a kernel bug cannot hide behind the runtime; the
//! numbers are the `abi` crate's) and prints one line per check, then powers off with the
//! number of failed checks. With an argument it plays a role instead: `ktest child N` exits
//! with N; `ktest fault` loads from address 0; `ktest spin N` burns N iterations of CPU.

#![no_std]
#![no_main]
#![feature(asm_experimental_arch)]

use abi::{errno::*, syscall::Syscall};
use core::fmt::{self, Write};

core::arch::global_asm!(
    r#"
    .section .text.start, "ax", @progbits
    .globl __start
    .set push
    .set noreorder
__start:
    lw      $a0, 0($sp)
    addiu   $a1, $sp, 4
    addiu   $t0, $zero, -8
    and     $sp, $sp, $t0
    jal     ktest_main
    addiu   $sp, $sp, -16
    break
    .set pop
"#
);

fn syscall(call: Syscall, a0: u32, a1: u32, a2: u32) -> Result<u32, u32> {
    let v0: u32;
    let a3: u32;
    // SAFETY: the dux system-call convention (docs/guest-os.md).
    unsafe {
        core::arch::asm!("syscall", inout("$2") call as u32 => v0, inout("$4") a0 => _, inout("$5") a1 => _,
            inout("$6") a2 => _, out("$7") a3, out("$3") _, out("$8") _, out("$9") _, out("$10") _,
            out("$11") _, out("$12") _, out("$13") _, out("$14") _, out("$15") _, out("$24") _, out("$25") _);
    }
    if a3 == 0 { Ok(v0) } else { Err(v0) }
}

fn write(fd: u32, b: &[u8]) -> Result<u32, u32> {
    syscall(Syscall::Write, fd, b.as_ptr() as u32, b.len() as u32)
}

fn exit(code: i32) -> ! {
    let _ = syscall(Syscall::Exit, code as u32, 0, 0);
    loop {}
}

struct Out;
impl Write for Out {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let _ = write(1, s.as_bytes());
        Ok(())
    }
}

macro_rules! say { ($($a:tt)*) => { let _ = writeln!(Out, $($a)*); }; }

static mut FAILED: u32 = 0;

fn check(name: &str, ok: bool) {
    say!("ktest: {} {}", if ok { "ok  " } else { "FAIL" }, name);
    if !ok {
        // SAFETY: single-threaded program.
        unsafe { FAILED += 1 };
    }
}

fn cstr(s: &[u8]) -> [u8; 64] {
    let mut b = [0u8; 64];
    b[..s.len()].copy_from_slice(s);
    b
}

fn exec(args: &[&[u8]]) -> Result<u32, u32> {
    let mut bufs = [[0u8; 64]; 4];
    let mut ptrs = [0u32; 5];
    for (i, a) in args.iter().enumerate() {
        bufs[i] = cstr(a);
        ptrs[i] = bufs[i].as_ptr() as u32;
    }
    syscall(Syscall::Exec, ptrs[0], ptrs.as_ptr() as u32, 0)
}

fn wait() -> Result<(u32, i32), u32> {
    let mut st: i32 = 0;
    let pid = syscall(Syscall::Wait, &mut st as *mut i32 as u32, 0, 0)?;
    Ok((pid, st))
}

fn arg(argv: *const *const u8, i: usize) -> &'static [u8] {
    // SAFETY: the kernel's initial stack holds argc pointers to NUL-terminated strings.
    unsafe {
        let p = *argv.add(i);
        let mut n = 0;
        while *p.add(n) != 0 {
            n += 1;
        }
        core::slice::from_raw_parts(p, n)
    }
}

fn number(s: &[u8]) -> u32 {
    s.iter().fold(0, |n, &d| n * 10 + u32::from(d - b'0'))
}

#[unsafe(no_mangle)]
extern "C" fn ktest_main(argc: u32, argv: *const *const u8) -> ! {
    if argc >= 2 {
        match arg(argv, 1) {
            b"child" => exit(number(arg(argv, 2)) as i32),
            b"fault" => {
                // SAFETY: deliberately illegal: the kernel must kill us, not crash.
                unsafe { core::ptr::read_volatile(core::ptr::null::<u32>()) };
                exit(0)
            }
            b"writer" => {
                // Writes /shared.txt for another process to read.
                let path = cstr(b"/shared.txt");
                let fd =
                    syscall(Syscall::Open, path.as_ptr() as u32, NEW_FILE, 0).unwrap_or(u32::MAX);
                let ok = write(fd, b"written by one process, read by another").is_ok();
                let _ = syscall(Syscall::Close, fd, 0, 0);
                exit(if ok { 0 } else { 1 })
            }
            b"shm" => {
                // Attaches region 42 (made by the parent) and adds 1000 to its word 2048.
                let ok = match syscall(Syscall::ShmAttach, 42, 3 * 4096, 0) {
                    Ok(va) => {
                        let w = (va as *mut u32).wrapping_add(2048);
                        // SAFETY: the region is 3 pages, mapped writable.
                        unsafe { w.write_volatile(w.read_volatile() + 1000) };
                        true
                    }
                    Err(_) => false,
                };
                exit(if ok { 0 } else { 1 })
            }
            b"spin" => {
                let mut x = 1u32;
                for i in 0..number(arg(argv, 2)) {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(i);
                }
                exit((x & 1) as i32)
            }
            _ => exit(99),
        }
    }
    say!("ktest: starting, pid {}", syscall(Syscall::Getpid, 0, 0, 0).unwrap_or(0));

    // Processes: fork + exec + wait, with exit codes.
    let mut sum = 0;
    let mut ok = true;
    for n in 1..=20u32 {
        match syscall(Syscall::Fork, 0, 0, 0) {
            Ok(0) => {
                let num = [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
                let _ = exec(&[b"/init", b"child", &num]);
                exit(200);
            }
            Ok(_) => {}
            Err(_) => ok = false,
        }
    }
    for _ in 0..20 {
        match wait() {
            Ok((_, st)) => sum += st,
            Err(_) => ok = false,
        }
    }
    check("fork/exec/wait of 20 children, exit codes add up", ok && sum == 210);
    check("wait with no children is ECHILD", wait() == Err(ECHILD));

    // Memory: sbrk + demand-zero pages, written and read back.
    let base = syscall(Syscall::Sbrk, 256 * 1024, 0, 0).unwrap_or(0);
    let mut good = base != 0;
    if good {
        let p = base as *mut u32;
        for i in 0..(256 * 1024 / 4) {
            // SAFETY: the heap we just grew.
            unsafe {
                good &= *p.add(i) == 0;
                *p.add(i) = i as u32 ^ 0x5A5A_5A5A;
            }
        }
        for i in 0..(256 * 1024 / 4) {
            // SAFETY: as above.
            good &= unsafe { *p.add(i) } == i as u32 ^ 0x5A5A_5A5A;
        }
    }
    check("sbrk: 256 KB of zeroed pages, written and read back", good);

    // Copy-on-write: the child changes the heap, the parent does not see it.
    let p = base as *mut u32;
    match syscall(Syscall::Fork, 0, 0, 0) {
        Ok(0) => {
            // SAFETY: our copy of the heap.
            unsafe { *p = 0xDEAD_BEEF };
            exit(if unsafe { *p } == 0xDEAD_BEEF { 7 } else { 1 })
        }
        Ok(_) => {
            let st = wait().map(|w| w.1).unwrap_or(-1);
            // SAFETY: our heap.
            let mine = unsafe { *p };
            check("copy-on-write after fork", st == 7 && mine == 0x5A5A_5A5A);
        }
        Err(_) => check("copy-on-write after fork", false),
    }

    // Files: create, write, reopen, read back, stat, unlink.
    let path = cstr(b"/ktest.tmp");
    let fd = syscall(Syscall::Open, path.as_ptr() as u32, NEW_FILE, 0);
    let data: [u8; 10000] = core::array::from_fn(|i| (i * 31 % 251) as u8);
    let wrote = fd.and_then(|fd| write(fd, &data));
    let _ = fd.map(|fd| syscall(Syscall::Close, fd, 0, 0));
    let fd = syscall(Syscall::Open, path.as_ptr() as u32, 0, 0);
    let mut back = [0u8; 10000];
    let read = fd.and_then(|fd| syscall(Syscall::Read, fd, back.as_mut_ptr() as u32, 10000));
    let mut st = [0u8; 16];
    let stat = fd.and_then(|fd| syscall(Syscall::Fstat, fd, st.as_mut_ptr() as u32, 0));
    let _ = fd.map(|fd| syscall(Syscall::Close, fd, 0, 0));
    let size = u32::from_le_bytes([st[12], st[13], st[14], st[15]]);
    check(
        "file write, read back, fstat size",
        wrote == Ok(10000) && read == Ok(10000) && back == data && stat.is_ok() && size == 10000,
    );
    check(
        "unlink, then open fails with ENOENT",
        syscall(Syscall::Unlink, path.as_ptr() as u32, 0, 0).is_ok()
            && syscall(Syscall::Open, path.as_ptr() as u32, 0, 0) == Err(ENOENT),
    );

    // The name cache never outlives a name: a name found through it, removed and made again
    // finds the new file; a directory removed and its name given to a file is no directory.
    let (dir, file) = (cstr(b"/kd"), cstr(b"/kd/f"));
    let put = |p: &[u8], data: &[u8]| {
        syscall(Syscall::Open, p.as_ptr() as u32, NEW_FILE, 0).and_then(|fd| {
            let r = write(fd, data);
            let _ = syscall(Syscall::Close, fd, 0, 0);
            r
        })
    };
    let get = |p: &[u8], into: &mut [u8]| {
        syscall(Syscall::Open, p.as_ptr() as u32, 0, 0).and_then(|fd| {
            let r = syscall(Syscall::Read, fd, into.as_mut_ptr() as u32, into.len() as u32);
            let _ = syscall(Syscall::Close, fd, 0, 0);
            r
        })
    };
    let mut b = [0u8; 8];
    let first = syscall(Syscall::Mkdir, dir.as_ptr() as u32, 0, 0).is_ok()
        && put(&file, b"first") == Ok(5)
        && get(&file, &mut b) == Ok(5)
        && b[..5] == *b"first";
    let again = syscall(Syscall::Unlink, file.as_ptr() as u32, 0, 0).is_ok()
        && get(&file, &mut b) == Err(ENOENT)
        && put(&file, b"second") == Ok(6)
        && get(&file, &mut b) == Ok(6)
        && b[..6] == *b"second";
    let reused = syscall(Syscall::Unlink, file.as_ptr() as u32, 0, 0).is_ok()
        && syscall(Syscall::Unlink, dir.as_ptr() as u32, 0, 0).is_ok()
        && put(&dir, b"a file").is_ok()
        && get(&file, &mut b) == Err(ENOTDIR)
        && syscall(Syscall::Unlink, dir.as_ptr() as u32, 0, 0).is_ok();
    check("a removed name is never found again (name cache)", first && again && reused);

    // Pipes between processes.
    let mut fds = [0u32; 2];
    let piped = syscall(Syscall::Pipe, fds.as_mut_ptr() as u32, 0, 0).is_ok();
    match syscall(Syscall::Fork, 0, 0, 0) {
        Ok(0) => {
            let _ = syscall(Syscall::Close, fds[0], 0, 0);
            let _ = write(fds[1], b"through the pipe");
            exit(0)
        }
        _ => {
            let _ = syscall(Syscall::Close, fds[1], 0, 0);
            let mut b = [0u8; 32];
            let n = syscall(Syscall::Read, fds[0], b.as_mut_ptr() as u32, 32).unwrap_or(0);
            let _ = wait();
            check(
                "pipe between parent and child",
                piped && &b[..n as usize] == b"through the pipe",
            );
        }
    }

    // A faulting program is killed and reported; the kernel stays up.
    match syscall(Syscall::Fork, 0, 0, 0) {
        Ok(0) => {
            let _ = exec(&[b"/init", b"fault"]);
            exit(201)
        }
        _ => {
            let st = wait().map(|w| w.1).unwrap_or(-1);
            check("a faulting program is killed (status 128 + TLBL)", st == 128 + 2);
        }
    }

    // A file written by one process is read by another.
    match syscall(Syscall::Fork, 0, 0, 0) {
        Ok(0) => {
            let _ = exec(&[b"/init", b"writer"]);
            exit(203)
        }
        _ => {
            let st = wait().map(|w| w.1).unwrap_or(-1);
            let path = cstr(b"/shared.txt");
            let mut b = [0u8; 64];
            let n = syscall(Syscall::Open, path.as_ptr() as u32, 0, 0)
                .and_then(|fd| syscall(Syscall::Read, fd, b.as_mut_ptr() as u32, 64))
                .unwrap_or(0);
            check(
                "a file written by a child is read by its parent",
                st == 0 && &b[..n as usize] == b"written by one process, read by another",
            );
        }
    }

    // Shared memory: a region attached before fork is shared (not copied) with the child, and
    // a process that attaches it by key after exec sees the same pages.
    let va = syscall(Syscall::ShmAttach, 42, 3 * 4096, 0).unwrap_or(0);
    let region = va as *mut u32;
    if va != 0 {
        // SAFETY: three pages mapped writable.
        unsafe { region.add(2048).write_volatile(5) };
    }
    match syscall(Syscall::Fork, 0, 0, 0) {
        Ok(0) => {
            // SAFETY: inherited from the parent, shared.
            unsafe { region.add(2048).write_volatile(region.add(2048).read_volatile() + 20) };
            let _ = exec(&[b"/init", b"shm"]);
            exit(205)
        }
        _ => {
            let st = wait().map(|w| w.1).unwrap_or(-1);
            // SAFETY: as above.
            let seen = if va != 0 { unsafe { region.add(2048).read_volatile() } } else { 0 };
            check("shared memory across fork and exec", va != 0 && st == 0 && seen == 1025);
            check(
                "shm_remove, then again is EINVAL; a bad size is EINVAL",
                syscall(Syscall::ShmRemove, 42, 0, 0).is_ok()
                    && syscall(Syscall::ShmRemove, 42, 0, 0) == Err(EINVAL)
                    && syscall(Syscall::ShmAttach, 43, 0, 0) == Err(EINVAL)
                    && syscall(Syscall::ShmAttach, 43, 17 << 20, 0) == Err(EINVAL),
            );
        }
    }

    // Hundreds of short processes, a few at a time.
    let mut all = true;
    let mut total = 0;
    for round in 0..50u32 {
        for k in 0..6u32 {
            if let Ok(0) = syscall(Syscall::Fork, 0, 0, 0) {
                let n = (round + k) % 100;
                let num = [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
                let _ = exec(&[b"/init", b"child", &num]);
                exit(204);
            }
        }
        for _ in 0..6 {
            match wait() {
                Ok((_, st)) => total += st,
                Err(_) => all = false,
            }
        }
    }
    let want: i32 = (0..50).flat_map(|r| (0..6).map(move |k| ((r + k) % 100) as i32)).sum();
    check("300 short processes (fork + exec + exit + wait)", all && total == want);

    // Parallel work on every CPU.
    for _ in 0..8 {
        if let Ok(0) = syscall(Syscall::Fork, 0, 0, 0) {
            let _ = exec(&[b"/init", b"spin", b"200000"]);
            exit(202);
        }
    }
    let mut all = true;
    for _ in 0..8 {
        all &= wait().map(|w| w.1 <= 1).unwrap_or(false);
    }
    check("8 CPU-bound children", all);

    // SAFETY: single-threaded.
    let failed = unsafe { FAILED };
    say!("ktest: done, {} failed", failed);
    let _ = syscall(Syscall::Shutdown, failed, 0, 0);
    exit(failed as i32)
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    exit(101)
}

/// `open` flags of a file written from scratch.
const NEW_FILE: u32 = abi::syscall::O_WRONLY | abi::syscall::O_CREATE | abi::syscall::O_TRUNC;
