//! The page's end of the worker connection.
//!
//! A dedicated worker's WebAssembly takes a moment to load; a message posted before its
//! `onmessage` handler exists is lost. So the bridge keeps every command in a queue until the
//! worker's [`Event::Ready`] arrives, checks that the worker speaks our
//! [`PROTOCOL_VERSION`], then flushes the queue and sends directly from then on.

use std::cell::RefCell;
use std::rc::Rc;

use sim::frame::{PageMap, SharedMark};
use sim::protocol::{Command, Event, PROTOCOL_VERSION};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};
use yew::Callback;

/// Classic worker script that `cargo xtask web` writes to load the worker's wasm-bindgen glue and
/// wasm (crates/xtask/src/web.rs); a fixed name, unlike the content-hashed files it loads.
const WORKER_SCRIPT: &str = "./worker_loader.js";

struct Shared {
    worker: Worker,
    ready: bool,
    queue: Vec<Command>,
}

impl Shared {
    fn post(&self, command: &Command) {
        let serializer =
            serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true);
        match serde::Serialize::serialize(command, &serializer) {
            Ok(value) => {
                if let Err(e) = self.worker.post_message(&value) {
                    web_sys::console::error_2(&"bridge: postMessage failed".into(), &e);
                }
            }
            Err(e) => web_sys::console::error_1(&format!("bridge: encode failed: {e}").into()),
        }
    }
}

/// A running worker and the queue in front of it. Dropping the bridge terminates the worker.
pub struct Bridge {
    shared: Rc<RefCell<Shared>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Bridge {
    /// Starts the worker; every event it sends (and a synthetic [`Event::Error`] if the worker
    /// fails to load or speaks another protocol) is passed to `on_event`.
    pub fn start(on_event: Callback<Event>) -> Result<Bridge, String> {
        let worker = Worker::new(WORKER_SCRIPT)
            .map_err(|e| format!("cannot start the simulator worker: {e:?}"))?;
        let shared = Rc::new(RefCell::new(Shared { worker, ready: false, queue: Vec::new() }));

        let s = Rc::clone(&shared);
        let cb = on_event.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let event = match decode(ev.data()) {
                Ok(event) => event,
                Err(e) => Event::Error { message: format!("undecodable worker message: {e}") },
            };
            if let Event::Ready { protocol, .. } = &event {
                if *protocol != PROTOCOL_VERSION {
                    cb.emit(Event::Error {
                        message: format!(
                            "the worker speaks protocol {protocol}, the page {PROTOCOL_VERSION}: \
                             reload the page"
                        ),
                    });
                    return;
                }
                let mut shared = s.borrow_mut();
                shared.ready = true;
                for command in std::mem::take(&mut shared.queue) {
                    shared.post(&command);
                }
            }
            cb.emit(event);
        });
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
            on_event.emit(Event::Error { message: format!("worker error: {}", ev.message()) });
        });
        {
            let shared = shared.borrow();
            shared.worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            shared.worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        }
        Ok(Bridge { shared, _on_message: on_message, _on_error: on_error })
    }

    /// Sends a command now if the worker is ready, else queues it until it is.
    pub fn send(&self, command: Command) {
        let mut shared = self.shared.borrow_mut();
        if shared.ready {
            shared.post(&command);
        } else {
            shared.queue.push(command);
        }
    }
}

/// A worker message as an event. Page maps come as typed arrays (their buffers transferred,
/// see the worker) and are read directly; everything else through serde.
fn decode(data: JsValue) -> Result<Event, String> {
    let ty = js_sys::Reflect::get(&data, &"type".into()).ok().and_then(|t| t.as_string());
    if ty.as_deref() == Some("PageMap") {
        let get = |k: &str| js_sys::Reflect::get(&data, &k.into()).unwrap_or(JsValue::NULL);
        let bytes = |v: JsValue| {
            v.dyn_into::<js_sys::Uint8Array>()
                .map(|a| a.to_vec())
                .map_err(|_| "not bytes".to_string())
        };
        let heat = get("heat").dyn_into::<js_sys::Uint32Array>().ok().map(|a| a.to_vec());
        let replicas = get("replicas").dyn_into::<js_sys::Uint32Array>().map(|a| a.to_vec());
        let shared = get("shared").dyn_into::<js_sys::Uint32Array>().map(|a| a.to_vec());
        return Ok(Event::PageMap(PageMap {
            owner: bytes(get("owner"))?,
            kind: bytes(get("kind"))?,
            heat,
            replicas: replicas.unwrap_or_default(),
            shared: SharedMark::unflatten(&shared.unwrap_or_default()),
        }));
    }
    serde_wasm_bindgen::from_value::<Event>(data).map_err(|e| e.to_string())
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.shared.borrow().worker.terminate();
    }
}
