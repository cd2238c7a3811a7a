//! Exceptions a bare-metal program causes reach its handler through the vectors at EBase:
//! `bm-fault` (with `brt`'s vectors installed) makes one fault per run — a cached access to
//! the device window, a hole in the device window, a TLB refill from kuseg, a fetch where there
//! is no memory, a misaligned load — and `brt`'s handler reports the exception code and powers
//! off with 102; a panic powers off with 101.

mod guest;

use machine::MachineConfig;

#[test]
fn faults_vector_to_the_handler() {
    let cases = [
        (0, "unexpected exception 7 (DBE)", 102),
        (1, "unexpected exception 7 (DBE)", 102),
        (2, "unexpected exception 2 (TLBL)", 102),
        (3, "unexpected exception 6 (IBE) at epc 0xbe000000", 102),
        (4, "unexpected exception 4 (AdEL)", 102),
        (5, "panicked at", 101),
    ];
    for (which, message, code) in cases {
        let r = guest::run("bm-fault", MachineConfig::uniprocessor(), vec![], &[which]);
        print!("{}", r.console);
        assert_eq!(r.code, code, "fault {which}; console:\n{}", r.console);
        assert!(r.console.contains(message), "fault {which}; console:\n{}", r.console);
        assert!(!r.console.contains("no exception"), "{}", r.console);
    }
}

#[test]
fn a_tlb_miss_reports_its_address() {
    // A kuseg load with an empty TLB goes through the refill vector (EBase + 0x000) and sets
    // BadVAddr to the address.
    let r = guest::run("bm-fault", MachineConfig::uniprocessor(), vec![], &[2]);
    assert!(r.console.contains("badvaddr 0x00400000"), "{}", r.console);
    assert_eq!(r.m.cpu_summary(0).exceptions[2], 1, "one TLBL exception");
}

#[test]
fn an_exception_with_bev_set_stops_the_machine_through_the_rom() {
    // hello's console write, then a BREAK with BEV set: the boot ROM's general vector powers
    // the machine off with its code instead of spinning on bus errors.
    use machine::machine::Log;
    use machine::{Machine, rom};
    use mips::asm;
    let mut m = Machine::new(MachineConfig::uniprocessor(), vec![]).expect("config");
    let code: Vec<u8> = [asm::lui(8, 0x0040), asm::mtc0(8, 12, 0), asm::break_(0), asm::nop()]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    m.sys.mem.ram.write_bytes(0x1000, &code);
    m.start_cpu(0, 0x8000_1000, 0x8000_8000);
    assert_eq!(m.run_to_halt(1_000_000, &mut Log::default()), Some(rom::BEV_EXIT));
    assert_eq!(m.cpus[0].cp0.epc, 0x8000_1008, "the BREAK was taken");
}
