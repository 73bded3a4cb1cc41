//! Read-your-writes, by default and on every instance.
//!
//! - A write waits, bounded, until every read model includes it ([`settle`]), then answers.
//!   From then on every request, of any caller, on any instance sharing the database, sees it.
//! - If the read models do not catch up in time, the write still succeeds: it answers 202 with
//!   [`PENDING_HEADER`], and its position becomes its caller's floor (`consistency_floors`).
//!   That caller's later reads wait for the floor ([`Consistent`]), and answer 503
//!   `consistency-timeout` if they still cannot: never a 404 for something that exists. Its
//!   writes need not wait: commands decide from the event store.
//! - A session, API key, membership, project or document the read models do not know is looked
//!   up again once they have reached the head of the log ([`confirmed`]), so nothing a write
//!   just created is refused or answered 404 because a projector was a few milliseconds behind.
//! - `X-Ctxi-Consistency: <position>` makes a read wait for any position: another caller's write.
//!
//! Why writes wait rather than reads: the projectors of the instance that appended wake at
//! once, so a write usually waits a few milliseconds; a caller's position carried to reads
//! would need every client to keep it, or a lookup on every read. `docs/consistency.md` has
//! the figures.

use std::future::Future;
use std::sync::Arc;

use api_types::{ProblemType, CONSISTENCY_HEADER};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use eventstore::Position;
use projections::ProjectionError;
use uuid::Uuid;

use super::problem::ApiError;
use super::AppState;

pub use api_types::PENDING_HEADER;

/// What a write's answer tells about its visibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settled {
    pub position: Position,
    /// Every read model includes the write. If not, its caller's reads wait for it.
    pub visible: bool,
}

/// Waits until every read model includes the write at `position`. If they do not in time, the
/// later requests of `callers` (sessions or API keys: the writer's, and any the write revoked)
/// wait for it instead.
pub async fn settle(state: &AppState, callers: &[Uuid], position: Position) -> Settled {
    let started = std::time::Instant::now();
    let reached = state.frontier.reach(position, state.consistency_wait).await;
    state.metrics.record_write_visibility(started.elapsed(), reached.is_ok());
    match reached {
        Ok(()) => Settled { position, visible: true },
        Err(e) => {
            tracing::warn!(%position, error = %e, "the read models did not include a write in time; answering 202");
            for caller in callers {
                if let Err(e) = raise_floor(state, *caller, position).await {
                    tracing::error!(%position, error = %e, "could not record a caller's consistency floor");
                }
            }
            Settled { position, visible: false }
        }
    }
}

/// Waits until every read model includes `position`; 503 `consistency-timeout` if they do not
/// in time.
pub async fn reach(state: &AppState, position: Position) -> Result<(), ApiError> {
    match state.frontier.reach(position, state.consistency_wait).await {
        Ok(()) => Ok(()),
        Err(ProjectionError::Timeout { .. }) => Err(ApiError::new(
            ProblemType::ConsistencyTimeout,
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the read models have not caught up with position {position} yet; retry shortly"),
        )),
        Err(e) => Err(ApiError::internal(&e)),
    }
}

/// Waits until every read model includes everything appended before this call: the answer to
/// a read made after it is then exact, whoever wrote.
pub async fn reach_head(state: &AppState) -> Result<(), ApiError> {
    let head = state.commands.store().inner().last_committed().await?;
    reach(state, head).await
}

/// Looks something up in the read models and, if it is not there, looks again once they have
/// reached the head of the log: a miss then means it does not exist, never that a projector was
/// a few milliseconds behind (503 `consistency-timeout` if they cannot reach it in time).
pub async fn confirmed<T, F, Fut>(state: &AppState, lookup: F) -> Result<Option<T>, ApiError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Option<T>, ApiError>>,
{
    if let Some(found) = lookup().await? {
        return Ok(Some(found));
    }
    reach_head(state).await?;
    lookup().await
}

/// The caller's earlier write that answered 202, which its reads must wait for: put in the
/// request's extensions by the credential extractors, waited for by [`Consistent`].
#[derive(Debug, Clone, Copy)]
pub struct OwnWrites {
    pub caller: Uuid,
    pub floor: Position,
}

/// Waits for the caller's earlier write (at once if the read models already passed it), then
/// drops the floor.
async fn honour_floor(state: &AppState, own: OwnWrites) -> Result<(), ApiError> {
    reach(state, own.floor).await?;
    sqlx::query("DELETE FROM consistency_floors WHERE caller = $1 AND position <= $2")
        .bind(own.caller)
        .bind(own.floor.raw())
        .execute(&state.pool)
        .await?;
    Ok(())
}

async fn raise_floor(state: &AppState, caller: Uuid, position: Position) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO consistency_floors (caller, position) VALUES ($1, $2)
         ON CONFLICT (caller) DO UPDATE
            SET position = greatest(consistency_floors.position, excluded.position), updated_at = now()",
    )
    .bind(caller)
    .bind(position.raw())
    .execute(&state.pool)
    .await?;
    Ok(())
}

/// Extracting this makes a read wait for what it must see: the position named in
/// `X-Ctxi-Consistency`, if any, and the caller's own earlier writes that answered 202. Every
/// read handler takes it, after the caller's credential (which finds those writes).
#[derive(Debug, Clone, Copy)]
pub struct Consistent;

impl FromRequestParts<Arc<AppState>> for Consistent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, ApiError> {
        if let Some(own) = parts.extensions.get::<OwnWrites>().copied() {
            honour_floor(state, own).await?;
        }
        let Some(value) = parts.headers.get(CONSISTENCY_HEADER) else {
            return Ok(Consistent);
        };
        let position = value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<Position>().ok())
            .ok_or_else(|| ApiError::invalid(CONSISTENCY_HEADER, "must be a position a write answered with"))?;
        reach(state, position).await?;
        Ok(Consistent)
    }
}
