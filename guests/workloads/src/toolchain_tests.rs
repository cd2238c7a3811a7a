//! Tests of the whole Mini-C tool chain: compile units, link them, run the result in the VM.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::files::{Files, MemFiles};
use crate::inputs::srctree;
use crate::object::{Executable, Object};
use crate::vm::{self, Trap};
use crate::{cc1, ld, pmake};

/// Compiles each (path, source), links them in order, runs main.
fn build(units: &[(&str, &str)]) -> Result<Executable, String> {
    let mut fs = MemFiles::new();
    for (p, s) in units {
        fs.insert(p, s.as_bytes());
    }
    let mut objs = Vec::new();
    for (p, _) in units.iter().filter(|(p, _)| p.ends_with(".c")) {
        objs.push((p.to_string(), cc1::compile(p, &["include".to_string()], &mut fs)?));
    }
    ld::link(&objs)
}

fn run(units: &[(&str, &str)]) -> i32 {
    let exe = build(units).unwrap();
    let bytes = exe.encode();
    assert_eq!(Executable::decode(&bytes).unwrap(), exe);
    vm::run(&exe, &[], 10_000_000).unwrap()
}

fn err(units: &[(&str, &str)]) -> String {
    build(units).unwrap_err()
}

#[test]
fn computes_with_loops_recursion_and_calls() {
    let src = "
        fn fact(n) { if (n <= 1) { return 1; } return n * fact(n - 1); }
        fn fib(n) { var a = 0; var b = 1; var i = 0;
                    while (i < n) { var t = a + b; a = b; b = t; i = i + 1; } return a; }
        fn main() { return fact(10) + fib(20) * 1000; }";
    assert_eq!(run(&[("a.c", src)]), 3628800 + 6765 * 1000);
}

#[test]
fn operators_follow_the_language_rules() {
    let src = "
        var calls = 0;
        fn bump() { calls = calls + 1; return 1; }
        fn main() {
            var z = 0;
            var r = 0;
            if (7 / z != 0 || 7 % z != 0) { return 1; }
            if ((-8 >> 1) != -4 || (1 << 33) != 2 || ~0 != -1 || !5 != 0) { return 2; }
            if ((0 && bump()) != 0 || (3 || bump()) != 1 || calls != 0) { return 3; }
            if ((z && bump()) != 0 || (2 && bump()) != 1 || calls != 1) { return 4; }
            if (0x7FFFFFFF + 1 != -0x7FFFFFFF - 1) { return 5; }
            if ((3 < 4) + (4 <= 4) + (5 > 4) + (4 >= 5) + (2 == 2) + (2 != 2) != 4) { return 6; }
            r = bump() * 0;
            if (calls != 2) { return 7; }
            return 42;
        }";
    assert_eq!(run(&[("a.c", src)]), 42);
}

#[test]
fn scopes_shadow_and_slots_are_reused() {
    let src = "
        fn main() {
            var x = 1;
            { var x = 10; x = x + 1; }
            var s = 0;
            var i = 0;
            while (i < 3) { var y = i * 2; s = s + y; i = i + 1; }
            { var a = 100; var b = 200; s = s + a + b; }
            { var c; s = s + c; }
            return x * 1000 + s;
        }";
    assert_eq!(run(&[("a.c", src)]), 1000 + 6 + 300);
}

#[test]
fn units_share_functions_and_globals_through_headers() {
    let h = "#include \"k.h\"\nextern fn twice(x);\nextern var counter;\n";
    let k = "const BASE = 40;\nconst STEP = BASE / 20;\n";
    let a = "#include \"api.h\"\n#include \"k.h\"\nvar counter = BASE;\nfn twice(x) { counter = counter + 1; return x * STEP; }\n";
    let m = "#include \"api.h\"\nfn main() { return twice(twice(5)) + counter; }\n";
    let units = [("include/api.h", h), ("include/k.h", k), ("a.c", a), ("main.c", m)];
    assert_eq!(run(&units), 20 + 42);
}

#[test]
fn the_optimiser_propagates_constants_and_drops_dead_code() {
    let plain =
        "fn main() { var x = 6; var y = x * 7; if (y == 42) { return y; } else { return 0; } }";
    let exe = build(&[("a.c", plain)]).unwrap();
    // All folded to `ENTER; PUSH 42; RET`.
    assert_eq!(exe.code.len(), 5 + 5 + 1);
    assert_eq!(vm::run(&exe, &[], 100).unwrap(), 42);
    // Branch merges and loops forget what they may change.
    let src = "fn f(p) { var x = 1; if (p) { x = 2; } var y = 5;
                          var i = 0; while (i < 3) { y = y + x; i = i + 1; } return y; }
               fn main() { return f(0) * 100 + f(1); }";
    assert_eq!(run(&[("a.c", src)]), 800 + 11);
}

#[test]
fn reports_errors_with_file_and_line() {
    assert_eq!(err(&[("a.c", "fn main() {\n return x; }")]), "a.c:2: undefined name `x`");
    assert_eq!(
        err(&[("a.c", "fn f(a) { return a; }\nfn main() { return f(); }")]),
        "a.c:2: `f` takes 1 arguments, given 0"
    );
    assert_eq!(
        err(&[("a.c", "#include \"nope.h\"\n")]),
        "a.c:1: cannot find include file `nope.h`"
    );
    assert_eq!(
        err(&[("a.c", "const K = 1;\nfn main() { K = 2; }")]),
        "a.c:2: cannot assign to `K`"
    );
    assert_eq!(err(&[("a.c", "var g;\nconst K = g;")]), "a.c:2: not a constant expression");
    assert_eq!(err(&[("a.c", "fn f() {}\nfn f() {}")]), "a.c:2: `f` redefined");
    assert_eq!(
        err(&[("a.c", "extern fn f(a);\nfn f(a, b) {}")]),
        "a.c:2: `f` declared with 2 parameters, before with 1"
    );
    assert_eq!(
        err(&[("a.c", "fn main() { var a; var a; }")]),
        "a.c:1: `a` already declared in this block"
    );
    assert_eq!(
        err(&[("a.c", "fn f() {}\nfn main() { return f; }")]),
        "a.c:2: function `f` used as a value"
    );
    assert!(
        err(&[("include/h.h", "fn (\n"), ("a.c", "#include \"h.h\"\n")])
            .starts_with("include/h.h:1: expected a name")
    );
}

#[test]
fn the_linker_checks_symbols() {
    let main = ("m.c", "extern fn f(a);\nfn main() { return f(1); }");
    assert_eq!(err(&[main]), "m.c: undefined reference to `f`");
    assert_eq!(
        err(&[("a.c", "fn f(a) { return a; }"), ("b.c", "fn f(a) { return a; }"), main]),
        "`f` defined in both a.c and b.c"
    );
    assert_eq!(
        err(&[("a.c", "fn f(a, b) { return a; }"), main]),
        "m.c: `f` called with 1 arguments, defined with 2 in a.c"
    );
    assert_eq!(
        err(&[("a.c", "var f;"), main]),
        "m.c: `f` is used as a function but is not one in a.c"
    );
    assert_eq!(err(&[("a.c", "fn g() { return 1; }")]), "undefined reference to `main`");
}

#[test]
fn includes_are_read_once_and_searched_in_order() {
    let mut fs = MemFiles::new();
    // a.c's "local.h" is the one next to it; other.h's "local.h" is searched in other.h's
    // directory (inc2) and then in the -I directories in order (inc1 first).
    fs.insert("src/local.h", "const A = 1;\n#include \"local.h\"\n");
    fs.insert("inc1/local.h", "const B = 2;\n");
    fs.insert("inc3/local.h", "const B = 9;\n");
    fs.insert("inc2/other.h", "#include \"local.h\"\n#include \"other.h\"\nconst OTHER = 3;\n");
    fs.insert("src/a.c", "#include \"local.h\"\n#include \"other.h\"\nfn main() { return A * 100 + B * 10 + OTHER; }");
    let dirs = ["inc1".to_string(), "inc2".to_string(), "inc3".to_string()];
    let obj = cc1::compile("src/a.c", &dirs, &mut fs).unwrap();
    let exe = ld::link(&[("a.o".into(), obj)]).unwrap();
    assert_eq!(vm::run(&exe, &[], 100).unwrap(), 123);
}

/// The optimiser must not change what a program computes: random generated programs give the
/// same result (or run out of fuel alike) with and without it.
#[test]
fn optimised_and_plain_programs_agree() {
    for seed in 0..12 {
        let size = srctree::TreeSize {
            units: 3,
            funcs_per_unit: 3,
            stmts_per_func: 6,
            globals_per_unit: 2,
            consts: 10,
            seed,
        };
        let mut fs = MemFiles::new();
        for (p, d) in srctree::generate(&size) {
            fs.insert(&p, d);
        }
        let mut results = Vec::new();
        for optimize in [true, false] {
            let mut objs = Vec::new();
            let units: Vec<String> =
                fs.files.keys().filter(|p| p.ends_with(".c")).cloned().collect();
            for u in &units {
                objs.push((
                    u.clone(),
                    cc1::compile_with(u, &["include".to_string()], &mut fs, optimize).unwrap(),
                ));
            }
            let exe = ld::link(&objs).unwrap();
            results.push(vm::run(&exe, &[], 2_000_000));
        }
        match (&results[0], &results[1]) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "seed {seed}"),
            (Err(Trap::OutOfFuel), Err(Trap::OutOfFuel)) => {}
            (a, b) => panic!("seed {seed}: {a:?} vs {b:?}"),
        }
    }
}

#[test]
fn the_tiny_tree_builds_and_its_output_is_stable() {
    let mut fs = MemFiles::new();
    for (p, d) in srctree::generate(&srctree::TINY) {
        fs.insert(&p, d);
    }
    let lines = pmake::run_in_memory("Makefile", None, &mut fs).unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("ld: prog: 4 objects, "), "{}", lines[0]);
    assert!(lines[1].starts_with("pmake: 5 targets, checksum "), "{}", lines[1]);
    assert!(Executable::decode(&fs.read("prog").unwrap()).is_ok());
    assert!(Object::decode(&fs.read("u000.o").unwrap()).is_ok());
    // Deterministic: the same tree gives the same bytes and the same lines.
    let mut again = MemFiles::new();
    for (p, d) in srctree::generate(&srctree::TINY) {
        again.insert(&p, d);
    }
    assert_eq!(pmake::run_in_memory("Makefile", None, &mut again).unwrap(), lines);
}
