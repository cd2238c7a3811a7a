//! The decision-support database: the paper's Database workload (Sybase running decision
//! support queries), reduced to its memory behaviour.
//!
//! `db` loads six TPC-H-like tables ([`table`]) into memory as they are on disk (packed rows),
//! builds hash indexes on the keys ([`index`]), and answers eight fixed queries ([`queries`])
//! modelled on TPC-H Q1, Q3, Q5, Q6, Q10, Q12, Q13 and Q18: scans with predicates, hash joins,
//! group-by aggregation, top-k sorts. `lineitem`, the largest table, is stored in ship-date
//! order, so the joins from it to `orders` look up order keys in random order: each probe
//! lands somewhere else in a multi-megabyte hash table, which is what keeps the TLB busy.
//! At full size the tables and indexes take tens of megabytes; tiny, a few hundred kilobytes.
//!
//! Everything is integer arithmetic: money in cents, discounts and taxes in percent. Each
//! query prints one line, `Qn title: summary [hash]`, where the hash is FNV-1a 64 of all its
//! result rows (shown with `db -v`); the last line, `db: checksum H`, hashes all the rows of
//! all the queries.

pub mod date;
pub mod index;
pub mod names;
pub mod queries;
pub mod table;

use alloc::string::String;
use alloc::vec::Vec;

use crate::files::{self, Files};
use crate::hash::Fnv64;
use index::IntMap;
use table::{Schema, Table, col};

/// The loaded tables and their indexes.
pub struct Database {
    /// `region`.
    pub region: Table,
    /// `nation`.
    pub nation: Table,
    /// `supplier`.
    pub supplier: Table,
    /// `customer`.
    pub customer: Table,
    /// `orders`.
    pub orders: Table,
    /// `lineitem`.
    pub lineitem: Table,
    /// `o_orderkey` → row of `orders`.
    pub order_index: IntMap<u32>,
    /// `c_custkey` → row of `customer`.
    pub customer_index: IntMap<u32>,
    /// `s_suppkey` → row of `supplier`.
    pub supplier_index: IntMap<u32>,
}

impl Database {
    /// Loads `<dir>/<table>.tbl` for every table and builds the indexes.
    pub fn load(dir: &str, fs: &mut dyn Files) -> Result<Database, String> {
        let mut read = |schema: &Schema| -> Result<Table, String> {
            let path = files::join(dir, &alloc::format!("{}.tbl", schema.name));
            Table::decode(fs.read(&path)?, schema).map_err(|e| alloc::format!("{path}: {e}"))
        };
        let [region, nation, supplier, customer, orders, lineitem] = [
            read(&table::REGION)?,
            read(&table::NATION)?,
            read(&table::SUPPLIER)?,
            read(&table::CUSTOMER)?,
            read(&table::ORDERS)?,
            read(&table::LINEITEM)?,
        ];
        let index = |t: &Table, key: usize| {
            let mut m = IntMap::with_capacity(t.rows);
            for row in 0..t.rows {
                m.insert(t.get(row, key), row as u32);
            }
            m
        };
        Ok(Database {
            order_index: index(&orders, col::o::ORDERKEY),
            customer_index: index(&customer, col::c::CUSTKEY),
            supplier_index: index(&supplier, col::s::SUPPKEY),
            region,
            nation,
            supplier,
            customer,
            orders,
            lineitem,
        })
    }

    /// Bytes of memory the tables and indexes take.
    pub fn footprint(&self) -> usize {
        [&self.region, &self.nation, &self.supplier, &self.customer, &self.orders, &self.lineitem]
            .iter()
            .map(|t| t.footprint())
            .sum::<usize>()
            + self.order_index.footprint()
            + self.customer_index.footprint()
            + self.supplier_index.footprint()
    }

    /// The first line db prints: what it loaded.
    pub fn summary(&self) -> String {
        alloc::format!(
            "db: {} regions, {} nations, {} suppliers, {} customers, {} orders, {} lineitems",
            self.region.rows,
            self.nation.rows,
            self.supplier.rows,
            self.customer.rows,
            self.orders.rows,
            self.lineitem.rows
        )
    }
}

/// What a query found: a one-line summary and all its rows.
#[derive(Clone, Debug)]
pub struct QueryResult {
    /// `Q1`, `Q3`, ...
    pub id: &'static str,
    /// What it asks.
    pub title: &'static str,
    /// The key numbers.
    pub summary: String,
    /// Every result row, `|`-separated fields.
    pub rows: Vec<String>,
}

impl QueryResult {
    /// FNV-1a 64 of the rows, each followed by a newline.
    pub fn hash(&self) -> u64 {
        let mut h = Fnv64::new();
        for r in &self.rows {
            h.write(r.as_bytes());
            h.write(b"\n");
        }
        h.finish()
    }

    /// The line db prints for it.
    pub fn line(&self) -> String {
        alloc::format!("{} {}: {} [{:016x}]", self.id, self.title, self.summary, self.hash())
    }
}

/// Runs `db [-v] dir`, giving each line to `out` as soon as it is known: the load summary, the
/// memory the tables and indexes take, one line per query (followed by its rows, indented, if
/// `verbose`), and the checksum line.
pub fn run(
    dir: &str,
    fs: &mut dyn Files,
    verbose: bool,
    out: &mut dyn FnMut(&str),
) -> Result<(), String> {
    let db = Database::load(dir, fs)?;
    out(&db.summary());
    out(&alloc::format!("db: {} bytes in tables and indexes", db.footprint()));
    let mut all = Fnv64::new();
    for query in queries::ALL {
        let q = query(&db);
        out(&q.line());
        all.write_u64(q.hash());
        if verbose {
            for r in &q.rows {
                out(&alloc::format!("  {r}"));
            }
        }
    }
    out(&alloc::format!("db: checksum {:016x}", all.finish()));
    Ok(())
}

/// [`run`], collecting the lines (for the host).
pub fn run_lines(dir: &str, fs: &mut dyn Files, verbose: bool) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    run(dir, fs, verbose, &mut |l| lines.push(String::from(l)))?;
    Ok(lines)
}

/// Cents as dollars: `1234.56`.
pub fn money(cents: u64) -> String {
    alloc::format!("{}.{:02}", cents / 100, cents % 100)
}

/// Signed cents as dollars.
pub fn money_signed(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    alloc::format!("{sign}{}", money(cents.unsigned_abs()))
}

#[cfg(test)]
mod tests;
