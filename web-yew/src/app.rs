//! The root component: app state, the router, and which pages need a signed-in user.

use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::header::Header;
use crate::pages::{LoginPage, NotFoundPage, ProjectPage, ProjectTab, ProjectsPage, SignupPage};
use crate::route::Route;
use crate::state::{Action, AppContext, AppState, Auth};

#[component]
pub fn App() -> Html {
    let app = use_reducer(AppState::default);
    {
        // Who is signed in, from the session cookie. Any failure counts as signed out: the
        // login page then shows the reason if the server is unreachable.
        let app = app.clone();
        use_effect_with((), move |_| {
            spawn_local(async move {
                match api::me().await {
                    Ok(me) => app.dispatch(Action::SignedIn(me)),
                    Err(_) => app.dispatch(Action::SignedOut),
                }
            });
        });
    }
    // The state goes to pages as a prop rather than a context: nothing can render without it.
    let render = {
        let app = app.clone();
        Callback::from(move |route| switch(route, &app))
    };
    html! {
        <BrowserRouter>
            <Header app={app.clone()} />
            <main id="main" class="main">
                <Switch<Route> {render} />
            </main>
        </BrowserRouter>
    }
}

fn switch(route: Route, app: &AppContext) -> Html {
    let app = app.clone();
    match route {
        Route::Home => html! { <Redirect<Route> to={Route::Projects} /> },
        Route::Signup => html! { <GuestOnly app={app.clone()}><SignupPage {app} /></GuestOnly> },
        Route::Login => html! { <GuestOnly app={app.clone()}><LoginPage {app} /></GuestOnly> },
        Route::Projects => html! { <SignedInOnly app={app.clone()}><ProjectsPage {app} /></SignedInOnly> },
        Route::Project { id } => project(app, id, ProjectTab::Overview),
        Route::ProjectDocuments { id } => project(app, id, ProjectTab::Documents),
        Route::ProjectPlayground { id } => project(app, id, ProjectTab::Playground),
        Route::NotFound => html! { <NotFoundPage /> },
    }
}

/// Keyed by id, so moving between projects starts from a clean page, while moving between one
/// project's tabs keeps its heading.
fn project(app: AppContext, id: uuid::Uuid, tab: ProjectTab) -> Html {
    html! {
        <SignedInOnly app={app.clone()}><ProjectPage key={id.to_string()} {app} {id} {tab} /></SignedInOnly>
    }
}

#[derive(Properties, PartialEq)]
struct GuardProps {
    app: AppContext,
    #[prop_or_default]
    children: Html,
}

/// App pages: signed-out visitors go to the login page.
#[component]
fn SignedInOnly(props: &GuardProps) -> Html {
    match props.app.auth {
        Auth::Unknown => loading(),
        Auth::SignedOut => html! { <Redirect<Route> to={Route::Login} /> },
        Auth::SignedIn(_) => props.children.clone(),
    }
}

/// Signup and login: a signed-in user goes on to the projects (so a successful login or signup
/// navigates by itself).
#[component]
fn GuestOnly(props: &GuardProps) -> Html {
    match props.app.auth {
        Auth::Unknown => loading(),
        Auth::SignedOut => props.children.clone(),
        Auth::SignedIn(_) => html! { <Redirect<Route> to={Route::Projects} /> },
    }
}

fn loading() -> Html {
    html! { <p class="muted" data-test="loading">{ "Loading…" }</p> }
}
