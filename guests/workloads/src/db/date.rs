//! Dates as days since 1992-01-01 (the start of TPC-H's calendar), in a `u16`.

use alloc::string::String;

/// Days from 0000-03-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`).
const fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy as i32;
    era * 146_097 + doe
}

const EPOCH: i32 = days_from_civil(1992, 1, 1);

/// The day number of y-m-d (which must be within 1992..2171).
pub const fn date(y: i32, m: u32, d: u32) -> u16 {
    (days_from_civil(y, m, d) - EPOCH) as u16
}

/// y-m-d of a day number.
pub fn civil(day: u16) -> (i32, u32, u32) {
    let z = i32::from(day) + EPOCH;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i32::from(m <= 2);
    (y, m, d)
}

/// `YYYY-MM-DD`.
pub fn show(day: u16) -> String {
    let (y, m, d) = civil(day);
    alloc::format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_knows_leap_years() {
        assert_eq!(date(1992, 1, 1), 0);
        assert_eq!(date(1992, 3, 1), 60); // 1992 is a leap year
        assert_eq!(date(1993, 1, 1), 366);
        assert_eq!(show(date(1998, 12, 1)), "1998-12-01");
        for day in 0..5000u16 {
            let (y, m, d) = civil(day);
            assert_eq!(date(y, m, d), day);
        }
    }
}
