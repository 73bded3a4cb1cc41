//! The upload form: paste text (sent as JSON) or choose a file (sent as multipart, the only
//! way for a PDF).

use api_types::UploadDocumentRequest;
use uuid::Uuid;
use web_sys::{FormData, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::form::{error_line, setter, TextField};
use crate::api;
use crate::state::{Action, AppContext};

/// The text formats the API takes as JSON: (MIME type, label).
const TEXT_FORMATS: [(&str, &str); 3] =
    [("text/plain", "Plain text"), ("text/markdown", "Markdown"), ("text/html", "HTML")];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Paste,
    File,
}

#[derive(Properties, PartialEq)]
pub struct UploadFormProps {
    pub app: AppContext,
    pub project: Uuid,
}

#[component]
pub fn UploadForm(props: &UploadFormProps) -> Html {
    let source = use_state(|| Source::Paste);
    let title = use_state(String::new);
    let content = use_state(String::new);
    let format = use_state(|| TEXT_FORMATS[0].0.to_owned());
    let file_ref = use_node_ref();
    let busy = use_state(|| false);
    let error = use_state(|| None::<String>);

    let onsubmit = {
        let (app, project, source, file_ref) = (props.app.clone(), props.project, *source, file_ref.clone());
        let (title, content, format, busy, error) =
            (title.clone(), content.clone(), format.clone(), busy.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let upload = match source {
                Source::Paste => Upload::Text(UploadDocumentRequest {
                    title: title.trim().to_owned(),
                    content: (*content).clone(),
                    content_type: Some((*format).clone()),
                    metadata: None,
                }),
                Source::File => match file_form(&file_ref, title.trim()) {
                    Ok(form) => Upload::File(form),
                    Err(message) => {
                        error.set(Some(message));
                        return;
                    }
                },
            };
            let (app, title, content, file_ref, busy, error) =
                (app.clone(), title.clone(), content.clone(), file_ref.clone(), busy.clone(), error.clone());
            busy.set(true);
            error.set(None);
            spawn_local(async move {
                let outcome = match upload {
                    Upload::Text(body) => api::upload_text(project, &body).await,
                    Upload::File(form) => api::upload_form(project, form).await,
                };
                busy.set(false);
                match outcome {
                    Ok(_) => {
                        title.set(String::new());
                        content.set(String::new());
                        if let Some(input) = file_ref.cast::<HtmlInputElement>() {
                            input.set_value("");
                        }
                        app.dispatch(Action::Wrote);
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        })
    };
    let choose = |to: Source| {
        let (source, error) = (source.clone(), error.clone());
        Callback::from(move |_: Event| {
            error.set(None);
            source.set(to);
        })
    };
    let oncontent = {
        let content = content.clone();
        Callback::from(move |e: InputEvent| content.set(e.target_unchecked_into::<HtmlTextAreaElement>().value()))
    };
    let onformat = {
        let format = format.clone();
        Callback::from(move |e: Event| format.set(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    let pasting = *source == Source::Paste;

    html! {
        <form id="upload-form" class="upload-form" onsubmit={onsubmit}>
            <fieldset class="choice">
                <legend>{ "Add a document" }</legend>
                <label><input id="upload-mode-text" type="radio" name="upload-mode" checked={pasting}
                    onchange={choose(Source::Paste)} />{ " Paste text" }</label>
                <label><input id="upload-mode-file" type="radio" name="upload-mode" checked={!pasting}
                    onchange={choose(Source::File)} />{ " Upload a file" }</label>
            </fieldset>
            if pasting {
                <div class="field-row">
                    <TextField id="document-title" label="Title" value={(*title).clone()} oninput={setter(&title)}
                        autocomplete="off" />
                    <div class="field narrow-field">
                        <label for="document-content-type">{ "Format" }</label>
                        <select id="document-content-type" onchange={onformat}>
                            { for TEXT_FORMATS.iter().map(|(mime, label)| html! {
                                <option value={*mime} selected={*format == *mime}>{ *label }</option>
                            }) }
                        </select>
                    </div>
                </div>
                <div class="field">
                    <label for="document-content">{ "Text" }</label>
                    <textarea id="document-content" rows="8" required=true value={(*content).clone()}
                        oninput={oncontent} />
                </div>
            } else {
                <div class="field-row">
                    <div class="field">
                        <label for="document-file">{ "File" }</label>
                        <input id="document-file" type="file" ref={file_ref} required=true
                            accept=".txt,.md,.markdown,.html,.htm,.pdf,text/plain,text/markdown,text/html,application/pdf"
                            aria-describedby="document-file-hint" />
                        <p id="document-file-hint" class="hint">{ "Text, Markdown, HTML or PDF, up to 10 MiB." }</p>
                    </div>
                    <TextField id="document-file-title" label="Title (optional)" value={(*title).clone()}
                        oninput={setter(&title)} autocomplete="off" required=false hint="Defaults to the file's name." />
                </div>
            }
            { error_line("upload-error", &error) }
            <button id="upload-document" type="submit" class="button" disabled={*busy}>
                { if *busy { "Uploading…" } else { "Upload" } }
            </button>
        </form>
    }
}

enum Upload {
    Text(UploadDocumentRequest),
    File(FormData),
}

/// The multipart body for the chosen file, or why there is none. The file part keeps its name,
/// from which the server tells the format when the browser gives no type.
fn file_form(file_ref: &NodeRef, title: &str) -> Result<FormData, String> {
    let file = file_ref
        .cast::<HtmlInputElement>()
        .and_then(|input| input.files())
        .and_then(|files| files.get(0))
        .ok_or_else(|| "Choose a file to upload.".to_owned())?;
    let unreadable = |_| "Your browser could not prepare the upload.".to_owned();
    let form = FormData::new().map_err(unreadable)?;
    form.append_with_blob_and_filename("file", &file, &file.name()).map_err(unreadable)?;
    if !title.is_empty() {
        form.append_with_str("title", title).map_err(unreadable)?;
    }
    Ok(form)
}
