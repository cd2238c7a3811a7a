//! Symbol lookup in a guest ELF image, so a stuck run can say where each CPU is
//! (`kernel::proc::sched+0x3c`) rather than print a bare address.

use object::{Object, ObjectSymbol, SymbolKind};

/// The function symbols of an image, sorted by address.
#[derive(Debug, Default)]
pub struct Symbols {
    funcs: Vec<(u32, u32, String)>,
}

impl Symbols {
    /// Reads the symbol table; an image without one (or not an ELF) gives an empty table.
    pub fn new(image: &[u8]) -> Symbols {
        let Ok(file) = object::File::parse(image) else {
            return Symbols::default();
        };
        let mut funcs: Vec<(u32, u32, String)> = file
            .symbols()
            .filter(|s| s.kind() == SymbolKind::Text)
            .filter_map(|s| {
                let name = s.name().ok()?;
                Some((s.address() as u32, s.size() as u32, name.to_string()))
            })
            .collect();
        funcs.sort();
        Symbols { funcs }
    }

    /// The function holding `addr` (its start and raw name), if a known function does.
    fn holding(&self, addr: u32) -> Option<(u32, &str)> {
        let i = self.funcs.partition_point(|f| f.0 <= addr);
        let (start, size, name) = self.funcs.get(i.checked_sub(1)?)?;
        (addr - start < (*size).max(1)).then_some((*start, name.as_str()))
    }

    /// The demangled name of the function holding `addr`, if a known function does.
    pub fn function(&self, addr: u32) -> Option<String> {
        self.holding(addr).map(|(_, name)| demangle(name))
    }

    /// `name+0xoff` for an address inside a known function, else the address in hex.
    pub fn describe(&self, addr: u32) -> String {
        match self.holding(addr) {
            Some((start, name)) => format!("{:#010x} {}+{:#x}", addr, demangle(name), addr - start),
            None => format!("{addr:#010x}"),
        }
    }
}

fn demangle(name: &str) -> String {
    format!("{:#}", rustc_demangle::demangle(name))
}

#[cfg(test)]
mod tests {
    use super::demangle;

    #[test]
    fn names_lose_their_hash() {
        assert_eq!(demangle("_ZN6kernel4proc5sched17h0123456789abcdefE"), "kernel::proc::sched");
        assert_eq!(
            demangle("_RNvNtCscn0P7fcG71K_6kernel4proc9scheduler"),
            "kernel::proc::scheduler"
        );
        assert_eq!(demangle("memcpy"), "memcpy");
    }
}
