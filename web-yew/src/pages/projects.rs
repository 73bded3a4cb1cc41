//! The tenant's projects, and a form to create one.

use api_types::{CreateProjectRequest, ProjectList};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::form::{error_line, setter, TextField};
use super::load::{use_load, Load};
use super::PageProps;
use crate::api;
use crate::format::day;
use crate::route::Route;
use crate::state::Action;

#[component]
pub fn ProjectsPage(props: &PageProps) -> Html {
    // Reloaded after every write: a write answers once the read models have it.
    let list = use_load(props.app.clone(), props.app.writes, |_: u32| async move { api::projects().await });
    let name = use_state(String::new);
    let busy = use_state(|| false);
    let error = use_state(|| None::<String>);

    let onsubmit = {
        let (app, name, busy, error) = (props.app.clone(), name.clone(), busy.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let body = CreateProjectRequest { name: name.trim().to_owned() };
            let (app, name, busy, error) = (app.clone(), name.clone(), busy.clone(), error.clone());
            busy.set(true);
            error.set(None);
            spawn_local(async move {
                let outcome = api::create_project(&body).await;
                busy.set(false);
                match outcome {
                    Ok(_) => {
                        name.set(String::new());
                        app.dispatch(Action::Wrote);
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        })
    };

    html! {
        <section class="panel" aria-labelledby="projects-heading">
            <h1 id="projects-heading">{ "Projects" }</h1>
            <form id="create-project-form" class="inline-form" {onsubmit}>
                <TextField id="project-name" label="New project name" value={(*name).clone()} oninput={setter(&name)}
                    autocomplete="off" />
                <button id="create-project" type="submit" class="button" disabled={*busy}>{ "Create project" }</button>
            </form>
            { error_line("project-error", &error) }
            { project_list(&list) }
        </section>
    }
}

fn project_list(list: &Load<ProjectList>) -> Html {
    match list {
        Load::Loading => html! { <p class="muted">{ "Loading projects…" }</p> },
        Load::Failed(message) => html! { <p id="projects-load-error" class="error" role="alert">{ message }</p> },
        Load::Ready(list) if list.projects.is_empty() => {
            html! { <p id="no-projects" class="muted">{ "No projects yet: create your first one above." }</p> }
        }
        Load::Ready(list) => html! {
            <ul id="project-list" class="items">
                { for list.projects.iter().map(|project| html! {
                    <li class="item" data-test="project" data-project-id={project.id.to_string()}>
                        <Link<Route> to={Route::Project { id: project.id }}>{ &project.name }</Link<Route>>
                        <span class="muted">{ format!("Created {}", day(project.created_at)) }</span>
                    </li>
                }) }
            </ul>
        },
    }
}
