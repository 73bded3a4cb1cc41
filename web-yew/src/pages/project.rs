//! One project: its name, and its sections as tabs. Each tab has its own URL, so a tab can be
//! shared, bookmarked and reloaded, and the back button moves between tabs.

use uuid::Uuid;
use yew::prelude::*;
use yew_router::prelude::*;

use super::api_keys::ApiKeys;
use super::documents::Documents;
use super::load::{use_load, Load};
use super::playground::Playground;
use crate::api;
use crate::format::day;
use crate::route::Route;
use crate::state::AppContext;

/// The sections of a project page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProjectTab {
    /// The project's API keys.
    Overview,
    Documents,
    Playground,
}

impl ProjectTab {
    const ALL: [Self; 3] = [Self::Overview, Self::Documents, Self::Playground];

    fn route(self, id: Uuid) -> Route {
        match self {
            Self::Overview => Route::Project { id },
            Self::Documents => Route::ProjectDocuments { id },
            Self::Playground => Route::ProjectPlayground { id },
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Overview => "Overview",
            Self::Documents => "Documents",
            Self::Playground => "Playground",
        }
    }

    /// The tab link's `id`, which the browser tests click.
    fn element_id(self) -> &'static str {
        match self {
            Self::Overview => "tab-overview",
            Self::Documents => "tab-documents",
            Self::Playground => "tab-playground",
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct ProjectProps {
    pub app: AppContext,
    pub id: Uuid,
    pub tab: ProjectTab,
}

#[component]
pub fn ProjectPage(props: &ProjectProps) -> Html {
    let info = use_load(props.app.clone(), (props.id, props.app.writes), |(id, _): (Uuid, u32)| async move {
        api::project(id).await
    });
    let (app, project) = (props.app.clone(), props.id);
    html! {
        <>
            <nav class="crumbs" aria-label="Breadcrumb">
                <Link<Route> to={Route::Projects}>{ "← All projects" }</Link<Route>>
            </nav>
            <section class="panel project-head" aria-labelledby="project-title">
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
                <nav class="tabs" aria-label="Project sections">
                    { for ProjectTab::ALL.into_iter().map(|tab| html! {
                        <TabLink route={tab.route(project)} id={tab.element_id()} label={tab.label()}
                            active={tab == props.tab} />
                    }) }
                </nav>
            </section>
            { match props.tab {
                ProjectTab::Overview => html! { <ApiKeys {app} {project} /> },
                ProjectTab::Documents => html! { <Documents {app} {project} /> },
                ProjectTab::Playground => html! { <Playground {app} {project} /> },
            } }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct TabLinkProps {
    route: Route,
    id: &'static str,
    label: &'static str,
    active: bool,
}

/// A real link (it opens in a new tab with a modified click) that navigates in the app on a
/// plain click. yew-router's `Link` takes no `id` or `aria-current`, hence this one.
#[component]
fn TabLink(props: &TabLinkProps) -> Html {
    let navigator = use_navigator();
    let onclick = {
        let route = props.route.clone();
        Callback::from(move |e: MouseEvent| {
            if e.button() != 0 || e.ctrl_key() || e.meta_key() || e.shift_key() || e.alt_key() {
                return;
            }
            if let Some(navigator) = &navigator {
                e.prevent_default();
                navigator.push(&route);
            }
        })
    };
    html! {
        <a id={props.id} href={props.route.to_path()} class={classes!("tab", props.active.then_some("active"))}
            aria-current={props.active.then_some("page")} {onclick}>
            { props.label }
        </a>
    }
}
