//! The syntax tree, as the parser builds it: names are still unresolved symbols.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::lex::Sym;

/// Where something is, for error messages: (file index, line).
pub type Pos = (u16, u32);

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (x / 0 = 0)
    Div,
    /// `%` (x % 0 = 0)
    Rem,
    /// `&`
    And,
    /// `|`
    Or,
    /// `^`
    Xor,
    /// `<<`
    Shl,
    /// `>>` (arithmetic)
    Shr,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `&&` (short-circuit)
    LogAnd,
    /// `||` (short-circuit)
    LogOr,
}

impl BinOp {
    /// The value of `a op b`: the one definition shared by constant folding and the VM.
    /// (`&&`/`||` here see both values; their short-circuit is the code generator's business.)
    pub fn apply(self, a: i32, b: i32) -> i32 {
        match self {
            BinOp::Add => a.wrapping_add(b),
            BinOp::Sub => a.wrapping_sub(b),
            BinOp::Mul => a.wrapping_mul(b),
            BinOp::Div => a.checked_div(b).unwrap_or(if b == 0 { 0 } else { a }),
            BinOp::Rem => a.checked_rem(b).unwrap_or(0),
            BinOp::And => a & b,
            BinOp::Or => a | b,
            BinOp::Xor => a ^ b,
            BinOp::Shl => a.wrapping_shl(b as u32),
            BinOp::Shr => a.wrapping_shr(b as u32),
            BinOp::Lt => i32::from(a < b),
            BinOp::Le => i32::from(a <= b),
            BinOp::Gt => i32::from(a > b),
            BinOp::Ge => i32::from(a >= b),
            BinOp::Eq => i32::from(a == b),
            BinOp::Ne => i32::from(a != b),
            BinOp::LogAnd => i32::from(a != 0 && b != 0),
            BinOp::LogOr => i32::from(a != 0 || b != 0),
        }
    }

    /// The operator for a token, with its binding strength (higher binds tighter).
    pub fn from_punct(p: &str) -> Option<(BinOp, u8)> {
        Some(match p {
            "||" => (BinOp::LogOr, 1),
            "&&" => (BinOp::LogAnd, 2),
            "|" => (BinOp::Or, 3),
            "^" => (BinOp::Xor, 4),
            "&" => (BinOp::And, 5),
            "==" => (BinOp::Eq, 6),
            "!=" => (BinOp::Ne, 6),
            "<" => (BinOp::Lt, 7),
            "<=" => (BinOp::Le, 7),
            ">" => (BinOp::Gt, 7),
            ">=" => (BinOp::Ge, 7),
            "<<" => (BinOp::Shl, 8),
            ">>" => (BinOp::Shr, 8),
            "+" => (BinOp::Add, 9),
            "-" => (BinOp::Sub, 9),
            "*" => (BinOp::Mul, 10),
            "/" => (BinOp::Div, 10),
            "%" => (BinOp::Rem, 10),
            _ => return None,
        })
    }
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// `-`
    Neg,
    /// `!` (0 or 1)
    Not,
    /// `~`
    Inv,
}

impl UnOp {
    /// The value of `op a`.
    pub fn apply(self, a: i32) -> i32 {
        match self {
            UnOp::Neg => a.wrapping_neg(),
            UnOp::Not => i32::from(a == 0),
            UnOp::Inv => !a,
        }
    }
}

/// An expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A number.
    Num(i32),
    /// A name: a local, a parameter, a global or a constant.
    Name(Sym, Pos),
    /// A call.
    Call(Sym, Vec<Expr>, Pos),
    /// `op e`.
    Unary(UnOp, Box<Expr>),
    /// `a op b`.
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

/// A statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    /// `var x = e;` (a new local in the current block).
    Var(Sym, Option<Expr>, Pos),
    /// `x = e;`
    Assign(Sym, Expr, Pos),
    /// `e;`
    Expr(Expr),
    /// `{ ... }`
    Block(Vec<Stmt>),
    /// `if (c) { ... } else { ... }` (an empty else when there is none).
    If(Expr, Vec<Stmt>, Vec<Stmt>),
    /// `while (c) { ... }`
    While(Expr, Vec<Stmt>),
    /// `return e;` (`return;` returns 0).
    Return(Option<Expr>),
}

/// A top-level item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// `const X = e;`
    Const(Sym, Expr, Pos),
    /// `var g = e;`
    Global(Sym, Option<Expr>, Pos),
    /// `extern var g;`
    ExternVar(Sym, Pos),
    /// `extern fn f(a, b);`
    ExternFn(Sym, u32, Pos),
    /// `fn f(a, b) { ... }`
    Fn {
        /// The function's name.
        name: Sym,
        /// Its parameters.
        params: Vec<Sym>,
        /// Its body.
        body: Vec<Stmt>,
        /// Where it is defined.
        pos: Pos,
    },
}
