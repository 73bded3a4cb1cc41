//! A retrieval's ranked chunks: title, score, the highlighted excerpt, and the full text on
//! demand.

use api_types::RetrievedChunk;
use yew::prelude::*;

use super::playground::Answer;
use crate::format::{millis, score};
use crate::highlight::{segments, Segment};

#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    pub answer: Answer,
}

#[component]
pub fn Results(props: &ResultsProps) -> Html {
    let results = &props.answer.response.results;
    let found = match results.len() {
        0 => "No chunk matches this query".to_owned(),
        1 => "1 result".to_owned(),
        n => format!("{n} results"),
    };
    html! {
        <div class="results" aria-live="polite">
            <p id="query-summary" class="muted">
                <span id="result-count">{ found }</span>
                { " in " }
                <span id="query-latency" title="Measured in the browser, from sending the request to reading the answer">
                    { millis(props.answer.latency_ms) }
                </span>
            </p>
            if !results.is_empty() {
                <ol id="results" class="items">{ for results.iter().map(result) }</ol>
            }
        </div>
    }
}

fn result(chunk: &RetrievedChunk) -> Html {
    html! {
        <li class="item result" data-test="result" data-document-id={chunk.document_id.to_string()}>
            <div class="result-head">
                <span class="doc-title" data-test="result-title">{ &chunk.title }</span>
                <span class="muted">{ format!("chunk {}", chunk.chunk + 1) }</span>
                <span class="badge score" data-test="result-score" title="Relevance; comparable within one answer">
                    { score(chunk.score) }
                </span>
            </div>
            <p class="excerpt" data-test="result-highlight">{ highlighted(&chunk.highlight) }</p>
            <details class="full-text">
                <summary data-test="result-expand">{ "Full text" }</summary>
                <p class="chunk-text" data-test="result-text">{ &chunk.text }</p>
            </details>
        </li>
    }
}

/// The excerpt as text nodes and `<mark>` elements: never as HTML (see [`crate::highlight`]).
fn highlighted(highlight: &str) -> Html {
    segments(highlight)
        .into_iter()
        .map(|segment| match segment {
            Segment::Text(text) => html! { { text } },
            Segment::Mark(text) => html! { <mark>{ text }</mark> },
        })
        .collect()
}
