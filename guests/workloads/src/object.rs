//! The formats `cc1` writes and `ld` reads and writes: the bytecode of Mini-C's stack machine,
//! object files and executables. All numbers little-endian.
//!
//! ```text
//! object     "MCO1"  u32 code_len  code bytes
//!                    u32 n_data    n_data × i32 initial values of the unit's globals
//!                    u32 n_syms    n_syms × symbol
//!                    u32 n_relocs  n_relocs × { u32 code offset, u32 symbol index }
//! symbol     u8 kind  u8 name_len  name  u32 value  u8 arity
//!            kind 1 function (value: code offset), 2 data (value: data word index),
//!                 3 undefined function, 4 undefined data (value 0)
//! executable "MCX1"  u32 entry (code address of main)  u32 code_len  code
//!                    u32 n_data  data  u32 n_syms  symbols (defined only, sorted by name)
//! ```
//!
//! A relocation says: the 4-byte operand at this code offset is the address of this symbol (a
//! code address for `CALL`, a data word index for `GLOAD`/`GSTORE`). `ld` lays the objects out
//! one after another and patches every operand.
//!
//! Bytecode: one opcode byte, then operands (see [`Op`]). A call pushes its arguments left to
//! right and then `CALL f argc`; the callee's `ENTER params locals` turns them into its first
//! locals; `RET` pops the result, drops the frame and pushes the result for the caller.

use alloc::string::String;
use alloc::vec::Vec;

use crate::lang::ast::{BinOp, UnOp};

/// Opcodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Op {
    /// `ENTER u16 params, u16 locals`: a function's first instruction.
    Enter = 1,
    /// `PUSH i32`.
    Push = 2,
    /// `LOAD u16 slot`.
    Load = 3,
    /// `STORE u16 slot` (pops).
    Store = 4,
    /// `GLOAD u32 data-index` (relocated).
    GLoad = 5,
    /// `GSTORE u32 data-index` (relocated; pops).
    GStore = 6,
    /// `CALL u32 code-address u8 argc` (relocated).
    Call = 7,
    /// `RET`: returns the value on top of the stack.
    Ret = 8,
    /// `POP`.
    Pop = 9,
    /// `JMP i32` (relative to the next instruction).
    Jmp = 10,
    /// `JZ i32`: pops; jumps if zero.
    Jz = 11,
    /// `JNZ i32`: pops; jumps if not zero.
    Jnz = 12,
    /// `BIN u8 op`: pops b, pops a, pushes `a op b` (op: index in [`BINOPS`]).
    Bin = 13,
    /// `UN u8 op`: pops a, pushes `op a` (op: index in [`UNOPS`]).
    Un = 14,
}

impl Op {
    /// The opcode for a byte.
    pub fn from_byte(b: u8) -> Option<Op> {
        use Op::*;
        [Enter, Push, Load, Store, GLoad, GStore, Call, Ret, Pop, Jmp, Jz, Jnz, Bin, Un]
            .get(usize::from(b).wrapping_sub(1))
            .copied()
    }
}

/// Binary operators by their bytecode number.
pub const BINOPS: [BinOp; 18] = {
    use BinOp::*;
    [Add, Sub, Mul, Div, Rem, And, Or, Xor, Shl, Shr, Lt, Le, Gt, Ge, Eq, Ne, LogAnd, LogOr]
};

/// Unary operators by their bytecode number.
pub const UNOPS: [UnOp; 3] = [UnOp::Neg, UnOp::Not, UnOp::Inv];

/// Symbol kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SymKind {
    /// A function defined here.
    Func = 1,
    /// A global variable defined here.
    Data = 2,
    /// A function defined elsewhere.
    UndefFunc = 3,
    /// A global variable defined elsewhere.
    UndefData = 4,
}

impl SymKind {
    fn from_byte(b: u8) -> Option<SymKind> {
        [SymKind::Func, SymKind::Data, SymKind::UndefFunc, SymKind::UndefData]
            .get(usize::from(b).wrapping_sub(1))
            .copied()
    }
}

/// A symbol of an object or executable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// Its name (at most 255 bytes).
    pub name: String,
    /// What it is.
    pub kind: SymKind,
    /// Code offset or data index (0 for undefined symbols).
    pub value: u32,
    /// Parameters, for functions.
    pub arity: u8,
}

/// A relocation: the operand at `offset` in the code is the address of symbol `symbol`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reloc {
    /// Code offset of the 4-byte operand.
    pub offset: u32,
    /// Index in the object's symbol table.
    pub symbol: u32,
}

/// An object file: one compiled unit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Object {
    /// Bytecode.
    pub code: Vec<u8>,
    /// Initial values of the unit's global variables.
    pub data: Vec<i32>,
    /// Defined and referenced symbols.
    pub symbols: Vec<Symbol>,
    /// Operands to patch.
    pub relocs: Vec<Reloc>,
}

/// A linked program.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Executable {
    /// Code address of `main`.
    pub entry: u32,
    /// All code.
    pub code: Vec<u8>,
    /// All global variables.
    pub data: Vec<i32>,
    /// Defined symbols, sorted by name.
    pub symbols: Vec<Symbol>,
}

const OBJECT_MAGIC: &[u8; 4] = b"MCO1";
const EXE_MAGIC: &[u8; 4] = b"MCX1";

impl Object {
    /// The file's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Vec::with_capacity(self.code.len() + 16 * self.symbols.len() + 64);
        w.extend_from_slice(OBJECT_MAGIC);
        put_bytes(&mut w, &self.code);
        put_words(&mut w, &self.data);
        put_symbols(&mut w, &self.symbols);
        put_u32(&mut w, self.relocs.len() as u32);
        for r in &self.relocs {
            put_u32(&mut w, r.offset);
            put_u32(&mut w, r.symbol);
        }
        w
    }

    /// Reads an object file, checking that it is well formed.
    pub fn decode(bytes: &[u8]) -> Result<Object, String> {
        let mut r = Reader { bytes, at: 0 };
        r.magic(OBJECT_MAGIC)?;
        let code = r.bytes()?.to_vec();
        let data = r.words()?;
        let symbols = r.symbols()?;
        let n = r.u32()? as usize;
        let mut relocs = Vec::with_capacity(n.min(bytes.len() / 8));
        for _ in 0..n {
            let reloc = Reloc { offset: r.u32()?, symbol: r.u32()? };
            if reloc.offset as usize + 4 > code.len() || reloc.symbol as usize >= symbols.len() {
                return Err("relocation out of range".into());
            }
            relocs.push(reloc);
        }
        r.end()?;
        Ok(Object { code, data, symbols, relocs })
    }
}

impl Executable {
    /// The file's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Vec::with_capacity(
            self.code.len() + 4 * self.data.len() + 16 * self.symbols.len() + 64,
        );
        w.extend_from_slice(EXE_MAGIC);
        put_u32(&mut w, self.entry);
        put_bytes(&mut w, &self.code);
        put_words(&mut w, &self.data);
        put_symbols(&mut w, &self.symbols);
        w
    }

    /// Reads an executable.
    pub fn decode(bytes: &[u8]) -> Result<Executable, String> {
        let mut r = Reader { bytes, at: 0 };
        r.magic(EXE_MAGIC)?;
        let entry = r.u32()?;
        let code = r.bytes()?.to_vec();
        let data = r.words()?;
        let symbols = r.symbols()?;
        r.end()?;
        Ok(Executable { entry, code, data, symbols })
    }
}

fn put_u32(w: &mut Vec<u8>, v: u32) {
    w.extend_from_slice(&v.to_le_bytes());
}

fn put_bytes(w: &mut Vec<u8>, b: &[u8]) {
    put_u32(w, b.len() as u32);
    w.extend_from_slice(b);
}

fn put_words(w: &mut Vec<u8>, words: &[i32]) {
    put_u32(w, words.len() as u32);
    for v in words {
        w.extend_from_slice(&v.to_le_bytes());
    }
}

fn put_symbols(w: &mut Vec<u8>, symbols: &[Symbol]) {
    put_u32(w, symbols.len() as u32);
    for s in symbols {
        w.push(s.kind as u8);
        let name = &s.name.as_bytes()[..s.name.len().min(255)];
        w.push(name.len() as u8);
        w.extend_from_slice(name);
        put_u32(w, s.value);
        w.push(s.arity);
    }
}

/// A bounds-checked reader.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end =
            self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or("truncated file")?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn magic(&mut self, magic: &[u8; 4]) -> Result<(), String> {
        if self.take(4)? == magic { Ok(()) } else { Err("bad magic number".into()) }
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    fn words(&mut self) -> Result<Vec<i32>, String> {
        let n = self.u32()? as usize;
        let raw = self.take(n.checked_mul(4).ok_or("truncated file")?)?;
        Ok(raw.chunks_exact(4).map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }

    fn symbols(&mut self) -> Result<Vec<Symbol>, String> {
        let n = self.u32()? as usize;
        let mut out = Vec::with_capacity(n.min(self.bytes.len() / 7));
        for _ in 0..n {
            let kind = SymKind::from_byte(self.u8()?).ok_or("bad symbol kind")?;
            let len = usize::from(self.u8()?);
            let name =
                core::str::from_utf8(self.take(len)?).map_err(|_| "symbol name is not UTF-8")?;
            out.push(Symbol { name: name.into(), kind, value: self.u32()?, arity: self.u8()? });
        }
        Ok(out)
    }

    fn end(&self) -> Result<(), String> {
        if self.at == self.bytes.len() { Ok(()) } else { Err("junk after the end".into()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Object {
        Object {
            code: alloc::vec![1, 2, 3, 4, 5, 6, 7, 8],
            data: alloc::vec![-1, 7],
            symbols: alloc::vec![
                Symbol { name: "f".into(), kind: SymKind::Func, value: 0, arity: 2 },
                Symbol { name: "g".into(), kind: SymKind::UndefData, value: 0, arity: 0 },
            ],
            relocs: alloc::vec![Reloc { offset: 4, symbol: 1 }],
        }
    }

    #[test]
    fn objects_round_trip() {
        let o = sample();
        assert_eq!(Object::decode(&o.encode()).unwrap(), o);
        let x = Executable {
            entry: 4,
            code: o.code.clone(),
            data: o.data.clone(),
            symbols: o.symbols.clone(),
        };
        assert_eq!(Executable::decode(&x.encode()).unwrap(), x);
    }

    #[test]
    fn rejects_damaged_files() {
        let bytes = sample().encode();
        for cut in 0..bytes.len() {
            assert!(Object::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert!(Object::decode(&bad).is_err());
        let mut long = bytes;
        long.push(0);
        assert!(Object::decode(&long).is_err());
        let mut o = sample();
        o.relocs[0].offset = 6;
        assert!(Object::decode(&o.encode()).is_err());
    }

    #[test]
    fn opcodes_round_trip() {
        for b in 0..=255u8 {
            if let Some(op) = Op::from_byte(b) {
                assert_eq!(op as u8, b);
            }
        }
        assert_eq!(Op::from_byte(0), None);
        assert_eq!(Op::from_byte(14), Some(Op::Un));
    }
}
