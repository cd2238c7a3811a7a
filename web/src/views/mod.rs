//! The panels of the page, one file each, and the pieces they share.

pub mod canvas;
pub mod compare;
pub mod consoles;
pub mod controls;
pub mod glossary;
pub mod header;
pub mod ledger;
pub mod machine;
pub mod numa;
pub mod page_map;
pub mod panel;
pub mod paper;
pub mod scenario_form;
pub mod services;
pub mod sharing;
pub mod status_bar;
pub mod summary;
pub mod timeline;
