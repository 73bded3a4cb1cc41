//! The query playground: run a retrieval against the project as an application would, and see
//! the ranked chunks and how long the request took from the browser.

use api_types::{RetrieveRequest, RetrieveResponse};
use uuid::Uuid;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::form::{error_line, setter, TextField};
use super::results::Results;
use crate::api;
use crate::state::{Action, AppContext};

/// The API's range for `top_k`, and its default.
const TOP_K: std::ops::RangeInclusive<u32> = 1..=50;
const DEFAULT_TOP_K: u32 = 5;

#[derive(Properties, PartialEq)]
pub struct PlaygroundProps {
    pub app: AppContext,
    pub project: Uuid,
}

/// A retrieval's answer and its round trip in milliseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub response: RetrieveResponse,
    pub latency_ms: f64,
}

#[component]
pub fn Playground(props: &PlaygroundProps) -> Html {
    let query = use_state(String::new);
    let top_k = use_state(|| DEFAULT_TOP_K.to_string());
    let busy = use_state(|| false);
    let error = use_state(|| None::<String>);
    let answer = use_state(|| None::<Answer>);

    let onsubmit = {
        let (app, project) = (props.app.clone(), props.project);
        let (query, top_k, busy, error, answer) =
            (query.clone(), top_k.clone(), busy.clone(), error.clone(), answer.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let Some(k) = top_k.trim().parse::<u32>().ok().filter(|k| TOP_K.contains(k)) else {
                error.set(Some(format!("Results must be a whole number from {} to {}.", TOP_K.start(), TOP_K.end())));
                return;
            };
            let body =
                RetrieveRequest { query: query.trim().to_owned(), top_k: Some(k), filter: None, query_embedding: None };
            let (app, busy, error, answer) = (app.clone(), busy.clone(), error.clone(), answer.clone());
            busy.set(true);
            error.set(None);
            spawn_local(async move {
                let started = now();
                let outcome = api::retrieve(project, &body).await;
                let latency_ms = now() - started;
                busy.set(false);
                match outcome {
                    Ok(response) => {
                        answer.set(Some(Answer { response, latency_ms }));
                        // A served retrieval counts against the month's allowance.
                        app.dispatch(Action::Retrieved);
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        })
    };
    let ontopk = {
        let top_k = top_k.clone();
        Callback::from(move |e: InputEvent| top_k.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };

    html! {
        <section class="panel" aria-labelledby="playground-heading">
            <h2 id="playground-heading">{ "Query playground" }</h2>
            <p class="muted">
                { "Runs a retrieval as your application would: words, \"quoted phrases\", or and -excluded terms." }
            </p>
            <form id="query-form" class="inline-form" {onsubmit}>
                <TextField id="query" label="Query" value={(*query).clone()} oninput={setter(&query)} autocomplete="off" />
                <div class="field number-field">
                    <label for="top-k">{ "Results" }</label>
                    <input id="top-k" type="number" inputmode="numeric" min={TOP_K.start().to_string()}
                        max={TOP_K.end().to_string()} required=true value={(*top_k).clone()} oninput={ontopk} />
                </div>
                <button id="run-query" type="submit" class="button" disabled={*busy}>
                    { if *busy { "Running…" } else { "Run query" } }
                </button>
            </form>
            { error_line("query-error", &error) }
            if let Some(answer) = &*answer {
                <Results answer={answer.clone()} />
            }
        </section>
    }
}

/// Milliseconds from the page's clock, which is monotonic (unlike `Date.now()`).
fn now() -> f64 {
    web_sys::window().and_then(|window| window.performance()).map_or(0.0, |performance| performance.now())
}
