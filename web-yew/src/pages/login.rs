//! Login with email and password.

use api_types::LoginRequest;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::form::{error_line, setter, TextField};
use super::PageProps;
use crate::api;
use crate::route::Route;
use crate::state::Action;

#[component]
pub fn LoginPage(props: &PageProps) -> Html {
    let email = use_state(String::new);
    let password = use_state(String::new);
    let busy = use_state(|| false);
    let error = use_state(|| None::<String>);

    let onsubmit = {
        let (app, email, password, busy, error) =
            (props.app.clone(), email.clone(), password.clone(), busy.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let body = LoginRequest { email: email.trim().to_owned(), password: (*password).clone() };
            let (app, busy, error) = (app.clone(), busy.clone(), error.clone());
            busy.set(true);
            error.set(None);
            spawn_local(async move {
                let outcome = api::login(&body).await;
                busy.set(false);
                match outcome {
                    Ok(me) => app.dispatch(Action::SignedIn(me)),
                    Err(e) => error.set(Some(e.message())),
                }
            });
        })
    };

    html! {
        <section class="panel narrow" aria-labelledby="login-heading">
            <h1 id="login-heading">{ "Log in" }</h1>
            <form id="login-form" {onsubmit}>
                <TextField id="login-email" label="Email" kind="email" value={(*email).clone()}
                    oninput={setter(&email)} autocomplete="email" />
                <TextField id="login-password" label="Password" kind="password" value={(*password).clone()}
                    oninput={setter(&password)} autocomplete="current-password" />
                { error_line("login-error", &error) }
                <button id="login-submit" type="submit" class="button" disabled={*busy}>
                    { if *busy { "Logging in…" } else { "Log in" } }
                </button>
            </form>
            <p class="switch">
                { "No account yet? " }
                <Link<Route> to={Route::Signup}>{ "Sign up" }</Link<Route>>
            </p>
        </section>
    }
}
