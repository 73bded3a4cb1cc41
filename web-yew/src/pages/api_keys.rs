//! A project's API keys: create one (its secret shown once), list them, revoke with a
//! confirmation step in the page.

use api_types::{ApiKeyInfo, ApiKeyList, CreateApiKeyRequest, IssuedApiKey};
use uuid::Uuid;
use web_sys::HtmlElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::form::{error_line, setter, TextField};
use super::load::{use_load, Load};
use super::new_secret::NewSecret;
use crate::api;
use crate::format::{day, key_hint};
use crate::state::{Action, AppContext};

#[derive(Properties, PartialEq)]
pub struct ApiKeysProps {
    pub app: AppContext,
    pub project: Uuid,
}

#[component]
pub fn ApiKeys(props: &ApiKeysProps) -> Html {
    let app = props.app.clone();
    let project = props.project;
    let keys = use_load(app.clone(), (project, app.writes), |(project, _): (Uuid, u32)| async move {
        api::api_keys(project).await
    });
    let name = use_state(String::new);
    let busy = use_state(|| false);
    let error = use_state(|| None::<String>);
    let issued = use_state(|| None::<IssuedApiKey>);
    // The key whose revocation awaits confirmation, and that step's error.
    let confirming = use_state(|| None::<Uuid>);
    let revoke_error = use_state(|| None::<String>);
    let cancel_ref = use_node_ref();
    {
        // Keyboard users land on the safe choice when the confirmation appears.
        let cancel_ref = cancel_ref.clone();
        use_effect_with(*confirming, move |confirming| {
            if confirming.is_some() {
                if let Some(button) = cancel_ref.cast::<HtmlElement>() {
                    let _ = button.focus();
                }
            }
        });
    }

    let onsubmit = {
        let (app, name, busy, error, issued) = (app.clone(), name.clone(), busy.clone(), error.clone(), issued.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let body = CreateApiKeyRequest { name: name.trim().to_owned() };
            let (app, name, busy, error, issued) =
                (app.clone(), name.clone(), busy.clone(), error.clone(), issued.clone());
            busy.set(true);
            error.set(None);
            spawn_local(async move {
                let outcome = api::create_api_key(project, &body).await;
                busy.set(false);
                match outcome {
                    Ok(key) => {
                        name.set(String::new());
                        app.dispatch(Action::Wrote);
                        issued.set(Some(key));
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        })
    };
    let ondismiss = {
        let issued = issued.clone();
        Callback::from(move |_: MouseEvent| issued.set(None))
    };
    let rows = Rows { app, project, confirming, revoke_error, cancel_ref };

    html! {
        <section class="panel" aria-labelledby="keys-heading">
            <h2 id="keys-heading">{ "API keys" }</h2>
            if let Some(key) = &*issued {
                <NewSecret issued={key.clone()} {ondismiss} />
            }
            <form id="create-api-key-form" class="inline-form" {onsubmit}>
                <TextField id="api-key-name" label="New key name" value={(*name).clone()} oninput={setter(&name)}
                    autocomplete="off" />
                <button id="create-api-key" type="submit" class="button" disabled={*busy}>{ "Create key" }</button>
            </form>
            { error_line("api-key-error", &error) }
            { rows.list(&keys) }
        </section>
    }
}

/// What the key rows need, to render and to revoke.
struct Rows {
    app: AppContext,
    project: Uuid,
    confirming: UseStateHandle<Option<Uuid>>,
    revoke_error: UseStateHandle<Option<String>>,
    cancel_ref: NodeRef,
}

impl Rows {
    fn list(&self, keys: &Load<ApiKeyList>) -> Html {
        match keys {
            Load::Loading => html! { <p class="muted">{ "Loading keys…" }</p> },
            Load::Failed(message) => html! { <p id="api-keys-load-error" class="error" role="alert">{ message }</p> },
            Load::Ready(list) if list.api_keys.is_empty() => {
                html! { <p id="no-api-keys" class="muted">{ "No API keys yet." }</p> }
            }
            Load::Ready(list) => html! {
                <ul id="api-key-list" class="items">{ for list.api_keys.iter().map(|key| self.row(key)) }</ul>
            },
        }
    }

    fn row(&self, key: &ApiKeyInfo) -> Html {
        let status = match key.revoked_at {
            Some(at) => {
                html! { <span class="badge revoked" data-test="key-status">{ format!("Revoked {}", day(at)) }</span> }
            }
            None => html! { <span class="badge active" data-test="key-status">{ "Active" }</span> },
        };
        let action = if key.revoked_at.is_some() {
            html! {}
        } else if *self.confirming == Some(key.id) {
            self.confirmation(key)
        } else {
            let onclick = {
                let (confirming, revoke_error, id) = (self.confirming.clone(), self.revoke_error.clone(), key.id);
                Callback::from(move |_: MouseEvent| {
                    revoke_error.set(None);
                    confirming.set(Some(id));
                })
            };
            html! { <button type="button" class="button secondary" data-test="revoke" {onclick}>{ "Revoke" }</button> }
        };
        html! {
            <li class="item" data-test="api-key" data-key-id={key.id.to_string()}>
                <span class="key-name">{ &key.name }</span>
                <code class="muted">{ key_hint(&key.prefix) }</code>
                <span class="muted">{ format!("Created {}", day(key.created_at)) }</span>
                { status }
                { action }
            </li>
        }
    }

    fn confirmation(&self, key: &ApiKeyInfo) -> Html {
        let oncancel = {
            let confirming = self.confirming.clone();
            Callback::from(move |_: MouseEvent| confirming.set(None))
        };
        let onconfirm = {
            let (app, project, key_id) = (self.app.clone(), self.project, key.id);
            let (confirming, revoke_error) = (self.confirming.clone(), self.revoke_error.clone());
            Callback::from(move |_: MouseEvent| {
                let (app, confirming, revoke_error) = (app.clone(), confirming.clone(), revoke_error.clone());
                spawn_local(async move {
                    match api::revoke_api_key(project, key_id).await {
                        Ok(_) => {
                            confirming.set(None);
                            app.dispatch(Action::Wrote);
                        }
                        Err(e) => revoke_error.set(Some(e.message())),
                    }
                });
            })
        };
        html! {
            <div class="confirm" role="group" aria-label="Confirm revoking this key" data-test="revoke-confirmation">
                <p>{ format!("Revoke “{}”? Requests using it will be refused. This cannot be undone.", key.name) }</p>
                <button type="button" class="button danger" data-test="confirm-revoke" onclick={onconfirm}>
                    { "Revoke key" }
                </button>
                <button type="button" class="button secondary" data-test="cancel-revoke" onclick={oncancel}
                    ref={self.cancel_ref.clone()}>
                    { "Cancel" }
                </button>
                { error_line("revoke-error", &self.revoke_error) }
            </div>
        }
    }
}
