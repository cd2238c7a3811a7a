//! Each guest's console output, accumulated from the deltas frames carry and bounded: past
//! [`MAX_BYTES`] the oldest text is dropped down to [`KEEP_BYTES`]. Text is kept in the chunks it
//! arrived in, numbered, so the console view can append only what is new to the page.

use std::collections::VecDeque;
use std::rc::Rc;

/// A guest's console is trimmed when it grows past this many bytes...
pub const MAX_BYTES: usize = 128 * 1024;
/// ... down to about this many.
pub const KEEP_BYTES: usize = 96 * 1024;

/// One guest's console.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GuestConsole {
    chunks: VecDeque<Rc<str>>,
    bytes: usize,
    /// Number of the first chunk kept (chunks are numbered from 0 since the clear).
    first: u64,
    /// How many times text was dropped from the front.
    trims: u64,
    /// The line being printed (text after the last newline), at most [`LINE_BYTES`].
    open: String,
    /// The latest complete line that was not blank.
    last: String,
}

/// The latest line is kept to this many bytes: it is shown in one line of the status strip.
pub const LINE_BYTES: usize = 160;

/// `s` cut to at most `max` bytes at a character boundary.
fn clip(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl GuestConsole {
    /// Chunks from number `from` on (all kept ones if `from` is older), with the number of the
    /// first one returned.
    pub fn since(&self, from: u64) -> (u64, impl Iterator<Item = &Rc<str>>) {
        let skip = from.saturating_sub(self.first) as usize;
        (self.first + skip.min(self.chunks.len()) as u64, self.chunks.iter().skip(skip))
    }

    /// Number the next chunk will get.
    pub fn end(&self) -> u64 {
        self.first + self.chunks.len() as u64
    }

    /// Times text was dropped from the front (a view showing older text must redraw).
    pub fn trims(&self) -> u64 {
        self.trims
    }

    /// Everything kept, as one string.
    pub fn text(&self) -> String {
        self.chunks.iter().map(|c| &**c).collect()
    }

    /// Bytes kept.
    pub fn len(&self) -> usize {
        self.bytes
    }

    /// The latest line printed that is not blank: the one being printed (a prompt) if it has
    /// text, else the latest complete one. What the guest is doing now, in its own words.
    pub fn latest_line(&self) -> &str {
        if self.open.trim().is_empty() { &self.last } else { &self.open }
    }

    fn push(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let mut lines = text.split('\n');
        if let Some(first) = lines.next() {
            let room = LINE_BYTES.saturating_sub(self.open.len());
            self.open.push_str(clip(first, room));
        }
        for line in lines {
            let done = std::mem::replace(&mut self.open, clip(line, LINE_BYTES).to_string());
            let done = done.trim_end_matches('\r');
            if !done.trim().is_empty() {
                self.last = done.to_string();
            }
        }
        self.bytes += text.len();
        self.chunks.push_back(text.into());
        if self.bytes > MAX_BYTES {
            while self.bytes > KEEP_BYTES && self.chunks.len() > 1 {
                if let Some(c) = self.chunks.pop_front() {
                    self.bytes -= c.len();
                    self.first += 1;
                }
            }
            self.trims += 1;
        }
    }
}

/// Every guest's console.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConsoleLog {
    guests: Vec<GuestConsole>,
    /// The guest that printed last.
    latest: Option<usize>,
}

impl ConsoleLog {
    /// Appends `text` to guest `g`'s console.
    pub fn push(&mut self, g: usize, text: &str) {
        if self.guests.len() <= g {
            self.guests.resize_with(g + 1, GuestConsole::default);
        }
        self.guests[g].push(text);
        if !text.trim().is_empty() {
            self.latest = Some(g);
        }
    }

    /// The guest that printed last and its latest line ([`GuestConsole::latest_line`]).
    pub fn latest(&self) -> Option<(usize, &str)> {
        let g = self.latest?;
        let line = self.guests.get(g)?.latest_line();
        (!line.is_empty()).then_some((g, line))
    }

    /// Guest `g`'s console (empty if it never printed).
    pub fn guest(&self, g: usize) -> GuestConsole {
        self.guests.get(g).cloned().unwrap_or_default()
    }

    /// Guest `g`'s console, if it printed.
    pub fn get(&self, g: usize) -> Option<&GuestConsole> {
        self.guests.get(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accumulates_per_guest() {
        let mut log = ConsoleLog::default();
        log.push(1, "hello ");
        log.push(1, "world\n");
        log.push(0, "a");
        log.push(0, "");
        assert_eq!(log.guest(1).text(), "hello world\n");
        assert_eq!(log.guest(0).end(), 1);
        assert_eq!(log.guest(3).text(), "");
        let g = log.guest(1);
        let (first, rest) = g.since(1);
        assert_eq!(first, 1);
        assert_eq!(rest.map(|c| c.to_string()).collect::<Vec<_>>(), vec!["world\n"]);
    }

    #[test]
    fn the_latest_line_says_what_the_guests_do() {
        let mut log = ConsoleLog::default();
        assert_eq!(log.latest(), None);
        log.push(0, "dux: booting\npmake: compil");
        assert_eq!(log.latest(), Some((0, "pmake: compil")));
        log.push(0, "ing 3 of 8\n\n");
        assert_eq!(log.latest(), Some((0, "pmake: compiling 3 of 8")));
        log.push(1, "$ ");
        assert_eq!(log.latest(), Some((1, "$ ")));
        log.push(0, &"é".repeat(200));
        let (g, line) = log.latest().expect("a line");
        assert!(g == 0 && line.len() <= LINE_BYTES && line.starts_with('é'));
    }

    #[test]
    fn bounded_keeping_the_newest_text() {
        let mut log = ConsoleLog::default();
        let line = "x".repeat(999) + "\n";
        for _ in 0..300 {
            log.push(0, &line);
        }
        let g = log.guest(0);
        assert!(g.len() <= MAX_BYTES && g.len() >= KEEP_BYTES - 1000, "{}", g.len());
        assert!(g.trims() > 0);
        assert_eq!(g.end(), 300);
        let (first, rest) = g.since(0);
        assert_eq!(first + rest.count() as u64, 300);
    }
}
