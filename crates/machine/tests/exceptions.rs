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
        (3, "unexpected exception 6 (IBE) at epc 0xbfc00000", 102),
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
