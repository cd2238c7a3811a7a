//! Mini-C: the small C-like language that `cc1` compiles.
//!
//! Programs are made of `.c` units and `.h` headers pulled in with `#include "name"` (each file at
//! most once per unit, as with `#pragma once`). All values are 32-bit integers with wrapping
//! arithmetic; there are no pointers, types or structs.
//!
//! ```text
//! unit      := item*
//! item      := "const" NAME "=" expr ";"               compile-time constant (must fold)
//!            | "var" NAME ("=" expr)? ";"              global variable (one data word)
//!            | "extern" "var" NAME ";"                 a global defined in another unit
//!            | "extern" "fn" NAME "(" names? ")" ";"   a function defined elsewhere
//!            | "fn" NAME "(" names? ")" block          a function definition
//! names     := NAME ("," NAME)*
//! block     := "{" stmt* "}"
//! stmt      := "var" NAME ("=" expr)? ";" | NAME "=" expr ";" | expr ";" | block
//!            | "if" "(" expr ")" block ("else" (block | if-stmt))?
//!            | "while" "(" expr ")" block | "return" expr? ";"
//! expr      := binary operators, loosest first: || && | ^ & (== !=) (< <= > >=) (<< >>)
//!              (+ -) (* / %); unary - ! ~; NUMBER (decimal or 0x hex), NAME,
//!              NAME "(" args ")", "(" expr ")"
//! ```
//!
//! Names must be declared before use, as in C. `x / 0` and `x % 0` are 0; shifts use the low 5
//! bits of the count; `>>` is arithmetic; comparisons and `! && ||` give 0 or 1, and `&&`/`||`
//! evaluate their right side only when needed. A function that ends without `return` returns 0.
//!
//! The compiler's phases, one file each:
//! - [`lex`]: bytes → tokens (and `#include` directives), names interned in a hash table;
//! - [`parse`]: tokens → syntax tree ([`ast`]);
//! - [`sema`]: names resolved against scopes and the unit's symbol table, constant expressions
//!   evaluated, producing the intermediate form ([`ir`]) with constants folded as it is built;
//! - [`opt`]: constant propagation through locals, dead branches, unreachable code;
//! - [`codegen`]: IR → stack-machine bytecode and an object file ([`crate::object`]).
//!
//! The driver that runs them is [`crate::cc1`].

pub mod ast;
pub mod codegen;
pub mod ir;
pub mod lex;
pub mod opt;
pub mod parse;
pub mod sema;
