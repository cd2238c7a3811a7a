//! NUMA latencies as a guest sees them: `bm-numa-walk` walks an array on its own node and one
//! on the other node, one load per cache line over eight times the cache, on a 2-node
//! machine; each of the two measuring CPUs (node 0 and node 1) prints its cycles per miss. The
//! remote/local ratio must be the configured remote_ns/local_ns (and 1 on a UMA machine),
//! within 10%.

mod guest;

use machine::MachineConfig;

/// Runs the walk and returns, per measuring CPU, (local, remote) cycles per miss.
fn walk(cfg: MachineConfig) -> Vec<(f64, f64)> {
    let r = guest::run("bm-numa-walk", cfg, vec![], &[]);
    r.assert_ok();
    let lines: Vec<&str> = r.console.lines().filter(|l| l.starts_with("cpu")).collect();
    assert_eq!(lines.len(), 2, "one line per measuring CPU; console:\n{}", r.console);
    for (cpu, l) in [0, r.m.config().cpus_per_node as usize].into_iter().zip(&lines) {
        assert!(l.starts_with(&format!("cpu{cpu} node{} ", r.m.config().node_of_cpu(cpu))), "{l}");
        // Every load of the two 2 MB walks missed: at least 16384 misses each way — all of
        // them local on a UMA machine, which has no remote memory.
        let s = r.m.cpu_summary(cpu).mem;
        if r.m.config().uma {
            assert!(s.local_misses >= 2 * 16384 && s.remote_misses == 0, "cpu{cpu}: {s:?}");
        } else {
            assert!(s.local_misses >= 16384 && s.remote_misses >= 16384, "cpu{cpu}: {s:?}");
        }
    }
    lines.iter().map(|l| (guest::field(l, "local"), guest::field(l, "remote"))).collect()
}

fn assert_ratio(cfg: MachineConfig, want: f64) {
    let (local_ns, clock) = (cfg.latency.local_ns, cfg.clock_mhz);
    for (local, remote) in walk(cfg) {
        let ratio = remote / local;
        println!("local={local} remote={remote} ratio={ratio:.3} (want {want:.3})");
        assert!((ratio / want - 1.0).abs() <= 0.10, "ratio {ratio:.3}, want {want:.3} ± 10%");
        // The local miss itself is the configured latency in cycles.
        let cycles = f64::from(local_ns) * f64::from(clock) / 1000.0;
        assert!((local / cycles - 1.0).abs() <= 0.10, "local {local}, want {cycles} ± 10%");
    }
}

#[test]
fn remote_misses_cost_remote_ns_over_local_ns() {
    let cfg = MachineConfig::flash(2, 1);
    let want = f64::from(cfg.latency.remote_ns) / f64::from(cfg.latency.local_ns);
    assert_eq!(want, 3.0, "the paper's 300/900 ns");
    assert_ratio(cfg, want);
}

#[test]
fn the_ratio_follows_the_configured_latencies() {
    let mut cfg = MachineConfig::flash(2, 2);
    cfg.latency.local_ns = 250;
    cfg.latency.remote_ns = 1000;
    assert_ratio(cfg, 4.0);
}

#[test]
fn uma_makes_every_miss_local() {
    let cfg = MachineConfig { uma: true, ..MachineConfig::flash(2, 1) };
    assert_ratio(cfg, 1.0);
}

#[test]
fn the_hot_page_counters_see_the_walk() {
    // One miss per line: a page of the walked arrays takes 4096 / line_bytes misses from the
    // walking node. With the threshold at exactly that, and no interval ending in the middle of
    // a page's misses (which would reset its counters), every page of every remote walk is hot;
    // a page walked by its own node is not (it needs nothing).
    let mut cfg = MachineConfig::flash(2, 1);
    let per_page = 4096 / cfg.cache.line_bytes;
    cfg.hot_page.threshold = per_page;
    cfg.hot_page.interval_cycles = 1 << 40;
    let r = guest::run("bm-numa-walk", cfg.clone(), vec![], &[]);
    r.assert_ok();
    let node_bytes = cfg.node_bytes();
    let area = 2 << 20;
    let pages = |start: u32| (start >> 12)..((start + area) >> 12);
    // (walking node, area start): each node's local and remote arrays.
    let walks = [
        (0, node_bytes / 4),
        (0, node_bytes + node_bytes / 4 + area),
        (1, node_bytes + node_bytes / 4),
        (1, node_bytes / 4 + area),
    ];
    for (node, start) in walks {
        for page in pages(start) {
            let mut want = vec![0; 2];
            want[node] = per_page;
            assert_eq!(r.m.page_heat(machine::Mppn(page)), want, "page {page:#x}");
        }
    }
    let hot: Vec<(u32, u8)> = r
        .log
        .events
        .iter()
        .filter_map(|e| match e {
            machine::MachineEvent::HotPage(h) => Some((h.page.0, h.node.0 as u8)),
            _ => None,
        })
        .collect();
    for (k, (node, start)) in walks.into_iter().enumerate() {
        let remote = k % 2 == 1;
        for page in pages(start) {
            let fired = hot.contains(&(page, node as u8));
            assert_eq!(fired, remote, "page {page:#x} walked by node {node}: hot {fired}");
        }
    }
}
