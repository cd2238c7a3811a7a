//! Raytrace: the paper's Raytrace workload (SPLASH-2 raytrace), a parallel ray tracer.
//!
//! One process, `p` threads (one per CPU). The scene ([`scene`]) — tens of thousands of
//! spheres on a checkered ground, one light, a uniform grid over the spheres — is built once by
//! the main thread and then only read, by every thread. The threads take work in bundles of
//! 256 pixels from a shared counter as they finish the previous one, so which thread renders
//! which pixel changes from run to run; each pixel is a pure function of the scene, so the
//! image, and its checksum, never do. A bundle's pixels are scattered over the image (pixel
//! `k·S mod N` for a stride `S` prime to the image's `N` pixels), as a scene's secondary rays
//! would be: consecutive rays share few cells of the grid. Per pixel: a primary ray, a shadow
//! ray to the light, and up to [`MAX_DEPTH`] mirror bounces, all in fixed point ([`fixed`]):
//! the CPU has no FPU.
//!
//! Memory behaviour: a large read-shared working set (the scene: 6 MB of spheres, cells and
//! lists, 24 times a CPU's cache) that every CPU reads all over, since every thread's
//! pixels are scattered over the image and each ray walks its own path through the grid; the
//! image is written once, each pixel by one thread. Under a NUMA-unaware OS the scene's pages
//! sit wherever they were first touched, so most of every CPU's misses are remote — the case
//! for the paper's page *replication*.
//!
//! ```text
//! raytrace [-p threads] [-r WIDTHxHEIGHT] [-n spheres] [tiny|full]
//! raytrace: 8 threads
//! raytrace: 512x512, 32768 spheres, checksum 0123456789abcdef
//! ```
//!
//! Without `-p` it runs one thread per CPU of its OS, so the same `/etc/rc` fits any machine;
//! the result line leaves the thread count out, since the image does not depend on it.

pub mod fixed;
pub mod scene;

use alloc::string::String;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

use crate::hash::Fnv64;
use fixed::{ONE, V3, fx, mul};
use scene::{Hit, Ray, Scene};

/// The scene's seed.
pub const SEED: u64 = 1995;
/// Pixels a thread takes at a time.
pub const BUNDLE: u32 = 256;
/// Strides for scattering a bundle's pixels: the first that does not divide the image's pixel
/// count (both are primes, so it is then prime to it; no image of up to 4096² pixels is a
/// multiple of both).
const STRIDES: [u64; 2] = [1_000_003, 999_983];
/// Mirror bounces after the primary ray, at most.
pub const MAX_DEPTH: u32 = 2;
/// Most threads.
pub const MAX_THREADS: usize = 64;

/// How big a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// Spheres in the scene.
    pub spheres: u32,
}

/// About 150 million instructions: tests and quick demos.
pub const TINY: Size = Size { width: 128, height: 128, spheres: 4096 };
/// The workload at the scale of the paper's runs (about 1.8 billion instructions).
pub const FULL: Size = Size { width: 512, height: 512, spheres: 32768 };

/// The usage line.
pub const USAGE: &str = "usage: raytrace [-p threads] [-r WIDTHxHEIGHT] [-n spheres] [tiny|full]";

/// raytrace's command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Threads (1..=[`MAX_THREADS`]).
    pub threads: usize,
    /// What to render.
    pub size: Size,
}

/// Parses the arguments (without the program name). Defaults: a thread per CPU (`cpus`, as
/// the OS reports them, at most [`MAX_THREADS`]), [`TINY`]; `-r` and `-n` override the named
/// size's parts, whatever their order.
pub fn parse_args(args: &[&str], cpus: usize) -> Result<Options, String> {
    let mut threads = cpus.clamp(1, MAX_THREADS);
    let mut size = TINY;
    let (mut res, mut spheres) = (None, None);
    let mut it = args.iter();
    while let Some(&a) = it.next() {
        let mut value = |flag: &str| it.next().copied().ok_or(alloc::format!("{flag}: no value"));
        match a {
            "tiny" => size = TINY,
            "full" => size = FULL,
            "-p" => {
                let v = value("-p")?;
                threads = v.parse().map_err(|_| alloc::format!("-p: bad number `{v}`"))?;
            }
            "-r" => {
                let v = value("-r")?;
                let (w, h) = v.split_once('x').ok_or(alloc::format!("-r: `{v}` is not WxH"))?;
                let dim = |s: &str| s.parse::<u32>().ok().filter(|d| (1..=4096).contains(d));
                match (dim(w), dim(h)) {
                    (Some(w), Some(h)) => res = Some((w, h)),
                    _ => return Err(alloc::format!("-r: bad size `{v}` (1..=4096 each)")),
                }
            }
            "-n" => {
                let v = value("-n")?;
                spheres = Some(
                    v.parse::<u32>()
                        .ok()
                        .filter(|n| (1..=1 << 20).contains(n))
                        .ok_or(alloc::format!("-n: bad sphere count `{v}`"))?,
                );
            }
            _ => return Err(alloc::format!("unknown argument `{a}`")),
        }
    }
    if !(1..=MAX_THREADS).contains(&threads) {
        return Err(alloc::format!("threads must be in 1..={MAX_THREADS}"));
    }
    if let Some((w, h)) = res {
        (size.width, size.height) = (w, h);
    }
    if let Some(n) = spheres {
        size.spheres = n;
    }
    Ok(Options { threads, size })
}

/// The camera: eye and orthonormal basis (forward, right, up).
struct Camera {
    eye: V3,
    forward: V3,
    right: V3,
    up: V3,
}

/// tan(30°): a 60° horizontal field of view.
const TAN_HALF_FOV: i32 = 37_837;

impl Camera {
    /// Above the near edge of the field, looking down at its middle.
    fn for_scene(s: &Scene) -> Camera {
        let eye = V3::new(0, fx(s.span / 5 + 3), -fx(4));
        let forward = (V3::new(0, 0, fx(s.span / 2)) - eye).normalized();
        // forward has no x: (1,0,0) is perpendicular to it, and so is (0, f.z, −f.y).
        let right = V3::new(ONE, 0, 0);
        let up = V3::new(0, forward.z, -forward.y);
        Camera { eye, forward, right, up }
    }
}

/// A render in progress: the scene, the image, and the next bundle to hand out.
pub struct Render {
    /// The scene.
    pub scene: Scene,
    size: Size,
    camera: Camera,
    /// Pixels 0x00RRGGBB, row by row.
    pub image: Vec<AtomicU32>,
    next_bundle: AtomicU32,
    bundles: u32,
    stride: u64,
}

impl Render {
    /// Builds the scene of `size` (the serial part of the program).
    pub fn new(size: Size) -> Render {
        let scene = Scene::generate(size.spheres, SEED);
        let camera = Camera::for_scene(&scene);
        let mut image = Vec::new();
        image.resize_with((size.width * size.height) as usize, || AtomicU32::new(0));
        let pixels = size.width * size.height;
        let bundles = pixels.div_ceil(BUNDLE);
        let stride = STRIDES.into_iter().find(|s| u64::from(pixels) % s != 0).unwrap_or(1);
        Render { scene, size, camera, image, next_bundle: AtomicU32::new(0), bundles, stride }
    }

    /// Renders bundles until none is left; how many this thread rendered. Any number of threads
    /// may call it at once.
    pub fn worker(&self) -> u32 {
        let pixels = self.size.width * self.size.height;
        let mut done = 0;
        loop {
            let b = self.next_bundle.fetch_add(1, Relaxed);
            if b >= self.bundles {
                return done;
            }
            for k in b * BUNDLE..((b + 1) * BUNDLE).min(pixels) {
                let p = (u64::from(k) * self.stride % u64::from(pixels)) as u32;
                let (x, y) = (p % self.size.width, p / self.size.width);
                self.image[p as usize].store(self.pixel(x, y), Relaxed);
            }
            done += 1;
        }
    }

    /// The colour of pixel (x, y).
    pub fn pixel(&self, x: u32, y: u32) -> u32 {
        let (w, h) = (self.size.width as i32, self.size.height as i32);
        // Pixel centres in −1..1 across the width; square pixels.
        let u = ((2 * x as i32 + 1 - w) << 16) / w;
        let v = ((h - 2 * y as i32 - 1) << 16) / w;
        let c = &self.camera;
        let d =
            (c.forward + c.right.scale(mul(u, TAN_HALF_FOV)) + c.up.scale(mul(v, TAN_HALF_FOV)))
                .normalized();
        let [r, g, b] = self.trace(&Ray::new(c.eye, d), 0);
        r << 16 | g << 8 | b
    }

    /// The colour seen along `ray`, channels 0..=255.
    fn trace(&self, ray: &Ray, depth: u32) -> [u32; 3] {
        let s = &self.scene;
        let (t, normal, base, refl) = match s.intersect(ray) {
            Hit::Sky => return sky(ray.d),
            Hit::Ground(t) => {
                let p = ray.at(t);
                let check = ((p.x >> 16) + (p.z >> 16)) & 1 != 0;
                let rgb = if check { 0x00d8_d0c0 } else { 0x0030_3848 };
                (t, V3::new(0, ONE, 0), rgb, 0)
            }
            Hit::Sphere(i, t) => {
                let sp = &s.spheres[i as usize];
                let n = (ray.at(t) - sp.c).scale(sp.inv_r);
                (t, n, sp.material & 0xff_ffff, sp.material >> 24)
            }
        };
        let p = ray.at(t) + normal.scale(ONE / 64);
        let to_light = s.light - p;
        let (l, dist) = to_light.unit_and_len();
        let lambert = normal.dot16(l);
        let lit = lambert > 0 && !s.occluded(&Ray::new(p, l), dist);
        // Intensity, Q16.16: ambient 0.2 plus up to 0.8 of direct light.
        let light = ONE / 5 + if lit { mul(lambert, 4 * ONE / 5) } else { 0 };
        let mut rgb = [base >> 16 & 0xff, base >> 8 & 0xff, base & 0xff]
            .map(|ch| (mul(ch as i32, light).clamp(0, 255)) as u32);
        if refl > 0 && depth < MAX_DEPTH {
            let r = (ray.d - normal.scale(2 * ray.d.dot16(normal))).normalized();
            let seen = self.trace(&Ray::new(p, r), depth + 1);
            for (c, s) in rgb.iter_mut().zip(seen) {
                *c = (*c * (256 - refl) + s * refl) >> 8;
            }
        }
        rgb
    }

    /// FNV-1a 64 of the pixels (little-endian u32 each, row by row).
    pub fn checksum(&self) -> u64 {
        let mut h = Fnv64::new();
        for p in &self.image {
            h.write_u32(p.load(Relaxed));
        }
        h.finish()
    }

    /// The image as a binary PPM (P6).
    pub fn ppm(&self) -> Vec<u8> {
        let mut out =
            alloc::format!("P6\n{} {}\n255\n", self.size.width, self.size.height).into_bytes();
        for p in &self.image {
            let p = p.load(Relaxed);
            out.extend_from_slice(&[(p >> 16) as u8, (p >> 8) as u8, p as u8]);
        }
        out
    }
}

/// The sky: white at the horizon to blue overhead.
fn sky(d: V3) -> [u32; 3] {
    let up = d.y.clamp(0, ONE) as u32; // 0..=65536
    let mix = |horizon: u32, zenith: u32| (horizon * (ONE as u32 - up) + zenith * up) >> 16;
    [mix(235, 70), mix(240, 120), mix(250, 215)]
}

/// The line raytrace prints with its result (the one a run's `/expected.txt` checks: without
/// the thread count, which depends on the machine and not the image).
pub fn line(size: &Size, checksum: u64) -> String {
    alloc::format!(
        "raytrace: {}x{}, {} spheres, checksum {checksum:016x}",
        size.width,
        size.height,
        size.spheres
    )
}

/// The line raytrace prints first: how many threads render.
pub fn threads_line(threads: usize) -> String {
    alloc::format!("raytrace: {threads} threads")
}

/// The checksum of `size`'s image, rendered here by one thread: what a guest run must print.
pub fn reference(size: Size) -> u64 {
    let r = Render::new(size);
    r.worker();
    r.checksum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_render_the_same_image_as_one() {
        let size = Size { width: 40, height: 24, spheres: 600 };
        let want = reference(size);
        for threads in [2, 3, 8] {
            let r = Render::new(size);
            let bundles: u32 = std::thread::scope(|s| {
                let hs: Vec<_> = (0..threads).map(|_| s.spawn(|| r.worker())).collect();
                hs.into_iter().map(|h| h.join().expect("worker")).sum()
            });
            assert_eq!(bundles, (40 * 24u32).div_ceil(BUNDLE));
            assert_eq!(r.checksum(), want, "{threads} threads");
        }
    }

    #[test]
    fn the_image_shows_spheres_ground_and_sky() {
        let r = Render::new(TINY);
        r.worker();
        let pixels: Vec<u32> = r.image.iter().map(|p| p.load(Relaxed)).collect();
        let mut distinct = pixels.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() > 500, "a varied image: {} colours", distinct.len());
        // The top row looks over the field at the sky; the bottom row at the ground/spheres.
        let sky_blue = |p: u32| (p & 0xff) > (p >> 16 & 0xff);
        let top = &pixels[..TINY.width as usize];
        assert!(top.iter().filter(|&&p| sky_blue(p)).count() > top.len() / 2);
        assert_eq!(reference(TINY), r.checksum(), "deterministic");
    }

    #[test]
    fn the_bundles_cover_every_pixel_once() {
        for (w, h) in [(40, 24), (128, 128), (7, 13), (1, 1)] {
            let r = Render::new(Size { width: w, height: h, spheres: 1 });
            let n = w * h;
            let mut seen = std::vec![0u8; n as usize];
            for k in 0..n {
                seen[(u64::from(k) * r.stride % u64::from(n)) as usize] += 1;
            }
            assert!(seen.iter().all(|&c| c == 1), "{w}x{h}");
        }
    }

    #[test]
    fn parses_arguments() {
        assert_eq!(parse_args(&[], 1), Ok(Options { threads: 1, size: TINY }));
        // Without -p, a thread per CPU.
        assert_eq!(parse_args(&["full"], 3), Ok(Options { threads: 3, size: FULL }));
        assert_eq!(parse_args(&[], 0), Ok(Options { threads: 1, size: TINY }));
        assert_eq!(parse_args(&["-p", "8", "full"], 2), Ok(Options { threads: 8, size: FULL }));
        let o = parse_args(&["-r", "100x50", "-n", "99", "full"], 1).expect("ok");
        assert_eq!(o.size, Size { width: 100, height: 50, spheres: 99 });
        for bad in [
            &["-p"][..],
            &["-p", "0"],
            &["-p", "x"],
            &["-r", "10"],
            &["-r", "0x5"],
            &["-n", "0"],
            &["huge"],
            &["-p", "100"],
        ] {
            assert!(parse_args(bad, 1).is_err(), "{bad:?}");
        }
    }
}
