//! One module per page, plus the pieces they share.

mod api_keys;
mod document_row;
mod documents;
mod form;
pub(crate) mod load;
mod login;
mod new_secret;
mod not_found;
mod playground;
mod project;
mod projects;
mod results;
mod signup;
mod upload;

pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use project::{ProjectPage, ProjectTab};
pub use projects::ProjectsPage;
pub use signup::SignupPage;

use crate::state::AppContext;
use yew::Properties;

/// What every page gets: the app state, to read and to dispatch to.
#[derive(Properties, PartialEq)]
pub struct PageProps {
    pub app: AppContext,
}
