//! The scene: a field of spheres on a checkered ground plane, one point light, and a uniform
//! grid over the field in which every cell lists the spheres that reach into it — SPLASH-2
//! raytrace's acceleration structure (a hierarchical uniform grid; ours has one level). Built
//! once from a seed, then only read.
//!
//! A ray walks the grid cell by cell (Amanatides & Woo's 3D DDA: a few compares and adds per
//! cell) and tests the spheres each cell lists, stopping at the first cell that ends beyond the
//! nearest hit. The cells are small (half a unit: about one sphere each), so its work is mostly
//! *reading*: a cell's entry in the cell table, its list of sphere numbers, and each sphere —
//! three places in memory, none of them near the previous cell's (cells along the ray's main
//! direction lie a row or a plane apart, the spheres in the order they were generated). With a
//! scene many times a CPU's cache, most of those reads miss: like the paper's raytrace, whose
//! render spent half its time on cache misses.
//!
//! Layout (what the threads share, about 6 MB at the full size): the spheres, 32 bytes each,
//! in generation order (1 MB); the cell table, one `u32` per half-unit cell (x fastest, then y,
//! then z) plus one (2.7 MB); the cells' lists, `u32` sphere numbers (2.4 MB). The build is
//! deterministic on any machine, and cheap: the spheres are binned in the order of the grid's
//! z rows, so it walks the tables front to back.

use alloc::vec::Vec;

use super::fixed::{ONE, V3, fx, isqrt, mul, recip};
use crate::rng::Rng;

/// Farthest distance a ray looks (Q16.16).
pub const FAR: i32 = fx(4096);
/// How much a sphere's cells reach beyond it (Q16.16): rounding in the walk never skips a cell
/// the exact sphere test would hit in.
const PAD: i32 = ONE / 64;
/// Hits closer than this (Q16.16) are the surface the ray starts from.
const EPS: i32 = ONE / 256;
/// A grid cell's side (Q16.16): half a unit, about a sphere across.
pub const CELL: i32 = ONE / 2;
/// Cells up: the spheres stand or float below 4.2 units.
const LAYERS: u32 = (fx(5) / CELL) as u32;

/// A sphere, as the renderer reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Sphere {
    /// Centre.
    pub c: V3,
    /// Radius.
    pub r: i32,
    /// Radius², Q32.32.
    pub r2: i64,
    /// 1/radius.
    pub inv_r: i32,
    /// Colour 0x00RRGGBB in the low 24 bits, reflectivity (out of 256) in the top 8.
    pub material: u32,
}

/// A ray: origin, unit direction, and the direction's reciprocals for the grid walk.
#[derive(Clone, Copy, Debug)]
pub struct Ray {
    /// Origin.
    pub o: V3,
    /// Direction (unit length).
    pub d: V3,
    inv: [i32; 3],
}

impl Ray {
    /// A ray from `o` along the unit vector `d`.
    pub fn new(o: V3, d: V3) -> Ray {
        Ray { o, d, inv: [recip(d.x), recip(d.y), recip(d.z)] }
    }

    /// The point at distance `t`.
    pub fn at(&self, t: i32) -> V3 {
        self.o + self.d.scale(t)
    }
}

/// What a ray hit first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hit {
    /// Nothing: the sky.
    Sky,
    /// The ground at distance `t`.
    Ground(i32),
    /// Sphere `i` (of [`Scene::spheres`]) at distance `t`.
    Sphere(u32, i32),
}

/// The whole scene.
pub struct Scene {
    /// The spheres, in generation order.
    pub spheres: Vec<Sphere>,
    /// Where each cell's list starts in `lists` (cell `(z·LAYERS + y)·side + x`), and a last
    /// entry where the lists end.
    pub cells: Vec<u32>,
    /// The cells' lists of sphere numbers, one after another.
    pub lists: Vec<u32>,
    /// Cells along x and along z.
    pub side: u32,
    /// The grid's lower corner (x, y, z), Q16.16.
    pub lo: V3,
    /// The point light.
    pub light: V3,
    /// Side of the square the spheres stand on, in units.
    pub span: i32,
}

/// Spheres per square unit of ground (a third of the ground is covered).
const DENSITY: u32 = 2;

/// What a walk does with each sphere it meets: the closest hit so far (`intersect`) or any hit
/// at all (`occluded`).
trait Visit {
    /// How far the walk must still look (Q16.16): it stops at the first cell beyond.
    fn limit(&self) -> i32;
    /// Tests sphere `i`; true to stop the walk at once.
    fn sphere(&mut self, i: u32, s: &Sphere, ray: &Ray) -> bool;
}

/// The closest hit.
struct Closest {
    best: i32,
    hit: Hit,
}

impl Visit for Closest {
    fn limit(&self) -> i32 {
        self.best
    }
    fn sphere(&mut self, i: u32, s: &Sphere, ray: &Ray) -> bool {
        if let Some(t) = sphere_hit(s, ray, self.best) {
            self.best = t;
            self.hit = Hit::Sphere(i, t);
        }
        false
    }
}

/// Any hit closer than `dist`.
struct Blocked {
    dist: i32,
    blocked: bool,
}

impl Visit for Blocked {
    fn limit(&self) -> i32 {
        self.dist
    }
    fn sphere(&mut self, _: u32, s: &Sphere, ray: &Ray) -> bool {
        self.blocked = sphere_hit(s, ray, self.dist).is_some();
        self.blocked
    }
}

impl Scene {
    /// `n` (≥ 1) spheres scattered from `seed` over a square sized so that the density is the
    /// same at any `n`: radii 0.2–0.6, some resting on the ground, some floating, a quarter of
    /// them mirrors.
    pub fn generate(n: u32, seed: u64) -> Scene {
        let mut rng = Rng::new(seed);
        let span = isqrt(u64::from(n / DENSITY).max(16)) as i32;
        let spheres: Vec<Sphere> = (0..n)
            .map(|_| {
                let r = ONE / 5 + rng.below((2 * ONE / 5) as u32) as i32;
                let x = rng.below(fx(span) as u32) as i32 - fx(span) / 2;
                let z = rng.below(fx(span) as u32) as i32;
                let lift = if rng.chance(60) { 0 } else { rng.below(fx(3) as u32) as i32 };
                let rgb = (0..3).fold(0u32, |c, _| c << 8 | (48 + rng.below(208)));
                let refl = if rng.chance(25) { 96 + rng.below(128) } else { 0 };
                Sphere {
                    c: V3::new(x, r + lift, z),
                    r,
                    r2: i64::from(r) * i64::from(r),
                    inv_r: recip(r),
                    material: refl << 24 | rgb,
                }
            })
            .collect();
        // The grid covers the field with a cell to spare on every side (spheres overhang it).
        let side = (fx(span) / CELL) as u32 + 2;
        let lo = V3::new(-fx(span) / 2 - CELL, 0, -CELL);
        let mut scene = Scene {
            spheres,
            cells: Vec::new(),
            lists: Vec::new(),
            side,
            lo,
            light: V3::new(fx(span) / 3, fx(span / 2 + 20), -fx(10)),
            span,
        };
        scene.bin();
        scene
    }

    /// Fills the cells' lists: every sphere in every cell its padded bounding box reaches.
    /// The spheres are binned in the order of the grid's z rows, so the build walks the cell table front to back instead of all over it: with a table of
    /// megabytes, that is the difference between a build of a few cache misses per sphere and
    /// one that leaves the other threads idle for half the run.
    fn bin(&mut self) {
        let cells = (self.side * LAYERS * self.side) as usize;
        let mut order: Vec<(u32, u32)> = (0..self.spheres.len() as u32)
            .map(|i| {
                let s = &self.spheres[i as usize];
                (self.cell_of(s.c - V3::new(0, 0, s.r + PAD))[2], i)
            })
            .collect();
        order.sort_unstable();
        let mut count = alloc::vec![0u32; cells + 1];
        for &(_, i) in &order {
            self.each_cell(&self.spheres[i as usize], |c| count[c] += 1);
        }
        // Prefix sums: count[c] becomes where cell c's list starts...
        let mut at = 0;
        for c in count.iter_mut() {
            let n = *c;
            *c = at;
            at += n;
        }
        let mut lists = alloc::vec![0u32; at as usize];
        // ...and, as the cursor where its next sphere goes, where it ends: so shifted one cell
        // along afterwards, it says where each list starts again (no second table).
        for &(_, i) in &order {
            self.each_cell(&self.spheres[i as usize], |c| {
                lists[count[c] as usize] = i;
                count[c] += 1;
            });
        }
        count.copy_within(0..cells, 1);
        count[0] = 0;
        self.cells = count;
        self.lists = lists;
    }

    /// Calls `f` with every cell the sphere's padded box reaches.
    fn each_cell(&self, s: &Sphere, mut f: impl FnMut(usize)) {
        let (lo, hi) = (
            s.c - V3::new(s.r + PAD, s.r + PAD, s.r + PAD),
            s.c + V3::new(s.r + PAD, s.r + PAD, s.r + PAD),
        );
        let (a, b) = (self.cell_of(lo), self.cell_of(hi));
        for z in a[2]..=b[2] {
            for y in a[1]..=b[1] {
                for x in a[0]..=b[0] {
                    f(self.index(x, y, z));
                }
            }
        }
    }

    /// The cell holding point `p`, clamped to the grid.
    fn cell_of(&self, p: V3) -> [u32; 3] {
        let dims = [self.side, LAYERS, self.side];
        let mut out = [0; 3];
        for a in 0..3 {
            let k = (p.arr()[a] - self.lo.arr()[a]).div_euclid(CELL);
            out[a] = k.clamp(0, dims[a] as i32 - 1) as u32;
        }
        out
    }

    /// Cell (x, y, z)'s number.
    fn index(&self, x: u32, y: u32, z: u32) -> usize {
        ((z * LAYERS + y) * self.side + x) as usize
    }

    /// Bytes the renderer reads: spheres, cells and lists.
    pub fn bytes(&self) -> usize {
        self.spheres.len() * core::mem::size_of::<Sphere>()
            + (self.cells.len() + self.lists.len()) * core::mem::size_of::<u32>()
    }

    /// The closest thing `ray` hits.
    pub fn intersect(&self, ray: &Ray) -> Hit {
        let mut c = Closest { best: FAR, hit: Hit::Sky };
        if ray.d.y < 0 && ray.o.y > 0 {
            let t = mul(ray.o.y, -ray.inv[1]);
            if t > EPS && t < c.best {
                c.best = t;
                c.hit = Hit::Ground(t);
            }
        }
        self.walk(ray, &mut c);
        c.hit
    }

    /// True if anything blocks `ray` closer than `dist`.
    pub fn occluded(&self, ray: &Ray, dist: i32) -> bool {
        let mut b = Blocked { dist, blocked: false };
        self.walk(ray, &mut b);
        b.blocked
    }

    /// Walks the cells `ray` crosses, nearest first, showing `v` each listed sphere, until a
    /// cell begins beyond `v.limit()`, `v` says stop, or the ray leaves the grid. Distances are
    /// Q16.16 in `i64`: a direction almost along an axis makes them huge.
    fn walk(&self, ray: &Ray, v: &mut impl Visit) {
        let dims = [self.side, LAYERS, self.side];
        let (o, lo) = (ray.o.arr(), self.lo.arr());
        // Where the ray is inside the grid's box: the slab test.
        let (mut enter, mut exit) = (0i64, i64::from(v.limit()));
        for a in 0..3 {
            let hi = lo[a] + dims[a] as i32 * CELL;
            let inv = i64::from(ray.inv[a]);
            let (near, far) = if inv >= 0 { (lo[a], hi) } else { (hi, lo[a]) };
            enter = enter.max((i64::from(near - o[a]) * inv) >> 16);
            exit = exit.min((i64::from(far - o[a]) * inv) >> 16);
        }
        if enter > exit {
            return;
        }
        // The first cell, and per axis: the step, the distance to the next boundary, and the
        // distance between boundaries.
        let p = ray.at(enter.min(i64::from(i32::MAX)) as i32);
        let mut cell = self.cell_of(p);
        let mut step = [0i32; 3];
        let mut next = [i64::MAX; 3];
        let mut delta = [i64::MAX; 3];
        for a in 0..3 {
            let inv = i64::from(ray.inv[a]);
            let d = ray.d.arr()[a];
            if d == 0 {
                continue;
            }
            step[a] = if d > 0 { 1 } else { -1 };
            let edge = lo[a] + (cell[a] as i32 + i32::from(d > 0)) * CELL;
            next[a] = (i64::from(edge - o[a]) * inv) >> 16;
            delta[a] = (i64::from(CELL) * inv.abs()) >> 16;
        }
        loop {
            let c = self.index(cell[0], cell[1], cell[2]);
            let (from, to) = (self.cells[c] as usize, self.cells[c + 1] as usize);
            for &i in &self.lists[from..to] {
                if v.sphere(i, &self.spheres[i as usize], ray) {
                    return;
                }
            }
            // On to the nearest boundary, unless everything there is beyond what we look for.
            let a = if next[0] <= next[1] && next[0] <= next[2] {
                0
            } else if next[1] <= next[2] {
                1
            } else {
                2
            };
            if next[a] > i64::from(v.limit()) || next[a] > exit {
                return;
            }
            let k = cell[a] as i32 + step[a];
            if k < 0 || k >= dims[a] as i32 {
                return;
            }
            cell[a] = k as u32;
            next[a] = next[a].saturating_add(delta[a]);
        }
    }
}

/// Where `ray` enters the sphere, if it does so closer than `best` (the ray starts outside).
#[inline]
fn sphere_hit(s: &Sphere, ray: &Ray, best: i32) -> Option<i32> {
    let l = s.c - ray.o;
    let tca = l.dot16(ray.d);
    if tca <= 0 || tca - s.r >= best {
        return None;
    }
    // The squared distance from the centre to the ray, as the length of l's part across the
    // ray (not |l|² − tca², which loses all precision far from the origin).
    let d2 = (l - ray.d.scale(tca)).len2();
    if d2 > s.r2 {
        return None;
    }
    let t = tca - isqrt((s.r2 - d2) as u64) as i32;
    (t > EPS && t < best).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The closest hit by testing every sphere.
    fn brute(scene: &Scene, ray: &Ray) -> Hit {
        let mut best = FAR;
        let mut hit = Hit::Sky;
        if ray.d.y < 0 && ray.o.y > 0 {
            let t = mul(ray.o.y, -ray.inv[1]);
            if t > EPS && t < best {
                best = t;
                hit = Hit::Ground(t);
            }
        }
        for (i, s) in scene.spheres.iter().enumerate() {
            if let Some(t) = sphere_hit(s, ray, best) {
                best = t;
                hit = Hit::Sphere(i as u32, t);
            }
        }
        hit
    }

    #[test]
    fn the_grid_finds_what_testing_every_sphere_finds() {
        let scene = Scene::generate(500, 7);
        assert_eq!(scene.spheres.len(), 500);
        let mut rng = Rng::new(3);
        let mut spheres_hit = 0;
        for _ in 0..5000 {
            let o = V3::new(
                rng.below(fx(40) as u32) as i32 - fx(20),
                rng.below(fx(8) as u32) as i32 + ONE / 2,
                rng.below(fx(40) as u32) as i32 - fx(10),
            );
            let d = V3::new(
                rng.below(2 * ONE as u32) as i32 - ONE,
                rng.below(2 * ONE as u32) as i32 - ONE,
                rng.below(2 * ONE as u32) as i32 - ONE / 2,
            )
            .normalized();
            let ray = Ray::new(o, d);
            let want = brute(&scene, &ray);
            // Ties between spheres at the same distance may resolve differently; the distance
            // must agree.
            match (scene.intersect(&ray), want) {
                (Hit::Sphere(_, a), Hit::Sphere(_, b)) => {
                    assert_eq!(a, b);
                    spheres_hit += 1;
                }
                (got, want) => assert_eq!(got, want),
            }
            let blocked = !matches!(want, Hit::Sky);
            let dist = match want {
                Hit::Sphere(_, t) | Hit::Ground(t) => t,
                Hit::Sky => FAR,
            };
            if blocked && !matches!(want, Hit::Ground(_)) {
                assert!(scene.occluded(&ray, dist + 1), "{ray:?} {want:?}");
            }
        }
        assert!(spheres_hit > 100, "the test rays hit spheres: {spheres_hit}");
    }

    #[test]
    fn every_sphere_is_in_every_cell_it_reaches() {
        let scene = Scene::generate(1000, 11);
        let dims = [scene.side, LAYERS, scene.side];
        assert_eq!(scene.cells.len(), (dims[0] * dims[1] * dims[2] + 1) as usize);
        let mut listed = alloc::vec![0u32; scene.spheres.len()];
        for z in 0..dims[2] {
            for y in 0..dims[1] {
                for x in 0..dims[0] {
                    let c = scene.index(x, y, z);
                    let lo = scene.lo + V3::new(x as i32 * CELL, y as i32 * CELL, z as i32 * CELL);
                    let hi = lo + V3::new(CELL, CELL, CELL);
                    let list = &scene.lists[scene.cells[c] as usize..scene.cells[c + 1] as usize];
                    for (i, s) in scene.spheres.iter().enumerate() {
                        // Does the sphere's box overlap the cell (the outer cells reach out to
                        // infinity: the grid clamps)?
                        let reaches = (0..3).all(|a| {
                            let (cl, ch) = (lo.arr()[a], hi.arr()[a]);
                            let at_lo = [x, y, z][a] == 0;
                            let at_hi = [x, y, z][a] == dims[a] - 1;
                            (at_hi || s.c.arr()[a] - s.r < ch)
                                && (at_lo || s.c.arr()[a] + s.r >= cl)
                        });
                        if reaches {
                            assert!(list.contains(&(i as u32)), "sphere {i} missing in cell {c}");
                        }
                    }
                    for &i in list {
                        listed[i as usize] += 1;
                    }
                }
            }
        }
        assert!(listed.iter().all(|&n| n >= 1), "every sphere is in a cell");
        assert_eq!(core::mem::size_of::<Sphere>(), 32);
        let again = Scene::generate(1000, 11);
        assert_eq!(again.spheres, scene.spheres);
        assert_eq!((again.cells, again.lists), (scene.cells, scene.lists));
    }
}
