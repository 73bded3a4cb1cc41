//! Loading data for a page, again whenever its inputs (usually the count of writes) change.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use yew::platform::spawn_local;
use yew::platform::time::sleep;
use yew::prelude::*;

use crate::api::ApiResult;
use crate::state::{Action, AppContext};

/// How long [`use_load_until`] waits between reads.
pub const POLL_EVERY: Duration = Duration::from_secs(1);

#[derive(Clone, Debug, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(T),
    /// A readable message.
    Failed(String),
}

/// Runs `fetch(deps)` on mount and whenever `deps` change. The previous data stays on screen
/// while a reload runs, an answer that arrives after a newer request started is dropped, and a
/// 401 signs the user out (the page then sends them to the login page).
#[hook]
pub fn use_load<T, D, F, Fut>(app: AppContext, deps: D, fetch: F) -> UseStateHandle<Load<T>>
where
    T: 'static,
    D: PartialEq + Clone + 'static,
    F: Fn(D) -> Fut + 'static,
    Fut: Future<Output = ApiResult<T>> + 'static,
{
    use_load_until(app, deps, fetch, |_: &T| true)
}

/// [`use_load`], then reads again every [`POLL_EVERY`] until `settled(&data)` holds: for data
/// the server changes by itself, such as documents being indexed. One request at a time, so a
/// slow server is never asked twice at once; an error stops the polling (the page shows it).
#[hook]
pub fn use_load_until<T, D, F, Fut>(
    app: AppContext,
    deps: D,
    fetch: F,
    settled: fn(&T) -> bool,
) -> UseStateHandle<Load<T>>
where
    T: 'static,
    D: PartialEq + Clone + 'static,
    F: Fn(D) -> Fut + 'static,
    Fut: Future<Output = ApiResult<T>> + 'static,
{
    let state = use_state(|| Load::Loading);
    {
        let state = state.clone();
        use_effect_with(deps, move |deps| {
            let current = Rc::new(Cell::new(true));
            let still_current = current.clone();
            let deps = deps.clone();
            spawn_local(async move {
                loop {
                    let outcome = fetch(deps.clone()).await;
                    if !still_current.get() {
                        return;
                    }
                    match outcome {
                        Ok(data) => {
                            let done = settled(&data);
                            state.set(Load::Ready(data));
                            if done {
                                return;
                            }
                        }
                        Err(e) => {
                            if e.is_unauthorized() {
                                app.dispatch(Action::SignedOut);
                            }
                            state.set(Load::Failed(e.message()));
                            return;
                        }
                    }
                    sleep(POLL_EVERY).await;
                    if !still_current.get() {
                        return;
                    }
                }
            });
            move || current.set(false)
        });
    }
    state
}
