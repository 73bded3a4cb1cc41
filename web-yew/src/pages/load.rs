//! Loading data for a page, again whenever its inputs (usually the latest write position) change.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::ApiResult;
use crate::state::{Action, AppContext};

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
    F: FnOnce(D) -> Fut + 'static,
    Fut: Future<Output = ApiResult<T>> + 'static,
{
    let state = use_state(|| Load::Loading);
    {
        let state = state.clone();
        use_effect_with(deps, move |deps| {
            let current = Rc::new(Cell::new(true));
            let still_current = current.clone();
            let request = fetch(deps.clone());
            spawn_local(async move {
                let outcome = request.await;
                if !still_current.get() {
                    return;
                }
                match outcome {
                    Ok(data) => state.set(Load::Ready(data)),
                    Err(e) => {
                        if e.is_unauthorized() {
                            app.dispatch(Action::SignedOut);
                        }
                        state.set(Load::Failed(e.message()));
                    }
                }
            });
            move || current.set(false)
        });
    }
    state
}
