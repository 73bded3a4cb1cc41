//! The header's usage line: this month's retrievals, and the documents and pages held, each
//! against the plan's cap.

use api_types::Usage;
use yew::platform::time::sleep;
use yew::prelude::*;

use crate::api;
use crate::format::{allowance, day};
use crate::pages::load::{use_load, Load, POLL_EVERY};
use crate::state::AppContext;

/// How many times the line reads usage while waiting for a retrieval to be counted.
const MAX_READS: u32 = 10;

#[derive(Properties, PartialEq)]
pub struct UsageMeterProps {
    pub app: AppContext,
}

/// Reads again after every write (uploads and deletions change the counts), when indexing ends,
/// and after each retrieval this page ran. The line is a nicety next to the real work: while it
/// loads, or if the server cannot answer, it shows nothing rather than an error.
#[component]
pub fn UsageMeter(props: &UsageMeterProps) -> Html {
    let app = &props.app;
    // The last answer's retrieval count, and how many of this page's retrievals it included.
    let seen = use_mut_ref(|| None::<(u32, u64)>);
    let floor = at_least(*seen.borrow(), app.retrievals);
    let usage = use_load(
        app.clone(),
        (app.position.clone(), app.usage_epoch, app.retrievals),
        move |(position, _, retrievals): (Option<String>, u32, u32)| async move {
            // A retrieval answers no position to wait for, and reaches the read model a moment
            // later: read again until it is counted, for a few seconds at most.
            let mut reads = 1;
            loop {
                let usage = api::usage(position.as_deref()).await?;
                if reads >= MAX_READS || floor.is_none_or(|floor| usage.retrievals.used >= floor) {
                    return Ok((usage, retrievals));
                }
                reads += 1;
                sleep(POLL_EVERY).await;
            }
        },
    );
    let Load::Ready((usage, counted)) = &*usage else { return html! {} };
    *seen.borrow_mut() = Some((*counted, usage.retrievals.used));
    line(usage)
}

/// The retrieval count an answer should show once this page's retrievals since the last answer
/// are counted; `None` before the first answer.
fn at_least(seen: Option<(u32, u64)>, retrievals: u32) -> Option<u64> {
    seen.map(|(counted, used)| used + u64::from(retrievals.saturating_sub(counted)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_adds_the_retrievals_run_since_the_last_answer() {
        assert_eq!(at_least(None, 3), None);
        assert_eq!(at_least(Some((0, 12)), 0), Some(12));
        assert_eq!(at_least(Some((1, 12)), 3), Some(14));
    }
}
