//! The intermediate form: names resolved to local slots, globals and constants. Expressions are
//! built through [`unary`] and [`binary`], which fold constants and simplify as they go, so every
//! later phase sees folded code.

use alloc::boxed::Box;
use alloc::vec::Vec;

pub use super::ast::{BinOp, UnOp};
use super::lex::Sym;

/// A resolved expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A known value.
    Const(i32),
    /// A local variable or parameter (its slot in the frame).
    Local(u16),
    /// A global variable.
    Global(Sym),
    /// A call of a function.
    Call(Sym, Vec<Expr>),
    /// `op e`.
    Unary(UnOp, Box<Expr>),
    /// `a op b`.
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// The value, if it is known at compile time.
    pub fn as_const(&self) -> Option<i32> {
        match self {
            Expr::Const(v) => Some(*v),
            _ => None,
        }
    }

    /// Whether evaluating it has no effect besides its value (it calls nothing).
    pub fn is_pure(&self) -> bool {
        match self {
            Expr::Const(_) | Expr::Local(_) | Expr::Global(_) => true,
            Expr::Call(..) => false,
            Expr::Unary(_, e) => e.is_pure(),
            Expr::Binary(_, a, b) => a.is_pure() && b.is_pure(),
        }
    }
}

/// `op e`, folded when `e` is constant.
pub fn unary(op: UnOp, e: Expr) -> Expr {
    match (op, e) {
        (op, Expr::Const(a)) => Expr::Const(op.apply(a)),
        // - - x = x, ~ ~ x = x
        (UnOp::Neg, Expr::Unary(UnOp::Neg, inner)) | (UnOp::Inv, Expr::Unary(UnOp::Inv, inner)) => {
            *inner
        }
        (op, e) => Expr::Unary(op, Box::new(e)),
    }
}

/// `a op b`, folded when both are constant, and simplified by algebraic identities that keep
/// every call the expression makes.
pub fn binary(op: BinOp, a: Expr, b: Expr) -> Expr {
    use BinOp::*;
    use Expr::Const;
    match (op, a, b) {
        (op, Const(x), Const(y)) => Const(op.apply(x, y)),
        // x + 0, x - 0, x | 0, x ^ 0, x << 0, x >> 0, x * 1, x / 1 = x
        (Add | Sub | Or | Xor | Shl | Shr, e, Const(0)) | (Mul | Div, e, Const(1)) => e,
        // 0 + x, 0 | x, 0 ^ x, 1 * x = x
        (Add | Or | Xor, Const(0), e) | (Mul, Const(1), e) => e,
        // x * 0, x & 0, 0 & x, x % 1 = 0 when x calls nothing
        (Mul | And, e, Const(0)) | (And, Const(0), e) | (Rem, e, Const(1)) if e.is_pure() => {
            Const(0)
        }
        // x * 2^k = x << k (the same in wrapping arithmetic)
        (Mul, e, Const(k)) if k > 1 && (k as u32).is_power_of_two() => {
            Expr::Binary(Shl, Box::new(e), Box::new(Const(k.trailing_zeros() as i32)))
        }
        // A constant left side decides `&&` and `||`; the right side becomes `e != 0`.
        (LogAnd, Const(0), _) => Const(0),
        (LogOr, Const(x), _) if x != 0 => Const(1),
        (LogAnd | LogOr, Const(_), e) => binary(Ne, e, Const(0)),
        (op, a, b) => Expr::Binary(op, Box::new(a), Box::new(b)),
    }
}

/// A resolved statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    /// `local = e`
    SetLocal(u16, Expr),
    /// `global = e`
    SetGlobal(Sym, Expr),
    /// `e;` (kept for its calls)
    Eval(Expr),
    /// `if (c) { .. } else { .. }`
    If(Expr, Vec<Stmt>, Vec<Stmt>),
    /// `while (c) { .. }`
    While(Expr, Vec<Stmt>),
    /// `return e`
    Return(Expr),
}

/// A function ready for code generation.
#[derive(Clone, Debug)]
pub struct Func {
    /// Its name.
    pub name: Sym,
    /// How many parameters (the first slots).
    pub params: u16,
    /// How many slots in all (parameters and locals).
    pub locals: u16,
    /// The body.
    pub body: Vec<Stmt>,
}

/// What a unit declares about a global name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decl {
    /// A compile-time constant.
    Const(i32),
    /// A global variable; `Some(initial value)` if this unit defines it.
    Var(Option<i32>),
    /// A function with this many parameters, and whether this unit defines it.
    Func {
        /// Its number of parameters.
        arity: u32,
        /// Whether this unit has its body.
        defined: bool,
    },
}

/// A checked unit: its functions, and what each global name means (indexed by [`Sym`]).
#[derive(Clone, Debug, Default)]
pub struct Unit {
    /// The defined functions, in source order.
    pub funcs: Vec<Func>,
    /// The defined global variables, in source order.
    pub vars: Vec<Sym>,
    /// Declaration of every global name (`None`: not a global).
    pub decls: Vec<Option<Decl>>,
}

impl Unit {
    /// The declaration of `sym`, if it is a global.
    pub fn decl(&self, sym: Sym) -> Option<Decl> {
        self.decls.get(sym as usize).copied().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Expr::{Const, Local};

    fn call() -> Expr {
        Expr::Call(0, Vec::new())
    }

    #[test]
    fn folds_constants_and_identities() {
        assert_eq!(binary(BinOp::Add, Const(2), Const(3)), Const(5));
        assert_eq!(binary(BinOp::Div, Const(2), Const(0)), Const(0));
        assert_eq!(binary(BinOp::Add, Local(1), Const(0)), Local(1));
        assert_eq!(binary(BinOp::Mul, Const(1), Local(1)), Local(1));
        assert_eq!(binary(BinOp::Mul, Local(1), Const(0)), Const(0));
        assert_eq!(unary(UnOp::Neg, unary(UnOp::Neg, Local(2))), Local(2));
        assert_eq!(
            binary(BinOp::Mul, Local(1), Const(8)),
            Expr::Binary(BinOp::Shl, Box::new(Local(1)), Box::new(Const(3)))
        );
    }

    #[test]
    fn keeps_calls_that_identities_would_drop() {
        assert!(matches!(binary(BinOp::Mul, call(), Const(0)), Expr::Binary(..)));
        assert!(matches!(binary(BinOp::And, Const(0), call()), Expr::Binary(..)));
        // `0 && f()` does not call f, so folding it away is right.
        assert_eq!(binary(BinOp::LogAnd, Const(0), call()), Const(0));
        assert_eq!(binary(BinOp::LogOr, Const(7), call()), Const(1));
        assert!(matches!(binary(BinOp::LogAnd, Const(7), call()), Expr::Binary(BinOp::Ne, ..)));
    }
}
