//! App state shared by every page: who is signed in, the latest write position, and counters
//! that tell the header's usage line to read again.
//!
//! Reads send the latest position in `x-ctxi-consistency`, so the server answers them only
//! once its read models include the writes this page made: the user always sees their own writes.

use std::cmp::Ordering;
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
    /// The latest position a write answered with (a decimal string).
    pub position: Option<String>,
    /// Bumped when documents finish indexing: their pages count then, with no write position.
    pub usage_epoch: u32,
    /// Retrievals served to this page. A retrieval answers no position, and its count reaches
    /// the usage read model a moment later: the header reads until it shows this many more.
    pub retrievals: u32,
}

#[derive(Debug)]
pub enum Action {
    SignedIn(Me),
    SignedOut,
    /// A write succeeded at this position.
    Wrote(String),
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
            // The position stays: it is the store's, not the user's, and stays valid.
            Action::SignedOut => next.auth = Auth::SignedOut,
            Action::Wrote(position) => {
                if next.position.as_deref().is_none_or(|current| compare_positions(&position, current).is_gt()) {
                    next.position = Some(position);
                }
            }
            Action::UsageChanged => next.usage_epoch = next.usage_epoch.wrapping_add(1),
            Action::Retrieved => next.retrievals = next.retrievals.saturating_add(1),
        }
        Rc::new(next)
    }
}

/// Orders two positions. They are decimal strings because they can exceed JavaScript's safe
/// integers, so compare them as numbers of any length: by length without leading zeros, then
/// digit by digit.
pub fn compare_positions(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_compare_as_numbers() {
        assert_eq!(compare_positions("9", "10"), Ordering::Less);
        assert_eq!(compare_positions("10", "9"), Ordering::Greater);
        assert_eq!(compare_positions("007", "7"), Ordering::Equal);
        assert_eq!(compare_positions("18446744073709551616", "9007199254740993"), Ordering::Greater);
    }

    #[test]
    fn the_latest_write_position_wins() {
        let state = Rc::new(AppState::default());
        let state = state.reduce(Action::Wrote("10".into()));
        assert_eq!(state.position.as_deref(), Some("10"));
        // A write that finished later but was ordered earlier must not move the position back.
        let state = state.reduce(Action::Wrote("9".into()));
        assert_eq!(state.position.as_deref(), Some("10"));
        let state = state.reduce(Action::Wrote("11".into()));
        assert_eq!(state.position.as_deref(), Some("11"));
    }

    #[test]
    fn signing_out_keeps_the_position() {
        let state = Rc::new(AppState { auth: Auth::Unknown, position: Some("5".into()), ..AppState::default() });
        let state = state.reduce(Action::SignedOut);
        assert_eq!(state.auth, Auth::SignedOut);
        assert_eq!(state.position.as_deref(), Some("5"));
        assert_eq!(state.me(), None);
    }

    #[test]
    fn usage_changes_bump_the_epoch_and_keep_the_rest() {
        let state = Rc::new(AppState { auth: Auth::SignedOut, position: Some("5".into()), ..AppState::default() });
        let state = state.reduce(Action::UsageChanged);
        assert_eq!(state.usage_epoch, 1);
        let state = state.reduce(Action::Retrieved).reduce(Action::Retrieved);
        assert_eq!(state.retrievals, 2);
        assert_eq!(state.usage_epoch, 1);
        assert_eq!(state.position.as_deref(), Some("5"));
    }
}
