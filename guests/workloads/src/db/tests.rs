//! Tests of the database: the tiny tables load, the queries agree with naive versions written
//! with std's collections, and the output is stable.

use std::collections::BTreeMap;
use std::string::String;
use std::vec::Vec;

use super::table::col::{l, o};
use super::{Database, date::date, queries};
use crate::files::MemFiles;
use crate::inputs::tables;

fn tiny() -> Database {
    let mut fs = MemFiles::new();
    for (name, bytes) in tables::generate(&tables::TINY) {
        fs.insert(&format!("data/{name}"), bytes);
    }
    Database::load("data", &mut fs).unwrap()
}

#[test]
fn loads_the_tiny_tables() {
    let db = tiny();
    assert_eq!(
        db.summary(),
        format!(
            "db: 5 regions, 25 nations, 10 suppliers, 150 customers, 1500 orders, {} lineitems",
            db.lineitem.rows
        )
    );
    assert!((4000..8000).contains(&db.lineitem.rows));
    assert!(db.footprint() > 150_000, "{}", db.footprint());
    // Ship-date order.
    for row in 1..db.lineitem.rows {
        assert!(db.lineitem.get(row - 1, l::SHIPDATE) <= db.lineitem.get(row, l::SHIPDATE));
    }
}

#[test]
fn q3_matches_a_naive_join() {
    let db = tiny();
    let day = u32::from(date(1995, 3, 15));
    let building: Vec<u32> = (0..db.customer.rows)
        .filter(|&r| db.customer.get(r, 3) == 1)
        .map(|r| db.customer.get(r, 0))
        .collect();
    let mut orders = BTreeMap::new();
    for r in 0..db.orders.rows {
        if db.orders.get(r, o::ORDERDATE) < day && building.contains(&db.orders.get(r, o::CUSTKEY))
        {
            orders.insert(db.orders.get(r, o::ORDERKEY), db.orders.get(r, o::ORDERDATE));
        }
    }
    let mut revenue: BTreeMap<u32, u64> = BTreeMap::new();
    for r in 0..db.lineitem.rows {
        let k = db.lineitem.get(r, l::ORDERKEY);
        if db.lineitem.get(r, l::SHIPDATE) > day && orders.contains_key(&k) {
            let p = u64::from(db.lineitem.get(r, l::EXTENDEDPRICE))
                * u64::from(100 - db.lineitem.get(r, l::DISCOUNT));
            *revenue.entry(k).or_default() += p;
        }
    }
    let mut v: Vec<(u64, u32, u32)> = revenue.iter().map(|(k, r)| (*r, orders[k], *k)).collect();
    v.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let q = queries::q3(&db);
    assert!(!v.is_empty());
    assert_eq!(q.rows.len(), v.len().min(10));
    for (row, (_, _, key)) in q.rows.iter().zip(&v) {
        assert!(row.starts_with(&format!("{key}|")), "{row} vs {key}");
    }
}

#[test]
fn q6_and_q18_match_naive_versions() {
    let db = tiny();
    let li = &db.lineitem;
    let (lo, hi) = (u32::from(date(1994, 1, 1)), u32::from(date(1995, 1, 1)));
    let sum: u64 = (0..li.rows)
        .filter(|&r| {
            let d = li.get(r, l::SHIPDATE);
            d >= lo
                && d < hi
                && (5..=7).contains(&li.get(r, l::DISCOUNT))
                && li.get(r, l::QUANTITY) < 24
        })
        .map(|r| u64::from(li.get(r, l::EXTENDEDPRICE)) * u64::from(li.get(r, l::DISCOUNT)))
        .sum();
    assert!(queries::q6(&db).rows[0].starts_with(&format!(
        "{}.{:02}|",
        sum / 10_000,
        sum / 100 % 100
    )));
    let mut qty: BTreeMap<u32, u32> = BTreeMap::new();
    for r in 0..li.rows {
        *qty.entry(li.get(r, l::ORDERKEY)).or_default() += li.get(r, l::QUANTITY);
    }
    let big = qty.values().filter(|&&q| q > 300).count();
    assert_eq!(queries::q18(&db).rows.len(), big.min(100));
}

#[test]
fn q13_accounts_for_every_customer() {
    let db = tiny();
    let q = queries::q13(&db);
    let total: u32 =
        q.rows.iter().map(|r| r.split('|').nth(1).unwrap().parse::<u32>().unwrap()).sum();
    assert_eq!(total as usize, db.customer.rows);
    let orders: u32 = q
        .rows
        .iter()
        .map(|r| {
            let mut f = r.split('|').map(|x| x.parse::<u32>().unwrap());
            f.next().unwrap() * f.next().unwrap()
        })
        .sum();
    assert_eq!(orders as usize, db.orders.rows);
}

#[test]
fn prints_one_line_per_query_and_a_checksum() {
    let mut fs = MemFiles::new();
    for (name, bytes) in tables::generate(&tables::TINY) {
        fs.insert(&name, bytes);
    }
    let lines = super::run_lines(".", &mut fs, false).unwrap();
    for l in &lines {
        std::println!("{l}");
    }
    assert_eq!(lines.len(), 11);
    assert!(lines[10].starts_with("db: checksum "));
    let verbose = super::run_lines(".", &mut fs, true).unwrap();
    assert!(verbose.len() > lines.len());
    let again: Vec<String> = super::run_lines(".", &mut fs, false).unwrap();
    assert_eq!(again, lines);
    assert!(super::run_lines("nowhere", &mut fs, false).is_err());
}
