//! The OAuth 2.0 token endpoint (`/oauth/token/`), standing in for the
//! authorization server: exchanges an authorization code (issued by
//! [`crate::Emulator::authorize`]) or a refresh token for a new token pair.
//! Codes and refresh tokens are single-use.
//!
//! Parameters come from the query string (the documented `GET`) or a form or
//! JSON body. Every request here counts towards
//! [`crate::Emulator::refresh_count`], whatever its outcome. Errors:
//! - `grant_type` missing or unsupported → 400 `invalid_request`;
//! - `client_id`/`client_secret` not the application's → 401 `invalid_client`;
//! - a refresh token or code that is unknown, was already used, expired (a code
//!   lives 30 seconds) or was revoked by an uninstall → 400 `invalid_grant`.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::auth::PortalAddress;
use crate::shared::{lock, Shared};
use crate::wire::clock::unix_secs;
use crate::wire::coerce::{param, text};
use crate::wire::envelope::Answer;
use crate::wire::params::{parse_body, parse_urlencoded, Params};

/// Scopes granted to the emulated application.
pub(crate) const SCOPE: &str = "imopenlines,imbot,im,crm";

fn oauth_error(status: u16, code: &str, description: &str) -> Response {
    Answer::json(
        status,
        &json!({ "error": code, "error_description": description }),
    )
    .into_response()
}

/// Handles `/oauth/token/`.
pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.refresh_count.fetch_add(1, Ordering::SeqCst);
    let mut params = Params::default();
    if let Some(q) = uri.query() {
        parse_urlencoded(q.as_bytes(), &mut params);
    }
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    parse_body(ct, &body, &mut params);
    let get = |name: &str| param(&params.map, name).and_then(text).unwrap_or_default();

    let grant_type = get("grant_type");
    if grant_type != "refresh_token" && grant_type != "authorization_code" {
        return oauth_error(
            400,
            "invalid_request",
            "grant_type must be refresh_token or authorization_code",
        );
    }
    if get("client_id") != shared.config.client_id
        || get("client_secret") != shared.config.client_secret
    {
        return oauth_error(
            401,
            "invalid_client",
            "client_id or client_secret does not match an installed application",
        );
    }
    let (tokens, user_id, ttl, portal, address) = {
        let mut store = lock(&shared.tokens);
        let redeemed = if grant_type == "authorization_code" {
            store
                .redeem_code(&get("code"))
                .ok_or("the authorization code is unknown, has expired or has already been used")
        } else {
            store
                .redeem_refresh(&get("refresh_token"))
                .ok_or("the refresh token is unknown or has already been used")
        };
        let (portal, user_id) = match redeemed {
            Ok(found) => found,
            Err(why) => return oauth_error(400, "invalid_grant", why),
        };
        let address = store.portal(&portal).cloned().unwrap_or(PortalAddress {
            base_url: shared.base_url.clone(),
        });
        (
            store.issue(&portal, user_id),
            user_id,
            store.ttl(),
            portal,
            address,
        )
    };
    let expires_in = ttl.as_secs();
    let expires = unix_secs(SystemTime::now()) + i64::try_from(expires_in).unwrap_or(i64::MAX / 2);
    Answer::json(
        200,
        &json!({
            "access_token": tokens.access_token,
            "client_endpoint": format!("{}/rest/", address.base_url),
            "domain": shared.host,
            "expires": expires,
            "expires_in": expires_in,
            "member_id": &*portal,
            "refresh_token": tokens.refresh_token,
            "scope": SCOPE,
            "server_endpoint": format!("{}/oauth/rest/", shared.base_url),
            "status": "L",
            "user_id": user_id
        }),
    )
    .into_response()
}
