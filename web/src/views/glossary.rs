//! The glossary: the paper's terms, each with a definition and the section of the paper that
//! introduces it. [`Term`] marks a term in running text; hovering or focusing it shows its entry.
//! [`GlossaryPanel`] lists them all.

use yew::prelude::*;

/// One glossary entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Key used by [`Term`].
    pub key: &'static str,
    /// The term as shown.
    pub term: &'static str,
    /// Where the paper (Bugnion, Devine & Rosenblum, SOSP 1997) discusses it.
    pub section: &'static str,
    /// The definition.
    pub text: &'static str,
}

/// Every entry, alphabetical by term.
pub const GLOSSARY: &[Entry] = &[
    Entry {
        key: "affinity",
        term: "affinity scheduling",
        section: "§4.2.1",
        text: "The monitor's scheduler prefers to run a virtual CPU on the physical CPU it last ran on, where its cache lines and memory are likely to be.",
    },
    Entry {
        key: "buffer-cache",
        term: "buffer cache",
        section: "§4.2.5",
        text: "The guest kernel's cache of disk blocks in memory. Disco maps one machine page holding a disk block into several VMs copy-on-write (the global disk cache), so that VMs reading the same files share memory.",
    },
    Entry {
        key: "ccnuma",
        term: "ccNUMA",
        section: "§2, §5.1",
        text: "Cache-coherent non-uniform memory access: memory is spread over nodes; a CPU reaches its own node's memory faster than another node's (here, as in the paper's FLASH machine, 300 ns local vs 900 ns remote). Caches are kept coherent by a directory.",
    },
    Entry {
        key: "collapse",
        term: "collapse (of replicas)",
        section: "§4.2.3",
        text: "Replicas are read-only, so a write to a replicated page must first take the page back to one writable copy: the monitor drops every mapping of it, keeps the copy on the writer's node, frees the others, and lets the write go on. A page written often would collapse again and again, which is why the policy does not replicate pages that are written.",
    },
    Entry {
        key: "cow-break",
        term: "copy-on-write break",
        section: "§4.2.5",
        text: "A guest writes a page it shares with other VMs: the page is read-only in every mapping, so the store traps to the monitor, which gives the writer a private copy and lets the store go on. The others keep the shared page; no VM ever sees another's writes. The last sharer to write takes the page back without a copy.",
    },
    Entry {
        key: "cow-disk",
        term: "copy-on-write disk",
        section: "§4.2.5",
        text: "A disk image several VMs boot at once, non-persistent: each VM's writes go to a log of modified sectors of its own, the base image stays untouched and shared. Blocks the VMs read from it can then be shared in memory too, through the global disk cache.",
    },
    Entry {
        key: "demand-zero",
        term: "demand-zero fault",
        section: "§5.3, Table 2",
        text: "The first touch of a page a program was given but never used: the kernel allocates a page and fills it with zeros (IRIX's DEMAND_ZERO, 30% of pmake's kernel time in the paper). Under Disco the guest kernel asks the monitor for a zeroed page instead of zeroing it itself.",
    },
    Entry {
        key: "direct",
        term: "kernel direct map",
        section: "§4.3.1",
        text: "The guest kernel, relinked from the unmapped KSEG0 into the mapped supervisor segment, takes TLB misses on its own code and data; the monitor refills them straight from the VM's memory map without involving the guest. The ledger's kernel-segment refills also count a miss on a page the kernel mapped there itself (its K2 page tables) that the monitor served from the guest's TLB entries; one the guest's TLB no longer holds is forwarded.",
    },
    Entry {
        key: "disk-cache",
        term: "global disk cache",
        section: "§4.2.5",
        text: "The monitor's record, per copy-on-write disk, of which machine page holds which disk block. When a VM reads a whole, page-aligned block another VM has already read, the monitor maps that machine page read-only into the reader instead of reading the disk again — one copy for every VM, and no disk transfer.",
    },
    Entry {
        key: "fig5",
        term: "Figure 5",
        section: "§5.3",
        text: "The paper's overhead figure: execution time of each workload under Disco, normalised to IRIX alone and broken into idle, Disco (monitor), guest kernel and user time. Pmake ran 16% slower, engineering 6%, raytrace 3%, database 16%.",
    },
    Entry {
        key: "first-touch",
        term: "first-touch placement",
        section: "§4.2.3, §5.5",
        text: "Disco's placement of a VM's page when the VM first uses it: on the node of the physical CPU that touched it, where it is likely to be used again. Pages whose users change, or that several nodes use, are left to migration and replication.",
    },
    Entry {
        key: "forwarded",
        term: "forwarded TLB miss",
        section: "§4.2.2",
        text: "A TLB miss the monitor cannot satisfy from its second-level TLB or the guest's TLB contents: it is delivered to the guest kernel's own refill handler, whose privileged instructions the monitor then emulates — the slow path.",
    },
    Entry {
        key: "guest-physical",
        term: "physical page (guest)",
        section: "§4.2.2",
        text: "What a guest OS believes is its physical memory. The monitor adds a level of translation: each guest-physical page is backed by some machine page, recorded in the VM's pmap.",
    },
    Entry {
        key: "hot-page",
        term: "hot page",
        section: "§4.2.3",
        text: "A page that takes many cache misses. FLASH counts misses per page per node in each interval (10 ms here); when one node's count reaches the trigger, the monitor is interrupted and its NUMA policy decides: migrate the page to that node, replicate it there, or leave it where it is.",
    },
    Entry {
        key: "idle",
        term: "idle",
        section: "§4.3, §5.3",
        text: "Time a CPU has nothing to run. A guest's idle loop enters the low-power WAIT state, and the monitor deschedules that virtual CPU until an interrupt arrives, freeing the physical CPU for other VMs.",
    },
    Entry {
        key: "k2",
        term: "K2 (mapped kernel segment)",
        section: "§4.3.1, §5.3",
        text: "Kernel virtual memory mapped through the TLB, where IRIX kept its page tables — and where dux keeps them here. The kernel's own refill handler serves its misses; under Disco a K2 miss the guest's TLB no longer holds goes to that handler, its TLB write and return emulated by the monitor: the kernel TLB faults of the paper's Table 2. Misses on the kernel's direct map, by contrast, the monitor refills by itself.",
    },
    Entry {
        key: "l2tlb",
        term: "L2TLB",
        section: "§4.2.2",
        text: "Disco's second-level software TLB: a cache of recent virtual-to-machine translations. Because the hardware TLB is flushed whenever another virtual CPU is scheduled, most misses would otherwise go to the guest; the L2TLB refills them in the monitor.",
    },
    Entry {
        key: "m-footprint",
        term: "M (machine memory)",
        section: "§5.3, Fig. 6",
        text: "The machine pages the virtual machines use, a page shared by several VMs counted once (the monitor's own pages left out). With sharing, M stays below V; the difference is the memory sharing saves.",
    },
    Entry {
        key: "machine-page",
        term: "machine page",
        section: "§4.2.2",
        text: "A 4 KB page of the real (simulated) machine's memory. Machine memory is laid out node after node, so a machine page's number tells its node.",
    },
    Entry {
        key: "memmap",
        term: "memmap",
        section: "§4.2.3",
        text: "The monitor's table with one entry per machine page: which VM uses it, for which guest-physical page, and whether the page is a replica of another. It tells the monitor whose TLB entries to shoot down when a page moves.",
    },
    Entry {
        key: "migration",
        term: "page migration",
        section: "§4.2.3",
        text: "The NUMA policy's answer to a hot page used mostly by one other node: the monitor copies the page to a free machine page on that node, drops every TLB entry that mapped the old one (interrupting the CPUs that held one), points the VM's pmap at the new page and frees the old. The guest sees the same physical page; only the machine page behind it changed. A page that moved too often is left alone.",
    },
    Entry {
        key: "miss",
        term: "local / remote miss",
        section: "§5.5",
        text: "A cache miss served by the memory of the CPU's own node (local) or of another node (remote, three times slower here). Placing pages near the CPUs that use them turns remote misses into local ones.",
    },
    Entry {
        key: "monitor",
        term: "monitor (Disco)",
        section: "§3, §4",
        text: "The virtual machine monitor: a thin layer running in kernel mode that gives each guest OS a virtual machine, emulates its privileged instructions and devices, and manages the real machine's CPUs and memory underneath.",
    },
    Entry {
        key: "monitor-call",
        term: "monitor call",
        section: "§4.1, §4.3",
        text: "A guest's explicit call into the monitor, from its patched hardware abstraction layer: a whole device request in one trap, a zeroed page, 'this page is free'.",
    },
    Entry {
        key: "node",
        term: "node",
        section: "§2, §5.1",
        text: "A board of the ccNUMA machine: a few CPUs, their caches and a slice of machine memory, connected to the other nodes by the interconnect.",
    },
    Entry {
        key: "page-table",
        term: "page table",
        section: "§4.2.2",
        text: "The guest kernel's own map from its processes' virtual pages to guest-physical pages, walked by its TLB-refill handler. dux, like IRIX, reaches its page tables through its mapped kernel segment (K2), so building and freeing them takes kernel TLB faults.",
    },
    Entry {
        key: "pmap",
        term: "pmap",
        section: "§4.2.2",
        text: "A per-VM table from guest-physical pages to machine pages (with back-maps to the virtual addresses that map them). When a guest writes a TLB entry, the monitor translates it through the pmap.",
    },
    Entry {
        key: "replication",
        term: "page replication",
        section: "§4.2.3",
        text: "The NUMA policy's answer to a hot page that several nodes read and few write: the monitor copies it to the node that misses on it and maps each node's CPUs to their own copy, read-only. Every copy holds the same bytes; a write collapses them back to one. Replicas are spare memory: a node short of free pages gives them back.",
    },
    Entry {
        key: "round-robin",
        term: "round-robin placement",
        section: "§5.5",
        text: "Placing a VM's pages on the nodes in turn, as a NUMA-unaware allocator does (the paper's IRIX baseline interleaved memory): most misses go to another node. A starting point that shows what migration and replication add.",
    },
    Entry {
        key: "slice",
        term: "time slice",
        section: "§4.2.1",
        text: "How long the monitor lets one virtual CPU run on a physical CPU before it may switch to another that is ready.",
    },
    Entry {
        key: "table2",
        term: "Table 2",
        section: "§5.3",
        text: "The paper's breakdown of pmake's kernel time by service, with each service's slowdown under Disco: DEMAND_ZERO 1.42×, QUICK_FAULT 3.17×, open 1.63×, UTLB_MISS 1.35×, write 2.14×, read 1.53×, execve 1.60× — traps and emulated privileged instructions make kernel services slower in a virtual machine.",
    },
    Entry {
        key: "uma",
        term: "UMA",
        section: "§5.5",
        text: "Uniform memory access: every miss costs the local latency. The paper uses it as the ideal that page migration and replication try to approach (Fig. 8).",
    },
    Entry {
        key: "v-footprint",
        term: "V (virtual footprint)",
        section: "§5.3, Fig. 6",
        text: "A virtual machine's footprint: the guest-physical pages its pmap backs with machine memory — what it would take without sharing. The paper's Fig. 6 sets the VMs' V, summed, against M.",
    },
    Entry {
        key: "vcpu",
        term: "VCPU",
        section: "§4.1, §4.2.1",
        text: "A virtual CPU: the monitor's record of one processor of a VM (saved registers, virtual privileged registers, TLB contents). The monitor time-shares VCPUs on the physical CPUs; the guest kernel runs on the real CPU in supervisor mode.",
    },
    Entry {
        key: "vm",
        term: "virtual machine (VM)",
        section: "§3, §4.1",
        text: "What the monitor gives each guest OS: virtual CPUs, memory, disk, console and timer — a machine of its own, running an unmodified (here: lightly patched) operating system.",
    },
    Entry {
        key: "vtlb",
        term: "virtual TLB",
        section: "§4.2.1",
        text: "The TLB contents the guest believes it wrote, kept by the monitor per virtual CPU. A miss that hits there is refilled by translating that entry, without running the guest's handler.",
    },
];

/// The entry called `key`.
pub fn entry(key: &str) -> Option<&'static Entry> {
    GLOSSARY.iter().find(|e| e.key == key)
}

/// Properties of [`Term`].
#[derive(Properties, PartialEq)]
pub struct TermProps {
    /// The entry's key.
    pub k: AttrValue,
    /// The text shown (default: the entry's term).
    #[prop_or_default]
    pub children: Html,
}

/// A glossary term in running text; its definition shows on hover and on keyboard focus.
#[function_component(Term)]
pub fn term(props: &TermProps) -> Html {
    let Some(e) = entry(&props.k) else { return props.children.clone() };
    let shown = if props.children == Html::default() {
        html! { e.term }
    } else {
        props.children.clone()
    };
    html! {
        <span class="term" tabindex="0" data-term={e.key}>
            { shown }
            <span class="tip" role="tooltip">
                <b>{ e.term }</b>{ " — " }{ e.text }{ " " }<span class="sec">{ e.section }</span>
            </span>
        </span>
    }
}

/// Every glossary entry, in a collapsible panel.
#[function_component(GlossaryPanel)]
pub fn glossary_panel() -> Html {
    html! {
        <section class="panel glossary" aria-label="Glossary">
            <details>
                <summary><h2>{ format!("Glossary · {} terms from the paper", GLOSSARY.len()) }</h2></summary>
                <dl>
                    { for GLOSSARY.iter().map(|e| html! {
                        <>
                            <dt id={format!("glossary-{}", e.key)}>{ e.term }<span class="sec">{ e.section }</span></dt>
                            <dd>{ e.text }</dd>
                        </>
                    }) }
                </dl>
            </details>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_every_entry_cites_the_paper() {
        for (i, e) in GLOSSARY.iter().enumerate() {
            assert!(e.section.starts_with('§'), "{}", e.key);
            assert!(GLOSSARY[..i].iter().all(|o| o.key != e.key), "{}", e.key);
        }
        for k in [
            "pmap",
            "l2tlb",
            "vcpu",
            "hot-page",
            "memmap",
            "ccnuma",
            "migration",
            "replication",
            "collapse",
            "first-touch",
            "round-robin",
            "cow-disk",
            "disk-cache",
            "cow-break",
            "v-footprint",
            "m-footprint",
            "k2",
        ] {
            assert!(entry(k).is_some(), "{k}");
        }
    }
}
