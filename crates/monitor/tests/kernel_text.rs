//! Guest kernel text shared across VMs (paper §4.2.5: "kernel text loaded identically in every
//! VM is shared the same way" as the disk-block cache's pages): three VMs boot one small test
//! kernel whose text (pages 0–5) is a read-only segment and whose data (pages 6–7) is writable.
//! Each text page is one machine page, [`PageOwner::Shared`] by all three, read-only; the data
//! pages are each VM's own. Then one VM's kernel pokes a word into a text page, as a debugger
//! setting a breakpoint would: it gets a private copy (a copy-on-write break), the others keep
//! the shared page and never see the word. With the switch off every VM has its own pages. The
//! monitor's invariants are checked after every trap and quantum.

mod common;

use common::{Code, DATA, EXIT_OK, Kernel, SPARE, SSEG};
use machine::{Machine, MachineConfig, Stop};
use mips::asm::{self, T0, T1, T2};
use monitor::Monitor;
use monitor::config::{MonitorConfig, VmSpec};
use monitor::ids::{Gppn, VmId};
use monitor::memmap::PageOwner;

const VMS: usize = 3;
/// Pages of the read-only text segment (the vectors, the code, the spare page).
const TEXT_PAGES: u32 = 6;
/// The word VM 0 pokes into its text.
const POKE: u32 = 0x5555_0000;
/// The first word of the spare text page (every text page holds something: a page of zeros
/// is left to first touch, not loaded).
const MARK: u32 = 0x7EC7_0000;

/// The one kernel every VM boots (results: 2 = "booted", 3 = the host's go (1: only read;
/// else the word to store into the spare text page), 4 = the spare page's first word at the
/// end).
fn kernel() -> Vec<u8> {
    let mut c = Code::new();
    c.li(T0, 1);
    c.result(T0, 2);
    c.wait_for_result(T0, 3);
    c.li(T1, SPARE);
    c.li(T2, 1);
    c.push(asm::beq(T0, T2, 2));
    c.push(asm::nop());
    c.push(asm::sw(T0, 0, T1));
    c.push(asm::lw(T0, 0, T1));
    c.result(T0, 4);
    c.power_off(EXIT_OK);
    let mut k = Kernel::new(&c);
    for p in 2..TEXT_PAGES {
        k.put_words(SSEG + p * 4096, &[MARK | p]);
    }
    text_and_data(k.elf())
}

/// The harness's one read-write-execute segment split in two: text (read, execute) below
/// [`DATA`], data (read, write) from there, as a linker lays out a kernel.
fn text_and_data(mut elf: Vec<u8>) -> Vec<u8> {
    let text = TEXT_PAGES * 4096;
    let put = |f: &mut Vec<u8>, at: usize, v: u32| f[at..at + 4].copy_from_slice(&v.to_le_bytes());
    elf[44..46].copy_from_slice(&2u16.to_le_bytes()); // e_phnum
    // The first program header (at 52): p_filesz, p_memsz, p_flags = R | X.
    put(&mut elf, 52 + 16, text);
    put(&mut elf, 52 + 20, text);
    put(&mut elf, 52 + 24, 5);
    // The second (at 84): PT_LOAD of the data, R | W.
    let data = 0x2000;
    let fields = [1, 0x1000 + text, SSEG + text, text, data, data, 6, 0x1000];
    for (i, v) in fields.into_iter().enumerate() {
        put(&mut elf, 84 + 4 * i, v);
    }
    elf
}

fn word(mon: &Monitor, m: &Machine, k: usize, gpa: u32) -> u32 {
    let b = mon.read_guest(m, VmId::of_index(k), gpa, 4).expect("inside the VM");
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn result(mon: &Monitor, m: &Machine, k: usize, r: u32) -> u32 {
    word(mon, m, k, DATA - SSEG + 4 * r)
}

fn page(mon: &Monitor, k: usize, gppn: u32) -> monitor::Mppn {
    mon.vm(VmId::of_index(k)).and_then(|v| v.pmap().get(Gppn(gppn))).expect("mapped")
}

fn boot(share: bool) -> (Machine, Monitor) {
    let cfg = MachineConfig { memory_per_node_mb: 16, ..MachineConfig::flash(2, 2) };
    let mut m = Machine::new(cfg, vec![]).expect("machine");
    let specs = (0..VMS)
        .map(|k| VmSpec { name: format!("vm{k}"), vcpus: 1, memory_mb: 4, disk_unit: None })
        .collect();
    let kernels = vec![kernel(); VMS];
    let mcfg = MonitorConfig {
        check_invariants: true,
        share_kernel_text: share,
        ..MonitorConfig::default()
    };
    let mon = Monitor::new(mcfg, specs, &kernels, &mut m).expect("monitor");
    (m, mon)
}

/// Runs until `done` holds, checking the monitor's invariants as it goes.
fn run_until(m: &mut Machine, mon: &mut Monitor, done: impl Fn(&Monitor, &Machine) -> bool) {
    for _ in 0..2_000 {
        if done(mon, m) {
            return;
        }
        if let Stop::Halted(_) = m.run(50_000, mon) {
            break;
        }
        assert_eq!(mon.violation(), None);
    }
    assert!(done(mon, m), "the VMs did not get there");
}

#[test]
fn vms_booting_one_kernel_share_its_text_and_a_poke_gets_a_private_copy() {
    let (mut m, mut mon) = boot(true);
    run_until(&mut m, &mut mon, |mon, m| (0..VMS).all(|k| result(mon, m, k, 2) == 1));

    // Every text page is one machine page for the three, shared, read-only, kernel text.
    for gppn in 0..TEXT_PAGES {
        let shared = page(&mon, 0, gppn);
        assert!((1..VMS).all(|k| page(&mon, k, gppn) == shared), "text page {gppn}");
        assert_eq!(mon.memmap().owner(shared), PageOwner::Shared);
        assert_eq!(mon.memmap().sharers(shared).len(), VMS);
        assert!(mon.is_kernel_text(shared));
    }
    // The data pages are each VM's own.
    let data = Gppn::of_gpa(DATA - SSEG).0;
    assert_ne!(page(&mon, 0, data), page(&mon, 1, data), "data is private");
    let totals = mon.memory_totals();
    assert_eq!(totals.shared_pages, TEXT_PAGES);
    assert_eq!(totals.v_total() - totals.m_pages, (VMS as u32 - 1) * TEXT_PAGES, "{totals:?}");
    assert_eq!(mon.check_invariants(&m), Ok(()));

    // VM 0 pokes its text; VMs 1 and 2 only read it.
    let spare = Gppn::of_gpa(SPARE - SSEG).0;
    let shared = page(&mon, 0, spare);
    for (k, go) in [(0, POKE), (1, 1), (2, 1)] {
        let data = page(&mon, k, data);
        assert!(m.sys.mem.dma_write(data.pa() + 12, &go.to_le_bytes()));
    }
    run_until(&mut m, &mut mon, |mon, _| mon.all_halted());
    assert_eq!(result(&mon, &m, 0, 4), POKE, "the writer sees its store");
    assert_ne!(page(&mon, 0, spare), shared, "the writer got a private copy");
    assert_eq!(mon.vms()[0].stats().cow_breaks, 1);
    for k in 1..VMS {
        assert_eq!(result(&mon, &m, k, 4), MARK | 5, "vm{k} never sees vm0's poke");
        assert_eq!(page(&mon, k, spare), shared, "vm{k} keeps the shared page");
        assert_eq!(mon.vms()[k].stats().cow_breaks, 0);
    }
    assert_eq!(mon.memmap().sharers(shared).len(), VMS - 1);
    let code = page(&mon, 0, 1);
    assert_eq!(mon.memmap().sharers(code).len(), VMS, "the code page is still shared by all");
    assert!(mon.vms().iter().all(|v| v.halted() == Some(EXIT_OK)));
    assert_eq!(mon.violation(), None);
    assert_eq!(mon.check_invariants(&m), Ok(()));
}

#[test]
fn with_the_switch_off_every_vm_has_its_own_kernel_pages() {
    let (mut m, mut mon) = boot(false);
    run_until(&mut m, &mut mon, |mon, m| (0..VMS).all(|k| result(mon, m, k, 2) == 1));
    assert_ne!(page(&mon, 0, 1), page(&mon, 1, 1));
    let totals = mon.memory_totals();
    assert_eq!((totals.shared_pages, totals.m_pages), (0, totals.v_total()), "{totals:?}");
    assert_eq!(mon.violation(), None);
}
