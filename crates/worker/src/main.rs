//! The web worker: the simulator's home in the browser.
//!
//! It owns a [`sim::control::Controller`], turns incoming messages into
//! [`sim::protocol::Command`]s, and posts the [`sim::protocol::Event`]s that answer them. While
//! the run state is `Running` it runs one slice of work, then yields to the event loop through a
//! `MessageChannel` (a `setTimeout(0)` chain would be clamped to 4 ms per hop) so that commands
//! such as `Pause` are handled between slices. Slice size adapts so one slice takes about
//! [`SLICE_MS`] of wall time; that timing only decides where slices are cut, never what the
//! simulation computes.
//!
//! All the logic worth testing lives in `sim`; this file is glue, and the browser tests (e2e/)
//! exercise it.

use std::cell::RefCell;
use std::rc::Rc;

use sim::control::Controller;
use sim::protocol::{Command, Event, PROTOCOL_VERSION, SIM_VERSION};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageChannel, MessageEvent};

/// Wall-clock milliseconds one slice should take: small enough that a Pause feels immediate.
const SLICE_MS: f64 = 8.0;
/// Minimum milliseconds between two progress frames (about 30 frames per second).
const FRAME_MS: f64 = 33.0;
/// Work units in the first slice, before the budget has adapted.
const FIRST_BUDGET: u64 = 10_000;

/// The worker's mutable state, shared by the two message handlers.
struct Worker {
    scope: DedicatedWorkerGlobalScope,
    controller: Controller,
    /// Work units per slice, adapted to hit [`SLICE_MS`].
    budget: u64,
    /// True while a tick message is in flight on the channel (so only one is ever queued).
    tick_pending: bool,
    last_frame_ms: f64,
    tick_port: web_sys::MessagePort,
}

impl Worker {
    fn now(&self) -> f64 {
        self.scope.performance().map(|p| p.now()).unwrap_or(0.0)
    }

    fn post(&self, event: &Event) {
        // u64 counters and hashes outgrow JavaScript's safe integers: send them as BigInt.
        let serializer =
            serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true);
        match serde::Serialize::serialize(event, &serializer) {
            Ok(value) => {
                if let Err(e) = self.scope.post_message(&value) {
                    web_sys::console::error_2(&"worker: postMessage failed".into(), &e);
                }
            }
            Err(e) => web_sys::console::error_1(&format!("worker: encode failed: {e}").into()),
        }
    }

    fn post_all(&self, events: Vec<Event>) {
        for e in &events {
            self.post(e);
        }
    }

    /// Queues one tick on the channel if the controller wants to run and none is queued.
    fn schedule(&mut self) {
        if self.controller.wants_slice() && !self.tick_pending {
            self.tick_pending = true;
            if let Err(e) = self.tick_port.post_message(&JsValue::NULL) {
                self.tick_pending = false;
                web_sys::console::error_2(&"worker: cannot schedule a slice".into(), &e);
            }
        }
    }

    fn on_command(&mut self, data: JsValue) {
        let events = match serde_wasm_bindgen::from_value::<Command>(data) {
            Ok(command) => self.controller.handle(command),
            Err(e) => vec![Event::Error { message: format!("unknown command: {e}") }],
        };
        self.post_all(events);
        self.schedule();
    }

    fn on_tick(&mut self) {
        self.tick_pending = false;
        if !self.controller.wants_slice() {
            return;
        }
        let start = self.now();
        let events = self.controller.run_slice(self.budget);
        let end = self.now();
        self.adapt_budget(end - start);
        let had_events = !events.is_empty();
        self.post_all(events);
        if !had_events && end - self.last_frame_ms >= FRAME_MS {
            self.last_frame_ms = end;
            self.post(&Event::Progress(self.controller.progress()));
        }
        self.schedule();
    }

    fn adapt_budget(&mut self, elapsed_ms: f64) {
        let ratio = if elapsed_ms > 0.0 { SLICE_MS / elapsed_ms } else { 2.0 };
        // Change by at most a factor of two per slice so one odd measurement does no harm.
        let ratio = ratio.clamp(0.5, 2.0);
        self.budget = ((self.budget as f64 * ratio) as u64).clamp(1_000, 1 << 32);
    }
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
        budget: FIRST_BUDGET,
        tick_pending: false,
        last_frame_ms: 0.0,
        tick_port: channel.port2(),
    }));

    let w = Rc::clone(&worker);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        w.borrow_mut().on_command(ev.data());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handlers live as long as the worker.
    on_message.forget();

    let w = Rc::clone(&worker);
    let on_tick = Closure::<dyn FnMut(MessageEvent)>::new(move |_ev: MessageEvent| {
        w.borrow_mut().on_tick();
    });
    channel.port1().set_onmessage(Some(on_tick.as_ref().unchecked_ref()));
    on_tick.forget();

    worker
        .borrow()
        .post(&Event::Ready { version: SIM_VERSION.to_string(), protocol: PROTOCOL_VERSION });
}
