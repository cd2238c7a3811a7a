//! Tests of the staged trees: complete, deterministic, runnable scripts, known answers.

use std::collections::BTreeMap;

use super::*;

fn programs() -> BTreeMap<String, Vec<u8>> {
    PROGRAMS.iter().map(|p| (p.to_string(), format!("ELF {p}").into_bytes())).collect()
}

fn text(t: &Tree, path: &str) -> String {
    match &t[path] {
        Node::File(d) => String::from_utf8(d.clone()).unwrap(),
        Node::Dir => panic!("{path} is a directory"),
    }
}

#[test]
fn trees_have_the_programs_the_script_and_the_answers() {
    for v in [Variant::Smoke, Variant::PmakeTiny, Variant::DbTiny] {
        let t = tree(v, &programs()).unwrap();
        assert_eq!(text(&t, "/init"), "ELF init");
        assert_eq!(text(&t, "/bin/cc1"), "ELF cc1");
        assert!(!t.contains_key("/bin/init"));
        assert_eq!(t["/tmp"], Node::Dir);
        assert!(text(&t, "/expected.txt").ends_with(&format!("{INIT_OK}\n")));
        // Every parent directory is in the tree.
        for path in t.keys() {
            let parent = &path[..path.rfind('/').unwrap()];
            assert!(parent.is_empty() || t[parent] == Node::Dir, "{path}");
        }
        // Deterministic.
        assert_eq!(tree(v, &programs()).unwrap(), t);
    }
    let t = tree(Variant::PmakeTiny, &programs()).unwrap();
    assert!(t.contains_key("/src/pmake/Makefile") && t.contains_key("/src/pmake/include/api.h"));
    let t = tree(Variant::DbTiny, &programs()).unwrap();
    assert!(t.contains_key("/data/lineitem.tbl"));
    let missing: BTreeMap<String, Vec<u8>> =
        programs().into_iter().filter(|(p, _)| p != "wc").collect();
    assert!(matches!(tree(Variant::Smoke, &missing), Err(Error::MissingProgram(_))));
}

/// Every line of every script parses, and every program it runs is in the tree.
#[test]
fn scripts_parse_and_name_programs_that_exist() {
    for v in [Variant::Smoke, Variant::PmakeTiny, Variant::DbTiny] {
        let t = tree(v, &programs()).unwrap();
        for script in ["/etc/rc", "/etc/smoke.sh"] {
            if !t.contains_key(script) {
                continue;
            }
            for line in text(&t, script).lines() {
                let Some(cmd) = shell::parse::parse_line(line).unwrap() else { continue };
                let word = cmd.words[0].as_str();
                if !["cd", "echo", "exit", "wait"].contains(&word) {
                    let path = shell::parse::program_path(word);
                    assert!(t.contains_key(&path), "{}: {script}: {line}: no {path}", v.name());
                }
            }
        }
    }
}

/// The answers for the tiny variants. They change only when the workloads or their inputs
/// change on purpose; then update these lines from the new `expected.txt`.
#[test]
fn tiny_answers_are_the_known_ones() {
    let pmake = contents(Variant::PmakeTiny).unwrap().expected;
    assert_eq!(pmake, [PMAKE_TINY_LD, PMAKE_TINY_SUM, INIT_OK]);
    let db = contents(Variant::DbTiny).unwrap().expected;
    assert_eq!(db.len(), 12);
    assert_eq!(db[10], DB_TINY_SUM);
}

const PMAKE_TINY_LD: &str =
    "ld: prog: 4 objects, 16 symbols, 4034 bytes, checksum 48c35284a2fb5728";
const PMAKE_TINY_SUM: &str = "pmake: 5 targets, checksum caf58fb76f3e4e76";
const DB_TINY_SUM: &str = "db: checksum 2b127fffc167cd7d";

#[test]
fn writes_trees_to_disk() {
    let root = std::env::temp_dir().join(format!("rootfs-test-{}", std::process::id()));
    let t = tree(Variant::Smoke, &programs()).unwrap();
    write_tree(&t, &root).unwrap();
    assert_eq!(std::fs::read_to_string(root.join("etc/rc")).unwrap(), text(&t, "/etc/rc"));
    assert!(root.join("tmp").is_dir());
    std::fs::write(root.join("stale"), "x").unwrap();
    write_tree(&t, &root).unwrap();
    assert!(!root.join("stale").exists(), "a second write replaces the tree");
    std::fs::remove_dir_all(&root).unwrap();
}

/// Fig. 7's variants: K copies of one tree, K builds in the background at -j2, each into its
/// own output file, printed in order after the `wait`; the answer is K times one build's.
#[test]
fn split_pmake_variants_run_k_builds_of_one_tree() {
    let split = [
        Variant::PmakeTinyX1,
        Variant::PmakeTinyX2,
        Variant::PmakeTinyX4,
        Variant::PmakeTinyX8,
        Variant::PmakeMidX1,
        Variant::PmakeMidX8,
    ];
    for v in split {
        let k = v.builds();
        assert!(v.name().ends_with(&format!("-x{k}")), "{}", v.name());
        let t = tree(v, &programs()).unwrap();
        let rc = text(&t, "/etc/rc");
        let mut background = Vec::new();
        let mut dir = String::new();
        for line in rc.lines() {
            let Some(cmd) = shell::parse::parse_line(line).unwrap() else { continue };
            let word = cmd.words[0].as_str();
            match word {
                "cd" => {
                    dir = cmd.words[1].clone();
                    assert_eq!(t.get(&dir), Some(&Node::Dir), "{}: {line}", v.name());
                }
                "wait" | "echo" => {}
                _ => {
                    let path = shell::parse::program_path(word);
                    assert!(t.contains_key(&path), "{}: {line}: no {path}", v.name());
                }
            }
            if cmd.background {
                assert_eq!(cmd.words, ["pmake", "-j2", "Makefile"], "{}: {line}", v.name());
                let out = cmd.stdout.as_ref().expect("output to a file").path.clone();
                background.push((dir.clone(), out));
            }
        }
        assert_eq!(background.len(), k, "{}: a build per copy", v.name());
        for (i, (dir, out)) in background.iter().enumerate() {
            assert_eq!(dir, &format!("{SRC_DIR}{}", i + 1), "{}", v.name());
            assert_eq!(out, &format!("/tmp/pmake{}.out", i + 1), "{}", v.name());
            // Every copy is the same tree.
            assert_eq!(
                text(&t, &format!("{dir}/Makefile")),
                text(&t, &format!("{SRC_DIR}1/Makefile"))
            );
        }
        let outs: Vec<&str> = background.iter().map(|(_, o)| o.as_str()).collect();
        let tail = format!("wait\necho {SPLIT_BUILT}\ncat {}\n", outs.join(" "));
        assert!(rc.ends_with(&tail), "{}", v.name());
        assert!(rc.contains(&format!("echo {SPLIT_BUILDING}\ncd {SRC_DIR}1\npmake")), "{rc}");
        assert!(!t.contains_key(&format!("{SRC_DIR}{}", k + 1)), "{}", v.name());
    }
    // Each tiny build prints what pmake-tiny's one build does.
    let x4 = contents(Variant::PmakeTinyX4).unwrap().expected;
    let mut want = vec![SPLIT_BUILDING, SPLIT_BUILT];
    for _ in 0..4 {
        want.extend([PMAKE_TINY_LD, PMAKE_TINY_SUM]);
    }
    want.push(INIT_OK);
    assert_eq!(x4, want);
    let mid = contents(Variant::PmakeMidX1).unwrap().expected;
    assert!(mid[3].starts_with("pmake: 18 targets, checksum "), "{mid:?}");
}
