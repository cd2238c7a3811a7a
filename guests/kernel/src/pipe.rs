//! Pipes: a 4 KB ring between a reading and a writing end; readers sleep while it is empty,
//! writers while it is full; reading a pipe whose writers are gone returns end of file.

use crate::proc;
use crate::spinlock::Spinlock;

const SIZE: usize = 4096;

struct Ring {
    buf: [u8; SIZE],
    read: usize,
    written: usize,
    readers: u32,
    writers: u32,
}

/// A pipe.
pub struct Pipe(Spinlock<Ring>);

impl Pipe {
    /// A new pipe with one reader and one writer.
    pub fn new() -> Pipe {
        Pipe(Spinlock::new(
            "pipe",
            Ring { buf: [0; SIZE], read: 0, written: 0, readers: 1, writers: 1 },
        ))
    }

    fn chan(&self) -> usize {
        self as *const Pipe as usize
    }

    /// Closes one end.
    pub fn close(&self, writer: bool) {
        let mut r = self.0.lock();
        if writer {
            r.writers -= 1;
        } else {
            r.readers -= 1;
        }
        drop(r);
        proc::wakeup(self.chan());
    }

    /// Another reference to one end (dup, fork).
    pub fn dup(&self, writer: bool) {
        let mut r = self.0.lock();
        if writer {
            r.writers += 1;
        } else {
            r.readers += 1;
        }
    }

    /// Writes all of `data` (sleeping while full); `None` if no reader remains.
    pub fn write(&self, data: &[u8]) -> Option<usize> {
        let mut r = self.0.lock();
        let mut done = 0;
        while done < data.len() {
            if r.readers == 0 {
                return None;
            }
            if r.written - r.read == SIZE {
                proc::wakeup(self.chan());
                r = proc::sleep(self.chan(), r);
                continue;
            }
            let at = r.written % SIZE;
            r.buf[at] = data[done];
            r.written += 1;
            done += 1;
        }
        drop(r);
        proc::wakeup(self.chan());
        Some(done)
    }

    /// Reads up to `dst.len()` bytes, sleeping while empty and a writer remains.
    pub fn read(&self, dst: &mut [u8]) -> usize {
        let mut r = self.0.lock();
        while r.read == r.written && r.writers > 0 {
            r = proc::sleep(self.chan(), r);
        }
        let mut n = 0;
        while n < dst.len() && r.read != r.written {
            dst[n] = r.buf[r.read % SIZE];
            r.read += 1;
            n += 1;
        }
        drop(r);
        proc::wakeup(self.chan());
        n
    }
}

impl Default for Pipe {
    fn default() -> Self {
        Self::new()
    }
}
