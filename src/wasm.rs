//! The whole #[wasm_bindgen] surface. STUB: being written.
