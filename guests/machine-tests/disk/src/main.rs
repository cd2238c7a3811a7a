//! Disk DMA: reads sectors 0..16 of unit 0 by polling and checks them against the pattern the
//! host test writes (word j of sector k is `0xDA7A_0000 | k << 8 | j`), writes the first four
//! of them back inverted to sectors 32..36 and waits for the completion interrupt, then makes a
//! request past the end of the disk and expects the error bit. Prints each request's cycles
//! (from just before the request starts to the moment the CPU sees it complete).

#![no_std]
#![no_main]

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicU32, Ordering};

use brt::disk::{self, Disk};
use brt::{cp0, info, intc, mmio, println, trap};

brt::entry!(main);

/// Sectors read.
const READ_SECTORS: u32 = 16;
/// Where the inverted copy goes, and how many sectors.
const WRITE_AT: u32 = 32;
const WRITE_SECTORS: u32 = 4;
/// Words per sector.
const WORDS: usize = (disk::SECTOR_BYTES / 4) as usize;

/// The DMA buffer.
#[repr(align(512))]
struct Buffer(UnsafeCell<[u32; READ_SECTORS as usize * WORDS]>);

// SAFETY: only CPU 0 runs this program; the device writes it only while CPU 0 waits.
unsafe impl Sync for Buffer {}

static BUF: Buffer = Buffer(UnsafeCell::new([0; READ_SECTORS as usize * WORDS]));

const UNIT: Disk = Disk::unit(0);

/// Set by the interrupt handler: the request completed, with this status, at this cycle.
static DONE: AtomicU32 = AtomicU32::new(0);
static DONE_STATUS: AtomicU32 = AtomicU32::new(0);
static DONE_AT: AtomicU32 = AtomicU32::new(0);
/// Interrupt handler entries (including ones with nothing left to do).
static ENTRIES: AtomicU32 = AtomicU32::new(0);

/// The pattern the host puts on the disk.
fn pattern(sector: u32, word: u32) -> u32 {
    0xDA7A_0000 | sector << 8 | word
}

fn main(_cpu: u32) -> u32 {
    if info::disk_count() < 1 || UNIT.capacity() < WRITE_AT + WRITE_SECTORS {
        println!("disk: needs unit 0 with at least {} sectors", WRITE_AT + WRITE_SECTORS);
        return 1;
    }
    let mut ok = true;
    let pa = mmio::physical_of(BUF.0.get());

    // 1. Read by polling.
    let t0 = info::cycles_lo();
    UNIT.start(disk::CMD_READ, 0, pa, READ_SECTORS);
    let status = UNIT.poll();
    let t1 = info::cycles_lo();
    UNIT.ack();
    println!("disk read sectors={READ_SECTORS} status={status:#x} cycles={}", t1.wrapping_sub(t0));
    ok &= status == disk::DONE;

    // SAFETY: the request completed; nothing else touches the buffer.
    let buf = unsafe { &mut *BUF.0.get() };
    let mut bad = 0;
    for (i, w) in buf.iter().enumerate() {
        let (k, j) = ((i / WORDS) as u32, (i % WORDS) as u32);
        if *w != pattern(k, j) {
            if bad < 4 {
                println!("  sector {k} word {j}: {w:#010x}, expected {:#010x}", pattern(k, j));
            }
            bad += 1;
        }
    }
    println!("disk read check bad_words={bad}");
    ok &= bad == 0;

    // 2. Write, completion by interrupt.
    for w in &mut buf[..WRITE_SECTORS as usize * WORDS] {
        *w = !*w;
    }
    trap::install();
    trap::set_handler(on_interrupt);
    cp0::enable_interrupts(cp0::IM_DEVICE);
    let t0 = info::cycles_lo();
    UNIT.start(disk::CMD_WRITE, WRITE_AT, pa, WRITE_SECTORS);
    cp0::wait_until(|| DONE.load(Ordering::Acquire) != 0);
    let status = DONE_STATUS.load(Ordering::Relaxed);
    let cycles = DONE_AT.load(Ordering::Relaxed).wrapping_sub(t0);
    cp0::disable();
    println!(
        "disk write sectors={WRITE_SECTORS} status={status:#x} cycles={cycles} interrupts={}",
        ENTRIES.load(Ordering::Relaxed)
    );
    ok &= status == disk::DONE;
    ok &= intc::pending() & UNIT.source() == 0;

    // 3. A request past the end of the disk fails.
    UNIT.start(disk::CMD_READ, UNIT.capacity() - 1, pa, 2);
    let status = UNIT.poll();
    UNIT.ack();
    println!("disk bad request status={status:#x}");
    ok &= status == disk::DONE | disk::ERROR;
    ok &= UNIT.status() == 0;

    println!("disk {}", if ok { "ok" } else { "FAILED" });
    u32::from(!ok)
}

/// Device interrupts: ack the disk and note when it completed.
fn on_interrupt(pending: u32) {
    ENTRIES.fetch_add(1, Ordering::Relaxed);
    if pending & cp0::IM_DEVICE != 0 && intc::pending() & UNIT.source() != 0 {
        let at = info::cycles_lo();
        DONE_STATUS.store(UNIT.status(), Ordering::Relaxed);
        UNIT.ack();
        DONE_AT.store(at, Ordering::Relaxed);
        DONE.store(1, Ordering::Release);
    }
}
