//! Uploading a document: counted against the plan, sealed, and left for the worker to index.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use domain::{
    Document, DocumentCommand, DocumentFormat, DocumentId, DocumentQuota, DocumentTitle, Metadata, ProjectId,
    QuotaCommand, Role, Tenant, TenantId, ValidationError,
};
use eventstore::{Actor, EventStore, Position};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::authorize_project;
use crate::run::Decision;
use crate::{load, load_last, CommandContext, CommandError, Commands, Loaded};

/// The largest document accepted, in bytes as uploaded.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// A document as the caller received it.
#[derive(Debug, Clone)]
pub struct UploadInput {
    pub title: String,
    pub format: DocumentFormat,
    pub metadata: Value,
    pub bytes: Vec<u8>,
}

/// The document accepted, its page count, and the position to wait for before reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentAccepted {
    pub document_id: DocumentId,
    pub pages: u32,
    pub position: Position,
}

/// Checked input, ready for the aggregates.
struct Upload {
    title: DocumentTitle,
    format: DocumentFormat,
    metadata: Metadata,
    content: String,
    bytes: u64,
    pages: u32,
}

impl<S: EventStore> Commands<S> {
    /// Uploads a document into `project_id`, for members who may write documents and for the
    /// project's API keys. The pages are counted here, before anything is stored, so the
    /// plan's page allowance is checked with the document allowance: both in the tenant's
    /// quota stream, appended at the version the decision saw, so concurrent uploads cannot
    /// overshoot either.
    #[tracing::instrument(skip_all, fields(%tenant_id, %project_id, format = %input.format))]
    pub async fn upload_document(
        &self,
        ctx: &CommandContext,
        tenant_id: TenantId,
        project_id: ProjectId,
        input: UploadInput,
    ) -> Result<DocumentAccepted, CommandError> {
        let ctx = ctx.scoped(tenant_id)?;
        let digest = hex::encode(Sha256::digest(&input.bytes));
        let fingerprint = json!({
            "tenant_id": tenant_id, "project_id": project_id, "title": input.title, "format": input.format,
            "metadata": input.metadata, "sha256": digest,
        });
        let command = ctx.prepare("upload_document", &fingerprint)?;
        // Parsing a PDF's page tree is CPU work: off the async threads.
        let upload = tokio::task::spawn_blocking(move || checked(input))
            .await
            .map_err(|e| CommandError::Unreadable(format!("the document could not be read: {e}")))??;
        let document_id = DocumentId::new(Uuid::now_v7());
        let _turn = self.uploads.take(&tenant_id).await;
        let done = self
            .run(&command, || {
                Box::pin(self.decide_upload(&ctx.actor, tenant_id, project_id, document_id, &upload, ctx.at))
            })
            .await?;
        Ok(DocumentAccepted { document_id: done.answer.0, pages: done.answer.1, position: done.position })
    }

    async fn decide_upload(
        &self,
        actor: &Actor,
        tenant_id: TenantId,
        project_id: ProjectId,
        document_id: DocumentId,
        upload: &Upload,
        at: OffsetDateTime,
    ) -> Result<Decision<(DocumentId, u32)>, CommandError> {
        let tenant = load::<Tenant, _>(&*self.store, tenant_id).await?;
        authorize_project(&*self.store, &tenant.state, actor, project_id, Role::can_write_documents).await?;
        let plan = tenant.state.plan();
        let quota = load_last::<DocumentQuota, _>(&*self.store, tenant_id).await?;
        let admit = QuotaCommand::Admit { document_id, pages: upload.pages, limits: plan.limits(), at };
        let streams = vec![
            quota.decide_or(admit, |e| CommandError::quota(e, plan))?,
            Loaded::<Document>::fresh(document_id).decide(DocumentCommand::Upload {
                document_id,
                project_id,
                tenant_id,
                title: upload.title.clone(),
                format: upload.format,
                metadata: upload.metadata.clone(),
                content: upload.content.clone(),
                bytes: upload.bytes,
                pages: upload.pages,
                at,
            })?,
        ];
        Ok(Decision { streams, answer: (document_id, upload.pages) })
    }
}

fn checked(input: UploadInput) -> Result<Upload, CommandError> {
    if input.bytes.is_empty() {
        return Err(ValidationError::Empty { field: "content" }.into());
    }
    if input.bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(
            ValidationError::TooLong { field: "content", max: MAX_DOCUMENT_BYTES, actual: input.bytes.len() }.into()
        );
    }
    let title = DocumentTitle::parse(&input.title)?;
    let metadata = Metadata::parse(input.metadata)?;
    let pages = content::extract::count_pages(input.format, &input.bytes)
        .map_err(|e| CommandError::Unreadable(e.to_string()))?;
    let bytes = input.bytes.len() as u64;
    let content = if input.format.is_text() {
        String::from_utf8(input.bytes)
            .map_err(|_| ValidationError::Malformed { field: "content", reason: "must be UTF-8 text" })?
    } else {
        B64.encode(&input.bytes)
    };
    Ok(Upload { title, format: input.format, metadata, content, bytes, pages })
}

/// The bytes of a document as uploaded, from the content its event holds.
pub fn stored_bytes(format: DocumentFormat, content: &str) -> Result<Vec<u8>, String> {
    if format.is_text() {
        Ok(content.as_bytes().to_vec())
    } else {
        B64.decode(content).map_err(|e| format!("stored content is not base64: {e}"))
    }
}
