//! One project: its name and its API keys.

use uuid::Uuid;
use yew::prelude::*;
use yew_router::prelude::*;

use super::api_keys::ApiKeys;
use super::load::{use_load, Load};
use crate::api;
use crate::format::day;
use crate::route::Route;
use crate::state::AppContext;

#[derive(Properties, PartialEq)]
pub struct ProjectProps {
    pub app: AppContext,
    pub id: Uuid,
}

#[component]
pub fn ProjectPage(props: &ProjectProps) -> Html {
    let info = use_load(
        props.app.clone(),
        (props.id, props.app.position.clone()),
        |(id, position): (Uuid, Option<String>)| async move { api::project(id, position.as_deref()).await },
    );
    html! {
        <>
            <nav class="crumbs" aria-label="Breadcrumb">
                <Link<Route> to={Route::Projects}>{ "← All projects" }</Link<Route>>
            </nav>
            <section class="panel" aria-labelledby="project-title">
                { match &*info {
                    Load::Loading => html! { <p class="muted">{ "Loading project…" }</p> },
                    Load::Failed(message) => html! {
                        <p id="project-load-error" class="error" role="alert">{ message }</p>
                    },
                    Load::Ready(project) => html! {
                        <>
                            <h1 id="project-title">{ &project.name }</h1>
                            <p class="muted">{ format!("Created {}", day(project.created_at)) }</p>
                        </>
                    },
                } }
            </section>
            <ApiKeys app={props.app.clone()} project={props.id} />
        </>
    }
}
