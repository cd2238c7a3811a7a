//! `cc1`, the compiler proper: one Mini-C unit (with the headers it includes) to one object file.
//!
//! ```text
//! cc1 [-I dir]... -o out.o unit.c
//! ```
//!
//! `#include "name"` looks in the including file's directory first, then in each `-I` directory
//! in order; each file is read at most once per unit. Errors read `file:line: message`.
//! The phases are those of [`crate::lang`].

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::files::{self, Files};
use crate::lang::lex::{Lexeme, Lexer, Names, Tok, Token};
use crate::lang::{codegen, opt, parse, sema};
use crate::object::Object;

/// How deeply includes may nest.
const MAX_INCLUDE_DEPTH: usize = 32;

/// cc1's command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// `-I` directories, in order.
    pub include_dirs: Vec<String>,
    /// The unit to compile.
    pub input: String,
    /// The object file to write.
    pub output: String,
}

/// Parses `cc1 [-I dir]... -o out.o unit.c` (`args` without the program name).
pub fn parse_args(args: &[&str]) -> Result<Options, String> {
    let mut include_dirs = Vec::new();
    let mut input = None;
    let mut output = None;
    let mut it = args.iter();
    while let Some(&a) = it.next() {
        match a {
            "-I" => include_dirs.push(it.next().ok_or("-I needs a directory")?.to_string()),
            "-o" => output = Some(it.next().ok_or("-o needs a file")?.to_string()),
            _ if a.starts_with("-I") => include_dirs.push(a[2..].to_string()),
            _ if a.starts_with('-') => return Err(alloc::format!("unknown option `{a}`")),
            _ if input.is_none() => input = Some(a.to_string()),
            _ => return Err("more than one input file".into()),
        }
    }
    let usage = "usage: cc1 [-I dir]... -o out.o unit.c";
    Ok(Options { include_dirs, input: input.ok_or(usage)?, output: output.ok_or(usage)? })
}

/// Runs cc1: compiles `opts.input` and writes `opts.output`.
pub fn run(opts: &Options, fs: &mut dyn Files) -> Result<(), String> {
    let obj = compile(&opts.input, &opts.include_dirs, fs)?;
    fs.write(&opts.output, &obj.encode())
}

/// Compiles one unit to an object.
pub fn compile(input: &str, include_dirs: &[String], fs: &mut dyn Files) -> Result<Object, String> {
    compile_with(input, include_dirs, fs, true)
}

/// Compiles one unit, with or without the optimiser (the tests compare the two).
pub fn compile_with(
    input: &str,
    include_dirs: &[String],
    fs: &mut dyn Files,
    optimize: bool,
) -> Result<Object, String> {
    let mut pre = Preprocessor {
        fs,
        include_dirs,
        files: Vec::new(),
        tokens: Vec::new(),
        names: Names::new(),
    };
    pre.load(input, 0)?;
    let line = pre.tokens.last().map_or(0, |t| t.line);
    pre.tokens.push(Token { tok: Tok::Eof, file: 0, line });
    let Preprocessor { files, tokens, names, .. } = pre;
    let at = |(file, line): (u16, u32)| {
        let name = files.get(usize::from(file)).map_or(input, |f| f.as_str());
        alloc::format!("{name}:{line}")
    };
    let items = parse::parse(&tokens).map_err(|e| alloc::format!("{}: {}", at(e.pos), e.msg))?;
    let mut unit =
        sema::check(&items, &names).map_err(|e| alloc::format!("{}: {}", at(e.pos), e.msg))?;
    if optimize {
        for f in &mut unit.funcs {
            opt::optimize(f);
        }
    }
    Ok(codegen::generate(&unit, &names))
}

/// Reads a unit and its includes into one token list.
struct Preprocessor<'a> {
    fs: &'a mut dyn Files,
    include_dirs: &'a [String],
    /// Every file read, by index (tokens refer to them).
    files: Vec<String>,
    tokens: Vec<Token>,
    names: Names,
}

impl Preprocessor<'_> {
    fn load(&mut self, path: &str, depth: usize) -> Result<(), String> {
        let src = self.fs.read(path)?;
        self.lex(path, &src, depth)
    }

    fn lex(&mut self, path: &str, src: &[u8], depth: usize) -> Result<(), String> {
        let file = self.files.len() as u16;
        self.files.push(path.to_string());
        let mut lexer = Lexer::new(src);
        loop {
            let (lexeme, line) = lexer
                .next(&mut self.names)
                .map_err(|e| alloc::format!("{path}:{}: {e}", lexer.line))?;
            match lexeme {
                Lexeme::Tok(Tok::Eof) => return Ok(()),
                Lexeme::Tok(tok) => self.tokens.push(Token { tok, file, line }),
                Lexeme::Include(name) => {
                    if depth >= MAX_INCLUDE_DEPTH {
                        return Err(alloc::format!("{path}:{line}: includes nested too deeply"));
                    }
                    self.include(path, line, &name, depth)?;
                }
            }
        }
    }

    /// Finds `name` next to `from` or in an include directory, and reads it unless it was.
    fn include(&mut self, from: &str, line: u32, name: &str, depth: usize) -> Result<(), String> {
        let here = files::join(files::parent(from), name);
        let candidates =
            core::iter::once(here).chain(self.include_dirs.iter().map(|d| files::join(d, name)));
        for path in candidates {
            if self.files.contains(&path) {
                return Ok(()); // already read: each file once per unit
            }
            // Try to read it; a missing file just means "look further".
            if let Ok(src) = self.fs.read(&path) {
                return self.lex(&path, &src, depth + 1);
            }
        }
        Err(alloc::format!("{from}:{line}: cannot find include file `{name}`"))
    }
}
