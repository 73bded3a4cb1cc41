//! `project_settings`: each project's current settings, as the API shows them.

use std::collections::HashMap;

use async_trait::async_trait;
use domain::{Decide, Project, ProjectEvent, ProjectSettings};
use eventstore::RecordedEvent;
use serde_json::Value;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use crate::projector::{decode, handles, stream_uuid};
use crate::{ProjectionError, Projector};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS project_settings (
    project_id uuid  PRIMARY KEY,
    settings   jsonb NOT NULL
);";

const HANDLED: &[&str] = &["ProjectCreated", "ProjectConfigured"];

/// Projects project streams into `project_settings`: defaults on creation, then replaced.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProjectSettingsModel;

#[async_trait]
impl Projector for ProjectSettingsModel {
    fn name(&self) -> &'static str {
        "project_settings"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["project_settings"]
    }

    fn schema(&self) -> &'static str {
        SCHEMA
    }

    fn acts_on(&self, event: &RecordedEvent) -> bool {
        handles(event, Project::TYPE, HANDLED)
    }

    async fn apply(&self, tx: &mut Transaction<'_, Postgres>, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let mut created: HashMap<Uuid, Value> = HashMap::new();
        let mut changed: HashMap<Uuid, Value> = HashMap::new();
        for event in events.iter().filter(|e| self.acts_on(e)) {
            let id = stream_uuid(event)?;
            let settings = match decode::<ProjectEvent>(event)? {
                ProjectEvent::ProjectCreated { .. } => ProjectSettings::default(),
                ProjectEvent::ProjectConfigured { settings, .. } => settings,
                ProjectEvent::ProjectRenamed { .. } => continue,
            };
            let json = serde_json::to_value(&settings).map_err(|e| ProjectionError::decode(event, e))?;
            match created.get_mut(&id) {
                Some(row) => *row = json,
                None if matches!(event.event_type.as_str(), "ProjectCreated") => {
                    created.insert(id, json);
                }
                None => {
                    changed.insert(id, json);
                }
            }
        }
        if !created.is_empty() {
            let (ids, settings): (Vec<Uuid>, Vec<Value>) = created.into_iter().unzip();
            sqlx::query("INSERT INTO project_settings SELECT * FROM unnest($1::uuid[], $2::jsonb[])")
                .bind(&ids)
                .bind(&settings)
                .execute(&mut **tx)
                .await?;
        }
        if !changed.is_empty() {
            let (ids, settings): (Vec<Uuid>, Vec<Value>) = changed.into_iter().unzip();
            sqlx::query(
                "UPDATE project_settings p SET settings = c.settings
                   FROM unnest($1::uuid[], $2::jsonb[]) AS c(project_id, settings)
                  WHERE p.project_id = c.project_id",
            )
            .bind(&ids)
            .bind(&settings)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}
