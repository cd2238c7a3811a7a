//! Tables on disk and in memory: a compact binary row format, the schema of each TPC-H-like
//! table, and accessors that read a field straight out of the packed rows (as a database reads
//! tuples out of its pages).
//!
//! ```text
//! file     "DTB1"  u32 rows  u16 columns  u16 row_bytes
//!          columns × { name: 15 bytes, NUL-padded; type: u8 }
//!          rows × row_bytes: the fields of each row, packed, in column order
//! type     1, 2, 4: unsigned little-endian integer of that many bytes
//!          0x80 | n: text of n bytes, NUL-padded
//! ```
//!
//! Signed values (account balances) are stored as `u32` two's complement. Money is in cents,
//! dates are days since 1992-01-01 ([`super::date`]), discounts and taxes are percents, and
//! small enumerations (market segment, priority, ship mode) are numbers whose names are in
//! [`super::names`].

use alloc::string::String;
use alloc::vec::Vec;

/// A column's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColType {
    /// One byte.
    U8,
    /// Two bytes.
    U16,
    /// Four bytes.
    U32,
    /// Text of this many bytes, NUL-padded.
    Text(u8),
}

impl ColType {
    /// Bytes it takes in a row.
    pub const fn width(self) -> usize {
        match self {
            ColType::U8 => 1,
            ColType::U16 => 2,
            ColType::U32 => 4,
            ColType::Text(n) => n as usize,
        }
    }

    const fn code(self) -> u8 {
        match self {
            ColType::Text(n) => 0x80 | n,
            t => t.width() as u8,
        }
    }
}

/// A table's layout: its name and columns.
#[derive(Clone, Copy, Debug)]
pub struct Schema {
    /// Table name (`lineitem` is stored in `lineitem.tbl`).
    pub name: &'static str,
    /// Columns: name and type.
    pub columns: &'static [(&'static str, ColType)],
}

use ColType::{Text, U8, U16, U32};

/// `region`: the five regions.
pub const REGION: Schema =
    Schema { name: "region", columns: &[("r_regionkey", U8), ("r_name", Text(12))] };
/// `nation`: the 25 nations and their regions.
pub const NATION: Schema = Schema {
    name: "nation",
    columns: &[("n_nationkey", U8), ("n_name", Text(16)), ("n_regionkey", U8)],
};
/// `supplier`.
pub const SUPPLIER: Schema = Schema {
    name: "supplier",
    columns: &[("s_suppkey", U16), ("s_nationkey", U8), ("s_acctbal", U32)],
};
/// `customer`.
pub const CUSTOMER: Schema = Schema {
    name: "customer",
    columns: &[("c_custkey", U32), ("c_nationkey", U8), ("c_acctbal", U32), ("c_mktsegment", U8)],
};
/// `orders`.
pub const ORDERS: Schema = Schema {
    name: "orders",
    columns: &[
        ("o_orderkey", U32),
        ("o_custkey", U32),
        ("o_orderstatus", U8),
        ("o_totalprice", U32),
        ("o_orderdate", U16),
        ("o_orderprio", U8),
        ("o_shipprio", U8),
    ],
};
/// `lineitem`: the big one.
pub const LINEITEM: Schema = Schema {
    name: "lineitem",
    columns: &[
        ("l_orderkey", U32),
        ("l_partkey", U32),
        ("l_suppkey", U16),
        ("l_linenumber", U8),
        ("l_quantity", U8),
        ("l_extprice", U32),
        ("l_discount", U8),
        ("l_tax", U8),
        ("l_returnflag", U8),
        ("l_linestatus", U8),
        ("l_shipdate", U16),
        ("l_commitdate", U16),
        ("l_receiptdate", U16),
        ("l_shipmode", U8),
    ],
};

/// Every table, in the order the database loads them.
pub const ALL: [Schema; 6] = [REGION, NATION, SUPPLIER, CUSTOMER, ORDERS, LINEITEM];

/// Column numbers, one module per table.
#[allow(missing_docs)]
pub mod col {
    pub mod r {
        pub const REGIONKEY: usize = 0;
        pub const NAME: usize = 1;
    }
    pub mod n {
        pub const NATIONKEY: usize = 0;
        pub const NAME: usize = 1;
        pub const REGIONKEY: usize = 2;
    }
    pub mod s {
        pub const SUPPKEY: usize = 0;
        pub const NATIONKEY: usize = 1;
        pub const ACCTBAL: usize = 2;
    }
    pub mod c {
        pub const CUSTKEY: usize = 0;
        pub const NATIONKEY: usize = 1;
        pub const ACCTBAL: usize = 2;
        pub const MKTSEGMENT: usize = 3;
    }
    pub mod o {
        pub const ORDERKEY: usize = 0;
        pub const CUSTKEY: usize = 1;
        pub const ORDERSTATUS: usize = 2;
        pub const TOTALPRICE: usize = 3;
        pub const ORDERDATE: usize = 4;
        pub const ORDERPRIORITY: usize = 5;
        pub const SHIPPRIORITY: usize = 6;
    }
    pub mod l {
        pub const ORDERKEY: usize = 0;
        pub const PARTKEY: usize = 1;
        pub const SUPPKEY: usize = 2;
        pub const LINENUMBER: usize = 3;
        pub const QUANTITY: usize = 4;
        pub const EXTENDEDPRICE: usize = 5;
        pub const DISCOUNT: usize = 6;
        pub const TAX: usize = 7;
        pub const RETURNFLAG: usize = 8;
        pub const LINESTATUS: usize = 9;
        pub const SHIPDATE: usize = 10;
        pub const COMMITDATE: usize = 11;
        pub const RECEIPTDATE: usize = 12;
        pub const SHIPMODE: usize = 13;
    }
}

const MAGIC: &[u8; 4] = b"DTB1";
const NAME_BYTES: usize = 15;

fn row_bytes(schema: &Schema) -> usize {
    schema.columns.iter().map(|c| c.1.width()).sum()
}

fn header_bytes(schema: &Schema) -> usize {
    12 + schema.columns.len() * (NAME_BYTES + 1)
}

/// A loaded table: the file's bytes, read in place.
#[derive(Clone, Debug)]
pub struct Table {
    /// How many rows.
    pub rows: usize,
    row_bytes: usize,
    /// Where the rows start in `data`.
    base: usize,
    /// Per column: offset in the row and type.
    cols: Vec<(usize, ColType)>,
    data: Vec<u8>,
}

impl Table {
    /// Takes a table file's bytes, checking them against the schema.
    pub fn decode(data: Vec<u8>, schema: &Schema) -> Result<Table, String> {
        let bad = |what: &str| Err(alloc::format!("{}: {what}", schema.name));
        if data.len() < 12 || &data[..4] != MAGIC {
            return bad("not a table file");
        }
        let rows = u32::from_le_bytes([data[4], data[5], data[6], data[7]]) as usize;
        let ncols = usize::from(u16::from_le_bytes([data[8], data[9]]));
        let rb = usize::from(u16::from_le_bytes([data[10], data[11]]));
        if ncols != schema.columns.len() || rb != row_bytes(schema) {
            return bad("columns differ from the schema");
        }
        let base = header_bytes(schema);
        if data.len() < base {
            return bad("truncated header");
        }
        let mut cols = Vec::with_capacity(ncols);
        let mut offset = 0;
        for (i, (name, ty)) in schema.columns.iter().enumerate() {
            let h = &data[12 + i * (NAME_BYTES + 1)..12 + (i + 1) * (NAME_BYTES + 1)];
            let stored = &h[..NAME_BYTES];
            let len = stored.iter().position(|&b| b == 0).unwrap_or(NAME_BYTES);
            if &stored[..len] != name.as_bytes() || h[NAME_BYTES] != ty.code() {
                return bad(&alloc::format!("column {i} is not `{name}`"));
            }
            cols.push((offset, *ty));
            offset += ty.width();
        }
        if rows.checked_mul(rb).and_then(|n| n.checked_add(base)) != Some(data.len()) {
            return bad("size does not match the row count");
        }
        Ok(Table { rows, row_bytes: rb, base, cols, data })
    }

    /// An integer field.
    pub fn get(&self, row: usize, col: usize) -> u32 {
        let (offset, ty) = self.cols[col];
        let p = self.base + row * self.row_bytes + offset;
        let b = &self.data;
        match ty {
            U8 => u32::from(b[p]),
            U16 => u32::from(u16::from_le_bytes([b[p], b[p + 1]])),
            U32 => u32::from_le_bytes([b[p], b[p + 1], b[p + 2], b[p + 3]]),
            Text(_) => 0,
        }
    }

    /// A text field (without its padding).
    pub fn text(&self, row: usize, col: usize) -> &str {
        let (offset, ty) = self.cols[col];
        let p = self.base + row * self.row_bytes + offset;
        let raw = &self.data[p..p + ty.width()];
        let len = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
        core::str::from_utf8(&raw[..len]).unwrap_or("?")
    }

    /// Bytes of memory it takes.
    pub fn footprint(&self) -> usize {
        self.data.len()
    }
}

/// A field value for [`TableWriter`].
#[derive(Clone, Copy, Debug)]
pub enum Value<'a> {
    /// An integer (truncated to the column's width).
    Int(u32),
    /// Text (cut to the column's width).
    Text(&'a str),
}

/// Writes a table file row by row.
pub struct TableWriter {
    schema: Schema,
    rows: u32,
    out: Vec<u8>,
}

impl TableWriter {
    /// A writer for `schema`, room reserved for `rows` rows.
    pub fn new(schema: Schema, rows: usize) -> Self {
        let mut out = Vec::with_capacity(header_bytes(&schema) + rows * row_bytes(&schema));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[0; 4]); // the row count, filled in by `finish`
        out.extend_from_slice(&(schema.columns.len() as u16).to_le_bytes());
        out.extend_from_slice(&(row_bytes(&schema) as u16).to_le_bytes());
        for (name, ty) in schema.columns {
            let mut field = [0u8; NAME_BYTES];
            field[..name.len()].copy_from_slice(name.as_bytes());
            out.extend_from_slice(&field);
            out.push(ty.code());
        }
        TableWriter { schema, rows: 0, out }
    }

    /// Appends a row (one value per column, in order).
    pub fn row(&mut self, values: &[Value<'_>]) {
        assert_eq!(
            values.len(),
            self.schema.columns.len(),
            "{}: wrong number of values",
            self.schema.name
        );
        for (v, (_, ty)) in values.iter().zip(self.schema.columns) {
            match (*v, *ty) {
                (Value::Text(s), Text(n)) => {
                    let n = usize::from(n);
                    let b = &s.as_bytes()[..s.len().min(n)];
                    self.out.extend_from_slice(b);
                    self.out.resize(self.out.len() + n - b.len(), 0);
                }
                (Value::Int(x), ty) => {
                    self.out.extend_from_slice(&x.to_le_bytes()[..ty.width().min(4)])
                }
                (Value::Text(_), _) => panic!("{}: text in an integer column", self.schema.name),
            }
        }
        self.rows += 1;
    }

    /// The file's bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.out[4..8].copy_from_slice(&self.rows.to_le_bytes());
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_reads_back() {
        let mut w = TableWriter::new(NATION, 2);
        w.row(&[Value::Int(3), Value::Text("CANADA"), Value::Int(1)]);
        w.row(&[Value::Int(23), Value::Text("UNITED KINGDOM AND MORE"), Value::Int(3)]);
        let bytes = w.finish();
        let t = Table::decode(bytes.clone(), &NATION).unwrap();
        assert_eq!(t.rows, 2);
        assert_eq!(t.get(0, col::n::NATIONKEY), 3);
        assert_eq!(t.text(0, col::n::NAME), "CANADA");
        assert_eq!(t.text(1, col::n::NAME), "UNITED KINGDOM A");
        assert_eq!(t.get(1, col::n::REGIONKEY), 3);
        assert!(Table::decode(bytes.clone(), &REGION).is_err());
        assert!(Table::decode(bytes[..bytes.len() - 1].to_vec(), &NATION).is_err());
        let mut renamed = bytes;
        renamed[12] = b'x';
        assert!(Table::decode(renamed, &NATION).is_err());
    }
}
