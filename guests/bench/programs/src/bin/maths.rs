//! `bench-maths SIZE`: the set's maths computation (see the `benchset` crate), its checksum printed.

#![no_std]
#![no_main]

lrt::entry!(main);

fn main(args: lrt::Args) -> i32 {
    bench_programs::main("maths", args)
}
