//! The virtual subnet (paper §4.2.6): three VMs of a small test kernel. VM 0 sends VM 1 a
//! frame of a header and two page-aligned payload pages: VM 1's page-aligned receive buffer
//! then maps VM 0's machine pages read-only (remapped, not copied). VM 2, armed all along,
//! never sees that frame: the first frame it gets is VM 0's broadcast, into an unaligned
//! buffer, so copied. The monitor stamps the sender's own MAC into every frame. A store by the
//! receiver breaks the share (a private copy); the sender's bytes stay. Bad arguments get
//! error codes. A snapshot keeps the interfaces. The monitor's invariants are checked after
//! every slice of the run.

mod common;

use abi::mcall::{Error, MonitorCall, net};
use common::{Code, DATA, EXIT_OK, Kernel, SSEG};
use machine::{Machine, MachineConfig, Stop};
use mips::asm::{self, T0, T1, V0, V1, ZERO};
use monitor::Monitor;
use monitor::config::{MonitorConfig, VmSpec};
use monitor::events::EventKind;
use monitor::ids::{Gppn, VmId};
use monitor::memmap::PageOwner;

const VMS: usize = 3;
/// VM 0's payload: two pages in its image, filled with a pattern.
const P_PAY: u32 = 0x4000;
/// VM 0's headers: unicast to VM 1, broadcast.
const P_UNICAST: u32 = 0x7800;
const P_BROADCAST: u32 = 0x7900;
/// The receivers' header buffer.
const P_RX_HDR: u32 = 0x7A00;
/// VM 1's receive buffers (page-aligned), VM 2's (not).
const P_RX1: u32 = 0x10000;
const P_RX1_SECOND: u32 = 0x12000;
const P_RX2: u32 = 0x20010;
const HDR: u32 = 64;

/// Result slots.
const R_READY: u32 = 11;
const R_GO1: u32 = 3;
const R_GO2: u32 = 4;
const R_GO_END: u32 = 9;

/// Loops on `net_wait` until a frame is in; leaves the status in `$v0`.
fn wait_frame(c: &mut Code) {
    let top = c.here();
    c.mcall(MonitorCall::NetWait, &[]);
    c.push(asm::andi(T0, V0, net::RECEIVED as u16));
    let off = (top as i32 - (c.here() as i32 + 4)) / 4;
    c.push(asm::beq(T0, ZERO, off as i16));
    c.push(asm::nop());
}

/// A word of guest memory into result `k`.
fn load_result(c: &mut Code, gpa: u32, k: u32) {
    c.li(T1, SSEG + gpa);
    c.push(asm::lw(T0, 0, T1));
    c.result(T0, k);
}

fn sender() -> Kernel {
    let mut c = Code::new();
    c.wait_for_result(T0, R_GO1);
    c.mcall(MonitorCall::NetSend, &[P_UNICAST, HDR, P_PAY, 2]);
    c.result(V1, 0);
    c.wait_for_result(T0, R_GO2);
    c.mcall(MonitorCall::NetSend, &[P_BROADCAST, HDR, P_PAY, 2]);
    c.result(V1, 1);
    // Bad calls: a header shorter than the link header, a payload past the VM's memory, more
    // pages than a frame carries, a receive buffer outside memory.
    c.mcall(MonitorCall::NetSend, &[P_UNICAST, 5, P_PAY, 0]);
    c.result(V1, 5);
    c.mcall(MonitorCall::NetSend, &[P_UNICAST, HDR, 0x3F_F000, 2]);
    c.result(V1, 6);
    c.mcall(MonitorCall::NetSend, &[P_UNICAST, HDR, P_PAY, net::MAX_PAGES + 1]);
    c.result(V1, 7);
    c.mcall(MonitorCall::NetRecv, &[P_RX_HDR, HDR, 0x4000_0000, 1]);
    c.result(V1, 8);
    c.wait_for_result(T0, R_GO_END);
    load_result(&mut c, P_PAY, 10);
    c.power_off(EXIT_OK);
    let mut k = Kernel::new(&c);
    let pattern: Vec<u32> = (0..2048).map(|i| 0xAAAA_0000 | i).collect();
    k.put_words(SSEG + P_PAY, &pattern);
    // Each header claims to come from VM 2 (the monitor overwrites that).
    k.put_words(SSEG + P_UNICAST, &[0x005C_D102, 0xD102_0100, 0x0200_005C, 0x2222_1111]);
    k.put_words(SSEG + P_BROADCAST, &[0xFFFF_FFFF, 0xD102_FFFF, 0x0200_005C, 0x4444_3333]);
    k
}

fn receiver1() -> Kernel {
    let mut c = Code::new();
    c.mcall(MonitorCall::NetRecv, &[P_RX_HDR, HDR, P_RX1, 2]);
    c.result(V1, 0);
    c.li(T0, 1);
    c.result(T0, R_READY);
    wait_frame(&mut c);
    c.result(V0, 1);
    load_result(&mut c, P_RX1, 2);
    load_result(&mut c, P_RX1 + 0xFFC, 3);
    load_result(&mut c, P_RX1 + 0x1000, 4);
    c.mcall(MonitorCall::NetAck, &[]);
    c.mcall(MonitorCall::NetRecv, &[P_RX_HDR, HDR, P_RX1_SECOND, 2]);
    wait_frame(&mut c);
    c.result(V0, 5);
    load_result(&mut c, P_RX1_SECOND, 6);
    c.mcall(MonitorCall::NetAck, &[]);
    c.wait_for_result(T0, R_GO_END);
    c.li(T1, SSEG + P_RX1);
    c.push(asm::sw(T0, 0, T1));
    load_result(&mut c, P_RX1, 7);
    load_result(&mut c, P_RX1_SECOND, 8);
    c.power_off(EXIT_OK);
    Kernel::new(&c)
}

fn receiver2() -> Kernel {
    let mut c = Code::new();
    c.mcall(MonitorCall::NetRecv, &[P_RX_HDR, HDR, P_RX2, 2]);
    c.result(V1, 0);
    c.li(T0, 1);
    c.result(T0, R_READY);
    wait_frame(&mut c);
    c.result(V0, 1);
    load_result(&mut c, P_RX_HDR + 12, 2);
    load_result(&mut c, P_RX2, 3);
    load_result(&mut c, P_RX_HDR + 8, 4);
    c.mcall(MonitorCall::NetAck, &[]);
    c.power_off(EXIT_OK);
    Kernel::new(&c)
}

fn word(mon: &Monitor, m: &Machine, k: usize, gpa: u32) -> u32 {
    let b = mon.read_guest(m, VmId::of_index(k), gpa, 4).expect("inside the VM");
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn result(mon: &Monitor, m: &Machine, k: usize, r: u32) -> u32 {
    word(mon, m, k, DATA - SSEG + 4 * r)
}

fn poke(mon: &Monitor, m: &mut Machine, k: usize, r: u32, v: u32) {
    let data = page(mon, k, DATA - SSEG);
    assert!(m.sys.mem.dma_write(data.pa() + 4 * r, &v.to_le_bytes()));
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
        let stop = m.run(20_000, mon);
        assert_eq!(mon.check_invariants(m), Ok(()));
        if let Stop::Halted(_) = stop {
            break;
        }
    }
    assert!(done(mon, m), "the VMs did not get there");
}

fn boot() -> (Machine, Monitor) {
    let cfg = MachineConfig { memory_per_node_mb: 16, ..MachineConfig::flash(2, 2) };
    let mut m = Machine::new(cfg, Vec::new()).expect("machine");
    let specs = (0..VMS)
        .map(|k| VmSpec { name: format!("vm{k}"), vcpus: 1, memory_mb: 4, disk_unit: None })
        .collect();
    let kernels = [sender().elf(), receiver1().elf(), receiver2().elf()];
    let mcfg = MonitorConfig { check_invariants: true, ..MonitorConfig::default() };
    let mon = Monitor::new(mcfg, specs, &kernels, &mut m).expect("monitor");
    (m, mon)
}

#[test]
fn frames_reach_only_their_receiver_and_aligned_pages_are_remapped() {
    let (mut m, mut mon) = boot();
    run_until(&mut m, &mut mon, |mon, m| (1..VMS).all(|k| result(mon, m, k, R_READY) == 1));
    assert_eq!((result(&mon, &m, 1, 0), result(&mon, &m, 2, 0)), (0, 0), "both armed");

    // Unicast to VM 1: two pages remapped.
    poke(&mon, &mut m, 0, R_GO1, 1);
    run_until(&mut m, &mut mon, |mon, m| result(mon, m, 1, 1) != 0);
    let status = result(&mon, &m, 1, 1);
    assert_eq!(status & (net::RECEIVED | net::TRUNCATED), net::RECEIVED);
    assert_eq!((status >> net::PAGES_SHIFT) & 0xFF, 2);
    assert_eq!(status >> net::HEADER_SHIFT, HDR);
    assert_eq!(
        [2, 3, 4].map(|r| result(&mon, &m, 1, r)),
        [0xAAAA_0000, 0xAAAA_03FF, 0xAAAA_0400],
        "VM 1 reads VM 0's payload"
    );
    for i in 0..2 {
        let shared = page(&mon, 0, P_PAY + i * 4096);
        assert_eq!(page(&mon, 1, P_RX1 + i * 4096), shared, "payload page {i} remapped");
        assert_eq!(mon.memmap().owner(shared), PageOwner::Shared);
    }
    assert_eq!(mon.vms()[1].net().stats.pages_remapped, 2);
    let remaps = mon
        .events_since(0)
        .0
        .filter(|e| matches!(e.kind, EventKind::NetRemap { to, .. } if to == VmId(1)))
        .count();
    assert_eq!(remaps, 2, "an event per remapped page");

    // Isolation: VM 2, armed all along, saw nothing of the frame between VMs 0 and 1.
    m.run(200_000, &mut mon);
    assert_eq!(result(&mon, &m, 2, 1), 0, "VM 2 received a frame addressed to VM 1");
    assert_eq!(mon.vms()[2].net().stats.received, 0);
    let hdr2 = mon.read_guest(&m, VmId(2), P_RX_HDR, HDR).expect("inside");
    assert!(hdr2.iter().all(|&b| b == 0), "VM 2's buffer untouched");

    // Broadcast: VM 1 (aligned: remapped again) and VM 2 (unaligned: copied).
    poke(&mon, &mut m, 0, R_GO2, 1);
    run_until(&mut m, &mut mon, |mon, m| result(mon, m, 1, 5) != 0 && result(mon, m, 2, 1) != 0);
    assert_eq!(result(&mon, &m, 1, 6), 0xAAAA_0000);
    assert_eq!(result(&mon, &m, 2, 2), 0x4444_3333, "VM 2's first frame is the broadcast");
    assert_eq!(result(&mon, &m, 2, 3), 0xAAAA_0000, "copied into the unaligned buffer");
    assert_eq!(result(&mon, &m, 2, 4), 0x0000_005C, "the source MAC is VM 0's, not VM 2's");
    let n2 = mon.vms()[2].net().stats;
    assert_eq!((n2.received, n2.pages_remapped), (1, 0));
    assert_eq!(n2.bytes_copied, u64::from(HDR) + 2 * 4096);
    assert_eq!(mon.vms()[1].net().stats.pages_remapped, 4);
    assert_eq!(mon.vms()[0].net().stats.sent, 2);
    let shared = page(&mon, 0, P_PAY);
    assert_eq!(mon.memmap().sharers(shared).len(), 3, "VM 0 and VM 1 twice");
    let totals = mon.memory_totals();
    assert!(totals.m_pages + 4 <= totals.v_total(), "{totals:?}");
    assert_eq!(mon.net_totals().pages_remapped, 4);

    // A snapshot keeps the interfaces.
    let bytes = bincode::serialize(&(&m, &mon)).expect("serialise");
    let (_, mon2): (Machine, Monitor) = bincode::deserialize(&bytes).expect("deserialise");
    for k in 0..VMS {
        assert_eq!(mon2.vms()[k].net().stats, mon.vms()[k].net().stats);
        assert_eq!(mon2.vms()[k].net().rx, mon.vms()[k].net().rx);
    }

    // VM 1 stores into its first copy: a private page; VM 0's bytes and VM 1's other copy stay.
    poke(&mon, &mut m, 0, R_GO_END, 0x5555_0000);
    poke(&mon, &mut m, 1, R_GO_END, 0x5555_0001);
    run_until(&mut m, &mut mon, |mon, _| mon.all_halted());
    assert!(mon.vms().iter().all(|v| v.halted() == Some(EXIT_OK)));
    assert_eq!(result(&mon, &m, 1, 7), 0x5555_0001, "VM 1 sees its store");
    assert_eq!(result(&mon, &m, 1, 8), 0xAAAA_0000, "its other copy is unchanged");
    assert_eq!(result(&mon, &m, 0, 10), 0xAAAA_0000, "the sender never sees VM 1's store");
    assert_ne!(page(&mon, 1, P_RX1), shared);
    assert!(mon.vms()[1].stats().cow_breaks >= 1);
    let bad = Error::BadArg as u32;
    assert_eq!(
        [5, 6, 7, 8].map(|r| result(&mon, &m, 0, r)),
        [bad, Error::BadAddress as u32, bad, Error::BadAddress as u32],
        "bad calls refused"
    );
    assert_eq!((result(&mon, &m, 0, 0), result(&mon, &m, 0, 1)), (0, 0));
    assert_eq!(mon.check_invariants(&m), Ok(()));
}

/// VM 0 sends three frames at once: to a MAC no VM has, to itself, and to VM 1, which has not
/// armed a buffer yet. The first two are dropped; the third waits in VM 1's queue and is
/// placed — copied, since its pages left VM 0 when it was queued — when VM 1 arms.
#[test]
fn a_frame_for_a_vm_not_armed_waits_and_frames_to_no_one_are_dropped() {
    const P_NOBODY: u32 = 0x7A00;
    const P_SELF: u32 = 0x7B00;
    let mut c = Code::new();
    for h in [P_NOBODY, P_SELF, P_UNICAST] {
        c.mcall(MonitorCall::NetSend, &[h, HDR, P_PAY, 2]);
    }
    c.li(T0, 1);
    c.result(T0, R_READY);
    c.power_off(EXIT_OK);
    let mut k0 = Kernel::new(&c);
    let pattern: Vec<u32> = (0..2048).map(|i| 0xAAAA_0000 | i).collect();
    k0.put_words(SSEG + P_PAY, &pattern);
    k0.put_words(SSEG + P_UNICAST, &[0x005C_D102, 0xD102_0100, 0x0200_005C, 0x2222_1111]);
    // VM 9 (no such VM), VM 0 (the sender itself).
    k0.put_words(SSEG + P_NOBODY, &[0x005C_D102, 0xD102_0900, 0x0000_005C, 0]);
    k0.put_words(SSEG + P_SELF, &[0x005C_D102, 0xD102_0000, 0x0000_005C, 0]);

    let mut c = Code::new();
    c.wait_for_result(T0, R_GO1);
    c.mcall(MonitorCall::NetRecv, &[P_RX_HDR, HDR, P_RX1, 2]);
    wait_frame(&mut c);
    c.result(V0, 1);
    load_result(&mut c, P_RX1 + 0x1000, 2);
    c.mcall(MonitorCall::NetAck, &[]);
    c.power_off(EXIT_OK);
    let k1 = Kernel::new(&c);

    let cfg = MachineConfig { memory_per_node_mb: 16, ..MachineConfig::flash(2, 1) };
    let mut m = Machine::new(cfg, Vec::new()).expect("machine");
    let specs = (0..2)
        .map(|k| VmSpec { name: format!("vm{k}"), vcpus: 1, memory_mb: 4, disk_unit: None })
        .collect();
    let mcfg = MonitorConfig { check_invariants: true, ..MonitorConfig::default() };
    let mut mon = Monitor::new(mcfg, specs, &[k0.elf(), k1.elf()], &mut m).expect("monitor");

    run_until(&mut m, &mut mon, |mon, _| mon.vms()[0].halted().is_some());
    let n0 = mon.vms()[0].net().stats;
    assert_eq!((n0.sent, n0.dropped, n0.received), (3, 2, 0), "{n0:?}");
    assert_eq!(mon.vms()[1].net().inbox.len(), 1, "the frame waits for VM 1");

    poke(&mon, &mut m, 1, R_GO1, 1);
    run_until(&mut m, &mut mon, |mon, _| mon.all_halted());
    let status = result(&mon, &m, 1, 1);
    assert_eq!(status & net::RECEIVED, net::RECEIVED);
    assert_eq!((status >> net::PAGES_SHIFT) & 0xFF, 2);
    assert_eq!(result(&mon, &m, 1, 2), 0xAAAA_0400, "the second payload page");
    let n1 = mon.vms()[1].net().stats;
    assert_eq!((n1.received, n1.pages_remapped), (1, 0), "a queued frame is copied");
    assert_eq!(n1.bytes_copied, u64::from(HDR) + 2 * 4096);
    assert!(mon.vms()[1].net().inbox.is_empty());
    assert!(mon.vms().iter().all(|v| v.halted() == Some(EXIT_OK)));
    assert_eq!(mon.check_invariants(&m), Ok(()));
}
