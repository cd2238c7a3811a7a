//! The guest OS on the bare machine: the kernel boots from target/guests/kernel with a disk
//! image whose `/init` is the kernel self-test (`ktest`), on 1, 2, 4 and 8 CPUs over one to four
//! nodes. Every self-test check must pass, the kernel's statistics block (read from machine
//! memory at the address of its `KSTATS` symbol) must count exactly the system calls ktest
//! makes, and the same run twice must give the same run hash.

use std::mem::{offset_of, size_of};

use abi::kstats::{Event, Header, MAGIC, PageUse, Row, SYMBOL};
use abi::segments::PAGE_BYTES;
use abi::syscall::Syscall;
use guest_files::{disk_with_init, guest, in_order, variant};
use machine::machine::Log;
use machine::{Machine, MachineConfig};
use object::read::elf::{FileHeader, Sym};
use object::{LittleEndian as LE, elf};

/// The virtual address of symbol `name` in an ELF image.
fn symbol(image: &[u8], name: &str) -> u32 {
    let h = elf::FileHeader32::<LE>::parse(image).expect("elf");
    let e = h.endian().expect("endian");
    let sections = h.sections(e, image).expect("sections");
    let symbols = sections.symbols(e, image, elf::SHT_SYMTAB).expect("symtab");
    for s in symbols.iter() {
        if symbols.symbol_name(e, s).ok() == Some(name.as_bytes()) {
            return s.st_value(e);
        }
    }
    panic!("no symbol {name} in the kernel");
}

struct Run {
    m: Machine,
    code: Option<u32>,
    console: String,
}

fn boot(nodes: u32, cpus_per_node: u32) -> Run {
    boot_with(MachineConfig {
        memory_per_node_mb: 32 / nodes.max(1),
        ..MachineConfig::flash(nodes, cpus_per_node)
    })
}

fn boot_with(cfg: MachineConfig) -> Run {
    let kernel = guest("kernel");
    let mut m = Machine::new(cfg, vec![disk_with_init(guest("ktest"))]).expect("config");
    m.boot(&kernel).expect("kernel image");
    let code = m.run_to_halt(4_000_000_000, &mut Log::default());
    let console = String::from_utf8_lossy(m.console()).into_owned();
    Run { m, code, console }
}

/// The `u32` of the kernel's statistics header at byte offset `at`.
fn header_u32(run: &Run, at: usize) -> u32 {
    let pa = symbol(&guest("kernel"), SYMBOL) & 0x1FFF_FFFF;
    let b = run.m.sys.mem.ram.slice(pa + at as u32, 4).expect("KSTATS in memory");
    u32::from_le_bytes(b.try_into().expect("4"))
}

/// Sums a u64 array of the kernel's statistics over the CPUs' rows: element `index` of the
/// array at byte offset `field_offset` of a [`Row`].
fn kstat(run: &Run, field_offset: usize, index: usize) -> u64 {
    let kernel = guest("kernel");
    let pa = symbol(&kernel, SYMBOL) & 0x1FFF_FFFF;
    let magic = run.m.sys.mem.ram.slice(pa + offset_of!(Header, magic) as u32, 8).expect("magic");
    assert_eq!(u64::from_le_bytes(magic.try_into().expect("8")), MAGIC, "the block's magic");
    let cpus = header_u32(run, offset_of!(Header, cpus)) as usize;
    let row_bytes = header_u32(run, offset_of!(Header, row_bytes)) as usize;
    (0..cpus)
        .map(|c| {
            let at = c * row_bytes + field_offset + size_of::<u64>() * index;
            let at = pa + (size_of::<Header>() + at) as u32;
            u64::from_le_bytes(run.m.sys.mem.ram.slice(at, 8).expect("row").try_into().expect("8"))
        })
        .sum()
}

#[test]
fn the_kernel_passes_its_self_test_on_1_to_8_cpus() {
    for (nodes, per) in [(1, 1), (1, 2), (2, 2), (4, 2)] {
        let r = boot(nodes, per);
        let cpus = nodes * per;
        assert_eq!(r.code, Some(0), "{cpus} CPUs; console:\n{}", r.console);
        assert!(r.console.contains("ktest: done, 0 failed"), "{}", r.console);
        assert!(
            r.console.contains("ktest: ok   a removed name is never found again (name cache)"),
            "{}",
            r.console
        );
        assert!(r.console.contains(&format!("dux: {cpus} CPUs")), "{}", r.console);
        assert!(
            r.console.contains("killed: TLBL at pc"),
            "the faulting child is reported:\n{}",
            r.console
        );
        // Every CPU took part.
        for c in 0..cpus as usize {
            assert!(r.m.cpu_summary(c).instructions > 10_000, "cpu {c} barely ran");
        }
    }
}

#[test]
fn kernel_statistics_count_the_system_calls_ktest_makes() {
    let r = boot(2, 2);
    assert_eq!(r.code, Some(0), "{}", r.console);
    let calls = |c: Syscall| kstat(&r, offset_of!(Row, syscalls), c as usize);
    // ktest forks 20 children to exec, then once each for COW, the pipe, the fault, the file
    // writer and shared memory, then 300 short processes, then 8 spinners.
    assert_eq!(calls(Syscall::Fork), 20 + 1 + 1 + 1 + 1 + 1 + 300 + 8, "fork");
    // exec: the 20 children, the faulting child, the writer, the shm child, the 300, the 8.
    assert_eq!(calls(Syscall::Exec), 20 + 1 + 1 + 1 + 300 + 8, "exec");
    // wait: 20, one ECHILD, then COW, pipe, fault, writer, shm, 300 and 8.
    assert_eq!(calls(Syscall::Wait), 20 + 1 + 1 + 1 + 1 + 1 + 1 + 300 + 8, "wait");
    // exit: every child but the faulting one (killed); init shuts down instead.
    assert_eq!(calls(Syscall::Exit), 20 + 1 + 1 + 1 + 1 + 300 + 8, "exit");
    // shm_attach: ktest, then its exec'd child, then two refused sizes; shm_remove twice.
    assert_eq!(calls(Syscall::ShmAttach), 4, "shm_attach");
    assert_eq!(calls(Syscall::ShmRemove), 2, "shm_remove");
    assert_eq!(calls(Syscall::Shutdown), 1, "shutdown");
    // Cycles were charged to the calls.
    let fork_cycles = kstat(&r, offset_of!(Row, syscall_cycles), Syscall::Fork as usize);
    assert!(fork_cycles > 0, "fork cycles");
    // Events: demand-zero pages happened (the 256 KB heap alone is 64 pages) and a kill.
    let events = |e: Event| kstat(&r, offset_of!(Row, events), e as usize);
    assert!(events(Event::DemandZero) >= 64, "demand-zero faults");
    assert_eq!(events(Event::Killed), 1, "one process killed");
    // Over 600 address spaces came and went, each a directory and page tables in the mapped
    // kernel segment (1024 slots): reclaim epochs began (each a flush on all 4 CPUs), and the
    // lazy reclaim kept up (no table ever fell back to the direct map).
    assert!(events(Event::K2Flush) >= 4, "K2 flushes: {}", events(Event::K2Flush));
    assert_eq!(events(Event::K2Full), 0, "K2 never full");
}

#[test]
fn the_same_boot_gives_the_same_run_hash() {
    let a = boot(2, 2);
    let b = boot(2, 2);
    assert_eq!(a.code, Some(0));
    assert_eq!(a.m.run_hash(), b.m.run_hash());
    assert_eq!(a.console, b.console);
}

/// The kernel's page-use table: how many machine pages it uses for each purpose, by
/// [`PageUse`] code (a code that is none counts as a buffer-cache page, the last).
fn page_uses(run: &Run) -> [usize; 5] {
    let table = header_u32(run, offset_of!(Header, page_uses));
    let pages = header_u32(run, offset_of!(Header, pages));
    assert_eq!(pages, run.m.config().memory_bytes() / PAGE_BYTES, "one entry per machine page");
    let mut counts = [0; 5];
    for &u in run.m.sys.mem.ram.slice(table, pages).expect("table") {
        let code = PageUse::from_code(u).unwrap_or(PageUse::BufferCache);
        counts[code as usize] += 1;
    }
    counts
}

#[test]
fn the_page_use_table_says_what_memory_holds() {
    let r = boot(2, 2);
    assert_eq!(r.code, Some(0), "{}", r.console);
    let [free, kernel, tables, user, buffers] = page_uses(&r);
    // The cache starts with 256 buffers and grows, block by block, up to a quarter of memory.
    let pages = header_u32(&r, offset_of!(Header, pages)) as usize;
    assert!((256..=pages / 4).contains(&buffers), "the buffer cache's pages: {buffers}");
    assert!(kernel > 500, "the kernel image, heap and tables: {kernel}");
    assert!(user > 0 && tables > 0, "init's pages are still mapped: {user} user, {tables} tables");
    assert!(free > 5000, "most memory is free at the end: {free}");
}

#[test]
fn the_self_test_passes_under_different_interleavings() {
    // The quantum decides how the CPUs' instruction streams interleave: races show up here.
    for quantum in [700, 2_300, 10_000, 41_000] {
        let cfg = MachineConfig { quantum_cycles: quantum, ..MachineConfig::flash(2, 2) };
        let r = boot_with(cfg);
        assert_eq!(r.code, Some(0), "quantum {quantum}:\n{}", r.console);
    }
}

#[test]
fn workloads_reach_their_checksums_on_1_to_8_cpus() {
    for name in ["smoke", "pmake-tiny", "db-tiny"] {
        let (image, expected) = variant(name, 16 * 1024, 2048);
        for (nodes, per) in [(1, 1), (1, 2), (2, 2), (4, 2)] {
            let cfg = MachineConfig {
                memory_per_node_mb: 64 / nodes,
                ..MachineConfig::flash(nodes, per)
            };
            let mut m = Machine::new(cfg, vec![image.clone()]).expect("config");
            m.boot(&guest("kernel")).expect("kernel");
            let code = m.run_to_halt(8_000_000_000, &mut Log::default());
            let console = String::from_utf8_lossy(m.console()).into_owned();
            assert_eq!(code, Some(0), "{name} on {} CPUs:\n{console}", nodes * per);
            assert!(
                in_order(&console, &expected),
                "{name} on {} CPUs: expected\n{}\ngot\n{console}",
                nodes * per,
                expected.join("\n")
            );
        }
    }
}
