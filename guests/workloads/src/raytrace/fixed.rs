//! Fixed-point arithmetic for the ray tracer: the guest CPU has no FPU, and soft-float is tens
//! of instructions per operation, so positions, directions and distances are Q16.16 in an
//! `i32` (1.0 = 65536), squared lengths Q32.32 in an `i64`. A product of two Q16.16 numbers is
//! one `mult` (32×32→64 bits) and a shift; divisions are rare and 32-bit (`divu`).

/// 1.0 in Q16.16.
pub const ONE: i32 = 1 << 16;

/// `units` whole units in Q16.16.
pub const fn fx(units: i32) -> i32 {
    units << 16
}

/// The product of two Q16.16 numbers.
#[inline]
pub fn mul(a: i32, b: i32) -> i32 {
    ((i64::from(a) * i64::from(b)) >> 16) as i32
}

/// √v: exact (⌊√v⌋) below 2³², and to within 2⁻¹⁵ above — all a length needs.
pub fn isqrt(v: u64) -> u32 {
    if v <= u64::from(u32::MAX) {
        return isqrt32(v as u32);
    }
    // Drop an even number of low bits to fit 32, take the root, scale it back.
    let k = (32 - ((v >> 32) as u32).leading_zeros()).div_ceil(2);
    isqrt32((v >> (2 * k)) as u32) << k
}

/// ⌊√v⌋ by Newton's method from above, in 32-bit arithmetic (a few hardware divisions).
fn isqrt32(v: u32) -> u32 {
    if v < 2 {
        return v;
    }
    // 2^⌈bits/2⌉ ≥ √v: from there the iterates fall to ⌊√v⌋ and stop.
    let mut x = 1u32 << (32 - v.leading_zeros()).div_ceil(2);
    loop {
        let y = (x + v / x) / 2;
        if y >= x {
            return x;
        }
        x = y;
    }
}

/// ⌊2³²/|d|⌋ with the sign of `d`: 1/d in Q16.16 for `d` in Q16.16, saturated at ±(2³¹ − 1).
#[inline]
pub fn recip(d: i32) -> i32 {
    let m = d.unsigned_abs();
    // ⌊(2³² − m)/m⌋ + 1 = ⌊2³²/m⌋, in 32 bits.
    let r = if m < 3 { i32::MAX } else { ((u32::MAX - m + 1) / m + 1) as i32 };
    if d < 0 { -r } else { r }
}

/// A vector of three Q16.16 numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct V3 {
    /// x.
    pub x: i32,
    /// y (up).
    pub y: i32,
    /// z (away from the camera).
    pub z: i32,
}

impl core::ops::Add for V3 {
    type Output = V3;
    #[inline]
    fn add(self, o: V3) -> V3 {
        V3::new(self.x + o.x, self.y + o.y, self.z + o.z)
    }
}

impl core::ops::Sub for V3 {
    type Output = V3;
    #[inline]
    fn sub(self, o: V3) -> V3 {
        V3::new(self.x - o.x, self.y - o.y, self.z - o.z)
    }
}

impl V3 {
    /// A vector from its components.
    pub const fn new(x: i32, y: i32, z: i32) -> V3 {
        V3 { x, y, z }
    }

    /// The components as an array (x, y, z).
    #[inline]
    pub fn arr(self) -> [i32; 3] {
        [self.x, self.y, self.z]
    }

    /// Times a Q16.16 scalar.
    #[inline]
    pub fn scale(self, s: i32) -> V3 {
        V3::new(mul(self.x, s), mul(self.y, s), mul(self.z, s))
    }

    /// Dot product, Q32.32.
    #[inline]
    pub fn dot(self, o: V3) -> i64 {
        i64::from(self.x) * i64::from(o.x)
            + i64::from(self.y) * i64::from(o.y)
            + i64::from(self.z) * i64::from(o.z)
    }

    /// Dot product, Q16.16 (the operands must be small enough for it to fit).
    #[inline]
    pub fn dot16(self, o: V3) -> i32 {
        (self.dot(o) >> 16) as i32
    }

    /// Squared length, Q32.32.
    #[inline]
    pub fn len2(self) -> i64 {
        self.dot(self)
    }

    /// Length, Q16.16.
    pub fn length(self) -> i32 {
        isqrt(self.len2() as u64) as i32
    }

    /// The unit vector along `self` (`self` itself if it is almost zero).
    pub fn normalized(self) -> V3 {
        self.unit_and_len().0
    }

    /// The unit vector along `self` and `self`'s length.
    pub fn unit_and_len(self) -> (V3, i32) {
        let length = self.length();
        if length < 2 {
            return (self, length);
        }
        let len = length;
        // Bring the length to 1..2 units first: then both the components and 1/length keep
        // 16 significant bits, whatever the length was.
        let top = 31 - len.leading_zeros() as i32;
        let (v, len) = if top > 16 {
            let s = (top - 16) as u32;
            (V3::new(self.x >> s, self.y >> s, self.z >> s), len >> s)
        } else {
            let s = (16 - top) as u32;
            (V3::new(self.x << s, self.y << s, self.z << s), len << s)
        };
        (v.scale(recip(len)), length)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_roots_are_floors_below_2_32_and_close_above() {
        let small = [0u64, 1, 2, 3, 4, 15, 16, 17, 99, 1 << 31, u64::from(u32::MAX)];
        for v in small.into_iter().chain((0..70_000).map(|i| i * i * 7 / 8 + i)) {
            let r = u64::from(isqrt(v));
            assert!(r * r <= v && (r + 1) * (r + 1) > v, "isqrt({v}) = {r}");
        }
        for v in [1 << 32, (1 << 32) + 1, 1 << 40, (1 << 50) + 12345, u64::MAX >> 2, u64::MAX]
            .into_iter()
            .chain((1..5000u64).map(|i| i * i * i * 1_000_003))
        {
            let r = isqrt(v) as f64;
            let exact = (v as f64).sqrt();
            assert!(r <= exact && exact - r <= exact / 32768.0 + 1.0, "isqrt({v}) = {r}");
        }
    }

    #[test]
    fn vectors_normalize_to_unit_length() {
        for v in
            [V3::new(fx(3), fx(4), 0), V3::new(-5000, 70000, 123), V3::new(fx(90), -fx(7), fx(1))]
        {
            let n = v.normalized();
            assert!((n.length() - ONE).abs() < 64, "{v:?} → {n:?} (length {})", n.length());
            assert!(n.dot(v) > 0);
        }
        assert_eq!(mul(fx(3), ONE / 2), fx(3) / 2);
        assert_eq!(recip(ONE), ONE);
        assert_eq!(recip(-ONE * 2), -ONE / 2);
        assert_eq!(recip(0), i32::MAX);
    }
}
