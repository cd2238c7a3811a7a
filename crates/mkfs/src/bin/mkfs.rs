//! `mkfs <image> <directory> [size-MB] [inodes]`: writes a dux disk image holding the
//! directory's tree.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: mkfs <image> <directory> [size-MB (default 32)] [inodes (default 1024)]");
        return ExitCode::from(2);
    }
    let mb: u32 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(32);
    let inodes: u32 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1024);
    let result = mkfs::Tree::from_dir(std::path::Path::new(&args[2]))
        .and_then(|t| mkfs::Image::build(&t, mb * 256, inodes))
        .and_then(|img| {
            std::fs::write(&args[1], img.bytes()).map_err(|e| mkfs::MkfsError::Io(e.to_string()))
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mkfs: {e}");
            ExitCode::FAILURE
        }
    }
}
