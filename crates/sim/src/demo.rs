//! A stand-in workload for the run-control loop until the machine is plugged in: a chain of
//! FNV-1a steps over a counter. It is deterministic, does a fixed amount of work per unit, and
//! can end, so every path of [`crate::control::Controller`] can be exercised.

/// FNV-1a 64-bit offset basis.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64-bit prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The demo workload: `done` units of work so far, `hash` the chained result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Demo {
    done: u64,
    limit: Option<u64>,
    hash: u64,
}

impl Demo {
    /// A workload that runs forever (`limit = None`) or ends after `limit` units.
    pub fn new(limit: Option<u64>) -> Self {
        Demo { done: 0, limit, hash: FNV_OFFSET }
    }

    /// Runs up to `budget` units; returns how many ran (fewer only when the limit is reached).
    pub fn run(&mut self, budget: u64) -> u64 {
        let todo = match self.limit {
            Some(limit) => budget.min(limit - self.done),
            None => budget,
        };
        let mut h = self.hash;
        for i in self.done..self.done + todo {
            for b in i.to_le_bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
            }
        }
        self.hash = h;
        self.done += todo;
        todo
    }

    /// Units run so far.
    pub fn done(&self) -> u64 {
        self.done
    }

    /// True once the limit is reached.
    pub fn finished(&self) -> bool {
        self.limit.is_some_and(|l| self.done >= l)
    }

    /// Hash of everything run so far.
    pub fn hash(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slicing_does_not_change_the_result() {
        let mut whole = Demo::new(None);
        whole.run(1000);
        let mut sliced = Demo::new(None);
        for _ in 0..10 {
            sliced.run(100);
        }
        assert_eq!(whole, sliced);
        assert_ne!(whole.hash(), Demo::new(None).hash());
    }

    #[test]
    fn limit_stops_the_work() {
        let mut d = Demo::new(Some(150));
        assert_eq!(d.run(100), 100);
        assert!(!d.finished());
        assert_eq!(d.run(100), 50);
        assert!(d.finished());
        assert_eq!(d.run(100), 0);
    }
}
