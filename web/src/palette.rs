//! Colours, in one place, for every view: the VMs' palette, the shading of page kinds, the heat
//! ramp, and the few neutrals that differ between the light and dark themes.
//!
//! - **VMs** take the Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008), whose eight
//!   colours stay distinguishable with the common colour-vision deficiencies; the eighth (black
//!   in the original) is a mid grey so that it reads on both themes. More than eight guests cycle.
//! - **Page kinds** never rely on hue alone: a VM's kernel pages are its colour darkened, user pages
//!   its colour, buffer-cache pages its colour lightened *and* striped, page tables darkened *and*
//!   dotted, pages of no stated use washed out. Where a page is drawn too small for a pattern the
//!   lightness still tells the kinds apart.
//! - **Heat** (cache misses per page) uses a viridis-like ramp: monotonic in lightness, readable
//!   in grey and by colour-blind readers.

use sim::frame::{OWNER_FREE, OWNER_GUEST0, OWNER_MONITOR, PageKind};

use crate::theme::Theme;

/// An sRGB colour.
pub type Rgb = [u8; 3];

/// Okabe–Ito, with a grey in place of black.
pub const VM_COLOURS: [Rgb; 8] = [
    [0xE6, 0x9F, 0x00], // orange
    [0x56, 0xB4, 0xE9], // sky blue
    [0x00, 0x9E, 0x73], // bluish green
    [0xF0, 0xE4, 0x42], // yellow
    [0x00, 0x72, 0xB2], // blue
    [0xD5, 0x5E, 0x00], // vermillion
    [0xCC, 0x79, 0xA7], // reddish purple
    [0x99, 0x99, 0x99], // grey
];

/// Guest `g`'s colour.
pub fn vm(g: usize) -> Rgb {
    VM_COLOURS[g % VM_COLOURS.len()]
}

/// `#rrggbb`.
pub fn css(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// WCAG 2 relative luminance of `c` (0 black – 1 white).
pub fn luminance(c: Rgb) -> f64 {
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.039_28 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

/// WCAG 2 contrast ratio of two colours (1 – 21); text needs 4.5 (AA).
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The text colour drawn on a background of colour `c`: black or white, whichever contrasts
/// more. Pure black and white (not a softer near-black) because with them the better of the
/// two is at least 4.58:1 on any background, so every VM colour reaches WCAG AA.
pub fn ink_rgb(c: Rgb) -> Rgb {
    if contrast(c, BLACK) >= contrast(c, WHITE) { BLACK } else { WHITE }
}

/// [`ink_rgb`] as CSS.
pub fn ink(c: Rgb) -> &'static str {
    if ink_rgb(c) == BLACK { "#000000" } else { "#ffffff" }
}

/// `a` moved towards `b` by `t` (0: `a`, 1: `b`).
pub fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    let t = t.clamp(0.0, 1.0);
    let m = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round() as u8;
    [m(a[0], b[0]), m(a[1], b[1]), m(a[2], b[2])]
}

const BLACK: Rgb = [0, 0, 0];
const WHITE: Rgb = [255, 255, 255];

/// The theme-dependent neutrals the canvases need (the stylesheet has the same values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Neutrals {
    /// Panel background.
    pub panel: Rgb,
    /// A free machine page, an idle CPU.
    pub free: Rgb,
    /// The monitor's own pages.
    pub monitor: Rgb,
    /// Grid lines and separators.
    pub grid: Rgb,
    /// Text.
    pub text: Rgb,
    /// Secondary text.
    pub muted: Rgb,
}

impl Neutrals {
    /// The neutrals of `theme`.
    pub fn of(theme: Theme) -> Neutrals {
        match theme {
            Theme::Light => Neutrals {
                panel: [0xff, 0xff, 0xff],
                free: [0xe4, 0xe8, 0xee],
                monitor: [0x2b, 0x31, 0x3b],
                grid: [0xd9, 0xde, 0xe5],
                text: [0x1b, 0x23, 0x30],
                muted: [0x5b, 0x66, 0x76],
            },
            Theme::Dark => Neutrals {
                panel: [0x17, 0x1c, 0x23],
                free: [0x26, 0x2e, 0x38],
                monitor: [0xe3, 0xe8, 0xef],
                grid: [0x2b, 0x34, 0x3f],
                text: [0xe3, 0xe8, 0xef],
                muted: [0x9a, 0xa5, 0xb4],
            },
        }
    }
}

/// The two colours of a page of kind `kind` owned by guest `g`: its fill, and the colour of its
/// pattern's marks (equal when the kind has no pattern).
pub fn guest_page(g: usize, kind: PageKind, n: &Neutrals) -> (Rgb, Rgb) {
    let base = vm(g);
    match kind {
        PageKind::Kernel => {
            let c = mix(base, BLACK, 0.5);
            (c, c)
        }
        PageKind::PageTable => (mix(base, BLACK, 0.3), mix(base, WHITE, 0.6)),
        PageKind::User => (base, base),
        PageKind::BufferCache => (mix(base, WHITE, 0.55), mix(base, BLACK, 0.1)),
        PageKind::Free | PageKind::Unknown | PageKind::Monitor => {
            let c = mix(base, n.free, 0.7);
            (c, c)
        }
    }
}

/// The two colours (fill, marks) of a machine page with owner code `owner` and kind code
/// `kind`.
pub fn page(owner: u8, kind: u8, n: &Neutrals) -> (Rgb, Rgb) {
    match owner {
        OWNER_FREE => (n.free, n.free),
        OWNER_MONITOR => (n.monitor, mix(n.monitor, n.free, 0.5)),
        o => guest_page(usize::from(o - OWNER_GUEST0), PageKind::from_code(kind), n),
    }
}

/// True where the pattern of `kind` puts a mark in a `cell`×`cell` square at (`x`, `y`): diagonal
/// stripes for the buffer cache, a centre dot for page tables, a hollow square for the monitor.
/// Cells smaller than 3 pixels carry no pattern.
pub fn mark(kind: u8, cell: u32, x: u32, y: u32) -> bool {
    if cell < 3 {
        return false;
    }
    match PageKind::from_code(kind) {
        PageKind::BufferCache => (x + y).is_multiple_of(3),
        PageKind::PageTable => x == cell / 2 && y == cell / 2,
        PageKind::Monitor => x == 0 || y == 0 || x == cell - 1 || y == cell - 1,
        _ => false,
    }
}

/// True where a replica's cross goes in a `cell`×`cell` square at (`x`, `y`): both diagonals,
/// so that a copy the NUMA policy made reads apart from every kind's pattern. Cells smaller than
/// 3 pixels carry none (the page is then drawn half-way to the marks' colour instead).
pub fn replica_mark(cell: u32, x: u32, y: u32) -> bool {
    cell >= 3 && (x == y || x + y == cell - 1)
}

/// True where a shared page's bar goes in a `cell`×`cell` square at (`x`, `y`): its top row, in
/// the text colour, above stripes in the colours of the VMs that map it — so that a shared page
/// reads apart by its pattern, not only by its colours. Cells smaller than 3 pixels carry none.
pub fn shared_mark(cell: u32, _x: u32, y: u32) -> bool {
    cell >= 3 && y == 0
}

/// The VM whose colour a shared page's stripe at column `x` of a `cell`-pixel square takes,
/// of the `guests` that map it: the columns are split evenly between them (with more guests
/// than columns, the first few show).
pub fn shared_stripe(guests: &[u16], cell: u32, x: u32) -> Option<u16> {
    let k = guests.len() as u32;
    let columns = cell.max(1);
    guests.get((x.min(columns - 1) * k.min(columns) / columns) as usize).copied()
}

/// The theme's accent (the stylesheet's `--accent`): the page map's selected page, the NUMA
/// panel's total line.
pub fn accent(theme: Theme) -> Rgb {
    match theme {
        Theme::Light => [0x0f, 0x76, 0x6e],
        Theme::Dark => [0x2d, 0xd4, 0xbf],
    }
}

/// Viridis at five stops.
const RAMP: [Rgb; 5] = [
    [0x44, 0x01, 0x54],
    [0x3b, 0x52, 0x8b],
    [0x21, 0x91, 0x8c],
    [0x5e, 0xc9, 0x62],
    [0xfd, 0xe7, 0x25],
];

/// The heat colour at `t` in 0..=1 (cold to hot).
pub fn heat(t: f32) -> Rgb {
    let t = t.clamp(0.0, 1.0) * (RAMP.len() - 1) as f32;
    let i = (t.floor() as usize).min(RAMP.len() - 2);
    mix(RAMP[i], RAMP[i + 1], t - i as f32)
}

/// The four categories of the overhead ledger (paper Fig. 5): user, guest kernel, monitor,
/// idle. Distinct in hue and lightness from each other.
pub const USER: Rgb = [0x00, 0x72, 0xB2];
/// See [`USER`].
pub const KERNEL: Rgb = [0xE6, 0x9F, 0x00];
/// See [`USER`]; the monitor's kinds are shades of it.
pub const MONITOR: Rgb = [0xCC, 0x79, 0xA7];

/// Shade `i` of `n` of the monitor colour, dark to light.
pub fn monitor_kind(i: usize, n: usize) -> Rgb {
    let t = if n <= 1 { 0.0 } else { i as f32 / (n - 1) as f32 };
    if t < 0.5 {
        mix(mix(MONITOR, BLACK, 0.45), MONITOR, t * 2.0)
    } else {
        mix(MONITOR, WHITE, (t - 0.5) * 1.2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lum(c: Rgb) -> f32 {
        0.2126 * f32::from(c[0]) + 0.7152 * f32::from(c[1]) + 0.0722 * f32::from(c[2])
    }

    #[test]
    fn vm_colours_are_distinct_and_cycle() {
        for i in 0..8 {
            for j in 0..i {
                assert_ne!(vm(i), vm(j));
            }
        }
        assert_eq!(vm(9), vm(1));
        assert_eq!(css(vm(0)), "#e69f00");
    }

    #[test]
    fn page_kinds_differ_in_lightness_not_only_hue() {
        let n = Neutrals::of(Theme::Light);
        for g in 0..8 {
            let k = lum(guest_page(g, PageKind::Kernel, &n).0);
            let u = lum(guest_page(g, PageKind::User, &n).0);
            let b = lum(guest_page(g, PageKind::BufferCache, &n).0);
            assert!(k + 10.0 < u && u + 10.0 < b, "vm{g}: kernel {k} user {u} cache {b}");
        }
    }

    #[test]
    fn free_and_monitor_pages_follow_the_theme() {
        let (l, d) = (Neutrals::of(Theme::Light), Neutrals::of(Theme::Dark));
        assert_eq!(page(OWNER_FREE, 0, &l).0, l.free);
        assert_ne!(page(OWNER_FREE, 0, &l).0, page(OWNER_FREE, 0, &d).0);
        assert_eq!(page(OWNER_MONITOR, PageKind::Monitor as u8, &d).0, d.monitor);
        assert_eq!(page(OWNER_GUEST0 + 2, PageKind::User as u8, &d).0, vm(2));
    }

    #[test]
    fn patterns_need_room() {
        let bc = PageKind::BufferCache as u8;
        assert!(!mark(bc, 2, 0, 0));
        assert!(mark(bc, 3, 0, 0) && !mark(bc, 3, 1, 0));
        assert!(!mark(PageKind::User as u8, 5, 0, 0));
    }

    /// Every colour text is drawn on — the VMs' colours (CPU boxes, timeline segments, the
    /// lighter shade of a native run's odd processes) and the themes' panels — against the
    /// text drawn on it, in both themes: WCAG AA (4.5:1).
    #[test]
    fn text_on_every_vm_colour_reaches_aa_in_both_themes() {
        for theme in [Theme::Light, Theme::Dark] {
            let n = Neutrals::of(theme);
            for g in 0..VM_COLOURS.len() {
                for bg in [vm(g), mix(vm(g), WHITE, 0.4)] {
                    let c = contrast(bg, ink_rgb(bg));
                    assert!(c >= 4.5, "{theme:?} vm{g} {}: {c:.2}", css(bg));
                }
            }
            for (what, fg, bg) in [
                ("text on panel", n.text, n.panel),
                ("muted on panel", n.muted, n.panel),
                ("muted on free (idle CPU)", n.muted, n.free),
            ] {
                let c = contrast(fg, bg);
                assert!(c >= 4.5, "{theme:?} {what}: {c:.2}");
            }
        }
        // The console's placeholder (static/style.css) on the console's background.
        let c = contrast([0x9a, 0xa7, 0xb4], [0x0b, 0x0f, 0x14]);
        assert!(c >= 4.5, "console placeholder: {c:.2}");
        // The old rule: white on vm2's green was 3.3:1.
        assert!(contrast(WHITE, vm(2)) < 4.5 && ink_rgb(vm(2)) == BLACK);
    }

    #[test]
    fn heat_ramp_gets_lighter() {
        let mut last = -1.0;
        for i in 0..=10 {
            let l = lum(heat(i as f32 / 10.0));
            assert!(l > last, "step {i}");
            last = l;
        }
        assert_eq!(heat(-1.0), RAMP[0]);
        assert_eq!(heat(2.0), RAMP[4]);
    }
}
