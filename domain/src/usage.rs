//! Usage metering: retrievals served, counted per tenant and calendar month (UTC).
//!
//! One stream per tenant and month; every event carries the month's running total, so the
//! state is the stream's last event and loading never replays the month. Served retrievals
//! are metered in batches (group commit): one event per batch, appended at the version the
//! decision saw, so the monthly limit holds across instances and under any race.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Date, Month, OffsetDateTime, Time};

use crate::{Decide, Limit, ProjectId, TenantId};

/// A calendar month in UTC, the period retrieval allowances reset on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UsageMonth {
    pub year: i32,
    pub month: u8,
}

impl UsageMonth {
    pub fn of(at: OffsetDateTime) -> Self {
        let at = at.to_offset(time::UtcOffset::UTC);
        Self { year: at.year(), month: u8::from(at.month()) }
    }

    /// When this month's allowance ends and the next one starts: the first of the next month.
    pub fn resets_at(&self) -> OffsetDateTime {
        let (year, month) = if self.month >= 12 { (self.year + 1, 1) } else { (self.year, self.month + 1) };
        let month = Month::try_from(month).unwrap_or(Month::January);
        Date::from_calendar_date(year, month, 1)
            .map(|d| d.with_time(Time::MIDNIGHT).assume_utc())
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// `2026-11`: also the suffix of the meter's stream id.
impl fmt::Display for UsageMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum MeterCommand {
    /// Meters `requested` retrievals, if the month's `limit` has room for all of them (the
    /// caller asks [`RetrievalMeter::room`] first and refuses what does not fit);
    /// `by_project` says where they were served (its counts sum to `requested`).
    Meter {
        tenant_id: TenantId,
        month: UsageMonth,
        requested: u32,
        by_project: BTreeMap<ProjectId, u32>,
        limit: Limit,
        at: OffsetDateTime,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MeterEvent {
    RetrievalsMetered {
        tenant_id: TenantId,
        month: UsageMonth,
        count: u32,
        /// The month's total including these.
        total: u64,
        by_project: BTreeMap<ProjectId, u32>,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
}

impl cqrs_es::DomainEvent for MeterEvent {
    fn event_type(&self) -> String {
        "RetrievalsMetered".to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum MeterError {
    #[error("the plan allows {limit} retrievals a month; {room} are left")]
    OverLimit { limit: u64, room: u64 },
}

/// A tenant's retrievals in one month.
#[derive(Default, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetrievalMeter {
    pub total: u64,
}

impl RetrievalMeter {
    /// How many more retrievals `limit` allows this month.
    pub fn room(&self, limit: Limit) -> u64 {
        limit.cap().map_or(u64::MAX, |cap| cap.saturating_sub(self.total))
    }
}

impl Decide for RetrievalMeter {
    const TYPE: &'static str = "retrieval_meter";
    type Command = MeterCommand;
    type Event = MeterEvent;
    type Error = MeterError;

    fn decide(&self, command: MeterCommand) -> Result<Vec<MeterEvent>, MeterError> {
        let MeterCommand::Meter { tenant_id, month, requested, by_project, limit, at } = command;
        let room = self.room(limit);
        if u64::from(requested) > room {
            return Err(MeterError::OverLimit { limit: limit.cap().unwrap_or(u64::MAX), room });
        }
        if requested == 0 {
            return Ok(vec![]);
        }
        let total = self.total + u64::from(requested);
        Ok(vec![MeterEvent::RetrievalsMetered { tenant_id, month, count: requested, total, by_project, at }])
    }

    fn apply(&mut self, event: MeterEvent) {
        let MeterEvent::RetrievalsMetered { total, .. } = event;
        self.total = total;
    }
}
