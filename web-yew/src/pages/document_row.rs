//! One document in the list: what ingestion made of it, and deletion behind a confirmation
//! step in the page.

use api_types::DocumentInfo;
use uuid::Uuid;
use web_sys::HtmlElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::form::error_line;
use crate::api;
use crate::format::{count, day, pii_counts};
use crate::state::{Action, AppContext};

#[derive(Properties, PartialEq)]
pub struct DocumentRowProps {
    pub app: AppContext,
    pub project: Uuid,
    pub document: DocumentInfo,
}

#[component]
pub fn DocumentRow(props: &DocumentRowProps) -> Html {
    let confirming = use_state(|| false);
    let busy = use_state(|| false);
    let error = use_state(|| None::<String>);
    let cancel_ref = use_node_ref();
    {
        // Keyboard users land on the safe choice when the confirmation appears.
        let cancel_ref = cancel_ref.clone();
        use_effect_with(*confirming, move |&confirming| {
            if confirming {
                if let Some(button) = cancel_ref.cast::<HtmlElement>() {
                    let _ = button.focus();
                }
            }
        });
    }
    let document = &props.document;
    let (status, status_class) = match document.status.as_str() {
        "pending" => ("Indexing…", "pending"),
        "indexed" => ("Indexed", "indexed"),
        "failed" => ("Failed", "failed"),
        other => (other, ""),
    };
    let uploaded = format!("uploaded {}", day(document.uploaded_at));
    let details = if document.status == "pending" {
        format!("{} · {uploaded}", document.content_type)
    } else {
        let (pages, chunks) = (count(document.pages, "page"), count(document.chunks, "chunk"));
        format!("{} · {pages} · {chunks} · {uploaded}", document.content_type)
    };
    let pii = pii_counts(&document.pii);

    let action = if *confirming {
        let oncancel = {
            let confirming = confirming.clone();
            Callback::from(move |_: MouseEvent| confirming.set(false))
        };
        let onconfirm = {
            let (app, project, id) = (props.app.clone(), props.project, document.id);
            let (busy, error) = (busy.clone(), error.clone());
            Callback::from(move |_: MouseEvent| {
                let (app, busy, error) = (app.clone(), busy.clone(), error.clone());
                busy.set(true);
                spawn_local(async move {
                    let outcome = api::delete_document(project, id).await;
                    busy.set(false);
                    match outcome {
                        // The list reloads, without this row.
                        Ok(_) => app.dispatch(Action::Wrote),
                        Err(e) => error.set(Some(e.message())),
                    }
                });
            })
        };
        html! {
            <div class="confirm" role="group" aria-label="Confirm deleting this document" data-test="delete-confirmation">
                <p>{ format!("Delete “{}”? Its text and chunks are erased for good, and retrieval stops returning it.",
                    document.title) }</p>
                <button type="button" class="button danger" data-test="confirm-delete" onclick={onconfirm}
                    disabled={*busy}>
                    { if *busy { "Deleting…" } else { "Delete document" } }
                </button>
                <button type="button" class="button secondary" data-test="cancel-delete" onclick={oncancel}
                    ref={cancel_ref}>
                    { "Cancel" }
                </button>
                { error_line("delete-error", &error) }
            </div>
        }
    } else {
        let onclick = {
            let (confirming, error) = (confirming.clone(), error.clone());
            Callback::from(move |_: MouseEvent| {
                error.set(None);
                confirming.set(true);
            })
        };
        html! {
            <button type="button" class="button secondary" data-test="delete-document" {onclick}
                aria-label={format!("Delete {}", document.title)}>
                { "Delete" }
            </button>
        }
    };

    html! {
        <li class="item document" data-test="document" data-document-id={document.id.to_string()}>
            <div class="doc-body">
                <div class="doc-head">
                    <span class="doc-title" data-test="document-title">{ &document.title }</span>
                    <span class={classes!("badge", status_class)} data-test="document-status"
                        data-status={document.status.clone()}>{ status }</span>
                </div>
                <span class="muted" data-test="document-details">{ details }</span>
                if document.status == "indexed" {
                    <span class="pii" data-test="document-pii">
                        { if pii.is_empty() { "No personal data found".to_owned() } else { format!("Personal data: {pii}") } }
                    </span>
                }
                if let Some(failure) = &document.failure {
                    <p class="error failure" data-test="document-failure">{ format!("Indexing failed: {failure}") }</p>
                }
            </div>
            { action }
        </li>
    }
}
