//! The guest OS's Disco build under the monitor: the kernel self-test (ktest as /init) in one
//! and in several VMs at once.

use guest_files::{disk_with_init, guest, in_order, variant};
use machine::{Machine, MachineConfig};
use monitor::Monitor;
use monitor::config::{MonitorConfig, VmSpec};

/// The address of the symbol whose name ends with `suffix`.
fn symbol(image: &[u8], suffix: &str) -> u32 {
    use object::read::elf::{FileHeader, Sym};
    let h = object::elf::FileHeader32::<object::LittleEndian>::parse(image).expect("elf");
    let e = h.endian().expect("endian");
    let sections = h.sections(e, image).expect("sections");
    let symbols = sections.symbols(e, image, object::elf::SHT_SYMTAB).expect("symtab");
    for s in symbols.iter() {
        let n = symbols.symbol_name(e, s).unwrap_or(b"");
        if n.ends_with(suffix.as_bytes()) {
            return s.st_value(e);
        }
    }
    panic!("no symbol {suffix}");
}

fn ktest_disk() -> Vec<u8> {
    disk_with_init(guest("ktest"))
}

struct Run {
    m: Machine,
    mon: Monitor,
    code: Option<u32>,
}

fn run(cfg: MachineConfig, vms: u32, vcpus: u32, memory_mb: u32) -> Run {
    let disks = (0..vms).map(|_| ktest_disk()).collect();
    let mut m = Machine::new(cfg, disks).expect("machine");
    let specs = (0..vms)
        .map(|k| VmSpec { name: format!("vm{k}"), vcpus, memory_mb, disk_unit: Some(k) })
        .collect();
    let kernels: Vec<Vec<u8>> = (0..vms).map(|_| guest("kernel-disco")).collect();
    let mut mon = Monitor::new(MonitorConfig::default(), specs, &kernels, &mut m).expect("monitor");
    let budget: u64 =
        std::env::var("BUDGET").ok().and_then(|b| b.parse().ok()).unwrap_or(8_000_000_000);
    let code = m.run_to_halt(budget, &mut mon);
    Run { m, mon, code }
}

fn console(r: &Run, vm: usize) -> String {
    String::from_utf8_lossy(r.mon.vms()[vm].console()).into_owned()
}

/// What the monitor and the guest were doing: for failure messages.
fn report(r: &Run, vm: usize) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "console:\n{}", console(r, vm));
    let _ = writeln!(out, "{:?}", r.mon.vms()[vm].stats());
    for v in r.mon.vms()[vm].vcpus() {
        let _ =
            writeln!(out, "vcpu {} {:?} pc {:#x} user {}", v.index.0, v.state, v.ctx.pc, v.user);
    }
    for (p, c) in r.m.cpus.iter().enumerate() {
        let _ = writeln!(
            out,
            "pcpu {p}: pc {:#x} mode {:?} parked {} running {:?} insns {}",
            c.pc(),
            c.mode(),
            r.m.parked(p),
            r.mon.running_on(monitor::PcpuId::of_index(p)),
            c.instructions()
        );
    }
    for v in r.mon.vms()[vm].vcpus() {
        let spw: Vec<u32> =
            (0..14).map(|k| r.m.sys.mem.ram.read(v.special.0.pa() + 4 * k, 4)).collect();
        let _ = writeln!(out, "vcpu {} special {spw:x?} vtlb0 {:x?}", v.index.0, v.vtlb.get(0));
    }
    for p in 0..2 {
        let c = &r.m.cpus[p];
        let _ = writeln!(
            out,
            "pcpu {p} live pc {:#x} entryhi {:#x} tlb: {:x?}",
            c.pc(),
            c.cp0.entry_hi,
            c.mmu.tlb.entries().iter().filter(|e| e.hi >= 0xDFFF_E000).collect::<Vec<_>>()
        );
    }
    for t in r.mon.vms()[vm]
        .traps()
        .filter(|t| t.vcpu.0 == 1)
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .iter()
        .rev()
    {
        let _ = writeln!(out, "trap {t:x?}");
    }
    let kernel = guest("kernel-disco");
    {
        let va = symbol(&kernel, "3cpu4CPUS");
        for c in 0..2u32 {
            let gpa = va - 0xC000_0000 + c * 96;
            let mppn = r.mon.vms()[vm].pmap().get(monitor::Gppn::of_gpa(gpa)).expect("mapped");
            let words: Vec<u32> = (0..24)
                .map(|k| r.m.sys.mem.ram.read(mppn.pa() | ((gpa + 4 * k) & 0xFFF), 4))
                .collect();
            let _ = writeln!(out, "CPUS[{c}] {words:x?}");
        }
    }
    for name in
        ["4proc6PTABLE", "6kalloc3MEM", "2fs6ITABLE", "3bio5CACHE", "4disk4DISK", "4heap4HEAP"]
    {
        let va = symbol(&kernel, name);
        let gpa = va - 0xC000_0000;
        let mppn = r.mon.vms()[vm].pmap().get(monitor::Gppn::of_gpa(gpa)).expect("mapped");
        let words: Vec<u32> =
            (0..3).map(|k| r.m.sys.mem.ram.read(mppn.pa() | ((gpa + 4 * k) & 0xFFF), 4)).collect();
        let rd = |va: u32| {
            let g = va - 0xC000_0000;
            r.mon.vms()[vm]
                .pmap()
                .get(monitor::Gppn::of_gpa(g))
                .map(|mp| r.m.sys.mem.ram.read(mp.pa() | (g & 0xFFF), 4))
                .unwrap_or(0)
        };
        let site = if words[2] != 0 {
            let (fp, fl, line) = (rd(words[2]), rd(words[2] + 4), rd(words[2] + 8));
            let file: Vec<u8> = (0..fl.min(80))
                .map(|k| (rd((fp + k) & !3) >> (8 * ((fp + k) & 3))) as u8)
                .collect();
            format!("{}:{}", String::from_utf8_lossy(&file), line)
        } else {
            String::new()
        };
        let _ = writeln!(out, "{name} locked/owner = {:x?} taken at {site}", &words[..2]);
    }
    out
}

#[test]
fn ktest_passes_in_one_vm() {
    let r = run(MachineConfig::flash(2, 2), 1, 2, 16);
    let c = console(&r, 0);
    assert_eq!(r.code, Some(0), "{}", report(&r, 0));
    assert!(c.contains("ktest: done, 0 failed"), "{}", report(&r, 0));
}

#[test]
fn ktest_passes_in_three_vms_at_once() {
    // Three VMs of two virtual CPUs on four physical CPUs: they share the CPUs.
    let r = run(MachineConfig { memory_per_node_mb: 32, ..MachineConfig::flash(2, 2) }, 3, 2, 16);
    assert_eq!(r.code, Some(0), "{}", report(&r, 0));
    for vm in 0..3 {
        assert!(console(&r, vm).contains("ktest: done, 0 failed"), "vm {vm}: {}", report(&r, vm));
        assert_eq!(r.mon.vms()[vm].halted(), Some(0));
    }
}

#[test]
fn workloads_give_the_same_results_under_the_monitor() {
    // One VM alone, then four VMs at once on 8 CPUs, each VM its own workload.
    let cases: [(&[&str], u32, u32); 2] =
        [(&["pmake-tiny"], 1, 2), (&["pmake-tiny", "db-tiny", "smoke", "db-tiny"], 4, 2)];
    for (workloads, nodes, per) in cases {
        let images: Vec<_> = workloads.iter().map(|w| variant(w, 16 * 1024, 2048)).collect();
        let cfg = MachineConfig { memory_per_node_mb: 48, ..MachineConfig::flash(nodes, per) };
        let mut m =
            Machine::new(cfg, images.iter().map(|i| i.0.clone()).collect()).expect("machine");
        let specs = (0..workloads.len())
            .map(|k| VmSpec {
                name: format!("vm{k}"),
                vcpus: 2,
                memory_mb: 32,
                disk_unit: Some(k as u32),
            })
            .collect();
        let kernels: Vec<Vec<u8>> = workloads.iter().map(|_| guest("kernel-disco")).collect();
        let mut mon =
            Monitor::new(MonitorConfig::default(), specs, &kernels, &mut m).expect("monitor");
        let code = m.run_to_halt(16_000_000_000, &mut mon);
        let r = Run { m, mon, code };
        assert_eq!(r.code, Some(0), "{}", report(&r, 0));
        for (k, w) in workloads.iter().enumerate() {
            let c = console(&r, k);
            assert!(
                in_order(&c, &images[k].1),
                "vm {k} ({w}): expected\n{}\n{}",
                images[k].1.join("\n"),
                report(&r, k)
            );
        }
    }
}
