//! The eight queries, after TPC-H's Q1, Q3, Q5, Q6, Q10, Q12, Q13 and Q18 with their standard
//! parameters. Each is written the way a simple database executes it: scan, filter, build a
//! hash table on the smaller side, probe it from the larger, aggregate into another hash table,
//! sort what is left. Ties are broken on keys, so every result has one correct order.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::date::{date, show};
use super::index::IntMap;
use super::names::{SEGMENTS, SHIPMODES, code};
use super::table::col::{c, l, n, o, r, s};
use super::{Database, QueryResult, money, money_signed};

/// Every query, in the order db runs them.
pub const ALL: [fn(&Database) -> QueryResult; 8] = [q1, q3, q5, q6, q10, q12, q13, q18];

/// `price * (1 - discount)` in hundredths of a cent (discount in percent).
fn disc_price(db: &Database, row: usize) -> u64 {
    let li = &db.lineitem;
    u64::from(li.get(row, l::EXTENDEDPRICE)) * u64::from(100 - li.get(row, l::DISCOUNT).min(100))
}

/// Nation names by key.
fn nation_names(db: &Database) -> Vec<String> {
    let mut names = vec![String::from("?"); 256];
    for row in 0..db.nation.rows {
        names[db.nation.get(row, n::NATIONKEY) as usize & 0xFF] =
            db.nation.text(row, n::NAME).into();
    }
    names
}

/// Q1, pricing summary report: lineitems shipped by 90 days before 1998-12-01, grouped by
/// return flag and line status.
pub fn q1(db: &Database) -> QueryResult {
    #[derive(Default, Clone, Copy)]
    struct Agg {
        qty: u64,
        base: u64,
        disc: u64,
        charge: u64,
        discount: u64,
        count: u64,
    }
    let li = &db.lineitem;
    let cutoff = u32::from(date(1998, 12, 1) - 90);
    let mut groups: Vec<((u8, u8), Agg)> = Vec::new();
    for row in 0..li.rows {
        if li.get(row, l::SHIPDATE) > cutoff {
            continue;
        }
        let key = (li.get(row, l::RETURNFLAG) as u8, li.get(row, l::LINESTATUS) as u8);
        let g = match groups.iter().position(|g| g.0 == key) {
            Some(i) => &mut groups[i].1,
            None => {
                groups.push((key, Agg::default()));
                &mut groups.last_mut().expect("just pushed").1
            }
        };
        let price = u64::from(li.get(row, l::EXTENDEDPRICE));
        let dp = disc_price(db, row);
        g.qty += u64::from(li.get(row, l::QUANTITY));
        g.base += price;
        g.disc += dp;
        g.charge += dp * u64::from(100 + li.get(row, l::TAX));
        g.discount += u64::from(li.get(row, l::DISCOUNT));
        g.count += 1;
    }
    groups.sort_by_key(|g| g.0);
    let rows = groups
        .iter()
        .map(|((flag, status), g)| {
            alloc::format!(
                "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
                *flag as char,
                *status as char,
                g.qty,
                money(g.base),
                money(g.disc / 100),
                money(g.charge / 10_000),
                money(g.qty * 100 / g.count),
                money(g.base / g.count),
                money(g.discount * 100 / g.count),
                g.count
            )
        })
        .collect();
    let count: u64 = groups.iter().map(|g| g.1.count).sum();
    let charge: u64 = groups.iter().map(|g| g.1.charge).sum();
    let summary = alloc::format!(
        "{} groups, {count} lineitems, charge {}",
        groups.len(),
        money(charge / 10_000)
    );
    QueryResult { id: "Q1", title: "pricing summary", summary, rows }
}

/// Q3, shipping priority: the ten unshipped orders (as of 1995-03-15) of BUILDING customers
/// with the most revenue.
pub fn q3(db: &Database) -> QueryResult {
    let day = u32::from(date(1995, 3, 15));
    let segment = code(&SEGMENTS, "BUILDING");
    let mut customers = IntMap::<u32>::with_capacity(db.customer.rows / 4);
    for row in 0..db.customer.rows {
        if db.customer.get(row, c::MKTSEGMENT) == segment {
            customers.insert(db.customer.get(row, c::CUSTKEY), 1);
        }
    }
    let mut orders = IntMap::<u32>::with_capacity(db.orders.rows / 8);
    for row in 0..db.orders.rows {
        if db.orders.get(row, o::ORDERDATE) < day
            && customers.contains(db.orders.get(row, o::CUSTKEY))
        {
            orders.insert(db.orders.get(row, o::ORDERKEY), row as u32);
        }
    }
    let mut revenue = IntMap::<u64>::with_capacity(orders.len());
    let li = &db.lineitem;
    for row in 0..li.rows {
        let key = li.get(row, l::ORDERKEY);
        if li.get(row, l::SHIPDATE) > day && orders.contains(key) {
            *revenue.entry(key) += disc_price(db, row);
        }
    }
    let mut top: Vec<(u64, u32, u32, u32)> = revenue
        .iter()
        .map(|(key, rev)| {
            let row = orders.get(key).unwrap_or(0) as usize;
            (rev, db.orders.get(row, o::ORDERDATE), key, db.orders.get(row, o::SHIPPRIORITY))
        })
        .collect();
    top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let total = top.len();
    top.truncate(10);
    let rows: Vec<String> = top
        .iter()
        .map(|(rev, day, key, prio)| {
            alloc::format!("{key}|{}|{}|{prio}", money(rev / 100), show(*day as u16))
        })
        .collect();
    let summary = match top.first() {
        Some((rev, _, key, _)) => {
            alloc::format!(
                "{} of {total} orders, top {key} revenue {}",
                top.len(),
                money(rev / 100)
            )
        }
        None => String::from("no orders"),
    };
    QueryResult { id: "Q3", title: "shipping priority", summary, rows }
}

/// Q5, local supplier volume: revenue in 1994 from orders of ASIA customers whose lines were
/// supplied from the customer's own nation, per nation.
pub fn q5(db: &Database) -> QueryResult {
    let (lo, hi) = (u32::from(date(1994, 1, 1)), u32::from(date(1995, 1, 1)));
    let asia = (0..db.region.rows)
        .find(|&row| db.region.text(row, r::NAME) == "ASIA")
        .map_or(u32::MAX, |row| db.region.get(row, r::REGIONKEY));
    let mut in_region = [false; 256];
    for row in 0..db.nation.rows {
        if db.nation.get(row, n::REGIONKEY) == asia {
            in_region[db.nation.get(row, n::NATIONKEY) as usize & 0xFF] = true;
        }
    }
    // custkey → nation + 1, then orderkey → the customer's nation + 1.
    let mut customers = IntMap::<u32>::with_capacity(db.customer.rows / 4);
    for row in 0..db.customer.rows {
        let nation = db.customer.get(row, c::NATIONKEY);
        if in_region[nation as usize & 0xFF] {
            customers.insert(db.customer.get(row, c::CUSTKEY), nation + 1);
        }
    }
    let mut orders = IntMap::<u32>::with_capacity(db.orders.rows / 16);
    for row in 0..db.orders.rows {
        let day = db.orders.get(row, o::ORDERDATE);
        if (lo..hi).contains(&day)
            && let Some(nation) = customers.get(db.orders.get(row, o::CUSTKEY))
        {
            orders.insert(db.orders.get(row, o::ORDERKEY), nation);
        }
    }
    let mut revenue = [0u64; 256];
    let li = &db.lineitem;
    for row in 0..li.rows {
        let Some(cust_nation) = orders.get(li.get(row, l::ORDERKEY)) else { continue };
        let Some(srow) = db.supplier_index.get(li.get(row, l::SUPPKEY)) else { continue };
        if db.supplier.get(srow as usize, s::NATIONKEY) + 1 == cust_nation {
            revenue[(cust_nation - 1) as usize & 0xFF] += disc_price(db, row);
        }
    }
    let names = nation_names(db);
    let mut result: Vec<(u64, &str)> = revenue
        .iter()
        .enumerate()
        .filter(|(_, r)| **r > 0)
        .map(|(k, r)| (*r, names[k].as_str()))
        .collect();
    result.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let rows =
        result.iter().map(|(rev, name)| alloc::format!("{name}|{}", money(rev / 100))).collect();
    let summary = match result.first() {
        Some((rev, name)) => {
            alloc::format!("{} nations, top {name} {}", result.len(), money(rev / 100))
        }
        None => String::from("no revenue"),
    };
    QueryResult { id: "Q5", title: "local supplier volume", summary, rows }
}

/// Q6, forecasting revenue change: what 1994's discounts of 5..7% on orders of fewer than 24
/// units cost.
pub fn q6(db: &Database) -> QueryResult {
    let (lo, hi) = (u32::from(date(1994, 1, 1)), u32::from(date(1995, 1, 1)));
    let li = &db.lineitem;
    let (mut sum, mut count) = (0u64, 0u64);
    for row in 0..li.rows {
        let day = li.get(row, l::SHIPDATE);
        let discount = li.get(row, l::DISCOUNT);
        if (lo..hi).contains(&day) && (5..=7).contains(&discount) && li.get(row, l::QUANTITY) < 24 {
            sum += u64::from(li.get(row, l::EXTENDEDPRICE)) * u64::from(discount);
            count += 1;
        }
    }
    let rows = vec![alloc::format!("{}|{count}", money(sum / 100))];
    let summary = alloc::format!("{} from {count} lineitems", money(sum / 100));
    QueryResult { id: "Q6", title: "forecast revenue change", summary, rows }
}

/// Q10, returned item reporting: the 20 customers who lost the most revenue to returns on
/// orders of 1993's last quarter.
pub fn q10(db: &Database) -> QueryResult {
    let (lo, hi) = (u32::from(date(1993, 10, 1)), u32::from(date(1994, 1, 1)));
    let mut orders = IntMap::<u32>::with_capacity(db.orders.rows / 20);
    for row in 0..db.orders.rows {
        if (lo..hi).contains(&db.orders.get(row, o::ORDERDATE)) {
            orders.insert(db.orders.get(row, o::ORDERKEY), db.orders.get(row, o::CUSTKEY));
        }
    }
    let mut revenue = IntMap::<u64>::with_capacity(db.customer.rows / 4);
    let li = &db.lineitem;
    for row in 0..li.rows {
        if li.get(row, l::RETURNFLAG) == u32::from(b'R')
            && let Some(cust) = orders.get(li.get(row, l::ORDERKEY))
        {
            *revenue.entry(cust) += disc_price(db, row);
        }
    }
    let mut top: Vec<(u64, u32)> = revenue.iter().map(|(cust, rev)| (rev, cust)).collect();
    top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let total = top.len();
    top.truncate(20);
    let names = nation_names(db);
    let rows = top
        .iter()
        .map(|(rev, cust)| {
            let row = db.customer_index.get(*cust).unwrap_or(0) as usize;
            let balance = i64::from(db.customer.get(row, c::ACCTBAL) as i32);
            let nation = &names[db.customer.get(row, c::NATIONKEY) as usize & 0xFF];
            alloc::format!(
                "{cust}|Customer#{cust:09}|{}|{}|{nation}",
                money(rev / 100),
                money_signed(balance)
            )
        })
        .collect();
    let summary = match top.first() {
        Some((rev, cust)) => {
            alloc::format!(
                "{} of {total} customers, top Customer#{cust:09} lost {}",
                top.len(),
                money(rev / 100)
            )
        }
        None => String::from("no returns"),
    };
    QueryResult { id: "Q10", title: "returned items", summary, rows }
}

/// Q12, shipping modes and order priority: for lines by MAIL and SHIP received in 1994 late
/// but shipped on time, how many belong to high- and low-priority orders.
pub fn q12(db: &Database) -> QueryResult {
    let (lo, hi) = (u32::from(date(1994, 1, 1)), u32::from(date(1995, 1, 1)));
    let modes = [code(&SHIPMODES, "MAIL"), code(&SHIPMODES, "SHIP")];
    let mut counts = [[0u64; 2]; 2];
    let li = &db.lineitem;
    for row in 0..li.rows {
        let Some(m) = modes.iter().position(|&m| m == li.get(row, l::SHIPMODE)) else { continue };
        let (ship, commit, receipt) =
            (li.get(row, l::SHIPDATE), li.get(row, l::COMMITDATE), li.get(row, l::RECEIPTDATE));
        if commit < receipt && ship < commit && (lo..hi).contains(&receipt) {
            let Some(orow) = db.order_index.get(li.get(row, l::ORDERKEY)) else { continue };
            let high = db.orders.get(orow as usize, o::ORDERPRIORITY) <= 2;
            counts[m][usize::from(!high)] += 1;
        }
    }
    let rows: Vec<String> = ["MAIL", "SHIP"]
        .iter()
        .zip(counts)
        .map(|(name, [high, low])| alloc::format!("{name}|{high}|{low}"))
        .collect();
    let summary = alloc::format!(
        "MAIL high {} low {}, SHIP high {} low {}",
        counts[0][0],
        counts[0][1],
        counts[1][0],
        counts[1][1]
    );
    QueryResult { id: "Q12", title: "shipping modes", summary, rows }
}

/// Q13, customer distribution: how many customers have 0, 1, 2, ... orders.
pub fn q13(db: &Database) -> QueryResult {
    let mut per_customer = IntMap::<u32>::with_capacity(db.customer.rows);
    for row in 0..db.orders.rows {
        *per_customer.entry(db.orders.get(row, o::CUSTKEY)) += 1;
    }
    let mut dist = IntMap::<u32>::with_capacity(64);
    for row in 0..db.customer.rows {
        let orders = per_customer.get(db.customer.get(row, c::CUSTKEY)).unwrap_or(0);
        *dist.entry(orders + 1) += 1;
    }
    let mut result: Vec<(u32, u32)> =
        dist.iter().map(|(count, customers)| (count - 1, customers)).collect();
    result.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    let rows =
        result.iter().map(|(count, customers)| alloc::format!("{count}|{customers}")).collect();
    let without = result.iter().find(|r| r.0 == 0).map_or(0, |r| r.1);
    let summary = match result.first() {
        Some((count, customers)) => alloc::format!(
            "{} order counts, {without} customers without orders, most often {count} ({customers} customers)",
            result.len()
        ),
        None => String::from("no customers"),
    };
    QueryResult { id: "Q13", title: "customer distribution", summary, rows }
}

/// Q18, large volume customers: orders of more than 300 units, largest total price first (100).
pub fn q18(db: &Database) -> QueryResult {
    const THRESHOLD: u32 = 300;
    let li = &db.lineitem;
    let mut quantity = IntMap::<u32>::with_capacity(db.orders.rows);
    for row in 0..li.rows {
        *quantity.entry(li.get(row, l::ORDERKEY)) += li.get(row, l::QUANTITY);
    }
    let mut big: Vec<(u32, u32, u32, u32, u32)> = quantity
        .iter()
        .filter(|(_, q)| *q > THRESHOLD)
        .map(|(key, q)| {
            let row = db.order_index.get(key).unwrap_or(0) as usize;
            let (price, day, cust) = (
                db.orders.get(row, o::TOTALPRICE),
                db.orders.get(row, o::ORDERDATE),
                db.orders.get(row, o::CUSTKEY),
            );
            (price, day, key, cust, q)
        })
        .collect();
    big.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    big.truncate(100);
    let rows = big
        .iter()
        .map(|(price, day, key, cust, q)| {
            alloc::format!(
                "Customer#{cust:09}|{cust}|{key}|{}|{}|{q}",
                show(*day as u16),
                money(u64::from(*price))
            )
        })
        .collect();
    let summary = match big.first() {
        Some((price, _, key, _, _)) => alloc::format!(
            "{} orders over {THRESHOLD} units, top {key} total {}",
            big.len(),
            money(u64::from(*price))
        ),
        None => alloc::format!("no orders over {THRESHOLD} units"),
    };
    QueryResult { id: "Q18", title: "large volume customers", summary, rows }
}
