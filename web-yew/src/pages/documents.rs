//! A project's documents tab: the upload form, and the documents with their indexing status,
//! read again every second while any is still being indexed.

use api_types::{DocumentInfo, DocumentList};
use uuid::Uuid;
use yew::prelude::*;

use super::document_row::DocumentRow;
use super::load::{use_load_until, Load};
use super::upload::UploadForm;
use crate::api::{self, DOCUMENTS_PAGE};
use crate::state::{Action, AppContext};

#[derive(Properties, PartialEq)]
pub struct DocumentsProps {
    pub app: AppContext,
    pub project: Uuid,
}

#[component]
pub fn Documents(props: &DocumentsProps) -> Html {
    let (app, project) = (props.app.clone(), props.project);
    // Reloaded after every write (an upload, a deletion).
    let list = use_load_until(
        app.clone(),
        (project, app.writes),
        |(project, _): (Uuid, u32)| async move { api::documents(project).await },
        |list: &DocumentList| !list.documents.iter().any(is_pending),
    );
    let pending = matches!(&*list, Load::Ready(list) if list.documents.iter().any(is_pending));
    {
        // Indexing is when pages count against the plan: the header reads usage again after it.
        let app = app.clone();
        let was_pending = use_mut_ref(|| false);
        use_effect_with(pending, move |&pending| {
            if std::mem::replace(&mut *was_pending.borrow_mut(), pending) && !pending {
                app.dispatch(Action::UsageChanged);
            }
        });
    }

    html! {
        <section class="panel" aria-labelledby="documents-heading">
            <h2 id="documents-heading">{ "Documents" }</h2>
            <UploadForm app={app.clone()} {project} />
            { match &*list {
                Load::Loading => html! { <p class="muted">{ "Loading documents…" }</p> },
                Load::Failed(message) => html! {
                    <p id="documents-load-error" class="error" role="alert">{ message }</p>
                },
                Load::Ready(list) if list.documents.is_empty() => html! {
                    <p id="no-documents" class="muted">{ "No documents yet: paste some text or upload a file above." }</p>
                },
                Load::Ready(list) => html! {
                    <>
                        <ul id="document-list" class="items" aria-busy={pending.then_some("true")}>
                            { for list.documents.iter().map(|document| html! {
                                <DocumentRow key={document.id.to_string()} app={app.clone()} {project}
                                    document={document.clone()} />
                            }) }
                        </ul>
                        if list.next_before.is_some() {
                            <p class="muted">{ format!("Showing the newest {DOCUMENTS_PAGE} documents.") }</p>
                        }
                    </>
                },
            } }
        </section>
    }
}

fn is_pending(document: &DocumentInfo) -> bool {
    document.status == "pending"
}
