//! What a panic in the browser build leaves behind for the page.
//!
//! In WebAssembly a Rust panic aborts: the export call that panicked ends
//! in a `RuntimeError: unreachable`, whose message says nothing of the
//! cause, and the instance must not be used again. The hook installed when
//! the module starts keeps the panic's message and location, so the worker
//! can read them with [`last_panic`] and tell the user what went wrong
//! before it is replaced by a fresh one.

use std::sync::Mutex;

use wasm_bindgen::prelude::*;

/// The latest panic's message and location, empty while there has been none.
static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

/// Installs the panic hook; wasm-bindgen runs it once, when the module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("no message");
        let text = match info.location() {
            Some(at) => format!("{message} (at {}:{}:{})", short_path(at.file()), at.line(), at.column()),
            None => message.to_owned(),
        };
        // A panic while the lock is held cannot happen (nothing in it
        // panics), but a poisoned lock still holds the text.
        let mut last = LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner());
        *last = text;
    }));
}

/// A source path without the machine it was built on: the standard
/// library's from `library/`, a dependency's from its crate folder.
fn short_path(file: &str) -> &str {
    if let Some(rest) = file.strip_prefix("/rustc/") {
        return rest.split_once('/').map_or(file, |(_, path)| path);
    }
    match file.find("/registry/src/") {
        Some(i) => file[i + "/registry/src/".len()..].split_once('/').map_or(file, |(_, path)| path),
        None => file,
    }
}

/// The message and location of the latest panic, or an empty string: read
/// after an export call ended in a `WebAssembly.RuntimeError`.
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> String {
    LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()).clone()
}
