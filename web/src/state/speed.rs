//! How fast the simulation runs, measured on the page from the frames it receives: simulated
//! instructions (and cycles) per second of wall time, over the last [`WINDOW_MS`] and on average
//! over all the time spent running since the load.

use std::collections::VecDeque;

/// The window of the current rate, in milliseconds.
pub const WINDOW_MS: f64 = 2000.0;

#[derive(Clone, Copy, Debug, PartialEq)]
struct Sample {
    ms: f64,
    instructions: u64,
    cycle: u64,
}

/// A reading of the meter, for display.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Reading {
    /// [`SpeedMeter::mips`].
    pub mips: Option<f64>,
    /// [`SpeedMeter::mhz`].
    pub mhz: Option<f64>,
    /// [`SpeedMeter::average_mips`].
    pub average_mips: Option<f64>,
}

/// Rates from frames.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpeedMeter {
    samples: VecDeque<Sample>,
    /// Wall milliseconds and instructions between consecutive running frames, summed.
    running_ms: f64,
    running_instructions: u64,
}

impl SpeedMeter {
    /// A frame arrived at `ms` (wall clock); `running` if the run state is `Running`.
    pub fn frame(&mut self, ms: f64, instructions: u64, cycle: u64, running: bool) {
        if !running {
            self.samples.clear();
            return;
        }
        if let Some(last) = self.samples.back()
            && instructions >= last.instructions
            && ms > last.ms
        {
            self.running_ms += ms - last.ms;
            self.running_instructions += instructions - last.instructions;
        }
        self.samples.push_back(Sample { ms, instructions, cycle });
        while self.samples.front().is_some_and(|s| ms - s.ms > WINDOW_MS) && self.samples.len() > 2
        {
            self.samples.pop_front();
        }
    }

    /// The run state changed: the next rate starts afresh (a pause is not slowness).
    pub fn interrupt(&mut self) {
        self.samples.clear();
    }

    fn rate(&self, f: impl Fn(&Sample) -> u64) -> Option<f64> {
        let (a, b) = (self.samples.front()?, self.samples.back()?);
        (b.ms - a.ms >= 250.0).then(|| (f(b).saturating_sub(f(a))) as f64 / (b.ms - a.ms) / 1e3)
    }

    /// All three rates now.
    pub fn reading(&self) -> Reading {
        Reading { mips: self.mips(), mhz: self.mhz(), average_mips: self.average_mips() }
    }

    /// Million instructions per wall second, recently.
    pub fn mips(&self) -> Option<f64> {
        self.rate(|s| s.instructions)
    }

    /// Million machine cycles per wall second, recently.
    pub fn mhz(&self) -> Option<f64> {
        self.rate(|s| s.cycle)
    }

    /// Million instructions per wall second over all the running time measured.
    pub fn average_mips(&self) -> Option<f64> {
        (self.running_ms >= 250.0).then(|| self.running_instructions as f64 / self.running_ms / 1e3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_over_running_frames_only() {
        let mut s = SpeedMeter::default();
        assert_eq!(s.mips(), None);
        s.frame(0.0, 0, 0, true);
        s.frame(500.0, 50_000_000, 100_000_000, true);
        s.frame(1000.0, 100_000_000, 200_000_000, true);
        assert_eq!(s.mips(), Some(100.0));
        assert_eq!(s.mhz(), Some(200.0));
        s.interrupt();
        assert_eq!(s.mips(), None);
        // Ten seconds paused, then running again: the pause is not counted.
        s.frame(11_000.0, 100_000_000, 200_000_000, true);
        s.frame(12_000.0, 150_000_000, 300_000_000, true);
        assert_eq!(s.mips(), Some(50.0));
        assert_eq!(s.average_mips(), Some(75.0));
    }

    #[test]
    fn window_slides() {
        let mut s = SpeedMeter::default();
        for i in 0..100u64 {
            let rate = if i < 50 { 10 } else { 20 };
            let instr =
                if i < 50 { i * 100_000 * rate } else { 50 * 1_000_000 + (i - 50) * 2_000_000 };
            s.frame(i as f64 * 100.0, instr, 0, true);
        }
        let m = s.mips().expect("rate");
        assert!((m - 20.0).abs() < 1e-9, "{m}");
    }
}
