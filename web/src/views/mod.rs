//! The panels of the page, one file each.

pub mod controls;
pub mod header;
pub mod panel;
pub mod status_bar;
