//! Erasing a document: recorded, its allowance given back, and its key shredded.

use domain::{Document, DocumentCommand, DocumentId, DocumentQuota, ProjectId, QuotaCommand, Role, Tenant, TenantId};
use eventstore::{Actor, EventStore, Position};
use serde_json::json;
use time::OffsetDateTime;

use crate::access::authorize_project;
use crate::run::Decision;
use crate::{load, load_last, CommandContext, CommandError, Commands};

impl<S: EventStore> Commands<S> {
    /// Erases `document_id` of `project_id`: `DocumentErased` and the quota release are
    /// appended together, then the document's data key is destroyed, so its content, title,
    /// metadata and chunks read back as erased everywhere, rebuilds included. Erasing again
    /// appends nothing but shreds again, which finishes an erasure a crash interrupted.
    #[tracing::instrument(skip_all, fields(%tenant_id, %project_id, %document_id))]
    pub async fn erase_document(
        &self,
        ctx: &CommandContext,
        tenant_id: TenantId,
        project_id: ProjectId,
        document_id: DocumentId,
    ) -> Result<Position, CommandError> {
        let ctx = ctx.scoped(tenant_id)?;
        let command = ctx.prepare(
            "erase_document",
            &json!({ "tenant_id": tenant_id, "project_id": project_id, "document_id": document_id }),
        )?;
        let done = self
            .run(&command, || Box::pin(self.decide_erase(&ctx.actor, tenant_id, project_id, document_id, ctx.at)))
            .await?;
        self.store.shred(&document_id.subject()).await?;
        Ok(done.position)
    }

    async fn decide_erase(
        &self,
        actor: &Actor,
        tenant_id: TenantId,
        project_id: ProjectId,
        document_id: DocumentId,
        at: OffsetDateTime,
    ) -> Result<Decision<()>, CommandError> {
        let tenant = load::<Tenant, _>(&*self.store, tenant_id).await?;
        authorize_project(&*self.store, &tenant.state, actor, project_id, Role::can_write_documents).await?;
        let document = load::<Document, _>(&*self.store, document_id).await?;
        let Some(uploaded) = document.state.uploaded().filter(|d| d.project_id == project_id) else {
            return Err(CommandError::NotFound("document"));
        };
        let pages = uploaded.pages;
        let erase = document.decide(DocumentCommand::Erase { at })?;
        if erase.events.is_empty() {
            return Ok(Decision { streams: vec![], answer: () });
        }
        let quota = load_last::<DocumentQuota, _>(&*self.store, tenant_id).await?;
        let release = quota
            .decide_or(QuotaCommand::Release { document_id, pages, at }, |e| CommandError::Domain(e.to_string()))?;
        Ok(Decision { streams: vec![erase, release], answer: () })
    }
}
