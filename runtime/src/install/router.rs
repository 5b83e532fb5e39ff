//! An axum [`Router`] for the install handler: POST → [`Installer::receive`] → your handler
//! stores the record → `200`. Behind the cargo feature `axum`.

use std::future::Future;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;

use super::{InstallError, Installation, Installer};
use crate::error::AuthError;

/// A router with one route: `POST path` takes install requests (the install wizard's form, the
/// installation callback, an `ONAPPINSTALL` event), confirms them with [`Installer::receive`]
/// and hands the [`Installation`] to `on_install`, which should store it (merging it into an
/// existing record of the same `member_id`, see [`Installation::merge`]). The portal gets
/// `200 OK` once `on_install` returned `Ok`, and `500` when it failed (the record was not
/// kept); a refused request gets [`status_of`] with the error's text, which holds no secret.
pub fn router<H, F>(path: &str, installer: Installer, on_install: H) -> Router
where
    H: Fn(Installation) -> F + Send + Sync + 'static,
    F: Future<Output = Result<(), String>> + Send + 'static,
{
    let max_body = installer.body_limits().max_body;
    let shared = Arc::new((installer, on_install));
    Router::new()
        .route(
            path,
            post(move |uri: Uri, headers: HeaderMap, body: Bytes| {
                let shared = Arc::clone(&shared);
                async move {
                    let (installer, on_install) = &*shared;
                    let content_type = headers
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    match installer.receive(uri.query(), content_type, &body).await {
                        Ok(installation) => match on_install(installation).await {
                            Ok(()) => (StatusCode::OK, "OK").into_response(),
                            Err(e) => {
                                tracing::error!(target: "bitrix_api::install", error = %e, "the installation could not be stored");
                                (StatusCode::INTERNAL_SERVER_ERROR, "not stored").into_response()
                            }
                        },
                        Err(e) => {
                            tracing::debug!(target: "bitrix_api::install", "install refused: {e}");
                            (status_of(&e), e.to_string()).into_response()
                        }
                    }
                }
            }),
        )
        .layer(DefaultBodyLimit::max(max_body))
}

/// The HTTP status an install error is answered with: the body's own status for a refused
/// body (see [`events::status_of`](crate::events::status_of)), 401 when the OAuth server
/// refused the tokens or named another portal, 503 when it could not be asked, 400 otherwise.
pub fn status_of(e: &InstallError) -> StatusCode {
    match e {
        InstallError::Rejected(r) => crate::events::status_of(r),
        InstallError::Auth(AuthError::Refused(_)) | InstallError::PortalMismatch(_) => {
            StatusCode::UNAUTHORIZED
        }
        InstallError::Auth(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    }
}
