//! Code generation: IR to stack-machine bytecode in an [`Object`], with a symbol for every
//! function and global the unit defines or uses, and a relocation for every use.

use alloc::vec;
use alloc::vec::Vec;

use super::ir::{BinOp, Decl, Expr, Func, Stmt, Unit};
use super::lex::{Names, Sym};
use crate::object::{BINOPS, Object, Op, Reloc, SymKind, Symbol, UNOPS};

/// Generates the object file of a checked and optimised unit.
pub fn generate(unit: &Unit, names: &Names) -> Object {
    let mut g = Gen { obj: Object::default(), sym_index: vec![None; names.len()], unit, names };
    // The unit's own definitions first, in source order, so the symbol table reads naturally.
    for (i, &v) in unit.vars.iter().enumerate() {
        let init = match unit.decl(v) {
            Some(Decl::Var(Some(init))) => init,
            _ => 0,
        };
        g.obj.data.push(init);
        let index = g.symbol(v);
        g.obj.symbols[index as usize].value = i as u32;
    }
    for f in &unit.funcs {
        g.symbol(f.name);
    }
    for f in &unit.funcs {
        g.func(f);
    }
    g.obj
}

struct Gen<'a> {
    obj: Object,
    /// Symbol-table index of each name used so far.
    sym_index: Vec<Option<u32>>,
    unit: &'a Unit,
    names: &'a Names,
}

impl Gen<'_> {
    /// The symbol-table index of a global name, adding an entry the first time.
    fn symbol(&mut self, sym: Sym) -> u32 {
        if let Some(i) = self.sym_index[sym as usize] {
            return i;
        }
        let (kind, arity) = match self.unit.decl(sym) {
            Some(Decl::Func { arity, defined: true }) => (SymKind::Func, arity),
            Some(Decl::Func { arity, defined: false }) => (SymKind::UndefFunc, arity),
            Some(Decl::Var(Some(_))) => (SymKind::Data, 0),
            _ => (SymKind::UndefData, 0),
        };
        let i = self.obj.symbols.len() as u32;
        let name = self.names.name(sym).into();
        self.obj.symbols.push(Symbol { name, kind, value: 0, arity: arity.min(255) as u8 });
        self.sym_index[sym as usize] = Some(i);
        i
    }

    fn op(&mut self, op: Op) {
        self.obj.code.push(op as u8);
    }

    fn u16(&mut self, v: u16) {
        self.obj.code.extend_from_slice(&v.to_le_bytes());
    }

    fn i32(&mut self, v: i32) {
        self.obj.code.extend_from_slice(&v.to_le_bytes());
    }

    /// An operand that `ld` fills in with the address of `sym`.
    fn reloc(&mut self, sym: Sym) {
        let symbol = self.symbol(sym);
        self.obj.relocs.push(Reloc { offset: self.obj.code.len() as u32, symbol });
        self.i32(0);
    }

    /// A jump with its offset to be patched; returns where the offset is.
    fn jump(&mut self, op: Op) -> usize {
        self.op(op);
        let at = self.obj.code.len();
        self.i32(0);
        at
    }

    /// Points the jump whose offset is at `at` to the current position.
    fn land(&mut self, at: usize) {
        let target = self.obj.code.len();
        self.set_offset(at, target);
    }

    fn set_offset(&mut self, at: usize, target: usize) {
        let rel = target as i32 - (at as i32 + 4);
        self.obj.code[at..at + 4].copy_from_slice(&rel.to_le_bytes());
    }

    fn func(&mut self, f: &Func) {
        let index = self.symbol(f.name);
        self.obj.symbols[index as usize].value = self.obj.code.len() as u32;
        self.op(Op::Enter);
        self.u16(f.params);
        self.u16(f.locals);
        for s in &f.body {
            self.stmt(s);
        }
        if !matches!(f.body.last(), Some(Stmt::Return(_))) {
            self.op(Op::Push);
            self.i32(0);
            self.op(Op::Ret);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::SetLocal(slot, e) => {
                self.expr(e);
                self.op(Op::Store);
                self.u16(*slot);
            }
            Stmt::SetGlobal(sym, e) => {
                self.expr(e);
                self.op(Op::GStore);
                self.reloc(*sym);
            }
            Stmt::Eval(e) => {
                self.expr(e);
                self.op(Op::Pop);
            }
            Stmt::Return(e) => {
                self.expr(e);
                self.op(Op::Ret);
            }
            Stmt::If(c, then, otherwise) => {
                self.expr(c);
                let to_else = self.jump(Op::Jz);
                for s in then {
                    self.stmt(s);
                }
                if otherwise.is_empty() {
                    self.land(to_else);
                } else {
                    let to_end = self.jump(Op::Jmp);
                    self.land(to_else);
                    for s in otherwise {
                        self.stmt(s);
                    }
                    self.land(to_end);
                }
            }
            Stmt::While(c, body) => {
                let top = self.obj.code.len();
                self.expr(c);
                let to_end = self.jump(Op::Jz);
                for s in body {
                    self.stmt(s);
                }
                let back = self.jump(Op::Jmp);
                self.set_offset(back, top);
                self.land(to_end);
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Const(v) => {
                self.op(Op::Push);
                self.i32(*v);
            }
            Expr::Local(slot) => {
                self.op(Op::Load);
                self.u16(*slot);
            }
            Expr::Global(sym) => {
                self.op(Op::GLoad);
                self.reloc(*sym);
            }
            Expr::Call(f, args) => {
                for a in args {
                    self.expr(a);
                }
                self.op(Op::Call);
                self.reloc(*f);
                self.obj.code.push(args.len() as u8);
            }
            Expr::Unary(op, a) => {
                self.expr(a);
                self.op(Op::Un);
                self.obj.code.push(UNOPS.iter().position(|u| u == op).unwrap_or(0) as u8);
            }
            Expr::Binary(op @ (BinOp::LogAnd | BinOp::LogOr), a, b) => {
                // a && b: if a is 0 the answer is 0 without evaluating b; a || b likewise with 1.
                let (skip, short) = if *op == BinOp::LogAnd { (Op::Jz, 0) } else { (Op::Jnz, 1) };
                self.expr(a);
                let to_short = self.jump(skip);
                self.expr(b);
                self.op(Op::Push);
                self.i32(0);
                self.bin(BinOp::Ne);
                let to_end = self.jump(Op::Jmp);
                self.land(to_short);
                self.op(Op::Push);
                self.i32(short);
                self.land(to_end);
            }
            Expr::Binary(op, a, b) => {
                self.expr(a);
                self.expr(b);
                self.bin(*op);
            }
        }
    }

    fn bin(&mut self, op: BinOp) {
        self.op(Op::Bin);
        self.obj.code.push(BINOPS.iter().position(|b| *b == op).unwrap_or(0) as u8);
    }
}
