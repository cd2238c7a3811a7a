//! The web worker: the simulator's home in the browser.
//!
//! It owns a [`sim::control::Controller`], turns incoming messages into
//! [`sim::protocol::Command`]s, and posts the [`sim::protocol::Event`]s that answer them. While
//! the run state is `Running` it runs one slice of work, then yields to the event loop through a
//! `MessageChannel` (a `setTimeout(0)` chain would be clamped to 4 ms per hop) so that commands
//! such as `Pause` are handled between slices. Slice size adapts so one slice takes about
//! [`SLICE_MS`] of wall time; that timing only decides where slices are cut, never what the
//! simulation computes (the simulation runs to its quantum grid, see `sim::simulation`).
//!
//! `Load` is the worker's own business: it fetches the kernels and disk images the scenario
//! needs from `assets/` next to the page (once; they are cached), then hands them to the
//! controller. They travel compressed, as `<name>.zst` (written by `cargo xtask web`), and are
//! expanded here with `guest_pack::expand` into exactly the bytes the command line reads (an
//! image shipped without its generated files, the database's tables, gets them made again
//! there); the progress the page shows counts the compressed bytes, which are what crosses the
//! network. Each expansion's time goes to the console (`console.info`).
//! Page maps travel as typed arrays whose buffers are transferred, not copied.
//!
//! All the logic worth testing lives in `sim`; this file is glue, and the browser tests (e2e/)
//! exercise it.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use sim::assets::Assets;
use sim::control::Controller;
use sim::frame::{PageMap, SharedMark};
use sim::protocol::{Command, Event, PROTOCOL_VERSION, SIM_VERSION};
use sim::scenario::Scenario;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, MessageChannel, MessageEvent, Response};

/// Wall-clock milliseconds one slice should take: small enough that a Pause feels immediate.
const SLICE_MS: f64 = 8.0;
/// Minimum milliseconds between two frames (about 30 frames per second).
const FRAME_MS: f64 = 33.0;
/// Machine cycles in the first slice, before the budget has adapted.
const FIRST_BUDGET: u64 = 200_000;
/// Where the guest files are, relative to the worker script.
const ASSETS: &str = "assets/";

/// The worker's mutable state, shared by the handlers.
struct Worker {
    scope: DedicatedWorkerGlobalScope,
    controller: Controller,
    /// Fetched files by name, kept across loads.
    files: BTreeMap<String, Vec<u8>>,
    /// Machine cycles per slice, adapted to hit [`SLICE_MS`].
    budget: u64,
    /// True while a tick message is in flight on the channel (so only one is ever queued).
    tick_pending: bool,
    last_frame_ms: f64,
    tick_port: web_sys::MessagePort,
    /// Speed limit (simulated MHz) and the wall time and cycle it was measured from.
    speed: Option<(u32, f64, u64)>,
    /// A timer is set to resume a run held back by the speed limit.
    timer_pending: bool,
    /// Load requests, newest last: a load finishing after a newer one started is dropped.
    load_generation: u32,
}

fn serializer() -> serde_wasm_bindgen::Serializer {
    // u64 counters and hashes outgrow JavaScript's safe integers: send them as BigInt.
    serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true)
}

impl Worker {
    fn now(&self) -> f64 {
        self.scope.performance().map(|p| p.now()).unwrap_or(0.0)
    }

    fn post(&self, event: &Event) {
        if let Event::PageMap(map) = event {
            self.post_page_map(map);
            return;
        }
        match serde::Serialize::serialize(event, &serializer()) {
            Ok(value) => {
                if let Err(e) = self.scope.post_message(&value) {
                    web_sys::console::error_2(&"worker: postMessage failed".into(), &e);
                }
            }
            Err(e) => web_sys::console::error_1(&format!("worker: encode failed: {e}").into()),
        }
    }

    /// `{type: "PageMap", owner: Uint8Array, kind: Uint8Array, heat: Uint32Array | null,
    /// replicas: Uint32Array, shared: Uint32Array}`, with the arrays' buffers transferred. The
    /// shared pages are flattened: page, count of guests, the guests, page, ... (the page's
    /// `bridge` reads them back with `sim::frame::SharedMark::unflatten`).
    fn post_page_map(&self, map: &PageMap) {
        let obj = js_sys::Object::new();
        let owner = js_sys::Uint8Array::from(map.owner.as_slice());
        let kind = js_sys::Uint8Array::from(map.kind.as_slice());
        let replicas = js_sys::Uint32Array::from(map.replicas.as_slice());
        let shared = js_sys::Uint32Array::from(SharedMark::flatten(&map.shared).as_slice());
        let transfer = js_sys::Array::of4(
            &owner.buffer(),
            &kind.buffer(),
            &replicas.buffer(),
            &shared.buffer(),
        );
        let heat = match &map.heat {
            Some(h) => {
                let a = js_sys::Uint32Array::from(h.as_slice());
                transfer.push(&a.buffer());
                JsValue::from(a)
            }
            None => JsValue::NULL,
        };
        let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&obj, &k.into(), v).is_ok();
        if !(set("type", &"PageMap".into())
            && set("owner", &owner)
            && set("kind", &kind)
            && set("heat", &heat)
            && set("replicas", &replicas)
            && set("shared", &shared))
        {
            return;
        }
        if let Err(e) = self.scope.post_message_with_transfer(&obj, &transfer) {
            web_sys::console::error_2(&"worker: postMessage failed".into(), &e);
        }
    }

    fn post_all(&self, events: Vec<Event>) {
        for e in &events {
            self.post(e);
        }
    }

    /// Queues one tick on the channel if the controller wants to run and none is queued.
    fn schedule(&mut self) {
        if self.controller.wants_slice() && !self.tick_pending && !self.timer_pending {
            self.tick_pending = true;
            if let Err(e) = self.tick_port.post_message(&JsValue::NULL) {
                self.tick_pending = false;
                web_sys::console::error_2(&"worker: cannot schedule a slice".into(), &e);
            }
        }
    }

    fn on_command(worker: &Rc<RefCell<Worker>>, data: JsValue) {
        let command = match serde_wasm_bindgen::from_value::<Command>(data) {
            Ok(c) => c,
            Err(e) => {
                worker.borrow().post(&Event::Error { message: format!("unknown command: {e}") });
                return;
            }
        };
        let mut w = worker.borrow_mut();
        match command {
            Command::Load { scenario } => {
                w.load_generation += 1;
                let generation = w.load_generation;
                drop(w);
                let worker = Rc::clone(worker);
                wasm_bindgen_futures::spawn_local(async move {
                    Worker::load(worker, scenario, generation).await;
                });
            }
            Command::SetSpeed { mhz } => {
                let now = w.now();
                let cycle = w.controller.simulation().map_or(0, |s| s.machine().now());
                w.speed = mhz.filter(|&m| m > 0).map(|m| (m, now, cycle));
                w.schedule();
            }
            command => {
                let events = w.controller.handle(command);
                w.post_all(events);
                if let Some((m, _, _)) = w.speed {
                    let now = w.now();
                    let cycle = w.controller.simulation().map_or(0, |s| s.machine().now());
                    w.speed = Some((m, now, cycle));
                }
                w.schedule();
            }
        }
    }

    /// Expands guest file `name` (`packed`, as fetched) and says on the console how long that
    /// took: the regeneration of an image's generated files is the one part of a load that
    /// costs the worker more than a few milliseconds.
    fn expand(
        worker: &Rc<RefCell<Worker>>,
        name: &str,
        packed: &[u8],
    ) -> Result<Vec<u8>, guest_pack::ExpandError> {
        let start = worker.borrow().now();
        let bytes = guest_pack::expand(packed)?;
        let regenerated = if packed.starts_with(&guest_pack::manifest::FRAME_MAGIC) {
            ", its generated files made again"
        } else {
            ""
        };
        // Whole milliseconds are precise enough for a load.
        let ms = (worker.borrow().now() - start).round() as u64;
        web_sys::console::info_1(
            &format!(
                "worker: {name}: {} bytes fetched, expanded to {}{regenerated} in {ms} ms",
                packed.len(),
                bytes.len()
            )
            .into(),
        );
        Ok(bytes)
    }

    /// Fetches what `scenario` needs (from the cache when it can) and loads it.
    async fn load(worker: Rc<RefCell<Worker>>, scenario: Scenario, generation: u32) {
        if let Err(e) = scenario.validate() {
            worker.borrow().post(&Event::BadScenario(e));
            return;
        }
        let names = Assets::required(&scenario);
        let total = names.len() as u32;
        let scope = worker.borrow().scope.clone();
        // Even compressed the files take a while (0.2–0.7 MB a preset): ask their sizes first
        // (HEAD, no body) so that the page can show bytes of a known total while they download.
        let mut total_bytes = 0u64;
        let mut sized = Vec::new();
        for name in &names {
            let mut size = None;
            if !worker.borrow().files.contains_key(name) {
                size = size_of(&scope, &url_of(name)).await;
                total_bytes += size.unwrap_or(0);
            }
            sized.push(size.is_some());
        }
        let mut progress = Progress { done: 0, total, bytes: 0, total_bytes, posted: 0 };
        for (i, name) in names.iter().enumerate() {
            let cached = worker.borrow().files.contains_key(name);
            if !cached {
                progress.done = i as u32;
                progress.post(&worker.borrow(), true);
                match fetch(&scope, &url_of(name), &worker, &mut progress, sized[i]).await {
                    // Expanded at once, so that the cache holds what the controller needs and a
                    // bad file is reported by name before anything boots.
                    Ok(packed) => match Worker::expand(&worker, name, &packed) {
                        Ok(bytes) => {
                            worker.borrow_mut().files.insert(name.clone(), bytes);
                        }
                        Err(e) => {
                            worker.borrow().post(&Event::Error {
                                message: format!(
                                    "cannot expand {name}: {e} ({} bytes downloaded)",
                                    packed.len()
                                ),
                            });
                            return;
                        }
                    },
                    Err(message) => {
                        worker.borrow().post(&Event::Error {
                            message: format!("cannot fetch {name}: {message}"),
                        });
                        return;
                    }
                }
            }
        }
        let mut w = worker.borrow_mut();
        if generation != w.load_generation {
            return;
        }
        progress.done = total;
        progress.post(&w, true);
        let mut assets = Assets::default();
        for name in &names {
            if let Some(bytes) = w.files.get(name) {
                assets.insert(name, bytes.clone());
            }
        }
        let events = w.controller.load(&scenario, &assets);
        w.post_all(events);
        w.last_frame_ms = w.now();
    }

    fn on_tick(&mut self, worker: &Rc<RefCell<Worker>>) {
        self.tick_pending = false;
        if !self.controller.wants_slice() {
            return;
        }
        let start = self.now();
        let mut budget = self.budget;
        if let Some((mhz, since_ms, since_cycle)) = self.speed {
            let allowed = since_cycle + ((start - since_ms).max(0.0) * f64::from(mhz) * 1e3) as u64;
            let at = self.controller.simulation().map_or(0, |s| s.machine().now());
            if at >= allowed {
                self.wait_for_speed_limit(worker);
                return;
            }
            budget = budget.min(allowed - at);
        }
        let events = self.controller.run_slice(budget);
        let end = self.now();
        // A slice cut short (at a `RunUntil` target, at the end) says nothing of the speed.
        let had_events = !events.is_empty();
        if budget == self.budget && !had_events {
            self.adapt_budget(end - start);
        }
        self.post_all(events);
        if !had_events && end - self.last_frame_ms >= FRAME_MS {
            self.last_frame_ms = end;
            let frame = self.controller.frame(false);
            self.post(&Event::Frame(frame));
        }
        self.schedule();
    }

    /// Under a speed limit, the run is ahead of the clock: come back in a frame's time.
    fn wait_for_speed_limit(&mut self, worker: &Rc<RefCell<Worker>>) {
        self.timer_pending = true;
        let w = Rc::clone(worker);
        let resume = Closure::once_into_js(move || {
            let mut me = w.borrow_mut();
            me.timer_pending = false;
            me.schedule();
        });
        if self
            .scope
            .set_timeout_with_callback_and_timeout_and_arguments_0(resume.unchecked_ref(), 16)
            .is_err()
        {
            self.timer_pending = false;
        }
        let now = self.now();
        if now - self.last_frame_ms >= FRAME_MS {
            self.last_frame_ms = now;
            let frame = self.controller.frame(false);
            self.post(&Event::Frame(frame));
        }
    }

    fn adapt_budget(&mut self, elapsed_ms: f64) {
        let ratio = if elapsed_ms > 0.0 { SLICE_MS / elapsed_ms } else { 2.0 };
        // Change by at most a factor of two per slice so one odd measurement does no harm.
        let ratio = ratio.clamp(0.5, 2.0);
        self.budget = ((self.budget as f64 * ratio) as u64).clamp(20_000, 1 << 32);
    }
}

/// Where a load's downloads stand, posted to the page as [`Event::Loading`].
struct Progress {
    done: u32,
    total: u32,
    bytes: u64,
    total_bytes: u64,
    /// `bytes` when last posted.
    posted: u64,
}

impl Progress {
    /// Posts the progress: always if `now`, else once another 1% (and at least 256 KB) came,
    /// so that a large download sends about a hundred messages, not one per network chunk.
    fn post(&mut self, worker: &Worker, now: bool) {
        let step = (self.total_bytes / 100).max(256 * 1024);
        if !now && self.bytes < self.posted + step {
            return;
        }
        self.posted = self.bytes;
        // The files are served as opaque bytes (`.zst`, not `Content-Encoding`), so the stream
        // gives what Content-Length announced. A server that compresses them once more anyway
        // announces fewer bytes than the stream gives; one that announced none leaves the total
        // unknown (0), and the page counts files instead.
        let total_bytes = if self.total_bytes == 0 { 0 } else { self.total_bytes.max(self.bytes) };
        worker.post(&Event::Loading {
            done: self.done,
            total: self.total,
            bytes: self.bytes,
            total_bytes,
        });
    }
}

/// Where guest file `name` is fetched from: its compressed form under [`ASSETS`].
fn url_of(name: &str) -> String {
    format!("{ASSETS}{}", guest_pack::packed_name(name))
}

/// The size the server announces for `url` (a HEAD request), if it does.
async fn size_of(scope: &DedicatedWorkerGlobalScope, url: &str) -> Option<u64> {
    let init = web_sys::RequestInit::new();
    init.set_method("HEAD");
    let response = JsFuture::from(scope.fetch_with_str_and_init(url, &init)).await.ok()?;
    let response: Response = response.dyn_into().ok()?;
    if !response.ok() {
        return None;
    }
    length(&response)
}

/// The size a response announces, if it does.
fn length(response: &Response) -> Option<u64> {
    response.headers().get("content-length").ok()??.trim().parse().ok()
}

/// The bytes at `url`, read chunk by chunk so that `progress` follows the download. `sized` if
/// its size is in `progress` already (from HEAD); if not, the response's own size joins it.
async fn fetch(
    scope: &DedicatedWorkerGlobalScope,
    url: &str,
    worker: &Rc<RefCell<Worker>>,
    progress: &mut Progress,
    sized: bool,
) -> Result<Vec<u8>, String> {
    let response = JsFuture::from(scope.fetch_with_str(url)).await.map_err(|e| format!("{e:?}"))?;
    let response: Response = response.dyn_into().map_err(|_| "not a response".to_string())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    if !sized {
        progress.total_bytes += length(&response).unwrap_or(0);
    }
    let Some(body) = response.body() else { return Ok(Vec::new()) };
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut bytes = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|e| format!("{e:?}"))?;
        let done = js_sys::Reflect::get(&chunk, &"done".into()).map_err(|e| format!("{e:?}"))?;
        if done.as_bool() == Some(true) {
            break;
        }
        let value = js_sys::Reflect::get(&chunk, &"value".into()).map_err(|e| format!("{e:?}"))?;
        let part: js_sys::Uint8Array = value.dyn_into().map_err(|_| "not bytes".to_string())?;
        let start = bytes.len();
        bytes.resize(start + part.length() as usize, 0);
        part.copy_to(&mut bytes[start..]);
        progress.bytes += u64::from(part.length());
        progress.post(&worker.borrow(), false);
    }
    Ok(bytes)
}

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let channel = match MessageChannel::new() {
        Ok(c) => c,
        Err(e) => {
            web_sys::console::error_2(&"worker: no MessageChannel".into(), &e);
            return;
        }
    };
    let worker = Rc::new(RefCell::new(Worker {
        scope: scope.clone(),
        controller: Controller::new(),
        files: BTreeMap::new(),
        budget: FIRST_BUDGET,
        tick_pending: false,
        last_frame_ms: 0.0,
        tick_port: channel.port2(),
        speed: None,
        timer_pending: false,
        load_generation: 0,
    }));

    let w = Rc::clone(&worker);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        Worker::on_command(&w, ev.data());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handlers live as long as the worker.
    on_message.forget();

    let w = Rc::clone(&worker);
    let on_tick = Closure::<dyn FnMut(MessageEvent)>::new(move |_ev: MessageEvent| {
        let me = Rc::clone(&w);
        w.borrow_mut().on_tick(&me);
    });
    channel.port1().set_onmessage(Some(on_tick.as_ref().unchecked_ref()));
    on_tick.forget();

    worker
        .borrow()
        .post(&Event::Ready { version: SIM_VERSION.to_string(), protocol: PROTOCOL_VERSION });
}
