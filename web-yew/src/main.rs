//! The wasm entry point. wasm-bindgen runs a binary's `main` when the module loads.

fn main() {
    yew::Renderer::<ctxi_web::app::App>::new().render();
}
