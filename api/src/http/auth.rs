//! Who is calling: a dashboard session (cookie, with a CSRF token on writes) or an API key
//! (`Authorization: Bearer`). Both are checked against hashes in the read models; one the read
//! models do not know is looked up again once they have reached the head of the log, so a
//! credential just issued is never refused. A credential whose earlier write answered 202 (the
//! read models were behind) is checked against the event store instead, and its reads wait for
//! that write (see [`super::consistency`]).
//!
//! CSRF defence is a signed double submit: the `ctxi_csrf` cookie holds an HMAC of the session
//! token under a server key, and every cookie-authenticated write must echo it in
//! `X-CSRF-Token`. Another site can neither read the cookie nor forge a value that matches the
//! victim's session; SameSite=Lax on both cookies is a second layer, and JSON-only bodies a
//! third (a cross-site form cannot send `application/json`).

use api_types::{ProblemType, CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cookie::{Cookie, SameSite};
use domain::{ApiKeyId, ProjectId, SessionId, TenantId, UserId};
use eventstore::{Actor, Position};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;
use time::Duration;
use uuid::Uuid;

use super::consistency::{confirmed, OwnWrites};
use super::problem::ApiError;
use super::AppState;

/// A signed-in dashboard user, bound to one tenant.
#[derive(Debug, Clone, Copy)]
pub struct SignedIn {
    pub session_id: SessionId,
    pub user_id: UserId,
    pub tenant_id: TenantId,
}

impl SignedIn {
    pub fn actor(&self) -> Actor {
        Actor::User(self.user_id.as_uuid())
    }
}

/// Whoever may read: a dashboard user, or an API key limited to its own project.
#[derive(Debug, Clone, Copy)]
pub enum Caller {
    User(SignedIn),
    ApiKey { key_id: ApiKeyId, tenant_id: TenantId, project_id: ProjectId },
}

impl Caller {
    pub fn tenant_id(&self) -> TenantId {
        match self {
            Self::User(user) => user.tenant_id,
            Self::ApiKey { tenant_id, .. } => *tenant_id,
        }
    }

    /// Who the caller's commands are attributed to.
    pub fn actor(&self) -> Actor {
        match self {
            Self::User(user) => user.actor(),
            Self::ApiKey { key_id, .. } => Actor::ApiKey(key_id.as_uuid()),
        }
    }

    /// The credential's id (session or API key): whose earlier writes a request waits for.
    pub fn credential(&self) -> Uuid {
        match self {
            Self::User(user) => user.session_id.as_uuid(),
            Self::ApiKey { key_id, .. } => key_id.as_uuid(),
        }
    }

    /// The one project an API key may see; `None` for a user, who sees the tenant's projects.
    pub fn only_project(&self) -> Option<ProjectId> {
        match self {
            Self::User(_) => None,
            Self::ApiKey { project_id, .. } => Some(*project_id),
        }
    }
}

impl FromRequestParts<Arc<AppState>> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, ApiError> {
        let token = cookie_value(&parts.headers, SESSION_COOKIE)
            .ok_or_else(|| ApiError::unauthorized("sign in first: this needs a dashboard session"))?;
        let ended = || ApiError::unauthorized("your session has ended or expired; sign in again");
        let (signed_in, floor) = confirmed(state, || find_session(state, &token)).await?.ok_or_else(ended)?;
        if !parts.method.is_safe() {
            state.csrf.check(&parts.headers, &token)?;
        }
        if let Some(floor) = floor {
            // A write of this session answered 202: the read models may not include it yet, and
            // it may have been this session's sign-out. The event store knows.
            let now = time::OffsetDateTime::now_utc();
            if !state.commands.session_is_live(signed_in.session_id, now).await? {
                return Err(ended());
            }
            parts
                .extensions
                .insert(OwnWrites { caller: signed_in.session_id.as_uuid(), floor: Position::from_raw(floor) });
        }
        Ok(signed_in)
    }
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, ApiError> {
        let Some(key) = bearer(&parts.headers)? else {
            return SignedIn::from_request_parts(parts, state).await.map(Caller::User);
        };
        let unknown = || ApiError::unauthorized("the API key is unknown or revoked");
        let (caller, floor) = confirmed(state, || find_api_key(state, key)).await?.ok_or_else(unknown)?;
        if let Some(floor) = floor {
            // A write made with this key, or revoking it, answered 202 (see the session's case).
            let key_id = caller.credential();
            if !state.commands.api_key_is_live(ApiKeyId::new(key_id)).await? {
                return Err(unknown());
            }
            parts.extensions.insert(OwnWrites { caller: key_id, floor: Position::from_raw(floor) });
        }
        Ok(caller)
    }
}

/// The bearer token, if the request has an `Authorization` header; a header of another
/// scheme is refused rather than ignored.
fn bearer(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ApiError::unauthorized("the Authorization header is not text"))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(Some(token.trim()))
        }
        _ => Err(ApiError::unauthorized("use `Authorization: Bearer <API key>`")),
    }
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// A live session with the token, and the consistency floor its earlier writes left, if any.
async fn find_session(state: &AppState, token: &str) -> Result<Option<(SignedIn, Option<i64>)>, ApiError> {
    let row: Option<(Uuid, Uuid, Uuid, Option<i64>)> = sqlx::query_as(
        "SELECT s.session_id, s.user_id, s.tenant_id, f.position
           FROM sessions s LEFT JOIN consistency_floors f ON f.caller = s.session_id
          WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > now()",
    )
    .bind(commands::hash_token(token))
    .fetch_optional(&state.pool)
    .await?;
    Ok(row.map(|(session, user, tenant, floor)| {
        let signed_in = SignedIn {
            session_id: SessionId::new(session),
            user_id: UserId::new(user),
            tenant_id: TenantId::new(tenant),
        };
        (signed_in, floor)
    }))
}

/// The live API key with the secret, and the consistency floor its earlier writes left, if any.
async fn find_api_key(state: &AppState, key: &str) -> Result<Option<(Caller, Option<i64>)>, ApiError> {
    let row: Option<(Uuid, Uuid, Uuid, Option<i64>)> = sqlx::query_as(
        "SELECT k.key_id, k.tenant_id, k.project_id, f.position
           FROM api_keys k LEFT JOIN consistency_floors f ON f.caller = k.key_id
          WHERE k.secret_hash = $1 AND k.revoked_at IS NULL",
    )
    .bind(commands::hash_token(key))
    .fetch_optional(&state.pool)
    .await?;
    Ok(row.map(|(key, tenant, project, floor)| {
        let caller = Caller::ApiKey {
            key_id: ApiKeyId::new(key),
            tenant_id: TenantId::new(tenant),
            project_id: ProjectId::new(project),
        };
        (caller, floor)
    }))
}

/// Makes and checks CSRF tokens: HMAC-SHA256 of the session token.
#[derive(Clone)]
pub struct Csrf {
    key: [u8; 32],
}

impl std::fmt::Debug for Csrf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Csrf([redacted])")
    }
}

impl Csrf {
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes keys of any length: this cannot fail.
        #[allow(clippy::expect_used)]
        <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC accepts any key length")
    }

    pub fn token_for(&self, session_token: &str) -> String {
        let mut mac = self.mac();
        mac.update(session_token.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    fn check(&self, headers: &HeaderMap, session_token: &str) -> Result<(), ApiError> {
        let refused = |detail: &str| ApiError::new(ProblemType::Csrf, StatusCode::FORBIDDEN, detail);
        let sent = headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| refused("this write needs the X-CSRF-Token header, equal to the ctxi_csrf cookie"))?;
        let cookie = cookie_value(headers, CSRF_COOKIE);
        let decoded = URL_SAFE_NO_PAD.decode(sent).map_err(|_| refused("the X-CSRF-Token header is malformed"))?;
        let mut mac = self.mac();
        mac.update(session_token.as_bytes());
        if cookie.as_deref() != Some(sent) || mac.verify_slice(&decoded).is_err() {
            return Err(refused("the X-CSRF-Token header does not match this session"));
        }
        Ok(())
    }
}

/// The cookies that sign a browser in: the session token (script cannot read it) and the CSRF
/// token (the dashboard's script reads it to echo it).
pub fn sign_in_cookies(csrf: &Csrf, token: &str, ttl: Duration, secure: bool) -> [String; 2] {
    let session = Cookie::build((SESSION_COOKIE, token.to_owned())).http_only(true);
    let csrf = Cookie::build((CSRF_COOKIE, csrf.token_for(token))).http_only(false);
    [session, csrf].map(|c| c.same_site(SameSite::Lax).secure(secure).path("/").max_age(ttl).build().to_string())
}

/// Cookies that sign the browser out.
pub fn sign_out_cookies(secure: bool) -> [String; 2] {
    [SESSION_COOKIE, CSRF_COOKIE].map(|name| {
        Cookie::build((name, ""))
            .same_site(SameSite::Lax)
            .secure(secure)
            .path("/")
            .max_age(Duration::ZERO)
            .build()
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(cookie: &str, token: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
        if let Some(t) = token {
            h.insert(CSRF_HEADER, HeaderValue::from_str(t).unwrap());
        }
        h
    }

    #[test]
    fn the_token_for_the_session_passes_and_others_fail() {
        let csrf = Csrf::new([7; 32]);
        let good = csrf.token_for("session-a");
        let ok = headers(&format!("ctxi_session=session-a; ctxi_csrf={good}"), Some(&good));
        assert!(csrf.check(&ok, "session-a").is_ok());
        // Another session's token, consistently planted in cookie and header.
        let other = csrf.token_for("session-b");
        let planted = headers(&format!("ctxi_csrf={other}"), Some(&other));
        assert_eq!(csrf.check(&planted, "session-a").unwrap_err().kind(), ProblemType::Csrf);
        // Missing header; header without the cookie.
        assert!(csrf.check(&headers(&format!("ctxi_csrf={good}"), None), "session-a").is_err());
        assert!(csrf.check(&headers("x=1", Some(&good)), "session-a").is_err());
    }

    #[test]
    fn only_bearer_authorization_is_accepted() {
        let mut h = HeaderMap::new();
        assert!(bearer(&h).unwrap().is_none());
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer ctxi_abc_def"));
        assert_eq!(bearer(&h).unwrap(), Some("ctxi_abc_def"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic dXNlcjpwYXNz"));
        assert_eq!(bearer(&h).unwrap_err().kind(), ProblemType::Unauthorized);
    }

    #[test]
    fn session_cookies_are_http_only_lax_and_secure_when_asked() {
        let [session, csrf] = sign_in_cookies(&Csrf::new([1; 32]), "tok", Duration::hours(1), true);
        assert!(session.starts_with("ctxi_session=tok") && session.contains("HttpOnly"), "{session}");
        assert!(session.contains("SameSite=Lax") && session.contains("Secure"), "{session}");
        assert!(csrf.starts_with("ctxi_csrf=") && !csrf.contains("HttpOnly"), "{csrf}");
        let [plain, _] = sign_in_cookies(&Csrf::new([1; 32]), "tok", Duration::hours(1), false);
        assert!(!plain.contains("Secure"), "{plain}");
    }
}
