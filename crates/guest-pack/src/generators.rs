//! The deterministic generators whose files a shipped disk image may leave out: the worker runs
//! the same code to make them again (see [`crate::manifest`]).
//!
//! A generator is named by a fixed string (`db-tables/full`) that the manifest of a shipped image
//! records; it makes a set of named files, always the same bytes. Adding one here is all it takes
//! for `cargo xtask web` to leave its files out of the images that hold them (the image's
//! variant says which of its files come from which generator: `rootfs::generated`).

use workloads::inputs::tables;

/// A deterministic maker of files, by name.
#[derive(Clone, Copy, Debug)]
pub struct Generator {
    /// The name the manifests record (`db-tables/full`).
    pub name: &'static str,
    /// Makes the files: (file name, contents), in a fixed order.
    run: fn() -> Vec<(String, Vec<u8>)>,
}

impl Generator {
    /// The generated files: (file name, contents). The same bytes on every call, on every host.
    pub fn generate(&self) -> Vec<(String, Vec<u8>)> {
        (self.run)()
    }
}

/// Every generator the worker can run.
pub const GENERATORS: &[Generator] = &[
    // The database's tables at TPC-H scale 0.001.
    Generator { name: "db-tables/tiny", run: || tables::generate(&tables::TINY) },
    // The database's tables at TPC-H scale 0.1.
    Generator { name: "db-tables/full", run: || tables::generate(&tables::FULL) },
];

/// The generator called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Generator> {
    GENERATORS.iter().find(|g| g.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        for (i, g) in GENERATORS.iter().enumerate() {
            assert_eq!(find(g.name).map(|f| f.name), Some(g.name));
            assert!(GENERATORS[..i].iter().all(|o| o.name != g.name), "{} twice", g.name);
            assert!(!g.name.contains(char::is_whitespace), "{}: names are one word", g.name);
        }
        assert!(find("db-tables/huge").is_none());
    }

    #[test]
    fn the_tiny_tables_are_the_same_every_time() {
        let g = find("db-tables/tiny").expect("registered");
        let a = g.generate();
        assert!(a.iter().any(|(name, _)| name == "lineitem.tbl"), "{:?}", a.len());
        assert!(a == g.generate());
    }
}
