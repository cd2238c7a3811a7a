//! `ld`, the linker: object files to one executable.
//!
//! ```text
//! ld -o prog a.o b.o ...
//! ```
//!
//! It reads every object, gives each its place (code one after another, data likewise), enters
//! every defined symbol in a global table (a hash table of names, as in the compiler), then
//! patches every relocation with the final address of its symbol: duplicate definitions,
//! undefined references, and a function used as data (or with another number of parameters)
//! are errors. The executable starts at `main`. On success it prints one line (see [`report`]).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::files::Files;
use crate::hash::fnv64;
use crate::lang::lex::Names;
use crate::object::{Executable, Object, SymKind, Symbol};

/// ld's command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The executable to write.
    pub output: String,
    /// The objects, in link order.
    pub inputs: Vec<String>,
}

/// Parses `ld -o prog a.o b.o ...` (`args` without the program name).
pub fn parse_args(args: &[&str]) -> Result<Options, String> {
    let mut output = None;
    let mut inputs = Vec::new();
    let mut it = args.iter();
    while let Some(&a) = it.next() {
        match a {
            "-o" => output = Some(it.next().ok_or("-o needs a file")?.to_string()),
            _ if a.starts_with('-') => return Err(alloc::format!("unknown option `{a}`")),
            _ => inputs.push(a.to_string()),
        }
    }
    let output = output.ok_or("usage: ld -o prog a.o b.o ...")?;
    if inputs.is_empty() {
        return Err("no input files".into());
    }
    Ok(Options { output, inputs })
}

/// Runs ld: reads the inputs, links, writes the output; returns the line to print.
pub fn run(opts: &Options, fs: &mut dyn Files) -> Result<String, String> {
    let mut objects = Vec::with_capacity(opts.inputs.len());
    for path in &opts.inputs {
        let bytes = fs.read(path)?;
        objects.push((
            path.clone(),
            Object::decode(&bytes).map_err(|e| alloc::format!("{path}: {e}"))?,
        ));
    }
    let exe = link(&objects)?;
    let bytes = exe.encode();
    fs.write(&opts.output, &bytes)?;
    Ok(report(&opts.output, objects.len(), &exe, &bytes))
}

/// The line ld prints: `ld: prog: 13 objects, 312 symbols, 45678 bytes, checksum 0123456789abcdef`
/// (the checksum is FNV-1a 64 of the executable's bytes).
pub fn report(output: &str, objects: usize, exe: &Executable, bytes: &[u8]) -> String {
    alloc::format!(
        "ld: {output}: {objects} objects, {} symbols, {} bytes, checksum {:016x}",
        exe.symbols.len(),
        bytes.len(),
        fnv64(bytes)
    )
}

/// A defined symbol's final place.
#[derive(Clone, Copy)]
struct Def {
    kind: SymKind,
    value: u32,
    arity: u8,
    /// Index of the defining object.
    object: usize,
}

/// Links named objects (in order) into an executable.
pub fn link(objects: &[(String, Object)]) -> Result<Executable, String> {
    // 1. Layout: each object's code and data after the previous one's.
    let mut code_base = Vec::with_capacity(objects.len());
    let mut data_base = Vec::with_capacity(objects.len());
    let (mut code_len, mut data_len) = (0usize, 0usize);
    for (_, o) in objects {
        code_base.push(code_len as u32);
        data_base.push(data_len as u32);
        code_len += o.code.len();
        data_len += o.data.len();
    }
    // 2. The global symbol table.
    let mut names = Names::new();
    let mut defs: Vec<Option<Def>> = Vec::new();
    for (i, (path, o)) in objects.iter().enumerate() {
        for s in &o.symbols {
            let value = match s.kind {
                SymKind::Func => code_base[i] + s.value,
                SymKind::Data => data_base[i] + s.value,
                SymKind::UndefFunc | SymKind::UndefData => continue,
            };
            let sym = names.intern(s.name.as_bytes()) as usize;
            if defs.len() <= sym {
                defs.resize(sym + 1, None);
            }
            if let Some(prev) = defs[sym] {
                let first = &objects[prev.object].0;
                return Err(alloc::format!("`{}` defined in both {first} and {path}", s.name));
            }
            defs[sym] = Some(Def { kind: s.kind, value, arity: s.arity, object: i });
        }
    }
    // 3. Copy the code and data, patching every relocation.
    let mut code = Vec::with_capacity(code_len);
    let mut data = Vec::with_capacity(data_len);
    for (path, o) in objects {
        let start = code.len();
        code.extend_from_slice(&o.code);
        data.extend_from_slice(&o.data);
        for r in &o.relocs {
            let s = o
                .symbols
                .get(r.symbol as usize)
                .ok_or_else(|| alloc::format!("{path}: bad relocation"))?;
            let address = resolve(s, &mut names, &defs, objects)
                .map_err(|e| alloc::format!("{path}: {e}"))?;
            let at = start + r.offset as usize;
            let slot =
                code.get_mut(at..at + 4).ok_or_else(|| alloc::format!("{path}: bad relocation"))?;
            slot.copy_from_slice(&address.to_le_bytes());
        }
    }
    // 4. The entry point and the symbol table of the executable.
    let entry = match defs.get(names.intern(b"main") as usize).copied().flatten() {
        Some(d) if d.kind == SymKind::Func => d.value,
        _ => return Err("undefined reference to `main`".into()),
    };
    let mut symbols: Vec<Symbol> = Vec::new();
    for (sym, d) in defs.iter().enumerate() {
        if let Some(d) = d {
            symbols.push(Symbol {
                name: names.name(sym as u32).into(),
                kind: d.kind,
                value: d.value,
                arity: d.arity,
            });
        }
    }
    symbols.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Executable { entry, code, data, symbols })
}

/// The final address of the symbol a relocation names.
fn resolve(
    s: &Symbol,
    names: &mut Names,
    defs: &[Option<Def>],
    objects: &[(String, Object)],
) -> Result<u32, String> {
    let sym = names.intern(s.name.as_bytes()) as usize;
    let Some(d) = defs.get(sym).copied().flatten() else {
        return Err(alloc::format!("undefined reference to `{}`", s.name));
    };
    let wanted = match s.kind {
        SymKind::Func | SymKind::UndefFunc => SymKind::Func,
        SymKind::Data | SymKind::UndefData => SymKind::Data,
    };
    let there = &objects[d.object].0;
    if d.kind != wanted {
        let what = if wanted == SymKind::Func { "a function" } else { "a variable" };
        return Err(alloc::format!("`{}` is used as {what} but is not one in {there}", s.name));
    }
    if wanted == SymKind::Func && d.arity != s.arity {
        return Err(alloc::format!(
            "`{}` called with {} arguments, defined with {} in {there}",
            s.name,
            s.arity,
            d.arity
        ));
    }
    Ok(d.value)
}
