//! The top bar: the product name, and for a signed-in user the month's usage, the tenant, plan
//! and logout.

use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::format::plan_name;
use crate::route::Route;
use crate::state::{Action, AppContext};
use crate::usage::UsageMeter;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub app: AppContext,
}

#[component]
pub fn Header(props: &HeaderProps) -> Html {
    let busy = use_state(|| false);
    let error = use_state(|| None::<String>);
    let onclick = {
        let (app, busy, error) = (props.app.clone(), busy.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            let (app, busy, error) = (app.clone(), busy.clone(), error.clone());
            busy.set(true);
            spawn_local(async move {
                let outcome = api::logout().await;
                busy.set(false);
                match outcome {
                    // An expired session is as good as logged out.
                    Err(e) if !e.is_unauthorized() => error.set(Some(e.message())),
                    _ => {
                        error.set(None);
                        app.dispatch(Action::SignedOut);
                    }
                }
            });
        })
    };
    html! {
        <header class="topbar">
            <Link<Route> to={Route::Projects} classes="brand">{ "ContextInject" }</Link<Route>>
            if let Some(me) = props.app.me() {
                <UsageMeter app={props.app.clone()} />
                <div class="account">
                    <span id="tenant-name" class="tenant">{ &me.tenant.name }</span>
                    <span id="tenant-plan" class="badge" title="Plan">{ plan_name(&me.tenant.plan) }</span>
                    <button id="logout" type="button" class="button secondary" {onclick} disabled={*busy}>
                        { "Log out" }
                    </button>
                </div>
            }
            if let Some(message) = &*error {
                <p id="logout-error" class="error" role="alert">{ message }</p>
            }
        </header>
    }
}
