//! A project's documents and retrieval over them.

use api_types::{DocumentList, RetrieveRequest, RetrieveResponse, UploadDocumentRequest, UploadedDocument, Written};
use gloo_net::http::Request;
use uuid::Uuid;
use web_sys::FormData;

use super::{read, receive, send_json, write, ApiResult};

/// How many documents the list shows: the newest ones.
pub const DOCUMENTS_PAGE: u32 = 100;

/// The newest [`DOCUMENTS_PAGE`] documents, newest first.
pub async fn documents(project: Uuid) -> ApiResult<DocumentList> {
    let path = format!("/v1/projects/{project}/documents?limit={DOCUMENTS_PAGE}");
    receive(read(&path).build()).await
}

/// Uploads pasted text as JSON.
pub async fn upload_text(project: Uuid, body: &UploadDocumentRequest) -> ApiResult<UploadedDocument> {
    send_json(Request::post(&format!("/v1/projects/{project}/documents")), body).await
}

/// Uploads a file as `multipart/form-data`. No Content-Type is set here: the browser writes it
/// with the boundary it chose for the body.
pub async fn upload_form(project: Uuid, form: FormData) -> ApiResult<UploadedDocument> {
    receive(write(Request::post(&format!("/v1/projects/{project}/documents"))).body(form)).await
}

pub async fn delete_document(project: Uuid, document: Uuid) -> ApiResult<Written> {
    receive(write(Request::delete(&format!("/v1/projects/{project}/documents/{document}"))).build()).await
}

/// A POST, so it carries the CSRF header, though it changes nothing but the usage count.
pub async fn retrieve(project: Uuid, body: &RetrieveRequest) -> ApiResult<RetrieveResponse> {
    send_json(Request::post(&format!("/v1/projects/{project}/retrieve")), body).await
}
