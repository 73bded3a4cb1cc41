//! `projects`: each tenant's projects with their current names.

use std::collections::HashMap;

use async_trait::async_trait;
use domain::{Decide, Project, ProjectEvent};
use eventstore::RecordedEvent;
use sqlx::{Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::projector::{decode, handles, stream_uuid};
use crate::{ProjectionError, Projector};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS projects (
    project_id uuid        PRIMARY KEY,
    tenant_id  uuid        NOT NULL,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL
);";

const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS projects_by_tenant ON projects (tenant_id);";

const HANDLED: &[&str] = &["ProjectCreated", "ProjectRenamed"];

/// Projects project streams into `projects`, indexed by tenant for listings.
#[derive(Debug, Default, Clone, Copy)]
pub struct Projects;

struct Created {
    tenant_id: Uuid,
    name: String,
    at: OffsetDateTime,
}

#[async_trait]
impl Projector for Projects {
    fn name(&self) -> &'static str {
        "projects"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["projects"]
    }

    fn schema(&self) -> &'static str {
        SCHEMA
    }

    fn indexes(&self) -> &'static str {
        INDEXES
    }

    fn acts_on(&self, event: &RecordedEvent) -> bool {
        handles(event, Project::TYPE, HANDLED)
    }

    async fn apply(&self, tx: &mut Transaction<'_, Postgres>, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let mut created: HashMap<Uuid, Created> = HashMap::new();
        let mut renamed: HashMap<Uuid, String> = HashMap::new();
        for event in events.iter().filter(|e| self.acts_on(e)) {
            let id = stream_uuid(event)?;
            match decode::<ProjectEvent>(event)? {
                ProjectEvent::ProjectCreated { tenant_id, name, at, .. } => {
                    created.insert(id, Created { tenant_id: tenant_id.as_uuid(), name, at });
                }
                ProjectEvent::ProjectRenamed { name, .. } => match created.get_mut(&id) {
                    Some(project) => project.name = name,
                    None => {
                        renamed.insert(id, name);
                    }
                },
                ProjectEvent::ProjectConfigured { .. } => {}
            }
        }
        if !created.is_empty() {
            let (mut ids, mut tenants, mut names, mut ats) = (vec![], vec![], vec![], vec![]);
            for (id, project) in created {
                ids.push(id);
                tenants.push(project.tenant_id);
                names.push(project.name);
                ats.push(project.at);
            }
            sqlx::query(
                "INSERT INTO projects (project_id, tenant_id, name, created_at)
                 SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[])",
            )
            .bind(&ids)
            .bind(&tenants)
            .bind(&names)
            .bind(&ats)
            .execute(&mut **tx)
            .await?;
        }
        if !renamed.is_empty() {
            let (ids, names): (Vec<Uuid>, Vec<String>) = renamed.into_iter().unzip();
            sqlx::query(
                "UPDATE projects p SET name = c.name
                   FROM unnest($1::uuid[], $2::text[]) AS c(project_id, name)
                  WHERE p.project_id = c.project_id",
            )
            .bind(&ids)
            .bind(&names)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}
