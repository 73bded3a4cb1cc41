//! The dashboard's client-side routes. `ctxi serve` answers every non-`/v1` path with
//! index.html, so each of these can be loaded, bookmarked and reloaded directly.

use uuid::Uuid;
use yew_router::Routable;

#[derive(Clone, Debug, PartialEq, Routable)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/signup")]
    Signup,
    #[at("/login")]
    Login,
    #[at("/projects")]
    Projects,
    /// A project's overview and API keys.
    #[at("/projects/:id")]
    Project { id: Uuid },
    #[at("/projects/:id/documents")]
    ProjectDocuments { id: Uuid },
    #[at("/projects/:id/playground")]
    ProjectPlayground { id: Uuid },
    #[not_found]
    #[at("/404")]
    NotFound,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_pages_round_trip_their_id() {
        let id = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001);
        let path = Route::Project { id }.to_path();
        assert_eq!(path, format!("/projects/{id}"));
        assert_eq!(Route::recognize(&path), Some(Route::Project { id }));
    }

    #[test]
    fn project_tabs_have_their_own_paths() {
        let id = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0002);
        let documents = Route::ProjectDocuments { id }.to_path();
        assert_eq!(documents, format!("/projects/{id}/documents"));
        assert_eq!(Route::recognize(&documents), Some(Route::ProjectDocuments { id }));
        let playground = Route::ProjectPlayground { id }.to_path();
        assert_eq!(Route::recognize(&playground), Some(Route::ProjectPlayground { id }));
        assert_eq!(Route::recognize(&format!("/projects/{id}/nowhere")), Some(Route::NotFound));
    }

    #[test]
    fn unknown_paths_and_bad_ids_are_not_found() {
        assert_eq!(Route::recognize("/projects/not-a-uuid"), Some(Route::NotFound));
        assert_eq!(Route::recognize("/nowhere"), Some(Route::NotFound));
        assert_eq!(Route::recognize("/login"), Some(Route::Login));
    }
}
