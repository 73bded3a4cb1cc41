// Loads the dashboard: wasm-bindgen's `--target web` module fetches dashboard_bg.wasm next to
// itself and runs the Rust `main`. A separate file rather than an inline script, so a strict
// Content-Security-Policy (script-src 'self') can serve the page.
import init from "/dashboard.js";

init().catch((error) => {
  document.body.textContent = "The dashboard could not start: " + error;
});
