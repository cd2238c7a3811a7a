//! Semantic analysis: resolves every name against the block scopes of its function and the
//! unit's global declarations, checks declarations against each other and calls against the
//! callee's parameters, evaluates constant expressions, and produces the intermediate form ([`super::ir`]).

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::ast::{self, Item, Pos};
use super::ir::{self, Decl, Expr, Func, Stmt, Unit};
use super::lex::{Names, Sym};

/// A semantic error: where, and what.
#[derive(Debug)]
pub struct SemaError {
    /// Where.
    pub pos: Pos,
    /// What.
    pub msg: String,
}

type Result<T> = core::result::Result<T, SemaError>;

/// Checks a parsed unit and lowers it to IR.
pub fn check(items: &[Item], names: &Names) -> Result<Unit> {
    let mut s = Sema {
        names,
        unit: Unit { decls: vec![None; names.len()], ..Unit::default() },
        scope: Scope::default(),
    };
    for item in items {
        s.item(item)?;
    }
    Ok(s.unit)
}

/// The locals visible in a function: a stack of (name, slot), with the start of each open block.
#[derive(Default)]
struct Scope {
    vars: Vec<(Sym, u16)>,
    blocks: Vec<usize>,
    next_slot: u16,
    max_slots: u16,
}

impl Scope {
    fn lookup(&self, sym: Sym) -> Option<u16> {
        self.vars.iter().rev().find(|v| v.0 == sym).map(|v| v.1)
    }
}

struct Sema<'a> {
    names: &'a Names,
    unit: Unit,
    scope: Scope,
}

impl Sema<'_> {
    fn err<T>(&self, pos: Pos, msg: String) -> Result<T> {
        Err(SemaError { pos, msg })
    }

    fn name(&self, sym: Sym) -> &str {
        self.names.name(sym)
    }

    fn declare(&mut self, sym: Sym, decl: Decl, pos: Pos) -> Result<()> {
        let slot = &mut self.unit.decls[sym as usize];
        let merged = match (*slot, decl) {
            (None, d) => d,
            (Some(Decl::Var(a)), Decl::Var(b)) if a.is_none() || b.is_none() => Decl::Var(a.or(b)),
            (Some(Decl::Func { arity: a, defined: da }), Decl::Func { arity: b, defined: db })
                if a == b && !(da && db) =>
            {
                Decl::Func { arity: a, defined: da || db }
            }
            (Some(Decl::Func { arity, .. }), Decl::Func { arity: b, .. }) if arity != b => {
                let n = self.name(sym);
                return self.err(
                    pos,
                    alloc::format!("`{n}` declared with {b} parameters, before with {arity}"),
                );
            }
            _ => return self.err(pos, alloc::format!("`{}` redefined", self.name(sym))),
        };
        *slot = Some(merged);
        Ok(())
    }

    fn item(&mut self, item: &Item) -> Result<()> {
        match item {
            Item::Const(sym, e, pos) => {
                let v = self.constant(e, *pos)?;
                self.declare(*sym, Decl::Const(v), *pos)
            }
            Item::Global(sym, init, pos) => {
                let v = match init {
                    Some(e) => self.constant(e, *pos)?,
                    None => 0,
                };
                self.declare(*sym, Decl::Var(Some(v)), *pos)?;
                self.unit.vars.push(*sym);
                Ok(())
            }
            Item::ExternVar(sym, pos) => self.declare(*sym, Decl::Var(None), *pos),
            Item::ExternFn(sym, arity, pos) => {
                self.declare(*sym, Decl::Func { arity: *arity, defined: false }, *pos)
            }
            Item::Fn { name, params, body, pos } => {
                self.declare(
                    *name,
                    Decl::Func { arity: params.len() as u32, defined: true },
                    *pos,
                )?;
                self.scope = Scope::default();
                self.open();
                for &p in params {
                    self.local(p, *pos)?;
                }
                let body = self.block(body)?;
                self.unit.funcs.push(Func {
                    name: *name,
                    params: params.len() as u16,
                    locals: self.scope.max_slots,
                    body,
                });
                Ok(())
            }
        }
    }

    /// A constant expression's value (outside any function: only constants may appear).
    fn constant(&mut self, e: &ast::Expr, pos: Pos) -> Result<i32> {
        self.scope = Scope::default();
        match self.expr(e)? {
            Expr::Const(v) => Ok(v),
            _ => self.err(pos, "not a constant expression".into()),
        }
    }

    fn open(&mut self) {
        self.scope.blocks.push(self.scope.vars.len());
    }

    fn close(&mut self) {
        let start = self.scope.blocks.pop().unwrap_or(0);
        self.scope.vars.truncate(start);
        // Slots of a closed block are reused by the next one.
        self.scope.next_slot = self.scope.vars.last().map_or(0, |v| v.1 + 1);
    }

    fn local(&mut self, sym: Sym, pos: Pos) -> Result<u16> {
        let block_start = self.scope.blocks.last().copied().unwrap_or(0);
        if self.scope.vars[block_start..].iter().any(|v| v.0 == sym) {
            return self
                .err(pos, alloc::format!("`{}` already declared in this block", self.name(sym)));
        }
        let slot = self.scope.next_slot;
        if slot == u16::MAX {
            return self.err(pos, "too many local variables".into());
        }
        self.scope.vars.push((sym, slot));
        self.scope.next_slot += 1;
        self.scope.max_slots = self.scope.max_slots.max(self.scope.next_slot);
        Ok(slot)
    }

    fn block(&mut self, stmts: &[ast::Stmt]) -> Result<Vec<Stmt>> {
        let mut out = Vec::with_capacity(stmts.len());
        self.open();
        for s in stmts {
            self.stmt(s, &mut out)?;
        }
        self.close();
        Ok(out)
    }

    fn stmt(&mut self, s: &ast::Stmt, out: &mut Vec<Stmt>) -> Result<()> {
        match s {
            ast::Stmt::Var(sym, init, pos) => {
                // The initialiser sees the names before the new one (`var x = x;` reads the outer x).
                let value = match init {
                    Some(e) => self.expr(e)?,
                    None => Expr::Const(0),
                };
                let slot = self.local(*sym, *pos)?;
                out.push(Stmt::SetLocal(slot, value));
            }
            ast::Stmt::Assign(sym, e, pos) => {
                let value = self.expr(e)?;
                if let Some(slot) = self.scope.lookup(*sym) {
                    out.push(Stmt::SetLocal(slot, value));
                } else if let Some(Decl::Var(_)) = self.unit.decl(*sym) {
                    out.push(Stmt::SetGlobal(*sym, value));
                } else {
                    return self
                        .err(*pos, alloc::format!("cannot assign to `{}`", self.name(*sym)));
                }
            }
            ast::Stmt::Expr(e) => {
                let e = self.expr(e)?;
                out.push(Stmt::Eval(e));
            }
            ast::Stmt::Block(stmts) => {
                let inner = self.block(stmts)?;
                out.extend(inner);
            }
            ast::Stmt::If(c, a, b) => {
                let c = self.expr(c)?;
                let a = self.block(a)?;
                let b = self.block(b)?;
                out.push(Stmt::If(c, a, b));
            }
            ast::Stmt::While(c, body) => {
                let c = self.expr(c)?;
                let body = self.block(body)?;
                out.push(Stmt::While(c, body));
            }
            ast::Stmt::Return(e) => {
                let e = match e {
                    Some(e) => self.expr(e)?,
                    None => Expr::Const(0),
                };
                out.push(Stmt::Return(e));
            }
        }
        Ok(())
    }

    fn expr(&mut self, e: &ast::Expr) -> Result<Expr> {
        Ok(match e {
            ast::Expr::Num(n) => Expr::Const(*n),
            ast::Expr::Name(sym, pos) => {
                if let Some(slot) = self.scope.lookup(*sym) {
                    return Ok(Expr::Local(slot));
                }
                match self.unit.decl(*sym) {
                    Some(Decl::Const(v)) => Expr::Const(v),
                    Some(Decl::Var(_)) => Expr::Global(*sym),
                    Some(Decl::Func { .. }) => {
                        return self.err(
                            *pos,
                            alloc::format!("function `{}` used as a value", self.name(*sym)),
                        );
                    }
                    None => {
                        return self
                            .err(*pos, alloc::format!("undefined name `{}`", self.name(*sym)));
                    }
                }
            }
            ast::Expr::Call(sym, args, pos) => {
                let arity = match (self.scope.lookup(*sym), self.unit.decl(*sym)) {
                    (None, Some(Decl::Func { arity, .. })) => arity,
                    (None, None) => {
                        return self
                            .err(*pos, alloc::format!("undefined function `{}`", self.name(*sym)));
                    }
                    _ => {
                        return self
                            .err(*pos, alloc::format!("`{}` is not a function", self.name(*sym)));
                    }
                };
                if arity as usize != args.len() {
                    let n = self.name(*sym);
                    return self.err(
                        *pos,
                        alloc::format!("`{n}` takes {arity} arguments, given {}", args.len()),
                    );
                }
                let mut values = Vec::with_capacity(args.len());
                for a in args {
                    values.push(self.expr(a)?);
                }
                Expr::Call(*sym, values)
            }
            ast::Expr::Unary(op, a) => {
                let a = self.expr(a)?;
                ir::unary(*op, a)
            }
            ast::Expr::Binary(op, a, b) => {
                let a = self.expr(a)?;
                let b = self.expr(b)?;
                ir::binary(*op, a, b)
            }
        })
    }
}
