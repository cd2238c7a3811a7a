//! Numbers and times as the views print them.

/// `1234567` → `1 234 567` (thin spaces, readable at a glance).
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3 * 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(ch);
    }
    out
}

/// Compact: `950`, `12.3k`, `4.56M`, `7.89G`.
pub fn short(n: u64) -> String {
    let f = n as f64;
    match n {
        0..1_000 => n.to_string(),
        1_000..1_000_000 => format!("{:.1}k", f / 1e3),
        1_000_000..1_000_000_000 => format!("{:.2}M", f / 1e6),
        _ => format!("{:.2}G", f / 1e9),
    }
}

/// `cycles` at `mhz` as simulated time: `850 µs`, `12.40 ms`, `3.204 s`.
pub fn sim_time(cycles: u64, mhz: u32) -> String {
    let us = cycles as f64 / f64::from(mhz.max(1));
    if us < 1_000.0 {
        format!("{us:.0} µs")
    } else if us < 1_000_000.0 {
        format!("{:.2} ms", us / 1e3)
    } else {
        format!("{:.3} s", us / 1e6)
    }
}

/// A download size: `950 B`, `12.3 KB`, `13.4 MB` (decimal units, as browsers show them).
pub fn bytes(n: u64) -> String {
    let f = n as f64;
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} KB", f / 1e3),
        _ => format!("{:.1} MB", f / 1e6),
    }
}

/// `part` of `whole` in percent, one decimal.
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 { "–".into() } else { format!("{:.1}%", part as f64 * 100.0 / whole as f64) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1234567), "1\u{2009}234\u{2009}567");
        assert_eq!(short(12_345), "12.3k");
        assert_eq!(short(4_560_000), "4.56M");
        assert_eq!(sim_time(170, 200), "1 µs");
        assert_eq!(sim_time(2_480_000, 200), "12.40 ms");
        assert_eq!(sim_time(640_800_000, 200), "3.204 s");
        assert_eq!(percent(1, 4), "25.0%");
        assert_eq!(percent(1, 0), "–");
        assert_eq!(bytes(13_400_000), "13.4 MB");
        assert_eq!(bytes(999), "999 B");
    }
}
