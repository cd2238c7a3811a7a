//! A per-CPU cache model: set-associative, LRU, tags and states only (the data always lives in
//! RAM — this models *where* a line is, for timing and counting, not a second copy of it).
//!
//! Each entry packs `line << 2 | state`. Besides Invalid, Shared and Modified, an entry can be
//! `Stolen`: invalidated by another CPU's write, with its tag kept, so that the next miss on
//! that line is recognised as a coherence (communication) miss rather than a capacity miss.
//! Each set is kept in most-recently-used order; the victim is the last way.

use crate::config::CacheConfig;

/// State of a line in one cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LineState {
    /// Not present.
    Invalid = 0,
    /// Present, read-only; other caches may hold it too.
    Shared = 1,
    /// Present, writable, the only copy.
    Modified = 2,
    /// Not present: another CPU's write took it away (tag kept).
    Stolen = 3,
}

impl LineState {
    fn from_bits(b: u32) -> LineState {
        match b & 3 {
            0 => LineState::Invalid,
            1 => LineState::Shared,
            2 => LineState::Modified,
            _ => LineState::Stolen,
        }
    }

    /// True if the line can be read without a miss.
    pub fn readable(self) -> bool {
        matches!(self, LineState::Shared | LineState::Modified)
    }
}

/// One CPU's cache.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Cache {
    ways: usize,
    set_mask: u32,
    entries: Vec<u32>,
}

/// An entry that holds nothing (line 0 with state Invalid never matches a lookup, because a
/// lookup compares the whole entry's tag and requires a non-Invalid state).
const EMPTY: u32 = 0;

impl Cache {
    /// An empty cache of the configured geometry.
    pub fn new(c: &CacheConfig) -> Cache {
        let lines = (c.size_kb * 1024 / c.line_bytes) as usize;
        let ways = c.assoc as usize;
        let sets = lines / ways;
        Cache { ways, set_mask: sets as u32 - 1, entries: vec![EMPTY; lines] }
    }

    #[inline(always)]
    fn set(&self, line: u32) -> usize {
        (line & self.set_mask) as usize * self.ways
    }

    /// The state of `line`, making it most recently used if present (or stolen).
    #[inline]
    pub fn touch(&mut self, line: u32) -> LineState {
        let base = self.set(line);
        let set = &mut self.entries[base..base + self.ways];
        for i in 0..set.len() {
            let e = set[i];
            if e >> 2 == line && e & 3 != 0 {
                to_front(set, i, e);
                return LineState::from_bits(e);
            }
        }
        LineState::Invalid
    }

    /// The state of `line` if it is the most recently used line of its set, else `None`. A hit
    /// there changes no LRU order (the set is kept most-recently-used first), so the memory
    /// system answers it without [`Cache::touch`]: the same outcome, without the set scan.
    #[inline(always)]
    pub fn mru_state(&self, line: u32) -> Option<LineState> {
        let e = self.entries[self.set(line)];
        (e >> 2 == line && e & 3 != 0).then(|| LineState::from_bits(e))
    }

    /// The state of `line` without changing the LRU order.
    pub fn state(&self, line: u32) -> LineState {
        let base = self.set(line);
        self.entries[base..base + self.ways]
            .iter()
            .find(|&&e| e >> 2 == line && e & 3 != 0)
            .map_or(LineState::Invalid, |&e| LineState::from_bits(e))
    }

    /// Sets the state of `line` if it has an entry (present or stolen); returns the old state.
    pub fn set_state(&mut self, line: u32, state: LineState) -> LineState {
        let base = self.set(line);
        for e in &mut self.entries[base..base + self.ways] {
            if *e >> 2 == line && *e & 3 != 0 {
                let old = LineState::from_bits(*e);
                *e = line << 2 | state as u32;
                return old;
            }
        }
        LineState::Invalid
    }

    /// Brings `line` in with `state` as most recently used (replacing a stolen entry of the
    /// same line if there is one). Returns the evicted line and its state, if a present line
    /// had to go.
    pub fn fill(&mut self, line: u32, state: LineState) -> Option<(u32, LineState)> {
        let base = self.set(line);
        let set = &mut self.entries[base..base + self.ways];
        let new = line << 2 | state as u32;
        // Reuse the line's own (stolen) entry, else an empty or stolen one, else the LRU way.
        let slot = set
            .iter()
            .position(|&e| e >> 2 == line && e & 3 != 0)
            .or_else(|| set.iter().rposition(|&e| matches!(e & 3, 0 | 3)))
            .unwrap_or(set.len() - 1);
        let old = set[slot];
        to_front(set, slot, new);
        let old_state = LineState::from_bits(old);
        (old_state.readable() && old >> 2 != line).then_some((old >> 2, old_state))
    }

    /// Lines currently present (for tests and statistics).
    pub fn present(&self) -> impl Iterator<Item = (u32, LineState)> + '_ {
        self.entries
            .iter()
            .filter(|e| *e & 3 == 1 || *e & 3 == 2)
            .map(|&e| (e >> 2, LineState::from_bits(e)))
    }
}

/// Makes way `i` of `set` the most recently used, holding `e`: the ways before it move back by
/// one. Most hits are on the way already in front, and the caches have 2 ways (at most 16): a
/// loop of swaps does this in registers, where `copy_within` called memmove for at most a few
/// bytes on every hit (a sixth of the cache model's host time). Swaps, not copies, so that the
/// compiler does not turn the loop back into that call.
#[inline(always)]
fn to_front(set: &mut [u32], i: usize, e: u32) {
    for j in (1..=i).rev() {
        set.swap(j, j - 1);
    }
    set[0] = e;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Cache {
        // 4 lines of 16 bytes, 2 ways: 2 sets.
        Cache::new(&CacheConfig { size_kb: 4, assoc: 2, line_bytes: 1024 })
    }

    #[test]
    fn lru_replacement_within_a_set() {
        let mut c = small();
        assert_eq!(c.fill(2, LineState::Shared), None);
        assert_eq!(c.fill(4, LineState::Shared), None);
        assert_eq!(c.touch(2), LineState::Shared); // 2 becomes MRU
        assert_eq!(c.fill(6, LineState::Modified), Some((4, LineState::Shared)));
        assert_eq!(c.state(2), LineState::Shared);
        assert_eq!(c.state(4), LineState::Invalid);
        assert_eq!(c.state(6), LineState::Modified);
        // The other set is untouched.
        assert_eq!(c.fill(1, LineState::Shared), None);
    }

    #[test]
    fn stolen_lines_are_remembered_and_refilled_in_place() {
        let mut c = small();
        c.fill(2, LineState::Modified);
        c.fill(4, LineState::Shared);
        assert_eq!(c.set_state(2, LineState::Stolen), LineState::Modified);
        assert_eq!(c.touch(2), LineState::Stolen);
        assert!(!c.touch(2).readable());
        // Refilling 2 reuses its entry: 4 stays.
        assert_eq!(c.fill(2, LineState::Shared), None);
        assert_eq!(c.state(4), LineState::Shared);
        // A new line takes a stolen slot before evicting a present one.
        c.set_state(4, LineState::Stolen);
        assert_eq!(c.fill(6, LineState::Shared), None);
        assert_eq!(c.state(2), LineState::Shared);
    }

    #[test]
    fn line_zero_is_a_real_line() {
        let mut c = small();
        assert_eq!(c.touch(0), LineState::Invalid);
        c.fill(0, LineState::Shared);
        assert_eq!(c.touch(0), LineState::Shared);
    }
}

/// The cache against a naive model of its rules, for every associativity the config allows:
/// a list per set in most-recently-used order, moved with `Vec::remove` and `insert`.
#[cfg(test)]
mod model {
    use super::*;
    use proptest::prelude::*;

    /// The naive cache: per set, (line, state) most recently used first.
    struct Naive {
        ways: usize,
        sets: Vec<Vec<(u32, LineState)>>,
    }

    impl Naive {
        fn new(sets: usize, ways: usize) -> Naive {
            Naive { ways, sets: vec![vec![(0, LineState::Invalid); ways]; sets] }
        }

        fn set(&mut self, line: u32) -> &mut Vec<(u32, LineState)> {
            let n = self.sets.len();
            &mut self.sets[line as usize % n]
        }

        fn touch(&mut self, line: u32) -> LineState {
            let set = self.set(line);
            match set.iter().position(|&(l, s)| l == line && s != LineState::Invalid) {
                Some(i) => {
                    let e = set.remove(i);
                    set.insert(0, e);
                    e.1
                }
                None => LineState::Invalid,
            }
        }

        fn fill(&mut self, line: u32, state: LineState) -> Option<(u32, LineState)> {
            let ways = self.ways;
            let set = self.set(line);
            let own = set.iter().position(|&(l, s)| l == line && s != LineState::Invalid);
            let free =
                set.iter().rposition(|&(_, s)| matches!(s, LineState::Invalid | LineState::Stolen));
            let slot = own.or(free).unwrap_or(ways - 1);
            let (old, old_state) = set.remove(slot);
            set.insert(0, (line, state));
            (old_state.readable() && old != line).then_some((old, old_state))
        }

        fn set_state(&mut self, line: u32, state: LineState) -> LineState {
            let set = self.set(line);
            match set.iter_mut().find(|(l, s)| *l == line && *s != LineState::Invalid) {
                Some(e) => std::mem::replace(&mut e.1, state),
                None => LineState::Invalid,
            }
        }

        fn state(&mut self, line: u32) -> LineState {
            let set = self.set(line);
            set.iter()
                .find(|&&(l, s)| l == line && s != LineState::Invalid)
                .map_or(LineState::Invalid, |e| e.1)
        }
    }

    #[derive(Clone, Debug)]
    enum Op {
        Touch(u32),
        Fill(u32, LineState),
        SetState(u32, LineState),
    }

    fn any_state() -> impl Strategy<Value = LineState> {
        prop_oneof![
            Just(LineState::Invalid),
            Just(LineState::Shared),
            Just(LineState::Modified),
            Just(LineState::Stolen)
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        // Few lines, so that sets fill up, lines come back and stolen entries are reused.
        let line = 0u32..48;
        prop_oneof![
            3 => line.clone().prop_map(Op::Touch),
            3 => (line.clone(), prop_oneof![Just(LineState::Shared), Just(LineState::Modified)])
                .prop_map(|(l, s)| Op::Fill(l, s)),
            1 => (line, any_state()).prop_map(|(l, s)| Op::SetState(l, s)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
        #[test]
        fn cache_matches_the_naive_lru(
            assoc in prop_oneof![Just(1u32), Just(2), Just(4), Just(8), Just(16)],
            ops in prop::collection::vec(op(), 1..300),
        ) {
            // 64 lines of 64 bytes: 64 / assoc sets.
            let mut c = Cache::new(&CacheConfig { size_kb: 4, assoc, line_bytes: 64 });
            let mut n = Naive::new(64 / assoc as usize, assoc as usize);
            for o in ops {
                match o {
                    Op::Touch(l) => prop_assert_eq!(c.touch(l), n.touch(l)),
                    Op::Fill(l, s) => prop_assert_eq!(c.fill(l, s), n.fill(l, s)),
                    Op::SetState(l, s) => prop_assert_eq!(c.set_state(l, s), n.set_state(l, s)),
                }
                for l in 0..48 {
                    prop_assert_eq!(c.state(l), n.state(l));
                    // `mru_state` answers exactly for the line at the front of its set.
                    let front = n.set(l)[0];
                    let mru = (front.0 == l && front.1 != LineState::Invalid).then_some(front.1);
                    prop_assert_eq!(c.mru_state(l), mru);
                }
            }
        }
    }
}
