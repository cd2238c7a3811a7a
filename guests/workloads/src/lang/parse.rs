//! The parser: recursive descent over the token list, precedence climbing for expressions.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use super::ast::{BinOp, Expr, Item, Pos, Stmt, UnOp};
use super::lex::{Kw, Sym, Tok, Token};

/// A parse error: where, and what was wrong.
#[derive(Debug)]
pub struct ParseError {
    /// Where the offending token is.
    pub pos: Pos,
    /// What was expected.
    pub msg: String,
}

type Result<T> = core::result::Result<T, ParseError>;

/// How deeply expressions and blocks may nest (keeps the recursion off the end of the stack).
const MAX_DEPTH: u32 = 200;

/// Parses a whole unit.
pub fn parse(tokens: &[Token]) -> Result<Vec<Item>> {
    let mut p = Parser { tokens, at: 0, depth: 0 };
    let mut items = Vec::new();
    while p.peek() != Tok::Eof {
        items.push(p.item()?);
    }
    Ok(items)
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    depth: u32,
}

impl Parser<'_> {
    fn peek(&self) -> Tok {
        self.tokens.get(self.at).map_or(Tok::Eof, |t| t.tok)
    }

    fn pos(&self) -> Pos {
        self.tokens.get(self.at).or(self.tokens.last()).map_or((0, 0), |t| (t.file, t.line))
    }

    fn bump(&mut self) -> Tok {
        let t = self.peek();
        self.at += 1;
        t
    }

    fn error<T>(&self, msg: &str) -> Result<T> {
        let found = match self.peek() {
            Tok::Eof => String::from("end of file"),
            Tok::Punct(p) => alloc::format!("`{p}`"),
            Tok::Num(n) => alloc::format!("number {n}"),
            Tok::Kw(k) => alloc::format!("keyword {k:?}"),
            Tok::Name(_) => String::from("a name"),
        };
        Err(ParseError { pos: self.pos(), msg: alloc::format!("expected {msg}, found {found}") })
    }

    fn eat(&mut self, p: &'static str) -> bool {
        if self.peek() == Tok::Punct(p) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, p: &'static str) -> Result<()> {
        if self.eat(p) { Ok(()) } else { self.error(&alloc::format!("`{p}`")) }
    }

    fn name(&mut self) -> Result<Sym> {
        match self.peek() {
            Tok::Name(s) => {
                self.at += 1;
                Ok(s)
            }
            _ => self.error("a name"),
        }
    }

    fn nest(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH { self.error("less deeply nested code") } else { Ok(()) }
    }

    fn item(&mut self) -> Result<Item> {
        let pos = self.pos();
        match self.bump() {
            Tok::Kw(Kw::Const) => {
                let name = self.name()?;
                self.expect("=")?;
                let e = self.expr()?;
                self.expect(";")?;
                Ok(Item::Const(name, e, pos))
            }
            Tok::Kw(Kw::Var) => {
                let name = self.name()?;
                let init = if self.eat("=") { Some(self.expr()?) } else { None };
                self.expect(";")?;
                Ok(Item::Global(name, init, pos))
            }
            Tok::Kw(Kw::Extern) => match self.bump() {
                Tok::Kw(Kw::Var) => {
                    let name = self.name()?;
                    self.expect(";")?;
                    Ok(Item::ExternVar(name, pos))
                }
                Tok::Kw(Kw::Fn) => {
                    let name = self.name()?;
                    let params = self.params()?;
                    self.expect(";")?;
                    Ok(Item::ExternFn(name, params.len() as u32, pos))
                }
                _ => {
                    self.at -= 1;
                    self.error("`var` or `fn` after `extern`")
                }
            },
            Tok::Kw(Kw::Fn) => {
                let name = self.name()?;
                let params = self.params()?;
                let body = self.block()?;
                Ok(Item::Fn { name, params, body, pos })
            }
            _ => {
                self.at -= 1;
                self.error("`const`, `var`, `extern` or `fn`")
            }
        }
    }

    fn params(&mut self) -> Result<Vec<Sym>> {
        self.expect("(")?;
        let mut params = Vec::new();
        if !self.eat(")") {
            loop {
                params.push(self.name()?);
                if self.eat(")") {
                    break;
                }
                self.expect(",")?;
            }
        }
        Ok(params)
    }

    fn block(&mut self) -> Result<Vec<Stmt>> {
        self.expect("{")?;
        self.nest()?;
        let mut stmts = Vec::new();
        while !self.eat("}") {
            if self.peek() == Tok::Eof {
                return self.error("`}`");
            }
            stmts.push(self.stmt()?);
        }
        self.depth -= 1;
        Ok(stmts)
    }

    fn stmt(&mut self) -> Result<Stmt> {
        let pos = self.pos();
        match self.peek() {
            Tok::Kw(Kw::Var) => {
                self.at += 1;
                let name = self.name()?;
                let init = if self.eat("=") { Some(self.expr()?) } else { None };
                self.expect(";")?;
                Ok(Stmt::Var(name, init, pos))
            }
            Tok::Kw(Kw::If) => self.if_stmt(),
            Tok::Kw(Kw::While) => {
                self.at += 1;
                self.expect("(")?;
                let cond = self.expr()?;
                self.expect(")")?;
                Ok(Stmt::While(cond, self.block()?))
            }
            Tok::Kw(Kw::Return) => {
                self.at += 1;
                let value = if self.eat(";") {
                    None
                } else {
                    let e = self.expr()?;
                    self.expect(";")?;
                    Some(e)
                };
                Ok(Stmt::Return(value))
            }
            Tok::Punct("{") => Ok(Stmt::Block(self.block()?)),
            Tok::Name(name)
                if self.tokens.get(self.at + 1).map(|t| t.tok) == Some(Tok::Punct("=")) =>
            {
                self.at += 2;
                let e = self.expr()?;
                self.expect(";")?;
                Ok(Stmt::Assign(name, e, pos))
            }
            _ => {
                let e = self.expr()?;
                self.expect(";")?;
                Ok(Stmt::Expr(e))
            }
        }
    }

    fn if_stmt(&mut self) -> Result<Stmt> {
        self.at += 1; // `if`
        self.expect("(")?;
        let cond = self.expr()?;
        self.expect(")")?;
        let then = self.block()?;
        let otherwise = if self.peek() == Tok::Kw(Kw::Else) {
            self.at += 1;
            if self.peek() == Tok::Kw(Kw::If) {
                self.nest()?;
                let nested = alloc::vec![self.if_stmt()?];
                self.depth -= 1;
                nested
            } else {
                self.block()?
            }
        } else {
            Vec::new()
        };
        Ok(Stmt::If(cond, then, otherwise))
    }

    fn expr(&mut self) -> Result<Expr> {
        self.binary(1)
    }

    /// Precedence climbing: operators binding at least as tightly as `min`, left-associative.
    fn binary(&mut self, min: u8) -> Result<Expr> {
        self.nest()?;
        let mut lhs = self.unary()?;
        while let Tok::Punct(p) = self.peek() {
            let Some((op, prec)) = BinOp::from_punct(p) else { break };
            if prec < min {
                break;
            }
            self.at += 1;
            let rhs = self.binary(prec + 1)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr> {
        let op = match self.peek() {
            Tok::Punct("-") => UnOp::Neg,
            Tok::Punct("!") => UnOp::Not,
            Tok::Punct("~") => UnOp::Inv,
            _ => return self.primary(),
        };
        self.at += 1;
        self.nest()?;
        let e = self.unary()?;
        self.depth -= 1;
        Ok(Expr::Unary(op, Box::new(e)))
    }

    fn primary(&mut self) -> Result<Expr> {
        let pos = self.pos();
        match self.peek() {
            Tok::Num(n) => {
                self.at += 1;
                Ok(Expr::Num(n))
            }
            Tok::Name(name) => {
                self.at += 1;
                if !self.eat("(") {
                    return Ok(Expr::Name(name, pos));
                }
                let mut args = Vec::new();
                if !self.eat(")") {
                    loop {
                        args.push(self.expr()?);
                        if self.eat(")") {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                Ok(Expr::Call(name, args, pos))
            }
            Tok::Punct("(") => {
                self.at += 1;
                let e = self.expr()?;
                self.expect(")")?;
                Ok(e)
            }
            _ => self.error("an expression"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::lex::{Lexeme, Lexer, Names};

    fn parse_src(src: &str) -> Result<Vec<Item>> {
        let mut names = Names::new();
        let mut lx = Lexer::new(src.as_bytes());
        let mut toks = Vec::new();
        loop {
            let (lexeme, line) = lx.next(&mut names).unwrap();
            match lexeme {
                Lexeme::Tok(Tok::Eof) => break,
                Lexeme::Tok(tok) => toks.push(Token { tok, file: 0, line }),
                Lexeme::Include(_) => panic!("no includes here"),
            }
        }
        parse(&toks)
    }

    #[test]
    fn precedence_and_associativity() {
        let items = parse_src("const A = 1 - 2 - 3 * 4 + -5 << 1 == 0 || 7;").unwrap();
        let Item::Const(_, e, _) = &items[0] else { panic!() };
        // ((((1 - 2) - (3 * 4)) + (-5)) << 1) == 0) || 7
        let Expr::Binary(BinOp::LogOr, lhs, _) = e else { panic!("{e:?}") };
        let Expr::Binary(BinOp::Eq, shl, _) = &**lhs else { panic!() };
        let Expr::Binary(BinOp::Shl, add, _) = &**shl else { panic!() };
        let Expr::Binary(BinOp::Add, sub, neg) = &**add else { panic!() };
        assert!(matches!(**neg, Expr::Unary(UnOp::Neg, _)));
        let Expr::Binary(BinOp::Sub, l, r) = &**sub else { panic!() };
        assert!(matches!(**l, Expr::Binary(BinOp::Sub, _, _)));
        assert!(matches!(**r, Expr::Binary(BinOp::Mul, _, _)));
    }

    #[test]
    fn statements_and_items() {
        let src = "extern fn g(a, b); extern var v; var w = 3;
            fn f(x) { var y = x; y = g(y, 1); if (y) { return; } else if (x) { } else { y; }
                      while (y < 3) { y = y + 1; } { return y; } }";
        let items = parse_src(src).unwrap();
        assert_eq!(items.len(), 4);
        let Item::Fn { params, body, .. } = &items[3] else { panic!() };
        assert_eq!(params.len(), 1);
        assert_eq!(body.len(), 5);
        assert!(matches!(&body[2], Stmt::If(_, _, e) if matches!(e[0], Stmt::If(..))));
    }

    #[test]
    fn reports_what_was_expected_and_where() {
        let e = parse_src("fn f() {\n var = 3; }").unwrap_err();
        assert_eq!(e.pos.1, 2);
        assert_eq!(e.msg, "expected a name, found `=`");
        assert!(parse_src("fn f( {").is_err());
        assert!(parse_src("return 1;").is_err());
        assert!(parse_src("extern const x;").is_err());
        assert!(parse_src("fn f() { g(1,; }").is_err());
        assert!(parse_src("fn f() { x = (1 + 2; }").is_err());
        let deep = alloc::format!("const X = {}1{};", "(".repeat(500), ")".repeat(500));
        assert!(parse_src(&deep).is_err());
    }
}
