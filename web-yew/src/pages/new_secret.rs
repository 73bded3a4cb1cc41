//! A just-created API key's secret: shown once, with a copy button.

use api_types::IssuedApiKey;
use wasm_bindgen_futures::JsFuture;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NewSecretProps {
    pub issued: IssuedApiKey,
    pub ondismiss: Callback<MouseEvent>,
}

#[component]
pub fn NewSecret(props: &NewSecretProps) -> Html {
    let copy_status = use_state(String::new);
    let name = &props.issued.api_key.name;
    let body = match &props.issued.secret {
        Some(secret) => {
            let onclick = {
                let (secret, copy_status) = (secret.clone(), copy_status.clone());
                Callback::from(move |_: MouseEvent| {
                    let (secret, copy_status) = (secret.clone(), copy_status.clone());
                    spawn_local(async move {
                        let message = if copy_to_clipboard(&secret).await {
                            "Copied to the clipboard."
                        } else {
                            "Could not copy: select the key and copy it by hand."
                        };
                        copy_status.set(message.to_owned());
                    });
                })
            };
            html! {
                <>
                    <p class="warning">
                        <strong>{ "Copy this key now: you will not see it again." }</strong>
                        { " ContextInject keeps only a hash of it." }
                    </p>
                    <div class="secret-row">
                        <code id="new-secret" class="secret">{ secret }</code>
                        <button id="copy-secret" type="button" class="button" {onclick}>{ "Copy" }</button>
                    </div>
                    <p id="copy-status" class="muted" aria-live="polite">{ (*copy_status).clone() }</p>
                </>
            }
        }
        // Only on a retried create: the server never stores the key in clear.
        None => html! {
            <p class="warning">{ "This key's secret can no longer be shown. Revoke it and create a new one." }</p>
        },
    };
    html! {
        <div id="new-key" class="notice" role="status">
            <h3>{ format!("New key “{name}”") }</h3>
            { body }
            <button id="dismiss-secret" type="button" class="button secondary" onclick={props.ondismiss.clone()}>
                { "Done, I have stored it" }
            </button>
        </div>
    }
}

/// Writes to the clipboard. The Clipboard API only exists in secure contexts (https, or
/// localhost), so check first rather than call into an undefined object.
async fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    if !window.is_secure_context() {
        return false;
    }
    JsFuture::from(window.navigator().clipboard().write_text(text)).await.is_ok()
}
