//! The optimiser: constant propagation through local variables, with the dead code it exposes.
//!
//! It walks each function once, carrying what is known about every local (`Some(value)` or
//! unknown). A local assigned a constant is replaced by that constant where it is read, and the
//! expressions are re-folded; an `if` whose condition becomes constant keeps only the branch
//! taken; a `while` whose condition is constant 0 disappears; code after a `return` (or after
//! an `if` whose branches both return) is dropped; an expression statement that calls nothing is
//! dropped. At a join the knowledge of both branches is intersected; a loop forgets, before it
//! starts, every local its body assigns. Finally, assignments to locals that are never read
//! are dropped (their values kept only for the calls they make).

use alloc::vec::Vec;

use super::ir::{self, Expr, Func, Stmt};

/// What is known about each local slot.
type Env = Vec<Option<i32>>;

/// Optimises a function in place.
pub fn optimize(f: &mut Func) {
    // Locals start at 0 (`var x;`), but parameters are unknown.
    let mut env: Env =
        (0..f.locals).map(|slot| if slot < f.params { None } else { Some(0) }).collect();
    let body = core::mem::take(&mut f.body);
    let body = block(body, &mut env).0;
    let mut read = alloc::vec![false; usize::from(f.locals)];
    for s in &body {
        mark_reads(s, &mut read);
    }
    f.body = drop_dead_stores(body, &read);
}

/// Marks the locals a statement reads.
fn mark_reads(s: &Stmt, read: &mut [bool]) {
    fn expr(e: &Expr, read: &mut [bool]) {
        match e {
            Expr::Local(slot) => read[usize::from(*slot)] = true,
            Expr::Const(_) | Expr::Global(_) => {}
            Expr::Call(_, args) => args.iter().for_each(|a| expr(a, read)),
            Expr::Unary(_, a) => expr(a, read),
            Expr::Binary(_, a, b) => {
                expr(a, read);
                expr(b, read);
            }
        }
    }
    match s {
        Stmt::SetLocal(_, e) | Stmt::SetGlobal(_, e) | Stmt::Eval(e) | Stmt::Return(e) => {
            expr(e, read)
        }
        Stmt::If(c, a, b) => {
            expr(c, read);
            a.iter().chain(b).for_each(|s| mark_reads(s, read));
        }
        Stmt::While(c, body) => {
            expr(c, read);
            body.iter().for_each(|s| mark_reads(s, read));
        }
    }
}

/// Removes assignments to locals nobody reads.
fn drop_dead_stores(stmts: Vec<Stmt>, read: &[bool]) -> Vec<Stmt> {
    let mut out = Vec::with_capacity(stmts.len());
    for s in stmts {
        match s {
            Stmt::SetLocal(slot, e) if !read[usize::from(slot)] => {
                if !e.is_pure() {
                    out.push(Stmt::Eval(e));
                }
            }
            Stmt::If(c, a, b) => {
                out.push(Stmt::If(c, drop_dead_stores(a, read), drop_dead_stores(b, read)))
            }
            Stmt::While(c, body) => out.push(Stmt::While(c, drop_dead_stores(body, read))),
            s => out.push(s),
        }
    }
    out
}

/// Optimises a statement list; also says whether it always ends in `return`.
fn block(stmts: Vec<Stmt>, env: &mut Env) -> (Vec<Stmt>, bool) {
    let mut out = Vec::with_capacity(stmts.len());
    for s in stmts {
        if stmt(s, env, &mut out) {
            return (out, true);
        }
    }
    (out, false)
}

/// Optimises one statement into `out`; true if control never gets past it.
fn stmt(s: Stmt, env: &mut Env, out: &mut Vec<Stmt>) -> bool {
    match s {
        Stmt::SetLocal(slot, e) => {
            let e = subst(e, env);
            env[slot as usize] = e.as_const();
            out.push(Stmt::SetLocal(slot, e));
        }
        Stmt::SetGlobal(sym, e) => out.push(Stmt::SetGlobal(sym, subst(e, env))),
        Stmt::Eval(e) => {
            let e = subst(e, env);
            if !e.is_pure() {
                out.push(Stmt::Eval(e));
            }
        }
        Stmt::Return(e) => {
            out.push(Stmt::Return(subst(e, env)));
            return true;
        }
        Stmt::If(c, then, otherwise) => {
            let c = subst(c, env);
            if let Some(v) = c.as_const() {
                let (taken, returns) = block(if v != 0 { then } else { otherwise }, env);
                out.extend(taken);
                return returns;
            }
            let mut env_then = env.clone();
            let (then, then_returns) = block(then, &mut env_then);
            let (otherwise, else_returns) = block(otherwise, env);
            out.push(Stmt::If(c, then, otherwise));
            match (then_returns, else_returns) {
                (true, true) => return true,
                (true, false) => {} // only the else branch falls through: `env` is its state
                (false, true) => *env = env_then,
                (false, false) => {
                    for (known, other) in env.iter_mut().zip(env_then) {
                        if *known != other {
                            *known = None;
                        }
                    }
                }
            }
        }
        Stmt::While(c, body) => {
            forget_assigned(&body, env);
            let c = subst(c, env);
            if c.as_const() == Some(0) {
                return false;
            }
            let forever = c.as_const().is_some();
            let mut env_body = env.clone();
            let (body, _) = block(body, &mut env_body);
            out.push(Stmt::While(c, body));
            // There is no `break`: a loop whose condition is a non-zero constant never ends
            // (it can only `return`).
            return forever;
        }
    }
    false
}

/// Marks unknown every local that `stmts` may assign.
fn forget_assigned(stmts: &[Stmt], env: &mut Env) {
    for s in stmts {
        match s {
            Stmt::SetLocal(slot, _) => env[*slot as usize] = None,
            Stmt::If(_, a, b) => {
                forget_assigned(a, env);
                forget_assigned(b, env);
            }
            Stmt::While(_, body) => forget_assigned(body, env),
            Stmt::SetGlobal(..) | Stmt::Eval(_) | Stmt::Return(_) => {}
        }
    }
}

/// Replaces known locals by their values and re-folds.
fn subst(e: Expr, env: &Env) -> Expr {
    match e {
        Expr::Local(slot) => match env[slot as usize] {
            Some(v) => Expr::Const(v),
            None => Expr::Local(slot),
        },
        Expr::Const(_) | Expr::Global(_) => e,
        Expr::Call(f, args) => Expr::Call(f, args.into_iter().map(|a| subst(a, env)).collect()),
        Expr::Unary(op, a) => ir::unary(op, subst(*a, env)),
        Expr::Binary(op, a, b) => ir::binary(op, subst(*a, env), subst(*b, env)),
    }
}
