//! The header's usage line: this month's retrievals, and the documents and pages held, each
//! against the plan's cap.

use api_types::Usage;
use yew::prelude::*;

use crate::api;
use crate::format::{allowance, day};
use crate::pages::load::{use_load, Load};
use crate::state::AppContext;

#[derive(Properties, PartialEq)]
pub struct UsageMeterProps {
    pub app: AppContext,
}

/// Reads again after every write (uploads and deletions change the counts), when indexing ends,
/// and after each retrieval this page ran: the server answers usage exact as of the request. The
/// line is a nicety next to the real work: while it loads, or if the server cannot answer, it
/// shows nothing rather than an error.
#[component]
pub fn UsageMeter(props: &UsageMeterProps) -> Html {
    let app = &props.app;
    let usage = use_load(app.clone(), (app.writes, app.usage_epoch, app.retrievals), |_: (u32, u32, u32)| async move {
        api::usage().await
    });
    let Load::Ready(usage) = &*usage else { return html! {} };
    line(usage)
}

fn line(usage: &Usage) -> Html {
    let title = format!("{} plan; retrievals start afresh on {}", usage.plan, day(usage.resets_at));
    html! {
        <p id="usage" class="usage" aria-label="Usage this month" {title}>
            <span id="usage-retrievals" class="part">{ format!("Retrievals {}", allowance(&usage.retrievals)) }</span>
            <span class="sep" aria-hidden="true">{ " · " }</span>
            <span id="usage-documents" class="part">{ format!("Documents {}", allowance(&usage.documents)) }</span>
            <span class="sep" aria-hidden="true">{ " · " }</span>
            <span id="usage-pages" class="part">{ format!("Pages {}", allowance(&usage.pages)) }</span>
        </p>
    }
}
