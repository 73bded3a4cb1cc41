//! The OpenAPI 3.1 document, generated from the handlers' annotations and the shared body
//! types, and a docs page rendered from it on the server (no script, nothing fetched from
//! elsewhere: it works offline and under a strict CSP).

use std::fmt::Write;

use api_types::ProblemType;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi, RefOr, Schema};
use utoipa::Modify;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "ContextInject API", version = "1",
        description = "Projects, API keys, documents and retrieval. Errors are RFC 9457 problem details. A write answers once the read models include it: your next read sees it, with no header. Writes answer with a `position`; another caller waits for it by sending it in `X-Ctxi-Consistency`. A write answered 202 with `X-Ctxi-Pending` is recorded, but the read models are behind: your reads wait for it."),
    modifiers(&SecuritySchemes),
    tags((name = "auth", description = "Signing up, in and out"),
        (name = "plans", description = "What each plan allows"),
        (name = "projects", description = "Projects of your organisation"),
        (name = "api-keys", description = "Keys for the data-plane API"),
        (name = "documents", description = "Documents of a project, and their ingestion"),
        (name = "retrieval", description = "The most relevant context for a query")),
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                api_types::SESSION_COOKIE,
                "Dashboard session; writes also need X-CSRF-Token equal to the ctxi_csrf cookie",
            ))),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API key: ctxi_<prefix>_<secret>"))
                    .build(),
            ),
        );
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An HTML page listing every operation with its parameters, body and responses, the schemas,
/// and the problem types.
pub fn docs_page(doc: &OpenApi) -> String {
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>ContextInject API</title><style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}\
         code,pre{background:#f4f4f5;padding:.1rem .3rem;border-radius:4px}pre{padding:.6rem;overflow:auto}\
         .op{border:1px solid #ddd;border-radius:8px;padding:.4rem 1rem;margin:1rem 0}.m{font-weight:700;text-transform:uppercase;margin-right:.5rem}</style></head><body>",
    );
    let _ = write!(html, "<h1>{}</h1>", escape(&doc.info.title));
    if let Some(description) = &doc.info.description {
        let _ = write!(html, "<p>{}</p>", escape(description));
    }
    html.push_str(
        "<p>Machine-readable: <a href=\"/v1/openapi.json\">/v1/openapi.json</a> (OpenAPI 3.1).</p><h2>Operations</h2>",
    );
    for (path, item) in &doc.paths.paths {
        let operations = [
            ("get", &item.get),
            ("post", &item.post),
            ("put", &item.put),
            ("patch", &item.patch),
            ("delete", &item.delete),
        ];
        for (method, operation) in operations {
            let Some(op) = operation else { continue };
            let _ = write!(
                html,
                "<div class=\"op\"><h3><span class=\"m\">{method}</span><code>{}</code></h3>",
                escape(path)
            );
            if let Some(description) = op.description.as_ref().or(op.summary.as_ref()) {
                let _ = write!(html, "<p>{}</p>", escape(description));
            }
            for parameter in op.parameters.iter().flatten() {
                let RefOr::T(parameter) = parameter else { continue };
                let _ = write!(
                    html,
                    "<div>Parameter <code>{}</code> (in {}){}</div>",
                    escape(&parameter.name),
                    serde_json::to_value(&parameter.parameter_in)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    parameter.description.as_deref().map(|d| format!(": {}", escape(d))).unwrap_or_default()
                );
            }
            if let Some(RefOr::T(body)) = &op.request_body {
                for (media, content) in &body.content {
                    let RefOr::T(content) = content else { continue };
                    let _ = write!(
                        html,
                        "<div>Body <code>{}</code>: {}</div>",
                        escape(media),
                        schema_name(&content.schema)
                    );
                }
            }
            html.push_str("<ul>");
            for (status, response) in &op.responses.responses {
                if let RefOr::T(response) = response {
                    let bodies: Vec<String> = response
                        .content
                        .values()
                        .filter_map(|c| match c {
                            RefOr::T(c) => Some(schema_name(&c.schema)),
                            RefOr::Ref(_) => None,
                        })
                        .collect();
                    let _ = write!(
                        html,
                        "<li><code>{}</code> {} {}</li>",
                        escape(status),
                        escape(&response.description),
                        bodies.join(", ")
                    );
                }
            }
            html.push_str("</ul></div>");
        }
    }
    html.push_str("<h2>Problem types</h2><p>Every error is <code>application/problem+json</code> with one of these <code>type</code>s:</p><ul>");
    for kind in ProblemType::ALL {
        let _ = write!(html, "<li><code>{}</code></li>", escape(&kind.uri()));
    }
    html.push_str("</ul><h2>Schemas</h2>");
    if let Some(components) = &doc.components {
        for (name, schema) in &components.schemas {
            let json = serde_json::to_string_pretty(schema).unwrap_or_default();
            let _ = write!(html, "<h3 id=\"{0}\">{0}</h3><pre>{1}</pre>", escape(name), escape(&json));
        }
    }
    html.push_str("</body></html>");
    html
}

fn schema_name(schema: &Option<RefOr<Schema>>) -> String {
    match schema {
        Some(RefOr::Ref(reference)) => {
            let name = reference.ref_location.rsplit('/').next().unwrap_or_default();
            format!("<a href=\"#{0}\">{0}</a>", escape(name))
        }
        Some(RefOr::T(_)) => "inline schema".to_owned(),
        None => String::new(),
    }
}
