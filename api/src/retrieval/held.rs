//! The projects an instance holds an in-memory index for (words or vectors), each with the
//! last time a request used it. An index unused for a while is dropped and read again by the
//! next request that needs it, so an instance's memory follows the projects queried lately
//! rather than every project it ever served.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use uuid::Uuid;

/// Each project's state of type `H`, created on first use.
#[derive(Debug)]
pub struct HeldProjects<H> {
    projects: Mutex<HashMap<Uuid, Used<H>>>,
}

#[derive(Debug)]
struct Used<H> {
    held: Arc<H>,
    at: Instant,
}

impl<H> Default for HeldProjects<H> {
    fn default() -> Self {
        Self { projects: Mutex::default() }
    }
}

impl<H: Default> HeldProjects<H> {
    /// The project's state, created empty if this instance holds none; marked used now.
    pub fn get(&self, project_id: Uuid) -> Arc<H> {
        let mut projects = self.projects.lock().unwrap_or_else(PoisonError::into_inner);
        let used = projects.entry(project_id).or_insert_with(|| Used { held: Arc::default(), at: Instant::now() });
        used.at = Instant::now();
        Arc::clone(&used.held)
    }

    /// Forgets the projects not used for `idle` or longer; returns how many. Work under way
    /// on one (an update, a graph build) finishes on the state it holds, which is then
    /// dropped; the next request starts over.
    pub fn drop_idle(&self, idle: Duration) -> usize {
        let mut projects = self.projects.lock().unwrap_or_else(PoisonError::into_inner);
        let before = projects.len();
        projects.retain(|_, used| used.at.elapsed() < idle);
        before - projects.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_is_held_until_it_goes_unused_for_the_idle_time() {
        let projects: HeldProjects<Mutex<u32>> = HeldProjects::default();
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        *projects.get(a).lock().unwrap() = 7;
        let held_b = projects.get(b);
        assert!(Arc::ptr_eq(&held_b, &projects.get(b)), "the same state while held");
        assert_eq!(*projects.get(a).lock().unwrap(), 7);

        assert_eq!(projects.drop_idle(Duration::from_secs(3_600)), 0, "both used just now");
        std::thread::sleep(Duration::from_millis(30));
        projects.get(a);
        assert_eq!(projects.drop_idle(Duration::from_millis(20)), 1, "b went unused for 30 ms, a did not");
        assert_eq!(*projects.get(a).lock().unwrap(), 7, "a is still held");
        assert!(!Arc::ptr_eq(&held_b, &projects.get(b)), "b starts over");
        assert_eq!(projects.drop_idle(Duration::ZERO), 2);
    }
}
