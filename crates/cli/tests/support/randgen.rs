//! Random instruction sequences as complete static Linux executables, for differential testing
//! against qemu-mipsel.
//!
//! A sequence, fully determined by its seed:
//!
//! 1. **Prologue**: HI, LO and every register get a seeded value (LUI/ORI, MTHI/MTLO); the
//!    *base* register (chosen per seed) gets the address of a 512-byte data area in the data
//!    segment, itself filled with seeded bytes.
//! 2. **Body**: a list of *items*, each one instruction, a short fixed unit (a guarded division,
//!    an LL/ALU/SC triple), or a control transfer: a conditional branch (ordinary, likely, and
//!    link forms), J, JAL, JR or JALR, always to a later item (so every run ends), always with a
//!    random single instruction in its delay slot, and never a branch there. Random instructions
//!    write any register except the base and `$at` (writing `$zero` is allowed: it must stay 0);
//!    loads and stores address the data area through the base register; LWL/LWR/SWL/SWR use any
//!    byte offset, the others aligned ones. Divisors are never zero (`$at` = rt, or 1 if rt is
//!    zero). About one seed in ten also draws ADD/ADDI/SUB and the conditional traps, so it may
//!    end by SIGFPE or SIGTRAP instead.
//! 3. **Epilogue**: all 32 registers, HI and LO are stored after the data area; then
//!    `write(1, dump, 136)`, `write(1, data area, 512)` and `exit(0)`.
//!
//! The output of a run that reaches the end is therefore [`OUTPUT_LEN`] bytes: 34 little-endian
//! words ($0..$31, HI, LO), then the data area.

use mips::asm::{self, AT, ZERO};

use super::elf;

/// Where the code is loaded; the entry point.
pub const TEXT_BASE: u32 = 0x0040_0000;
/// Where the data area is loaded.
pub const DATA_BASE: u32 = 0x1000_0000;
/// Size of the data area that loads and stores use.
pub const DATA_LEN: usize = 512;
/// Size of the register dump: $0..$31, HI, LO.
pub const DUMP_LEN: usize = 34 * 4;
/// Bytes written by a run that reaches the end: the dump, then the data area.
pub const OUTPUT_LEN: usize = DUMP_LEN + DATA_LEN;

/// A generated program.
pub struct Sequence {
    /// The seed it came from.
    pub seed: u64,
    /// The ELF executable.
    pub elf: Vec<u8>,
    /// Whether it may end by a trap (SIGFPE from ADD/ADDI/SUB overflow, SIGTRAP from a trap
    /// instruction) instead of printing its registers.
    pub may_trap: bool,
    /// Number of instruction words in the program.
    pub words: usize,
    /// The register that holds the data area's address.
    pub base: u32,
}

/// Generates the program for `seed` with `items` body items.
pub fn generate(seed: u64, items: usize) -> Sequence {
    let mut rng = Rng(seed);
    let may_trap = rng.below(10) == 0;
    let base = rng.range(2, 30); // never $zero, $at or $ra
    let mut g = Gen { rng, base, may_trap };

    let mut data = vec![0u8; DATA_LEN + DUMP_LEN];
    for b in &mut data[..DATA_LEN] {
        *b = g.rng.next() as u8;
    }

    let mut text = Vec::new();
    // HI and LO first, through $at; then every register.
    for mt in [asm::mthi as fn(u32) -> u32, asm::mtlo] {
        let v = g.value();
        text.extend(li(AT, v));
        text.push(mt(AT));
    }
    for r in 1..32 {
        let v = if r == base { DATA_BASE } else { g.value() };
        text.extend(li(r, v));
    }

    let body: Vec<Item> = (0..items).map(|i| g.item(i, items)).collect();
    // Lay the items out: `at[i]` is the word index of item i; `at[items]` is the epilogue.
    let mut at = Vec::with_capacity(items + 1);
    let mut pos = text.len();
    for item in &body {
        at.push(pos);
        pos += item.len();
    }
    at.push(pos);
    let addr = |word: usize| TEXT_BASE + 4 * u32::try_from(word).expect("program fits 4 GB");
    for (i, item) in body.into_iter().enumerate() {
        match item {
            Item::Plain(words) => text.extend(words),
            Item::Flow { flow, target, delay } => {
                let to = at[target];
                match flow {
                    Flow::Branch { encode, rs, rt } => {
                        // Offset in words from the delay slot.
                        let offset = i16::try_from(to - (at[i] + 1)).expect("branch in range");
                        text.push(encode(rs, rt, offset));
                    }
                    Flow::J => text.push(asm::j(addr(to))),
                    Flow::Jal => text.push(asm::jal(addr(to))),
                    Flow::Jr => {
                        text.extend(li(AT, addr(to)));
                        text.push(asm::jr(AT));
                    }
                    Flow::Jalr { rd } => {
                        text.extend(li(AT, addr(to)));
                        text.push(asm::jalr(rd, AT));
                    }
                }
                text.push(delay);
            }
        }
    }
    text.extend(epilogue(base));

    let code: Vec<u8> = text.iter().flat_map(|w| w.to_le_bytes()).collect();
    let elf = elf::executable(
        TEXT_BASE,
        &elf::Segment { vaddr: TEXT_BASE, bytes: &code },
        &elf::Segment { vaddr: DATA_BASE, bytes: &data },
    );
    Sequence { seed, elf, may_trap, words: text.len(), base }
}

/// `lui r, hi; ori r, r, lo`.
fn li(r: u32, v: u32) -> [u32; 2] {
    [asm::lui(r, (v >> 16) as u16), asm::ori(r, r, v as u16)]
}

/// Stores the registers, writes the dump and the data area to fd 1, exits 0.
fn epilogue(base: u32) -> Vec<u32> {
    let dump = DATA_LEN as i16;
    let mut out: Vec<u32> = (0..32).map(|r| asm::sw(r, dump + 4 * r as i16, base)).collect();
    out.extend([asm::mfhi(AT), asm::sw(AT, dump + 128, base)]);
    out.extend([asm::mflo(AT), asm::sw(AT, dump + 132, base)]);
    // The buffer addresses are rebuilt from constants: the kernel may clobber temporaries.
    for (from, len) in [(DATA_BASE + DATA_LEN as u32, DUMP_LEN), (DATA_BASE, DATA_LEN)] {
        out.extend(li(asm::A1, from));
        out.push(asm::addiu(asm::A0, ZERO, 1));
        out.push(asm::addiu(asm::A2, ZERO, len as i16));
        out.push(asm::addiu(asm::V0, ZERO, 4004)); // write
        out.push(asm::syscall(0));
    }
    out.push(asm::addiu(asm::A0, ZERO, 0));
    out.push(asm::addiu(asm::V0, ZERO, 4001)); // exit
    out.push(asm::syscall(0));
    out.push(asm::break_(0)); // not reached
    out
}

/// A body item.
enum Item {
    /// Straight-line code, entered only at its first word.
    Plain(Vec<u32>),
    /// A control transfer to item `target` (or the epilogue), with its delay slot.
    Flow { flow: Flow, target: usize, delay: u32 },
}

impl Item {
    fn len(&self) -> usize {
        match self {
            Item::Plain(w) => w.len(),
            Item::Flow { flow: Flow::Jr | Flow::Jalr { .. }, .. } => 4,
            Item::Flow { .. } => 2,
        }
    }
}

/// The kinds of control transfer.
enum Flow {
    /// A PC-relative branch: `encode(rs, rt, offset)`.
    Branch { encode: EncodeBranch, rs: u32, rt: u32 },
    /// `j target`.
    J,
    /// `jal target`.
    Jal,
    /// `jr $at` after loading the target into `$at`.
    Jr,
    /// `jalr rd, $at` after loading the target into `$at`.
    Jalr { rd: u32 },
}

/// Encodes a conditional branch from (rs, rt, offset); one-register forms ignore rt.
type EncodeBranch = fn(u32, u32, i16) -> u32;

/// The conditional branches, as (encoder, compares two registers, links into $ra).
const BRANCHES: [(EncodeBranch, bool, bool); 16] = [
    (|s, t, o| asm::beq(s, t, o), true, false),
    (|s, t, o| asm::bne(s, t, o), true, false),
    (|s, t, o| asm::beql(s, t, o), true, false),
    (|s, t, o| asm::bnel(s, t, o), true, false),
    (|s, _, o| asm::blez(s, o), false, false),
    (|s, _, o| asm::bgtz(s, o), false, false),
    (|s, _, o| asm::bltz(s, o), false, false),
    (|s, _, o| asm::bgez(s, o), false, false),
    (|s, _, o| asm::blezl(s, o), false, false),
    (|s, _, o| asm::bgtzl(s, o), false, false),
    (|s, _, o| asm::bltzl(s, o), false, false),
    (|s, _, o| asm::bgezl(s, o), false, false),
    (|s, _, o| asm::bltzal(s, o), false, true),
    (|s, _, o| asm::bgezal(s, o), false, true),
    (|s, _, o| asm::bltzall(s, o), false, true),
    (|s, _, o| asm::bgezall(s, o), false, true),
];

/// splitmix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n)) as u32
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(hi - lo + 1)
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u32) as usize]
    }
}

/// Values that find edge cases more often than uniform ones do.
const EDGES: [u32; 14] = [
    0,
    1,
    2,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0xffff,
    0x7fff_ffff,
    0x8000_0000,
    0x8000_0001,
    0xffff_fffe,
    0xffff_ffff,
];

struct Gen {
    rng: Rng,
    base: u32,
    may_trap: bool,
}

impl Gen {
    /// A register value: an edge value, a small one, or anything.
    fn value(&mut self) -> u32 {
        match self.rng.below(4) {
            0 => self.rng.pick(&EDGES),
            1 => self.rng.below(64).wrapping_sub(32),
            _ => self.rng.next() as u32,
        }
    }

    /// A 16-bit immediate, often an edge value.
    fn imm(&mut self) -> u16 {
        match self.rng.below(4) {
            0 => self.rng.pick(&[0, 1, 0x7fff, 0x8000, 0xffff, 0xfffe]),
            1 => self.rng.below(32) as u16,
            _ => self.rng.next() as u16,
        }
    }

    /// Any register, as a source.
    fn src(&mut self) -> u32 {
        self.rng.below(32)
    }

    /// A destination: anything but the base register and `$at`.
    fn dst(&mut self) -> u32 {
        loop {
            let r = self.rng.below(32);
            if r != self.base && r != AT {
                return r;
            }
        }
    }

    /// A data-area offset aligned to `align`.
    fn off(&mut self, align: u32) -> i16 {
        (self.rng.below(DATA_LEN as u32 / align) * align) as i16
    }

    /// Body item `i` of `n`.
    fn item(&mut self, i: usize, n: usize) -> Item {
        let roll = self.rng.below(100);
        if roll < 18 {
            // A control transfer to one of the next few items, or to the epilogue.
            let target = (i + 1 + self.rng.below(8) as usize).min(n);
            let delay = self.simple();
            let flow = match self.rng.below(20) {
                0 => Flow::J,
                1 => Flow::Jal,
                2 => Flow::Jr,
                3 => Flow::Jalr { rd: self.dst() },
                _ => {
                    let (encode, two, link) = self.rng.pick(&BRANCHES);
                    let mut rs = self.src();
                    if link && rs == asm::RA {
                        rs = ZERO; // rs = $ra is UNPREDICTABLE for the link forms
                    }
                    let rt = match (two, self.rng.below(4)) {
                        (false, _) => ZERO,
                        (true, 0) => rs,
                        (true, 1) => ZERO,
                        (true, _) => self.src(),
                    };
                    Flow::Branch { encode, rs, rt }
                }
            };
            Item::Flow { flow, target, delay }
        } else if roll < 22 {
            Item::Plain(self.division())
        } else if roll < 24 {
            Item::Plain(self.ll_sc())
        } else if self.may_trap && roll < 26 {
            Item::Plain(vec![self.trapping()])
        } else {
            Item::Plain(vec![self.simple()])
        }
    }

    /// `div`/`divu` with a divisor that is never zero: `$at = 1; movn $at, rt, rt`.
    fn division(&mut self) -> Vec<u32> {
        let (rs, rt) = (self.src(), self.src());
        let op = if self.rng.below(2) == 0 { asm::div } else { asm::divu };
        vec![asm::addiu(AT, ZERO, 1), asm::movn(AT, rt, rt), op(rs, AT)]
    }

    /// `ll rt, off(base); addiu rt2, rt, imm; sc rt2, off(base)`: the SC succeeds (rt2 = 1).
    fn ll_sc(&mut self) -> Vec<u32> {
        let (off, rt, rt2) = (self.off(4), self.dst(), self.dst());
        let imm = self.imm() as i16;
        vec![asm::ll(rt, off, self.base), asm::addiu(rt2, rt, imm), asm::sc(rt2, off, self.base)]
    }

    /// An instruction that may trap: ADD/ADDI/SUB (overflow) or a conditional trap.
    fn trapping(&mut self) -> u32 {
        let (d, s, t) = (self.dst(), self.src(), self.src());
        let imm = self.imm() as i16;
        match self.rng.below(15) {
            0..=2 => asm::add(d, s, t),
            3..=5 => asm::addi(d, s, imm),
            6..=8 => asm::sub(d, s, t),
            9 => asm::teq(s, t, 0),
            10 => asm::tne(s, t, 0),
            11 => asm::tge(s, t, 0),
            12 => asm::tltu(s, t, 0),
            13 => asm::teqi(s, imm),
            _ => asm::tgeiu(s, imm),
        }
    }

    /// One instruction that neither transfers control nor traps: fit for a delay slot.
    fn simple(&mut self) -> u32 {
        let (d, s, t) = (self.dst(), self.src(), self.src());
        let b = self.base;
        match self.rng.below(62) {
            0 => asm::addu(d, s, t),
            1 => asm::subu(d, s, t),
            2 => asm::and(d, s, t),
            3 => asm::or(d, s, t),
            4 => asm::xor(d, s, t),
            5 => asm::nor(d, s, t),
            6 => asm::slt(d, s, t),
            7 => asm::sltu(d, s, t),
            8 => asm::addiu(d, s, self.imm() as i16),
            9 => asm::slti(d, s, self.imm() as i16),
            10 => asm::sltiu(d, s, self.imm() as i16),
            11 => asm::andi(d, s, self.imm()),
            12 => asm::ori(d, s, self.imm()),
            13 => asm::xori(d, s, self.imm()),
            14 => asm::lui(d, self.imm()),
            15 => asm::sll(d, t, self.rng.below(32)),
            16 => asm::srl(d, t, self.rng.below(32)),
            17 => asm::sra(d, t, self.rng.below(32)),
            18 => asm::rotr(d, t, self.rng.below(32)),
            19 => asm::sllv(d, t, s),
            20 => asm::srlv(d, t, s),
            21 => asm::srav(d, t, s),
            22 => asm::rotrv(d, t, s),
            23 => asm::mult(s, t),
            24 => asm::multu(s, t),
            25 => asm::madd(s, t),
            26 => asm::maddu(s, t),
            27 => asm::msub(s, t),
            28 => asm::msubu(s, t),
            29 => asm::mul(d, s, t),
            30 => asm::mfhi(d),
            31 => asm::mflo(d),
            32 => asm::mthi(s),
            33 => asm::mtlo(s),
            34 => asm::movn(d, s, t),
            35 => asm::movz(d, s, t),
            36 => asm::clz(d, s),
            37 => asm::clo(d, s),
            38 => asm::seb(d, t),
            39 => asm::seh(d, t),
            40 => asm::wsbh(d, t),
            41 | 42 => {
                let pos = self.rng.below(32);
                let size = self.rng.range(1, 32 - pos);
                if self.rng.below(2) == 0 {
                    asm::ext(d, s, pos, size)
                } else {
                    asm::ins(d, s, pos, size)
                }
            }
            43 => asm::lb(d, self.off(1), b),
            44 => asm::lbu(d, self.off(1), b),
            45 => asm::lh(d, self.off(2), b),
            46 => asm::lhu(d, self.off(2), b),
            47 => asm::lw(d, self.off(4), b),
            48 => asm::lwl(d, self.off(1), b),
            49 => asm::lwr(d, self.off(1), b),
            50 => asm::sb(t, self.off(1), b),
            51 => asm::sh(t, self.off(2), b),
            52 => asm::sw(t, self.off(4), b),
            53 | 54 => asm::swl(t, self.off(1), b),
            55 | 56 => asm::swr(t, self.off(1), b),
            // Hints that only prefetch (30, PrepareForStore, may change memory contents).
            57 => asm::pref(self.rng.pick(&[0, 1, 4, 5, 6, 7]), self.off(1), b),
            58 => asm::sync(0),
            59 => asm::ehb(),
            60 => asm::nop(),
            _ => asm::lw(d, self.off(4), b),
        }
    }
}
