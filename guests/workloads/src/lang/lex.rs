//! The lexer: source bytes to tokens. Names are interned: each distinct identifier gets a small
//! number ([`Sym`]) through a hash table, so the later phases compare numbers, not strings.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::hash::fnv32;

/// An interned name.
pub type Sym = u32;

/// Reserved words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kw {
    /// `const`
    Const,
    /// `var`
    Var,
    /// `extern`
    Extern,
    /// `fn`
    Fn,
    /// `if`
    If,
    /// `else`
    Else,
    /// `while`
    While,
    /// `return`
    Return,
}

/// A token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    /// A name.
    Name(Sym),
    /// A number literal (hex literals may use all 32 bits).
    Num(i32),
    /// A reserved word.
    Kw(Kw),
    /// Punctuation or an operator, spelled as in the source (`"<="`, `"{"`, ...).
    Punct(&'static str),
    /// The end of the unit.
    Eof,
}

/// A token and where it came from.
#[derive(Clone, Copy, Debug)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// Index of the file in the unit's file list.
    pub file: u16,
    /// Line number, from 1.
    pub line: u32,
}

/// What the lexer found next: a token, or an `#include "name"` directive for the driver.
#[derive(Debug, PartialEq, Eq)]
pub enum Lexeme {
    /// An ordinary token (`Tok::Eof` at the end of the file).
    Tok(Tok),
    /// `#include "name"`.
    Include(String),
}

/// The interned names: an open-addressing hash table from name to [`Sym`].
#[derive(Debug)]
pub struct Names {
    names: Vec<String>,
    /// Slots hold `sym + 1`; 0 is empty. The length is a power of two, at most half full.
    slots: Vec<u32>,
}

impl Default for Names {
    fn default() -> Self {
        Names { names: Vec::new(), slots: vec![0; 256] }
    }
}

impl Names {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of a name, adding it if new.
    pub fn intern(&mut self, name: &[u8]) -> Sym {
        let mask = self.slots.len() - 1;
        let mut i = fnv32(name) as usize & mask;
        loop {
            match self.slots[i] {
                0 => break,
                s if self.names[s as usize - 1].as_bytes() == name => return s - 1,
                _ => i = (i + 1) & mask,
            }
        }
        let sym = self.names.len() as Sym;
        // Identifiers are ASCII (the lexer checked), so this cannot fail.
        self.names.push(String::from_utf8_lossy(name).into_owned());
        self.slots[i] = sym + 1;
        if self.names.len() * 2 > self.slots.len() {
            self.grow();
        }
        sym
    }

    fn grow(&mut self) {
        let mut slots = vec![0u32; self.slots.len() * 2];
        let mask = slots.len() - 1;
        for (sym, name) in self.names.iter().enumerate() {
            let mut i = fnv32(name.as_bytes()) as usize & mask;
            while slots[i] != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = sym as u32 + 1;
        }
        self.slots = slots;
    }

    /// The spelling of an interned name.
    pub fn name(&self, sym: Sym) -> &str {
        &self.names[sym as usize]
    }

    /// How many names are interned.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no name is interned.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

const PUNCTS2: [&str; 10] = ["<=", ">=", "==", "!=", "<<", ">>", "&&", "||", "/*", "//"];
const PUNCTS1: [&str; 19] =
    ["(", ")", "{", "}", ",", ";", "=", "+", "-", "*", "/", "%", "&", "|", "^", "~", "!", "<", ">"];

/// A lexer over one file.
pub struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    /// The current line, from 1.
    pub line: u32,
    at_line_start: bool,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `src`.
    pub fn new(src: &'a [u8]) -> Self {
        Lexer { src, pos: 0, line: 1, at_line_start: true }
    }

    fn peek(&self, ahead: usize) -> u8 {
        self.src.get(self.pos + ahead).copied().unwrap_or(0)
    }

    /// Skips spaces and comments; an error for an unterminated comment.
    fn skip_blanks(&mut self) -> Result<(), String> {
        loop {
            match self.peek(0) {
                b'\n' => {
                    self.line += 1;
                    self.pos += 1;
                    self.at_line_start = true;
                }
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'/' if self.peek(1) == b'/' => {
                    while self.pos < self.src.len() && self.src[self.pos] != b'\n' {
                        self.pos += 1;
                    }
                }
                b'/' if self.peek(1) == b'*' => {
                    self.pos += 2;
                    loop {
                        if self.pos >= self.src.len() {
                            return Err("unterminated comment".into());
                        }
                        if self.src[self.pos] == b'*' && self.peek(1) == b'/' {
                            self.pos += 2;
                            break;
                        }
                        if self.src[self.pos] == b'\n' {
                            self.line += 1;
                        }
                        self.pos += 1;
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// The next token or directive, and the line it is on.
    pub fn next(&mut self, names: &mut Names) -> Result<(Lexeme, u32), String> {
        self.skip_blanks()?;
        let line = self.line;
        self.token(names).map(|l| (l, line))
    }

    fn token(&mut self, names: &mut Names) -> Result<Lexeme, String> {
        let start = self.pos;
        let first_on_line = self.at_line_start;
        self.at_line_start = false;
        let c = self.peek(0);
        if start >= self.src.len() {
            return Ok(Lexeme::Tok(Tok::Eof));
        }
        if c == b'#' {
            if !first_on_line {
                return Err("`#` must start a line".into());
            }
            return self.directive();
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while self.peek(0).is_ascii_alphanumeric() || self.peek(0) == b'_' {
                self.pos += 1;
            }
            let word = &self.src[start..self.pos];
            let tok = match word {
                b"const" => Tok::Kw(Kw::Const),
                b"var" => Tok::Kw(Kw::Var),
                b"extern" => Tok::Kw(Kw::Extern),
                b"fn" => Tok::Kw(Kw::Fn),
                b"if" => Tok::Kw(Kw::If),
                b"else" => Tok::Kw(Kw::Else),
                b"while" => Tok::Kw(Kw::While),
                b"return" => Tok::Kw(Kw::Return),
                _ => Tok::Name(names.intern(word)),
            };
            return Ok(Lexeme::Tok(tok));
        }
        if c.is_ascii_digit() {
            return self.number().map(|n| Lexeme::Tok(Tok::Num(n)));
        }
        for p in PUNCTS2.iter().chain(PUNCTS1.iter()) {
            if self.src[start..].starts_with(p.as_bytes()) {
                self.pos += p.len();
                return Ok(Lexeme::Tok(Tok::Punct(p)));
            }
        }
        Err(alloc::format!("unexpected character `{}`", c.escape_ascii()))
    }

    fn number(&mut self) -> Result<i32, String> {
        let (radix, skip) = if self.peek(0) == b'0' && matches!(self.peek(1), b'x' | b'X') {
            (16, 2)
        } else {
            (10, 0)
        };
        self.pos += skip;
        let mut value: u64 = 0;
        let mut digits = 0;
        while let Some(d) = (self.peek(0) as char).to_digit(radix) {
            value = value * u64::from(radix) + u64::from(d);
            if value > u64::from(u32::MAX) {
                return Err("number too large".into());
            }
            self.pos += 1;
            digits += 1;
        }
        if digits == 0 || self.peek(0).is_ascii_alphanumeric() || self.peek(0) == b'_' {
            return Err("malformed number".into());
        }
        Ok(value as u32 as i32)
    }

    /// `#include "name"` (the only directive).
    fn directive(&mut self) -> Result<Lexeme, String> {
        let end = self.src[self.pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.src.len(), |n| self.pos + n);
        let line =
            core::str::from_utf8(&self.src[self.pos..end]).map_err(|_| "directive is not UTF-8")?;
        self.pos = end;
        let rest = line[1..].trim_start();
        let Some(arg) = rest.strip_prefix("include") else {
            return Err(alloc::format!("unknown directive `{}`", line.trim_end()));
        };
        let arg = arg.trim();
        match arg.strip_prefix('"').and_then(|a| a.strip_suffix('"')) {
            Some(name) if !name.is_empty() => Ok(Lexeme::Include(name.into())),
            _ => Err("expected #include \"file\"".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex_all(src: &str) -> Result<(Vec<Lexeme>, Names), String> {
        let mut names = Names::new();
        let mut lx = Lexer::new(src.as_bytes());
        let mut out = Vec::new();
        loop {
            let (l, _) = lx.next(&mut names)?;
            if l == Lexeme::Tok(Tok::Eof) {
                return Ok((out, names));
            }
            out.push(l);
        }
    }

    #[test]
    fn lexes_words_numbers_and_operators() {
        let (toks, names) =
            lex_all("fn f(a) { return a<=0x10 && b != -3; } // c\n/* d\n */ x").unwrap();
        use Lexeme::Tok as T;
        assert_eq!(toks[0], T(Tok::Kw(Kw::Fn)));
        assert_eq!(toks[1], T(Tok::Name(0)));
        assert_eq!(toks[8], T(Tok::Punct("<=")));
        assert_eq!(toks[9], T(Tok::Num(16)));
        assert_eq!(toks[10], T(Tok::Punct("&&")));
        assert_eq!(toks[12], T(Tok::Punct("!=")));
        assert_eq!(toks[13], T(Tok::Punct("-")));
        assert_eq!(names.name(0), "f");
        assert_eq!(names.len(), 4);
        assert!(matches!(toks.last(), Some(T(Tok::Name(3)))));
    }

    #[test]
    fn interns_many_names_through_growth() {
        let mut names = Names::new();
        for i in 0..2000 {
            assert_eq!(names.intern(alloc::format!("n{i}").as_bytes()), i);
        }
        for i in (0..2000).rev() {
            assert_eq!(names.intern(alloc::format!("n{i}").as_bytes()), i);
        }
        assert_eq!(names.name(1234), "n1234");
    }

    #[test]
    fn reads_includes_and_rejects_junk() {
        let (toks, _) = lex_all("#include \"a.h\"\nvar x;").unwrap();
        assert_eq!(toks[0], Lexeme::Include("a.h".into()));
        assert!(lex_all("#define X 1").is_err());
        assert!(lex_all("x # y").is_err());
        assert!(lex_all("@").is_err());
        assert!(lex_all("/* open").is_err());
        assert!(lex_all("0x").is_err());
        assert!(lex_all("99999999999").is_err());
        assert_eq!(lex_all("0xFFFFFFFF").unwrap().0[0], Lexeme::Tok(Tok::Num(-1)));
    }
}
