//! An axum [`Router`] that receives events: POST → [`receive`](super::receive) → 200 at once →
//! the typed event handed to your async handler on a spawned task. Behind the cargo feature
//! `axum`.

use std::future::Future;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use super::{receive, AppTokens, Limits, ReceivedEvent, Rejection, TypedEvent};

/// A router with one route, `POST path`, that receives events and hands each, decoded into
/// `E` (any [`TypedEvent`]), to `handler`; `bitrix_api::events::router` is this with the
/// crate's `Event`, and its page tells the whole behaviour.
pub fn router<E, T, H, F>(path: &str, tokens: T, limits: Limits, handler: H) -> Router
where
    E: TypedEvent + Send + 'static,
    T: AppTokens + 'static,
    H: Fn(E, ReceivedEvent) -> F + Send + Sync + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    let shared = Arc::new((tokens, limits, handler));
    Router::new()
        .route(
            path,
            post(move |headers: HeaderMap, body: Bytes| {
                let shared = Arc::clone(&shared);
                async move {
                    let (tokens, limits, handler) = &*shared;
                    let content_type = headers
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    match accept(content_type, &body, limits, tokens).await {
                        Ok((event, received)) => {
                            tokio::spawn(handler(event, received));
                            (StatusCode::OK, "OK").into_response()
                        }
                        Err(rejection) => refuse(&rejection),
                    }
                }
            }),
        )
        .layer(DefaultBodyLimit::max(limits.max_body))
}

async fn accept<E: TypedEvent, T: AppTokens>(
    content_type: &str,
    body: &[u8],
    limits: &Limits,
    tokens: &T,
) -> Result<(E, ReceivedEvent), Rejection> {
    let received = receive(content_type, body, limits, tokens).await?;
    let event = received.typed()?;
    Ok((event, received))
}

/// The HTTP status a rejection is answered with: 401 for a missing, wrong or unknown token,
/// 415 for a wrong content type, 413 for a body over the limit, 503 when the token store
/// could not be asked (the portal may try again), 400 for everything else.
pub fn status_of(rejection: &Rejection) -> StatusCode {
    match rejection {
        Rejection::MissingToken | Rejection::WrongToken | Rejection::UnknownPortal => {
            StatusCode::UNAUTHORIZED
        }
        Rejection::WrongContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Rejection::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        Rejection::TokenLookup(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    }
}

fn refuse(rejection: &Rejection) -> Response {
    tracing::debug!(target: "bitrix_api::events", "event refused: {rejection}");
    (status_of(rejection), rejection.to_string()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::FixedToken;
    use std::time::Duration;
    use tokio::sync::mpsc;

    /// Any event, by name only: what the router hands over without generated payloads.
    #[derive(Debug)]
    struct Named(String);
    impl TypedEvent for Named {
        fn name(&self) -> &str {
            &self.0
        }
        fn decode<'de, D: serde::Deserializer<'de>>(name: &str, data: D) -> Result<Self, D::Error> {
            <serde::de::IgnoredAny as serde::Deserialize>::deserialize(data)?;
            Ok(Named(name.to_ascii_uppercase()))
        }
    }

    const FORM: &str = "application/x-www-form-urlencoded";

    async fn serve(app: Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    async fn post(url: &str, ct: &str, body: &str) -> (u16, String) {
        let r = bitrix_emulator::http_client()
            .build()
            .unwrap()
            .post(url)
            .header("content-type", ct)
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    #[tokio::test]
    async fn answers_before_a_slow_handler_and_refuses_without_secrets() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let app = router(
            "/hook",
            FixedToken::new("tok123"),
            Limits::default(),
            move |event: Named, received: ReceivedEvent| {
                let tx = tx.clone();
                async move {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    let _ = tx.send((event.name().to_string(), received.event));
                }
            },
        );
        let url = serve(app).await;
        let body = "event=ONSOMETHING&data[X]=1&auth[application_token]=tok123";
        let answered = tokio::time::timeout(Duration::from_secs(5), post(&url, FORM, body))
            .await
            .expect("the 200 does not wait for the handler");
        assert_eq!(answered, (200, "OK".to_string()));
        assert!(rx.try_recv().is_err(), "the handler is still sleeping");

        let wrong = "event=ONSOMETHING&auth[application_token]=sekrit999";
        let (status, text) = post(&url, FORM, wrong).await;
        assert_eq!(status, 401);
        assert!(
            !text.contains("sekrit999") && !text.contains("tok123"),
            "{text}"
        );
        assert_eq!(post(&url, "text/plain", body).await.0, 415);
        assert_eq!(post(&url, FORM, "data[X]=1").await.0, 400);
    }

    #[tokio::test]
    async fn hands_the_typed_event_over() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let app = router(
            "/hook",
            FixedToken::new("tok123"),
            Limits::default(),
            move |event: Named, received: ReceivedEvent| {
                let tx = tx.clone();
                async move {
                    let _ = tx.send((event, received.ts));
                }
            },
        );
        let url = serve(app).await;
        let body = "event=onnewthing&ts=17&data[A][B]=c&auth[application_token]=tok123";
        assert_eq!(post(&url, FORM, body).await.0, 200);
        let (event, ts) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(event.name(), "ONNEWTHING");
        assert_eq!(ts, Some(17));
        let too_big = format!("event=X&data[a]={}", "x".repeat(Limits::default().max_body));
        assert_eq!(post(&url, FORM, &too_big).await.0, 413);
    }
}
