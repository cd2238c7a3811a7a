//! Makefiles and the build plan: what pmake reads and how it decides what to run next. The
//! process juggling (fork, exec, wait) is pmake's; every decision is here, where the host can
//! test it.
//!
//! ## The makefile format
//!
//! ```text
//! # A comment runs from `#` to the end of the line.
//! prog: a.o b.o                 a rule: one target, a colon, its dependencies
//!     ld -o prog a.o b.o        its commands: lines that start with a space or a tab
//! a.o: a.c defs.h
//!     cc1 -I include -o a.o a.c
//! ```
//!
//! Words are separated by spaces; there are no variables, patterns or quoting. The first rule's
//! target is the default goal. A dependency that no rule makes is a *source*: it must exist.
//! dux files have no modification times, so every target the goal needs is rebuilt, always.
//! A command is a program and its arguments: a program name without `/` means `/bin/<name>`.
//!
//! ## The plan
//!
//! [`Plan`] orders the targets the goal needs depth-first, dependencies before dependents, in
//! makefile order (what a sequential make would do). A target is *ready* when all the targets
//! it depends on are built; [`Plan::next_ready`] gives the first ready target in that order, so
//! the choice never depends on which job happened to finish first.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

/// A rule: a target, what it depends on, and the commands that make it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The file the rule makes.
    pub target: String,
    /// Files it needs first.
    pub deps: Vec<String>,
    /// Commands, each a list of words (program first).
    pub commands: Vec<Vec<String>>,
    /// Line of the rule in the makefile.
    pub line: usize,
}

/// A parsed makefile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Makefile {
    /// The rules, in file order.
    pub rules: Vec<Rule>,
}

impl Makefile {
    /// Parses makefile text; errors read `line N: message`.
    pub fn parse(text: &str) -> Result<Makefile, String> {
        let mut rules: Vec<Rule> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = raw.split('#').next().unwrap_or("");
            if line.trim().is_empty() {
                continue;
            }
            let err = |msg: &str| Err(alloc::format!("line {line_no}: {msg}"));
            if line.starts_with([' ', '\t']) {
                let Some(rule) = rules.last_mut() else { return err("command outside a rule") };
                rule.commands.push(line.split_whitespace().map(String::from).collect());
                continue;
            }
            let Some((target, deps)) = line.split_once(':') else {
                return err("expected `target: dependencies`");
            };
            let target = target.trim();
            if target.is_empty() || target.contains(char::is_whitespace) {
                return err("a rule has exactly one target");
            }
            if rules.iter().any(|r| r.target == target) {
                return err(&alloc::format!("second rule for `{target}`"));
            }
            let deps = deps.split_whitespace().map(String::from).collect();
            rules.push(Rule {
                target: target.to_string(),
                deps,
                commands: Vec::new(),
                line: line_no,
            });
        }
        Ok(Makefile { rules })
    }

    /// The index of the rule that makes `target`.
    pub fn rule(&self, target: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.target == target)
    }
}

/// Where a target of the plan is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Some dependency is not built yet.
    Waiting,
    /// Its commands are running.
    Running,
    /// Built.
    Done,
}

/// The targets a goal needs and their progress.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Rule indices, dependencies before dependents.
    order: Vec<usize>,
    /// Per rule: state (only rules in `order` matter).
    state: Vec<State>,
    /// Per rule: how many of its target dependencies are not built yet.
    missing: Vec<usize>,
    /// Per rule: the rules that depend on it.
    dependents: Vec<Vec<usize>>,
    /// Dependencies no rule makes, in first-seen order.
    sources: Vec<String>,
}

impl Plan {
    /// Plans the build of `goal` (the first rule's target if `None`).
    pub fn new(mf: &Makefile, goal: Option<&str>) -> Result<Plan, String> {
        let goal = match goal {
            Some(g) => mf.rule(g).ok_or_else(|| alloc::format!("no rule to make `{g}`"))?,
            None if mf.rules.is_empty() => return Err("no rules".into()),
            None => 0,
        };
        let n = mf.rules.len();
        let mut plan = Plan {
            order: Vec::new(),
            state: vec![State::Waiting; n],
            missing: vec![0; n],
            dependents: vec![Vec::new(); n],
            sources: Vec::new(),
        };
        // Depth-first with an explicit stack: (rule, next dependency to look at).
        let mut mark = vec![0u8; n]; // 0 new, 1 on the stack, 2 ordered
        let mut stack = vec![(goal, 0usize)];
        mark[goal] = 1;
        while let Some(&mut (r, ref mut next)) = stack.last_mut() {
            let Some(dep) = mf.rules[r].deps.get(*next) else {
                mark[r] = 2;
                plan.order.push(r);
                stack.pop();
                continue;
            };
            *next += 1;
            match mf.rule(dep) {
                None => {
                    if !plan.sources.contains(dep) {
                        plan.sources.push(dep.clone());
                    }
                }
                Some(d) => {
                    if mark[d] == 1 {
                        return Err(alloc::format!("dependency cycle through `{dep}`"));
                    }
                    if !plan.dependents[d].contains(&r) {
                        plan.dependents[d].push(r);
                        plan.missing[r] += 1;
                    }
                    if mark[d] == 0 {
                        mark[d] = 1;
                        stack.push((d, 0));
                    }
                }
            }
        }
        Ok(plan)
    }

    /// The rules to build, in plan order.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// Dependencies that no rule makes (they must exist).
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// The first target (in plan order) that waits for nothing, if any.
    pub fn next_ready(&self) -> Option<usize> {
        self.order
            .iter()
            .copied()
            .find(|&r| self.state[r] == State::Waiting && self.missing[r] == 0)
    }

    /// Marks a ready target as running.
    pub fn start(&mut self, rule: usize) {
        debug_assert!(self.state[rule] == State::Waiting && self.missing[rule] == 0);
        self.state[rule] = State::Running;
    }

    /// Marks a running target as built, which may make its dependents ready.
    pub fn finish(&mut self, rule: usize) {
        debug_assert_eq!(self.state[rule], State::Running);
        self.state[rule] = State::Done;
        for &d in &self.dependents[rule] {
            self.missing[d] -= 1;
        }
    }

    /// A target's state.
    pub fn state(&self, rule: usize) -> State {
        self.state[rule]
    }

    /// Whether every target is built.
    pub fn is_done(&self) -> bool {
        self.order.iter().all(|&r| self.state[r] == State::Done)
    }
}

/// The program a command word names: as is if it has a `/`, else `/bin/<name>`.
pub fn program_path(word: &str) -> String {
    if word.contains('/') { word.to_string() } else { alloc::format!("/bin/{word}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    const MF: &str = "# demo\nprog: a.o b.o\n\tld -o prog a.o b.o  # link\n\na.o: a.c h.h\n  cc1 -o a.o a.c\nb.o: b.c h.h\n\tcc1 -o b.o b.c\n\techo done\nclean:\n\trm prog\n";

    #[test]
    fn parses_rules_commands_and_comments() {
        let mf = Makefile::parse(MF).unwrap();
        assert_eq!(mf.rules.len(), 4);
        assert_eq!(mf.rules[0].target, "prog");
        assert_eq!(mf.rules[0].deps, ["a.o", "b.o"]);
        assert_eq!(mf.rules[0].commands, [["ld", "-o", "prog", "a.o", "b.o"]]);
        assert_eq!(mf.rules[2].commands.len(), 2);
        assert_eq!(mf.rules[3].deps.len(), 0);
        assert_eq!(mf.rules[1].line, 5);
    }

    #[test]
    fn rejects_malformed_makefiles() {
        assert_eq!(Makefile::parse("\tcc1 x").unwrap_err(), "line 1: command outside a rule");
        assert!(Makefile::parse("a b: c").is_err());
        assert!(Makefile::parse("just words").is_err());
        assert!(Makefile::parse("a: b\na: c").is_err());
        let cyclic = Makefile::parse("a: b\nb: c\nc: a").unwrap();
        assert_eq!(Plan::new(&cyclic, None).unwrap_err(), "dependency cycle through `a`");
        assert!(Plan::new(&cyclic, Some("zz")).is_err());
        assert!(Plan::new(&Makefile::default(), None).is_err());
    }

    #[test]
    fn plans_dependencies_first_in_makefile_order() {
        let mf = Makefile::parse(MF).unwrap();
        let mut plan = Plan::new(&mf, None).unwrap();
        let names: Vec<&str> = plan.order().iter().map(|&r| mf.rules[r].target.as_str()).collect();
        assert_eq!(names, ["a.o", "b.o", "prog"]); // `clean` is not needed
        assert_eq!(plan.sources(), ["a.c", "h.h", "b.c"]);
        let a = plan.next_ready().unwrap();
        plan.start(a);
        let b = plan.next_ready().unwrap();
        assert_eq!((mf.rules[a].target.as_str(), mf.rules[b].target.as_str()), ("a.o", "b.o"));
        plan.start(b);
        assert_eq!(plan.next_ready(), None);
        plan.finish(b);
        assert_eq!(plan.next_ready(), None); // prog still waits for a.o
        plan.finish(a);
        let p = plan.next_ready().unwrap();
        plan.start(p);
        plan.finish(p);
        assert!(plan.is_done());
    }

    /// Random job completion orders with 1..4 slots: every target starts only after its
    /// dependencies are built, each exactly once, and the build always completes.
    #[test]
    fn any_completion_order_respects_dependencies() {
        let mut text = String::from("all: t0 t1 t2 t3 t4 t5 t6 t7\n");
        let mut rng = Rng::new(3);
        for i in 0..8 {
            let mut deps = String::new();
            for j in 0..i {
                if rng.chance(40) {
                    deps += &alloc::format!(" t{j}");
                }
            }
            text += &alloc::format!("t{i}:{deps} src{i}.c\n\tcc1 t{i}\n");
        }
        let mf = Makefile::parse(&text).unwrap();
        for seed in 0..200 {
            let mut rng = Rng::new(seed);
            let slots = 1 + seed as usize % 4;
            let mut plan = Plan::new(&mf, None).unwrap();
            let mut running: Vec<usize> = Vec::new();
            let mut built: Vec<usize> = Vec::new();
            loop {
                while running.len() < slots {
                    let Some(r) = plan.next_ready() else { break };
                    for d in &mf.rules[r].deps {
                        if let Some(dr) = mf.rule(d) {
                            assert!(
                                built.contains(&dr),
                                "{} started before {d}",
                                mf.rules[r].target
                            );
                        }
                    }
                    plan.start(r);
                    running.push(r);
                }
                if running.is_empty() {
                    break;
                }
                let r = running.swap_remove(rng.below(running.len() as u32) as usize);
                plan.finish(r);
                built.push(r);
            }
            assert!(plan.is_done());
            assert_eq!(built.len(), plan.order().len());
        }
    }

    #[test]
    fn program_paths() {
        assert_eq!(program_path("cc1"), "/bin/cc1");
        assert_eq!(program_path("./tool"), "./tool");
    }
}
