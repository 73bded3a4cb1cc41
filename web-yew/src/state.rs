//! App state shared by every page: who is signed in, and counters that tell pages to load again.
//!
//! The server answers a write once its read models include it, so a page that loads again after
//! a write sees it: the counters only say when to load, never what to wait for.

use std::rc::Rc;

use api_types::Me;
use yew::{Reducible, UseReducerHandle};

#[derive(Clone, Debug, Default, PartialEq)]
pub enum Auth {
    /// `GET /v1/me` has not answered yet.
    #[default]
    Unknown,
    SignedOut,
    SignedIn(Me),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppState {
    pub auth: Auth,
    /// Writes this page made: lists and the usage line load again when it changes.
    pub writes: u32,
    /// Bumped when documents finish indexing: their pages count then, with no write of this page.
    pub usage_epoch: u32,
    /// Retrievals served to this page: the usage line loads again after each.
    pub retrievals: u32,
}

#[derive(Debug)]
pub enum Action {
    SignedIn(Me),
    SignedOut,
    /// A write succeeded.
    Wrote,
    /// Documents finished indexing (see `usage_epoch`).
    UsageChanged,
    /// A retrieval was served (see `retrievals`).
    Retrieved,
}

/// The state as pages see it: read it, or `dispatch` an [`Action`].
pub type AppContext = UseReducerHandle<AppState>;

impl AppState {
    pub fn me(&self) -> Option<&Me> {
        match &self.auth {
            Auth::SignedIn(me) => Some(me),
            _ => None,
        }
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::SignedIn(me) => next.auth = Auth::SignedIn(me),
            Action::SignedOut => next.auth = Auth::SignedOut,
            Action::Wrote => next.writes = next.writes.wrapping_add(1),
            Action::UsageChanged => next.usage_epoch = next.usage_epoch.wrapping_add(1),
            Action::Retrieved => next.retrievals = next.retrievals.wrapping_add(1),
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_write_bumps_the_counter_pages_load_again_on() {
        let state = Rc::new(AppState::default());
        let state = state.reduce(Action::Wrote).reduce(Action::Wrote);
        assert_eq!(state.writes, 2);
        assert_eq!((state.usage_epoch, state.retrievals), (0, 0));
    }

    #[test]
    fn signing_out_keeps_the_counters() {
        let state = Rc::new(AppState { auth: Auth::Unknown, writes: 5, ..AppState::default() });
        let state = state.reduce(Action::SignedOut);
        assert_eq!(state.auth, Auth::SignedOut);
        assert_eq!(state.writes, 5);
        assert_eq!(state.me(), None);
    }

    #[test]
    fn usage_changes_and_retrievals_bump_their_own_counters() {
        let state = Rc::new(AppState { auth: Auth::SignedOut, writes: 5, ..AppState::default() });
        let state = state.reduce(Action::UsageChanged);
        assert_eq!(state.usage_epoch, 1);
        let state = state.reduce(Action::Retrieved).reduce(Action::Retrieved);
        assert_eq!(state.retrievals, 2);
        assert_eq!((state.usage_epoch, state.writes), (1, 5));
    }
}
