//! Signup: the organisation, the owner's credentials, and a plan chosen from `/v1/plans`.

use api_types::{PlanInfo, SignupRequest};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::form::{error_line, setter, TextField};
use super::load::{use_load, Load};
use super::PageProps;
use crate::api;
use crate::format::limit_rows;
use crate::route::Route;
use crate::state::Action;

#[component]
pub fn SignupPage(props: &PageProps) -> Html {
    let plans = use_load(props.app.clone(), (), |()| api::plans());
    let tenant = use_state(String::new);
    let email = use_state(String::new);
    let password = use_state(String::new);
    let plan = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let error = use_state(|| None::<String>);

    let onsubmit = {
        let (app, tenant, email, password, plan, busy, error) = (
            props.app.clone(),
            tenant.clone(),
            email.clone(),
            password.clone(),
            plan.clone(),
            busy.clone(),
            error.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let Some(chosen) = (*plan).clone() else {
                error.set(Some("Choose a plan.".to_owned()));
                return;
            };
            let body = SignupRequest {
                tenant: tenant.trim().to_owned(),
                email: email.trim().to_owned(),
                password: (*password).clone(),
                plan: chosen,
                name: None,
            };
            let (app, busy, error) = (app.clone(), busy.clone(), error.clone());
            busy.set(true);
            error.set(None);
            spawn_local(async move {
                // The signup answers once the read models have the new tenant: `me` shows it.
                let outcome = async {
                    api::signup(&body).await?;
                    app.dispatch(Action::Wrote);
                    api::me().await
                }
                .await;
                busy.set(false);
                match outcome {
                    Ok(me) => app.dispatch(Action::SignedIn(me)),
                    Err(e) => error.set(Some(e.message())),
                }
            });
        })
    };

    html! {
        <section class="panel narrow-wide" aria-labelledby="signup-heading">
            <h1 id="signup-heading">{ "Create your account" }</h1>
            <form id="signup-form" {onsubmit}>
                <TextField id="signup-tenant" label="Organisation name" value={(*tenant).clone()}
                    oninput={setter(&tenant)} autocomplete="organization" />
                <TextField id="signup-email" label="Email" kind="email" value={(*email).clone()}
                    oninput={setter(&email)} autocomplete="email" />
                <TextField id="signup-password" label="Password" kind="password" value={(*password).clone()}
                    oninput={setter(&password)} autocomplete="new-password" minlength="12"
                    hint="At least 12 characters." />
                <fieldset class="plans">
                    <legend>{ "Plan" }</legend>
                    { plan_choices(&plans, &plan) }
                </fieldset>
                { error_line("signup-error", &error) }
                <button id="signup-submit" type="submit" class="button" disabled={*busy}>
                    { if *busy { "Creating your account…" } else { "Create account" } }
                </button>
            </form>
            <p class="switch">
                { "Already have an account? " }
                <Link<Route> to={Route::Login}>{ "Log in" }</Link<Route>>
            </p>
        </section>
    }
}

fn plan_choices(plans: &Load<api_types::PlanList>, selected: &UseStateHandle<Option<String>>) -> Html {
    match plans {
        Load::Loading => html! { <p class="muted">{ "Loading plans…" }</p> },
        Load::Failed(message) => html! { <p id="plans-error" class="error" role="alert">{ message }</p> },
        Load::Ready(list) => html! {
            <div class="plan-grid">
                { for list.plans.iter().map(|plan| plan_card(plan, selected)) }
            </div>
        },
    }
}

/// One radio card: the radio is a real input inside its label, so it works with the keyboard
/// (arrow keys move between plans) and screen readers read the limits with the plan's name.
fn plan_card(plan: &PlanInfo, selected: &UseStateHandle<Option<String>>) -> Html {
    let id = format!("plan-{}", plan.plan);
    let checked = selected.as_deref() == Some(plan.plan.as_str());
    let onchange = {
        let (selected, value) = (selected.clone(), plan.plan.clone());
        Callback::from(move |_: Event| selected.set(Some(value.clone())))
    };
    html! {
        <label for={id.clone()} class="plan-card" data-test="plan-card">
            <span class="plan-head">
                <input {id} type="radio" name="plan" value={plan.plan.clone()} {checked} {onchange} required=true />
                <span class="plan-name">{ &plan.name }</span>
                <span class="plan-price">{ &plan.price }</span>
            </span>
            <span class="limits">
                { for limit_rows(&plan.limits).into_iter().map(|(label, value)| html! {
                    <span class="limit"><span class="limit-label">{ label }</span>
                    <span class="limit-value">{ value }</span></span>
                }) }
            </span>
        </label>
    }
}
