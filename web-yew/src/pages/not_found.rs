//! Any path the router does not know.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::route::Route;

#[component]
pub fn NotFoundPage() -> Html {
    html! {
        <section class="panel narrow" aria-labelledby="not-found-heading">
            <h1 id="not-found-heading">{ "Page not found" }</h1>
            <p><Link<Route> to={Route::Projects}>{ "Go to your projects" }</Link<Route>></p>
        </section>
    }
}
