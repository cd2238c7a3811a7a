//! The scene: a field of spheres on a checkered ground plane, one point light, and a bounding
//! volume hierarchy (BVH) over the spheres. Built once from a seed, then only read.
//!
//! Layout (what the threads share): the spheres, 32 bytes each, in BVH leaf order, and the BVH
//! nodes, 32 bytes each, in depth-first order (a node's left child follows it). The build is
//! deterministic on any machine: splits at the median of a unique key (centroid, index), leaves
//! in index order — never an order that depends on the sort algorithm.

use alloc::vec::Vec;

use super::fixed::{ONE, V3, fx, isqrt, mul, recip};
use crate::rng::Rng;

/// Deepest BVH the traversal handles: median splits of up to 2²⁰ spheres into leaves of
/// [`LEAF`] make 18 levels.
const STACK: usize = 24;
/// Spheres per leaf, at most.
pub const LEAF: usize = 4;
/// Farthest distance a ray looks (Q16.16).
pub const FAR: i32 = fx(4096);
/// How much the BVH's boxes are larger than what they hold (Q16.16).
const PAD: i32 = ONE / 64;
/// Hits closer than this (Q16.16) are the surface the ray starts from.
const EPS: i32 = ONE / 256;

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

/// A BVH node: a box, and either a leaf's spheres or an inner node's split axis and right child
/// (the left child is the next node).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Node {
    /// Lower corner.
    pub min: [i32; 3],
    /// Upper corner.
    pub max: [i32; 3],
    /// Leaf: first sphere; inner node: index of the right child.
    pub index: u32,
    /// Leaf: number of spheres (≥ 1); inner node: 0.
    pub count: u16,
    /// Inner node: the axis it splits (0 x, 1 y, 2 z).
    pub axis: u16,
}

/// A ray: origin, unit direction, and the direction's reciprocals for the box tests.
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
    /// The spheres, in leaf order.
    pub spheres: Vec<Sphere>,
    /// The BVH; node 0 is the root.
    pub nodes: Vec<Node>,
    /// The point light.
    pub light: V3,
    /// Side of the square the spheres stand on, in units.
    pub span: i32,
}

/// Spheres per square unit of ground (a third of the ground is covered).
const DENSITY: u32 = 2;

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
        let mut b = Builder { input: &spheres, spheres: Vec::new(), nodes: Vec::new() };
        let mut items: Vec<u32> = (0..n).collect();
        b.build(&mut items);
        let (spheres, nodes) = (b.spheres, b.nodes);
        Scene { spheres, nodes, light: V3::new(fx(span) / 3, fx(span / 2 + 20), -fx(10)), span }
    }

    /// Bytes the renderer reads: spheres and nodes.
    pub fn bytes(&self) -> usize {
        self.spheres.len() * core::mem::size_of::<Sphere>()
            + self.nodes.len() * core::mem::size_of::<Node>()
    }

    /// The closest thing `ray` hits.
    pub fn intersect(&self, ray: &Ray) -> Hit {
        let mut best = FAR;
        let mut hit = Hit::Sky;
        if ray.d.y < 0 && ray.o.y > 0 {
            let t = mul(ray.o.y, -ray.inv[1]);
            if t > EPS && t < best {
                best = t;
                hit = Hit::Ground(t);
            }
        }
        let mut stack = [0u32; STACK];
        let mut sp = 0;
        let mut node = 0u32;
        loop {
            let n = &self.nodes[node as usize];
            if box_hit(n, ray, best) {
                if n.count > 0 {
                    for i in n.index..n.index + u32::from(n.count) {
                        if let Some(t) = sphere_hit(&self.spheres[i as usize], ray, best) {
                            best = t;
                            hit = Hit::Sphere(i, t);
                        }
                    }
                } else {
                    // Visit the nearer child first, so the farther one is often culled.
                    let (near, far) = if ray.d.arr()[n.axis as usize] >= 0 {
                        (node + 1, n.index)
                    } else {
                        (n.index, node + 1)
                    };
                    stack[sp] = far;
                    sp += 1;
                    node = near;
                    continue;
                }
            }
            if sp == 0 {
                return hit;
            }
            sp -= 1;
            node = stack[sp];
        }
    }

    /// True if anything blocks `ray` closer than `dist`.
    pub fn occluded(&self, ray: &Ray, dist: i32) -> bool {
        let mut stack = [0u32; STACK];
        let mut sp = 0;
        let mut node = 0u32;
        loop {
            let n = &self.nodes[node as usize];
            if box_hit(n, ray, dist) {
                if n.count > 0 {
                    for i in n.index..n.index + u32::from(n.count) {
                        if sphere_hit(&self.spheres[i as usize], ray, dist).is_some() {
                            return true;
                        }
                    }
                } else {
                    stack[sp] = n.index;
                    sp += 1;
                    node += 1;
                    continue;
                }
            }
            if sp == 0 {
                return false;
            }
            sp -= 1;
            node = stack[sp];
        }
    }
}

/// Does `ray` cross the node's box before distance `best`? (The slab test, in Q32.32; the
/// direction's signs say which plane of each pair the ray meets first.)
#[inline]
fn box_hit(n: &Node, ray: &Ray, best: i32) -> bool {
    let mut lo = 0i64;
    let mut hi = i64::from(best) << 16;
    let planes = n.min.iter().zip(&n.max);
    for ((&o, &inv), (&min, &max)) in ray.o.arr().iter().zip(&ray.inv).zip(planes) {
        let (near, far) = if inv >= 0 { (min, max) } else { (max, min) };
        lo = lo.max(i64::from(near - o) * i64::from(inv));
        hi = hi.min(i64::from(far - o) * i64::from(inv));
        if lo > hi {
            return false;
        }
    }
    true
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

/// Builds the BVH: nodes depth first, spheres in leaf order.
struct Builder<'a> {
    input: &'a [Sphere],
    spheres: Vec<Sphere>,
    nodes: Vec<Node>,
}

impl Builder<'_> {
    fn build(&mut self, items: &mut [u32]) {
        let mut min = [i32::MAX; 3];
        let mut max = [i32::MIN; 3];
        let mut cmin = [i32::MAX; 3];
        let mut cmax = [i32::MIN; 3];
        for &i in items.iter() {
            let s = &self.input[i as usize];
            for (a, c) in s.c.arr().into_iter().enumerate() {
                // Padded, so that rounding in the box test never culls a sphere that the
                // exact sphere test would hit.
                min[a] = min[a].min(c - s.r - PAD);
                max[a] = max[a].max(c + s.r + PAD);
                cmin[a] = cmin[a].min(c);
                cmax[a] = cmax[a].max(c);
            }
        }
        let at = self.nodes.len();
        self.nodes.push(Node { min, max, index: 0, count: 0, axis: 0 });
        if items.len() <= LEAF {
            items.sort_unstable();
            self.nodes[at].index = self.spheres.len() as u32;
            self.nodes[at].count = items.len() as u16;
            self.spheres.extend(items.iter().map(|&i| self.input[i as usize]));
            return;
        }
        let extent = |a: usize| i64::from(cmax[a]) - i64::from(cmin[a]);
        let axis = (1..3).fold(0, |best, a| if extent(a) > extent(best) { a } else { best });
        let mid = items.len() / 2;
        let input = self.input;
        items.select_nth_unstable_by_key(mid, |&i| (input[i as usize].c.arr()[axis], i));
        let (left, right) = items.split_at_mut(mid);
        self.build(left);
        self.nodes[at].index = self.nodes.len() as u32;
        self.nodes[at].axis = axis as u16;
        self.build(right);
    }
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
    fn the_bvh_finds_what_testing_every_sphere_finds() {
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
    fn the_bvh_covers_every_sphere_once() {
        let scene = Scene::generate(1000, 11);
        let mut seen = 0;
        for (i, n) in scene.nodes.iter().enumerate() {
            if n.count > 0 {
                seen += usize::from(n.count);
                for s in &scene.spheres[n.index as usize..(n.index + u32::from(n.count)) as usize] {
                    for a in 0..3 {
                        assert!(n.min[a] <= s.c.arr()[a] - s.r && s.c.arr()[a] + s.r <= n.max[a]);
                    }
                }
            } else {
                let (l, r) = (&scene.nodes[i + 1], &scene.nodes[n.index as usize]);
                for c in [l, r] {
                    for a in 0..3 {
                        assert!(n.min[a] <= c.min[a] && c.max[a] <= n.max[a]);
                    }
                }
            }
        }
        assert_eq!(seen, 1000);
        assert_eq!(core::mem::size_of::<Sphere>(), 32);
        assert_eq!(core::mem::size_of::<Node>(), 32);
        let again = Scene::generate(1000, 11);
        assert_eq!(again.spheres, scene.spheres);
        assert_eq!(again.nodes, scene.nodes);
    }
}
