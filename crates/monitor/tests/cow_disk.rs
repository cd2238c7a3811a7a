//! Copy-on-write disks and the global disk-block cache (paper §4.2.5): three VMs of a small test
//! kernel boot with one base disk. Each writes its own pattern to the same sectors and reads
//! them back (its own, from its log); the base image stays byte for byte what it was; a
//! snapshot keeps the logs. All three read one block of the base: the later readers map the
//! first reader's page, so one machine page backs it in all three, read-only. Then one VM
//! stores into it: it gets a private copy (a copy-on-write break), the others still read the
//! base's bytes. The monitor's invariants are checked after every trap and quantum.

mod common;

use abi::mcall::{DISK_WRITE, MonitorCall};
use common::{Code, DATA, EXIT_OK, Kernel, SSEG};
use machine::{Machine, MachineConfig, Stop};
use mips::asm::{self, T0, T1, T2, ZERO};
use monitor::Monitor;
use monitor::config::{MonitorConfig, VmSpec};
use monitor::ids::{Gppn, VmId};
use monitor::memmap::PageOwner;

const VMS: usize = 3;
/// Where each VM writes its pattern, and the sector it reads back.
const WRITTEN_SECTOR: u32 = 16;
/// The base block every VM reads (and one later writes in memory).
const SHARED_SECTOR: u32 = 32;
/// Guest-physical pages: the write buffer, the read-back buffer, the shared block.
const P_WRITE: u32 = 0x8000;
const P_READ: u32 = 0x9000;
const P_SHARED: u32 = 0xA000;

/// A disk request on unit 0, waited for and acknowledged.
fn disk(c: &mut Code, sector: u32, gpa: u32, count: u32) {
    c.mcall(MonitorCall::DiskStart, &[0, sector, gpa, count]);
    let top = c.here();
    c.mcall(MonitorCall::DiskWait, &[0]);
    c.push(asm::andi(T0, asm::V0, abi::address_map::disk::DONE as u16));
    let off = (top as i32 - (c.here() as i32 + 4)) / 4;
    c.push(asm::beq(T0, ZERO, off as i16));
    c.push(asm::nop());
    c.mcall(MonitorCall::DiskAck, &[0]);
}

/// VM `k`'s program (results: 0/1 the first and last word read back, 2 = "block read",
/// 3 = the host's go (1: only read; else the word to store into the shared block), 4 = the
/// shared block's first word at the end).
fn program(k: u32) -> Kernel {
    let mut c = Code::new();
    c.li(T0, 0xC0DE_0000 | k);
    c.li(T1, SSEG + P_WRITE);
    c.push(asm::sw(T0, 0, T1));
    c.push(asm::sw(T0, 0xFFC, T1));
    disk(&mut c, WRITTEN_SECTOR, P_WRITE, 8 | DISK_WRITE);
    disk(&mut c, WRITTEN_SECTOR, P_READ, 8);
    c.li(T1, SSEG + P_READ);
    c.push(asm::lw(T0, 0, T1));
    c.result(T0, 0);
    c.push(asm::lw(T0, 0xFFC, T1));
    c.result(T0, 1);
    disk(&mut c, SHARED_SECTOR, P_SHARED, 8);
    c.li(T0, 1);
    c.result(T0, 2);
    c.wait_for_result(T0, 3);
    c.li(T1, SSEG + P_SHARED);
    c.li(T2, 1);
    c.push(asm::beq(T0, T2, 2));
    c.push(asm::nop());
    c.push(asm::sw(T0, 0, T1));
    c.push(asm::lw(T0, 0, T1));
    c.result(T0, 4);
    c.power_off(EXIT_OK);
    Kernel::new(&c)
}

fn image() -> Vec<u8> {
    (0..64 * 512u32).map(|i| (i.wrapping_mul(7) ^ (i >> 9)) as u8).collect()
}

fn word(mon: &Monitor, m: &Machine, k: usize, gpa: u32) -> u32 {
    let b = mon.read_guest(m, VmId::of_index(k), gpa, 4).expect("inside the VM");
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn result(mon: &Monitor, m: &Machine, k: usize, r: u32) -> u32 {
    word(mon, m, k, DATA - SSEG + 4 * r)
}

fn page(mon: &Monitor, k: usize, gpa: u32) -> monitor::Mppn {
    mon.vm(VmId::of_index(k)).and_then(|v| v.pmap().get(Gppn(gpa >> 12))).expect("mapped")
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
fn each_vm_reads_its_own_writes_and_shares_what_it_only_reads() {
    let base = image();
    let cfg = MachineConfig { memory_per_node_mb: 16, ..MachineConfig::flash(2, 2) };
    let mut m = Machine::new(cfg, vec![base.clone()]).expect("machine");
    let specs = (0..VMS)
        .map(|k| VmSpec { name: format!("vm{k}"), vcpus: 1, memory_mb: 4, disk_unit: Some(0) })
        .collect();
    let kernels: Vec<Vec<u8>> = (0..VMS as u32).map(|k| program(k).elf()).collect();
    let mcfg = MonitorConfig { check_invariants: true, ..MonitorConfig::default() };
    let mut mon = Monitor::new(mcfg, specs, &kernels, &mut m).expect("monitor");

    run_until(&mut m, &mut mon, |mon, m| (0..VMS).all(|k| result(mon, m, k, 2) == 1));
    for k in 0..VMS {
        let own = 0xC0DE_0000 | k as u32;
        assert_eq!(
            (result(&mon, &m, k, 0), result(&mon, &m, k, 1)),
            (own, own),
            "vm{k} reads back its own write"
        );
        let log = mon.vms()[k].disk().cow.as_ref().expect("a copy-on-write disk");
        assert_eq!(log.len(), 8, "vm{k} logged the 8 sectors it wrote");
    }
    assert!(m.sys.devices.disks[0].image() == &base[..], "the base image is untouched");

    // One machine page holds the block for all three, read-only, its sharers listed.
    let shared = page(&mon, 0, P_SHARED);
    assert!((1..VMS).all(|k| page(&mon, k, P_SHARED) == shared), "one page for the block");
    assert_eq!(mon.memmap().owner(shared), PageOwner::Shared);
    assert_eq!(mon.memmap().sharers(shared).len(), VMS);
    let totals = mon.memory_totals();
    assert_eq!(totals.shared_pages, 1);
    assert!(totals.m_pages + 2 <= totals.v_total(), "{totals:?}");

    // A snapshot keeps the logs (and the sharing).
    let bytes = bincode::serialize(&(&m, &mon)).expect("serialise");
    let (_, mon2): (Machine, Monitor) = bincode::deserialize(&bytes).expect("deserialise");
    for k in 0..VMS {
        assert_eq!(mon2.vms()[k].disk().cow, mon.vms()[k].disk().cow, "vm{k}'s log");
    }
    assert_eq!(mon2.memmap().sharers(shared), mon.memmap().sharers(shared));

    // VM 0 writes into the block; VMs 1 and 2 only read it again.
    for (k, go) in [(0, 0x5555_0000u32), (1, 1), (2, 1)] {
        let data = page(&mon, k, DATA - SSEG);
        assert!(m.sys.mem.dma_write(data.pa() + 12, &go.to_le_bytes()));
    }
    run_until(&mut m, &mut mon, |mon, _| mon.all_halted());
    let base_word =
        u32::from_le_bytes(base[SHARED_SECTOR as usize * 512..][..4].try_into().expect("4 bytes"));
    assert_eq!(result(&mon, &m, 0, 4), 0x5555_0000, "the writer sees its store");
    for k in 1..VMS {
        assert_eq!(result(&mon, &m, k, 4), base_word, "vm{k} never sees vm0's store");
        assert_eq!(page(&mon, k, P_SHARED), shared);
        let bytes = mon.read_guest(&m, VmId::of_index(k), P_SHARED, 4096).expect("inside");
        assert!(bytes == base[SHARED_SECTOR as usize * 512..][..4096], "vm{k}'s block");
    }
    assert_ne!(page(&mon, 0, P_SHARED), shared, "the writer got a private copy");
    assert_eq!(mon.vms()[0].stats().cow_breaks, 1);
    assert_eq!(mon.memmap().sharers(shared).len(), VMS - 1);
    assert!(m.sys.devices.disks[0].image() == &base[..], "the base image is untouched");
    assert!(mon.vms().iter().all(|v| v.halted() == Some(EXIT_OK)));
    assert_eq!(mon.violation(), None);
    assert_eq!(mon.check_invariants(&m), Ok(()));
}
