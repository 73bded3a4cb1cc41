//! Client-supplied embeddings for an indexed document's chunks.

use domain::embedding::{EmbeddingGuard, Rejection};
use domain::{
    ChunkVector, Document, DocumentId, DocumentStatus, EmbeddingsCommand, EmbeddingsEvent, Project, ProjectEmbeddings,
    ProjectId, Role, Tenant, TenantId,
};
use eventstore::sealing::SealingError;
use eventstore::{AppendError, EventStore, Position};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::access::authorize_project;
use crate::run::Decision;
use crate::{load, load_last, CommandContext, CommandError, Commands};

/// Most vectors in one submission (a document's chunks, at most).
pub const MAX_VECTORS: usize = 10_000;

/// What became of a submission: how many vectors were accepted, and why the others were not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmittedEmbeddings {
    pub accepted: u32,
    pub rejected: Vec<(u32, Rejection)>,
    pub position: Position,
}

impl<S: EventStore> Commands<S> {
    /// Records embeddings for the chunks of an indexed document, `vectors[i]` for chunk `i`.
    /// Each is screened against the project's declared dimension and running norm
    /// statistics; rejections are recorded as events, not errors, so the tenant can see them.
    #[tracing::instrument(skip_all, fields(%tenant_id, %project_id, %document_id, vectors = vectors.len()))]
    pub async fn submit_embeddings(
        &self,
        ctx: &CommandContext,
        tenant_id: TenantId,
        project_id: ProjectId,
        document_id: DocumentId,
        vectors: Vec<Vec<f32>>,
    ) -> Result<SubmittedEmbeddings, CommandError> {
        let ctx = ctx.scoped(tenant_id)?;
        if vectors.is_empty() {
            return Err(domain::ValidationError::Empty { field: "embeddings" }.into());
        }
        if vectors.len() > MAX_VECTORS {
            let actual = vectors.len();
            return Err(domain::ValidationError::TooLong { field: "embeddings", max: MAX_VECTORS, actual }.into());
        }
        // Idempotency covers the vectors through a hash of their bits, not the vectors themselves.
        let mut digest = Sha256::new();
        for vector in &vectors {
            digest.update((vector.len() as u64).to_le_bytes());
            vector.iter().for_each(|x| digest.update(x.to_le_bytes()));
        }
        let fingerprint = json!({ "project_id": project_id, "document_id": document_id,
                                  "vectors_sha256": hex::encode(digest.finalize()) });
        let command = ctx.prepare("submit_embeddings", &fingerprint)?;
        let vectors: Vec<ChunkVector> = vectors
            .into_iter()
            .enumerate()
            .map(|(i, vector)| ChunkVector { chunk: u32::try_from(i).unwrap_or(u32::MAX), vector })
            .collect();
        // The document is checked below, but embeddings live on the project's stream: an erasure
        // may land between the check and the append, which the store then refuses.
        let erased_meanwhile = |e| match e {
            CommandError::Store(AppendError::Sealing(SealingError::SubjectErased(_))) => {
                CommandError::NotFound("document")
            }
            e => e,
        };
        let done = self
            .run(&command, || {
                let (vectors, actor, at) = (vectors.clone(), ctx.actor.clone(), ctx.at);
                Box::pin(async move {
                    let tenant = load::<Tenant, _>(&*self.store, tenant_id).await?;
                    authorize_project(&*self.store, &tenant.state, &actor, project_id, Role::can_write_documents)
                        .await?;
                    let project = load::<Project, _>(&*self.store, project_id).await?;
                    let settings = project.state.created().map(|p| p.settings.clone()).unwrap_or_default();
                    let dimension = settings.embedding_dimension.ok_or_else(|| {
                        CommandError::Domain(
                            "declare the project's embedding_dimension in its settings before submitting embeddings"
                                .into(),
                        )
                    })?;
                    let document = load::<Document, _>(&*self.store, document_id).await?;
                    let chunks = match document.state.uploaded() {
                        Some(d) if d.project_id == project_id && d.status == DocumentStatus::Indexed => d.chunks,
                        Some(d) if d.project_id == project_id && d.status != DocumentStatus::Erased => {
                            return Err(CommandError::Domain(
                                "the document is not indexed yet: submit embeddings once its status is indexed".into(),
                            ))
                        }
                        _ => return Err(CommandError::NotFound("document")),
                    };
                    if vectors.len() != chunks as usize {
                        return Err(CommandError::Domain(format!(
                            "the document has {chunks} chunks: send exactly one embedding per chunk, in order (got {})",
                            vectors.len()
                        )));
                    }
                    let guard = EmbeddingGuard { max_z: settings.max_norm_z, ..EmbeddingGuard::new(dimension) };
                    let embeddings = load_last::<ProjectEmbeddings, _>(&*self.store, project_id).await?;
                    let submit = EmbeddingsCommand::Submit { project_id, document_id, vectors, guard, at };
                    let append = embeddings.decide_or(submit, |e| CommandError::Domain(e.to_string()))?;
                    let answer = outcome(&append.events)?;
                    Ok(Decision { streams: vec![append], answer })
                })
            })
            .await
            .map_err(erased_meanwhile)?;
        Ok(SubmittedEmbeddings { position: done.position, ..done.answer })
    }
}

/// The answer, read from the events about to be appended.
fn outcome(events: &[eventstore::NewEvent]) -> Result<SubmittedEmbeddings, CommandError> {
    let mut answer = SubmittedEmbeddings { accepted: 0, rejected: Vec::new(), position: Position::START };
    for event in events {
        match serde_json::from_value::<EmbeddingsEvent>(event.payload.clone())? {
            EmbeddingsEvent::EmbeddingRejected { chunk, rejection, .. } => answer.rejected.push((chunk, rejection)),
            EmbeddingsEvent::EmbeddingsAccepted { count, .. } => answer.accepted = count,
        }
    }
    Ok(answer)
}
