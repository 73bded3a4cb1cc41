//! The body of an upload: JSON for text, or `multipart/form-data` with a `file` part for any
//! format. Either way it becomes one [`UploadInput`].

use api_types::{ProblemType, UploadDocumentRequest};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, StatusCode};
use commands::UploadInput;
use domain::DocumentFormat;
use serde_json::Value;

use crate::http::body::Json;
use crate::http::problem::ApiError;

/// The largest request body an upload may have: the largest document, plus room for JSON
/// escaping or multipart framing. The command checks the document itself.
pub const MAX_UPLOAD_BODY: usize = commands::MAX_DOCUMENT_BYTES * 3 / 2 + 64 * 1024;

/// An upload, whichever way it was sent.
#[derive(Debug)]
pub struct UploadBody(pub UploadInput);

impl<S: Send + Sync> FromRequest<S> for UploadBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let input = if content_type.starts_with("multipart/form-data") {
            let multipart =
                Multipart::from_request(request, state).await.map_err(|e| ApiError::invalid("body", e.body_text()))?;
            from_multipart(multipart).await?
        } else {
            from_json(request, state).await?
        };
        if input.bytes.len() > commands::MAX_DOCUMENT_BYTES {
            return Err(ApiError::new(ProblemType::PayloadTooLarge, StatusCode::PAYLOAD_TOO_LARGE, too_large()));
        }
        Ok(UploadBody(input))
    }
}

async fn from_json<S: Send + Sync>(request: Request, state: &S) -> Result<UploadInput, ApiError> {
    let Json(body) = Json::<UploadDocumentRequest>::from_request(request, state).await?;
    let format = match body.content_type.as_deref() {
        None => DocumentFormat::PlainText,
        Some(raw) => raw.parse::<DocumentFormat>()?,
    };
    if !format.is_text() {
        return Err(ApiError::invalid(
            "content_type",
            "a PDF cannot travel in a JSON string: upload it as multipart/form-data with a `file` part",
        ));
    }
    let metadata = body.metadata.unwrap_or(Value::Null);
    Ok(UploadInput { title: body.title, format, metadata, bytes: body.content.into_bytes() })
}

async fn from_multipart(mut multipart: Multipart) -> Result<UploadInput, ApiError> {
    let mut file: Option<(Vec<u8>, Option<String>, Option<String>)> = None;
    let (mut title, mut declared, mut metadata) = (None, None, Value::Null);
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let name = field.file_name().map(str::to_owned);
                let part_type = field.content_type().map(str::to_owned);
                let bytes = field.bytes().await.map_err(multipart_error)?;
                file = Some((bytes.to_vec(), name, part_type));
            }
            "title" => title = Some(field.text().await.map_err(multipart_error)?),
            "content_type" => declared = Some(field.text().await.map_err(multipart_error)?),
            "metadata" => {
                let text = field.text().await.map_err(multipart_error)?;
                metadata = serde_json::from_str(&text)
                    .map_err(|e| ApiError::invalid("metadata", format!("must be a JSON object: {e}")))?;
            }
            other => return Err(ApiError::invalid(other, "unknown part; send file, title, content_type, metadata")),
        }
    }
    let (bytes, file_name, part_type) = file.ok_or_else(|| ApiError::invalid("file", "the `file` part is missing"))?;
    let format = match declared.as_deref() {
        Some(raw) => raw.parse::<DocumentFormat>()?,
        None => part_type
            .as_deref()
            .and_then(DocumentFormat::from_mime)
            .or_else(|| file_name.as_deref().and_then(DocumentFormat::from_file_name))
            .ok_or_else(|| {
                ApiError::invalid(
                    "content_type",
                    "cannot tell the format: name the file .txt, .md, .html or .pdf, or send a content_type part",
                )
            })?,
    };
    let title = title.or(file_name).unwrap_or_default();
    Ok(UploadInput { title, format, metadata, bytes })
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(ProblemType::PayloadTooLarge, StatusCode::PAYLOAD_TOO_LARGE, too_large());
    }
    ApiError::invalid("body", e.body_text())
}

/// The 413 detail, naming the limit in the units people think in.
pub fn too_large() -> String {
    format!("a document may have at most {} MiB", commands::MAX_DOCUMENT_BYTES / (1024 * 1024))
}
