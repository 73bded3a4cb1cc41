//! Documents, retrieval and project settings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// `POST /v1/projects/{id}/documents` as JSON, for text formats. Any format, PDF included,
/// can also be sent as `multipart/form-data` with a `file` part (and optional `title`,
/// `content_type` and `metadata` parts).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadDocumentRequest {
    pub title: String,
    pub content: String,
    /// `text/plain` (the default), `text/markdown` or `text/html`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// A JSON object to filter retrievals by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub metadata: Option<serde_json::Value>,
}

/// A document and where ingestion is with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentInfo {
    pub id: Uuid,
    pub project_id: Uuid,
    pub title: String,
    pub content_type: String,
    /// `pending`, `indexed` or `failed`.
    pub status: String,
    pub bytes: u64,
    /// Real pages for PDF; one page per 3,000 characters of text otherwise.
    pub pages: u32,
    pub chunks: u32,
    /// Personal data found, by kind (`email`, `phone`, `payment_card`, `us_ssn`, `iban`,
    /// `ip_address`); redacted from the index unless the project's policy says otherwise.
    pub pii: BTreeMap<String, u32>,
    /// Why ingestion failed, when `status` is `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub metadata: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub uploaded_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub processed_at: Option<OffsetDateTime>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentList {
    /// Newest first.
    pub documents: Vec<DocumentInfo>,
    /// Pass as `before` to get the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_before: Option<Uuid>,
}

/// The answer to an upload: the document (still `pending`) and the write's position.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadedDocument {
    pub document: DocumentInfo,
    pub position: String,
}

/// `POST /v1/projects/{id}/retrieve`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetrieveRequest {
    /// Words, "quoted phrases", `or` and `-excluded` terms, as web search engines take them.
    pub query: String,
    /// How many chunks to return: 1 to 50, default 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<RetrieveFilter>,
    /// The query's embedding, of the project's declared dimension: ranks by full text and by
    /// vector similarity, fused with reciprocal rank fusion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_embedding: Option<Vec<f32>>,
}

/// Narrows a retrieval to some documents.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetrieveFilter {
    /// Only these documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_ids: Option<Vec<Uuid>>,
    /// Only documents whose metadata contains this JSON object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub metadata: Option<serde_json::Value>,
}

/// One retrieved chunk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetrievedChunk {
    pub document_id: Uuid,
    pub title: String,
    /// The chunk's position in its document, from 0.
    pub chunk: u32,
    /// Higher is more relevant; comparable within one answer only.
    pub score: f64,
    /// The chunk's text, as indexed (personal data redacted per the project's policy).
    pub text: String,
    /// A short excerpt with the matched terms inside `<mark>`…`</mark>`; every other `<`, `>`
    /// and `&` is escaped, so it is safe to insert as HTML.
    pub highlight: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetrieveResponse {
    /// Most relevant first.
    pub results: Vec<RetrievedChunk>,
}

/// A project's settings (`GET` and `PUT /v1/projects/{id}/settings`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectSettingsBody {
    /// `redact` (the default), `flag` or `off`.
    pub pii_policy: String,
    /// Values never treated as personal data, compared case-insensitively.
    #[serde(default)]
    pub pii_allow_list: Vec<String>,
    /// What the MCP server does with chunks that look like prompt injection: `mark` or `withhold`.
    pub injection_policy: String,
    /// The length of every embedding in this project, once declared; it cannot change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding_dimension: Option<u32>,
    /// How many standard deviations from the project's mean norm an embedding may be.
    pub max_norm_z: f64,
}

/// `GET /v1/projects/{id}/documents/{document_id}/chunks`: what to embed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChunkList {
    pub chunks: Vec<ChunkText>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChunkText {
    pub chunk: u32,
    pub text: String,
}

/// `PUT /v1/projects/{id}/documents/{document_id}/embeddings`: one vector per chunk, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmbeddingsRequest {
    pub embeddings: Vec<Vec<f32>>,
}

/// Why one submitted vector was refused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmbeddingRejection {
    pub document_id: Uuid,
    pub chunk: u32,
    /// `non_finite`, `wrong_dimension`, `zero_vector` or `anomalous_norm`.
    pub reason: String,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmbeddingsResult {
    pub accepted: u32,
    pub rejected: Vec<EmbeddingRejection>,
    pub position: String,
}

/// `GET /v1/projects/{id}/embedding-rejections`: the project's refused vectors, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmbeddingRejectionList {
    pub rejections: Vec<EmbeddingRejection>,
}
