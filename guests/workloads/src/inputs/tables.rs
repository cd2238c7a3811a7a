//! The database's tables, TPC-H style: `region`, `nation`, `supplier`, `customer`, `orders`,
//! `lineitem`, as `<name>.tbl` files in the format of [`crate::db::table`].
//!
//! The value distributions follow the TPC-H specification where it matters to the queries
//! (dates, order and line counts, quantities, prices, discounts, flags; a third of the
//! customers never order). Order keys are sparse as in TPC-H (8 used out of every 32), and
//! `lineitem` is written in ship-date order, as a table clustered on its date would be.

use alloc::string::String;
use alloc::vec::Vec;

use crate::db::date::date;
use crate::db::names::{NATIONS, PRIORITIES, REGIONS, SEGMENTS, SHIPMODES};
use crate::db::table::{self, TableWriter, Value};
use crate::rng::Rng;

/// How big a database to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DbSize {
    /// Customers (TPC-H: 150,000 × scale factor).
    pub customers: u32,
    /// Orders (TPC-H: 10 per customer); about 4 lineitems each.
    pub orders: u32,
    /// Suppliers (TPC-H: 10,000 × scale factor).
    pub suppliers: u32,
    /// The random seed.
    pub seed: u64,
}

/// TPC-H scale factor 0.001: a few hundred kilobytes.
pub const TINY: DbSize = DbSize { customers: 150, orders: 1_500, suppliers: 10, seed: 1997 };

/// TPC-H scale factor 0.1: tens of megabytes.
pub const FULL: DbSize =
    DbSize { customers: 15_000, orders: 150_000, suppliers: 1_000, seed: 1997 };

/// The day the data was "taken" (TPC-H's CURRENTDATE): decides return flags and line status.
const CURRENT: u16 = date(1995, 6, 17);

/// The generated files: (file name, contents), sorted by name.
pub fn generate(size: &DbSize) -> Vec<(String, Vec<u8>)> {
    let mut rng = Rng::new(size.seed);
    let mut files = Vec::new();
    let mut add = |schema: &table::Schema, bytes: Vec<u8>| {
        files.push((alloc::format!("{}.tbl", schema.name), bytes))
    };

    let mut w = TableWriter::new(table::REGION, REGIONS.len());
    for (k, name) in REGIONS.iter().enumerate() {
        w.row(&[Value::Int(k as u32), Value::Text(name)]);
    }
    add(&table::REGION, w.finish());

    let mut w = TableWriter::new(table::NATION, NATIONS.len());
    for (k, (name, region)) in NATIONS.iter().enumerate() {
        w.row(&[Value::Int(k as u32), Value::Text(name), Value::Int(u32::from(*region))]);
    }
    add(&table::NATION, w.finish());

    let mut w = TableWriter::new(table::SUPPLIER, size.suppliers as usize);
    for key in 1..=size.suppliers {
        let balance = rng.range(0, 1_099_998) as i32 - 99_999; // -999.99 .. 9999.99
        w.row(&[Value::Int(key), Value::Int(rng.below(25)), Value::Int(balance as u32)]);
    }
    add(&table::SUPPLIER, w.finish());

    let mut w = TableWriter::new(table::CUSTOMER, size.customers as usize);
    for key in 1..=size.customers {
        let balance = rng.range(0, 1_099_998) as i32 - 99_999;
        let segment = rng.below(SEGMENTS.len() as u32);
        w.row(&[
            Value::Int(key),
            Value::Int(rng.below(25)),
            Value::Int(balance as u32),
            Value::Int(segment),
        ]);
    }
    add(&table::CUSTOMER, w.finish());

    let (orders, lines) = orders_and_lines(size, &mut rng);
    let mut w = TableWriter::new(table::ORDERS, orders.len());
    for o in &orders {
        w.row(&o.map(Value::Int));
    }
    add(&table::ORDERS, w.finish());
    let mut w = TableWriter::new(table::LINEITEM, lines.len());
    for li in &lines {
        w.row(&li.map(Value::Int));
    }
    add(&table::LINEITEM, w.finish());

    files.sort();
    files
}

/// TPC-H's retail price of a part, in cents.
fn retail_price(part: u32) -> u32 {
    90_000 + (part / 10) % 20_001 + 100 * (part % 1_000)
}

/// The orders and their lines, as column values in schema order.
fn orders_and_lines(size: &DbSize, rng: &mut Rng) -> (Vec<[u32; 7]>, Vec<[u32; 14]>) {
    let parts = (size.customers * 4 / 3).max(10);
    let last_order_day = u32::from(date(1998, 12, 31)) - 151;
    let mut orders = Vec::with_capacity(size.orders as usize);
    let mut lines: Vec<[u32; 14]> = Vec::with_capacity(size.orders as usize * 4);
    for i in 0..size.orders {
        let key = (i / 8) * 32 + i % 8 + 1;
        // Customers whose key is a multiple of 3 never order.
        let mut cust = rng.range(1, size.customers.max(2));
        if cust.is_multiple_of(3) {
            cust -= 1;
        }
        let day = rng.range(0, last_order_day);
        let (mut total, mut shipped, n) = (0u64, 0, rng.range(1, 7));
        for line in 1..=n {
            let part = rng.range(1, parts);
            let qty = rng.range(1, 50);
            let price = qty * retail_price(part);
            let (discount, tax) = (rng.range(0, 10), rng.range(0, 8));
            let ship = day + rng.range(1, 121);
            let commit = day + rng.range(30, 90);
            let receipt = ship + rng.range(1, 30);
            let flag = if receipt <= u32::from(CURRENT) { *rng.pick(b"RA") } else { b'N' };
            let status = if ship > u32::from(CURRENT) { b'O' } else { b'F' };
            shipped += u32::from(status == b'F');
            total += u64::from(price) * u64::from(100 + tax) * u64::from(100 - discount) / 10_000;
            let supp = rng.range(1, size.suppliers);
            let mode = rng.below(SHIPMODES.len() as u32);
            lines.push([
                key,
                part,
                supp,
                line,
                qty,
                price,
                discount,
                tax,
                u32::from(flag),
                u32::from(status),
                ship,
                commit,
                receipt,
                mode,
            ]);
        }
        let status = if shipped == n {
            b'F'
        } else if shipped == 0 {
            b'O'
        } else {
            b'P'
        };
        let priority = rng.range(1, PRIORITIES.len() as u32);
        orders.push([key, cust, u32::from(status), total as u32, day, priority, 0]);
    }
    // Clustered by ship date (then order and line number).
    lines.sort_by_key(|li| (li[10], li[0], li[3]));
    (orders, lines)
}
