//! The client against hostile servers on loopback: redirects, huge and endless bodies, stalls,
//! corrupt answers. Every failure is a typed error, and no secret reaches another host, `Debug`
//! or `Display`.

#[path = "hostile/server.rs"]
mod server;

#[allow(deprecated)] // imbot.chat.get is the documented method whose result may be `null`
use bitrix_api::imbot::ChatGet;
use bitrix_api::imopenlines::{BotSessionFinish, DialogGet, DialogGetError};
use bitrix_api::{
    AuthError, Client, ClientBuilder, Error, OAuthConfig, RedirectPolicy, Tokens, DECODE_BODY_KEPT,
};
use server::{Reply, Request, Server};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const HOOK: &str = "HOOKSECRET";
const BOT: &str = "BOTCLIENTSECRET";
const ACCESS: &str = "ACCESSSECRET";
const REFRESH: &str = "REFRESHSECRET";
const APP: &str = "APPSECRET";
const SECRETS: [&str; 5] = [HOOK, BOT, ACCESS, REFRESH, APP];

const EXPIRED: &str =
    r#"{"error":"expired_token","error_description":"The access token provided has expired."}"#;

// The test servers are no portals: the client-side rate limit would only spread the calls out
// in time (and so change which calls meet a failed refresh).
fn webhook(portal: &Server) -> ClientBuilder {
    Client::webhook_builder(&format!("{}/rest/1/{HOOK}/", portal.origin())).no_rate_limit()
}

fn oauth(portal: &Server, token_server: &Server) -> ClientBuilder {
    let cfg = OAuthConfig::new(format!("{}/rest/", portal.origin()), "app.1", APP)
        .token_url(format!("{}/oauth/token/", token_server.origin()));
    Client::oauth_builder(cfg, Tokens::new(ACCESS, REFRESH)).no_rate_limit()
}

/// A call that carries a secret of its own (the bot's `CLIENT_ID`).
fn finish() -> BotSessionFinish {
    BotSessionFinish::new(7).client_id(BOT)
}

/// `Debug`, `Display` and every `source()` of an error, for leak checks.
fn shown(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = format!("{e:?}\n{e}");
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(&format!("\n{c}"));
        cause = c.source();
    }
    out
}

fn assert_no_secret(text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{s} leaks into: {text}");
    }
}

/// A second host: it must never hear from the client.
async fn other_host() -> Server {
    Server::start(|_| Reply::json(200, r#"{"result":"the other host answered"}"#)).await
}

#[tokio::test]
async fn a_redirect_to_another_host_is_never_followed() {
    let other = other_host().await;
    for status in [301, 302, 303, 307, 308] {
        let to = format!(
            "{}/rest/1/{HOOK}/imopenlines.bot.session.finish",
            other.origin()
        );
        let portal = Server::start(move |_| Reply::redirect(status, to.clone())).await;
        let e = webhook(&portal)
            .build()
            .unwrap()
            .call(finish())
            .await
            .unwrap_err();
        match &e {
            Error::Redirect(r) => {
                assert_eq!(r.status, status);
                assert_eq!(r.to.as_deref(), Some(other.origin().as_str()));
            }
            other => panic!("{status}: {other:?}"),
        }
        assert_no_secret(&shown(&e));
        assert_eq!(portal.received().len(), 1);
    }
    assert_eq!(other.connections(), 0, "the other host received nothing");
}

#[tokio::test]
async fn an_oauth_call_redirected_elsewhere_sends_no_token_there() {
    let other = other_host().await;
    let to = format!("{}/rest/imopenlines.dialog.get", other.origin());
    let portal = Server::start(move |_| Reply::redirect(307, to.clone())).await;
    let tokens = other_host().await;
    let e = oauth(&portal, &tokens)
        .build()
        .unwrap()
        .call(DialogGet::new().chat_id(5))
        .await
        .unwrap_err();
    assert!(matches!(&e, Error::Redirect(r) if r.status == 307), "{e:?}");
    assert_no_secret(&shown(&e));
    assert_eq!(other.connections(), 0, "the other host received nothing");
    assert_eq!(tokens.connections(), 0, "no refresh was attempted");
}

#[tokio::test]
async fn a_redirected_token_endpoint_leaks_nothing() {
    let other = other_host().await;
    let portal = Server::start(|_| Reply::json(401, EXPIRED)).await;
    let to = format!("{}/oauth/token/?stolen=1", other.origin());
    let token_server = Server::start(move |_| Reply::redirect(302, to.clone())).await;
    let e = oauth(&portal, &token_server)
        .build()
        .unwrap()
        .call(DialogGet::new().chat_id(5))
        .await
        .unwrap_err();
    match &e {
        Error::Auth(AuthError::Redirect(r)) => assert_eq!(r.status, 302),
        other => panic!("{other:?}"),
    }
    assert_no_secret(&shown(&e));
    assert_eq!(other.connections(), 0, "the other host received nothing");
    assert_eq!(token_server.received().len(), 1);
}

#[tokio::test]
async fn same_origin_redirects_are_followed_only_when_allowed_and_without_referer() {
    let portal = Server::start(|req: &Request| {
        if req.target.starts_with("/moved/") {
            Reply::json(200, r#"{"result":{"id":5}}"#)
        } else {
            Reply::redirect(307, "/moved/imopenlines.dialog.get")
        }
    })
    .await;
    // By default even a same-origin redirect is an error.
    let e = webhook(&portal)
        .build()
        .unwrap()
        .call(DialogGet::new().chat_id(5))
        .await
        .unwrap_err();
    assert!(matches!(&e, Error::Redirect(r) if r.status == 307), "{e:?}");
    assert_eq!(portal.received().len(), 1);

    let c = webhook(&portal)
        .redirects(RedirectPolicy::SameOrigin)
        .build()
        .unwrap();
    let dialog = c.call(DialogGet::new().chat_id(5)).await.unwrap();
    assert_eq!(dialog.id, Some(5));
    let received = portal.received();
    let moved = received.last().unwrap();
    assert_eq!(moved.target, "/moved/imopenlines.dialog.get");
    assert_eq!(moved.method, "POST", "a 307 repeats the call unchanged");
    assert_eq!(
        moved.header("referer"),
        None,
        "no Referer: it would carry the code"
    );
    assert!(String::from_utf8_lossy(&moved.body).contains("CHAT_ID"));

    // Allowed redirects still stay on the origin.
    let other = other_host().await;
    let to = format!("{}/rest/x", other.origin());
    let portal = Server::start(move |_| Reply::redirect(308, to.clone())).await;
    let e = webhook(&portal)
        .redirects(RedirectPolicy::SameOrigin)
        .build()
        .unwrap()
        .call(finish())
        .await
        .unwrap_err();
    assert!(matches!(&e, Error::Redirect(r) if r.status == 308), "{e:?}");
    assert_eq!(other.connections(), 0, "the other host received nothing");
}

#[tokio::test]
async fn an_https_portal_needs_an_https_token_url() {
    let cfg = OAuthConfig::new("https://p.bitrix24.com/rest/", "app.1", APP)
        .token_url("http://127.0.0.1:9/oauth/token/");
    let e = Client::oauth_builder(cfg, Tokens::new(ACCESS, REFRESH))
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("https"), "{e}");
    assert_no_secret(&format!("{e:?} {e}"));
}

#[tokio::test]
async fn a_huge_announced_body_is_refused() {
    let portal = Server::start(|_| Reply::Huge {
        content_length: 500 * 1024 * 1024,
    })
    .await;
    let e = webhook(&portal)
        .build()
        .unwrap()
        .call(DialogGet::new().chat_id(5))
        .await
        .unwrap_err();
    match &e {
        Error::TooLarge(t) => assert_eq!((t.status, t.limit), (200, 32 * 1024 * 1024)),
        other => panic!("{other:?}"),
    }
    assert_no_secret(&shown(&e));
}

#[tokio::test]
async fn an_endless_body_stops_at_the_limit() {
    let portal = Server::start(|_| Reply::Endless).await;
    let e = webhook(&portal)
        .build()
        .unwrap()
        .call(DialogGet::new().chat_id(5))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::TooLarge(t) if t.limit == bitrix_api::DEFAULT_BODY_LIMIT),
        "{e:?}"
    );
    let e = webhook(&portal)
        .body_limit(100_000)
        .build()
        .unwrap()
        .call(DialogGet::new().chat_id(5))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::TooLarge(t) if t.limit == 100_000),
        "{e:?}"
    );
}

#[tokio::test]
async fn the_body_limit_is_exact() {
    let body = format!(r#"{{"result":{{"id":5,"name":"{}"}}}}"#, "x".repeat(2000));
    let len = body.len();
    let portal = Server::start(move |_| Reply::json(200, body.clone())).await;
    let call = |limit| {
        let c = webhook(&portal).body_limit(limit).build().unwrap();
        async move { c.call(DialogGet::new().chat_id(5)).await }
    };
    assert!(matches!(call(len - 1).await, Err(Error::TooLarge(_))));
    assert_eq!(call(len).await.unwrap().id, Some(5));
}

#[tokio::test]
async fn only_the_start_of_a_long_error_page_is_kept() {
    let page = format!("<html>{}</html>", "x".repeat(1024 * 1024));
    let portal = Server::start(move |_| Reply::Fixed {
        status: 500,
        headers: vec![("content-type".into(), "text/html".into())],
        body: page.clone().into_bytes(),
    })
    .await;
    let e = webhook(&portal)
        .build()
        .unwrap()
        .call(DialogGet::new().chat_id(5))
        .await
        .unwrap_err();
    match &e {
        Error::Decode(d) => {
            assert!(d.cut);
            assert_eq!(d.body.len(), DECODE_BODY_KEPT);
            assert_eq!(d.body_len, 1024 * 1024 + 13);
            assert!(d.to_string().contains("KiB kept"), "{d}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_huge_token_answer_is_refused() {
    let portal = Server::start(|_| Reply::json(401, EXPIRED)).await;
    let token_server = Server::start(|_| Reply::Endless).await;
    let e = oauth(&portal, &token_server)
        .body_limit(64 * 1024)
        .build()
        .unwrap()
        .call(DialogGet::new().chat_id(5))
        .await
        .unwrap_err();
    assert!(matches!(&e, Error::Auth(AuthError::TooLarge(_))), "{e:?}");
}

/// 50 calls meet `expired_token` at once while the token server fails slowly.
async fn fifty_expired_calls(
    token_reply: fn() -> Reply,
) -> (Vec<Error<DialogGetError>>, Server, Client) {
    let portal = Server::start(|_| Reply::json(401, EXPIRED)).await;
    let token_server =
        Server::start(move |_| Reply::Delayed(Duration::from_millis(300), Box::new(token_reply())))
            .await;
    let client = oauth(&portal, &token_server).build().unwrap();
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.call(DialogGet::new().chat_id(5)).await })
        })
        .collect();
    let mut errors = Vec::new();
    for h in calls {
        errors.push(h.await.unwrap().unwrap_err());
    }
    (errors, token_server, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_refresh_is_shared_and_not_repeated() {
    let (errors, token_server, client) = fifty_expired_calls(|| {
        Reply::json(
            400,
            r#"{"error":"invalid_grant","error_description":"bad refresh"}"#,
        )
    })
    .await;
    for e in &errors {
        match e {
            Error::Auth(AuthError::Refused(a)) => assert_eq!(a.code, "invalid_grant"),
            other => panic!("{other:?}"),
        }
        assert_no_secret(&shown(e));
    }
    assert_eq!(
        token_server.received().len(),
        1,
        "one refresh request for 50 calls"
    );
    assert_no_secret(&format!("{client:?}"));
    // The refresh token is dead: later calls do not try it again.
    let e = client.call(DialogGet::new().chat_id(5)).await.unwrap_err();
    assert!(matches!(e, Error::Auth(AuthError::Refused(_))), "{e:?}");
    assert_eq!(token_server.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_refresh_is_shared_by_the_calls_that_waited() {
    let (errors, token_server, client) = fifty_expired_calls(|| Reply::Fixed {
        status: 500,
        headers: vec![("content-type".into(), "text/html".into())],
        body: b"<html>500 Internal Server Error</html>".to_vec(),
    })
    .await;
    for e in &errors {
        assert!(
            matches!(e, Error::Auth(AuthError::Decode(d)) if d.status == 500),
            "{e:?}"
        );
    }
    assert_eq!(
        token_server.received().len(),
        1,
        "one refresh request for 50 calls"
    );
    // A call that starts after the failure may try once more: the server may have recovered.
    let _ = client.call(DialogGet::new().chat_id(5)).await.unwrap_err();
    assert_eq!(token_server.received().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_waiting_for_a_hung_token_server_end_within_their_timeout() {
    let timeout = Duration::from_millis(1000);
    let portal = Server::start(|_| Reply::json(401, EXPIRED)).await;
    let token_server = Server::start(|_| Reply::Hang).await;
    let client = oauth(&portal, &token_server)
        .timeout(timeout)
        .build()
        .unwrap();
    let calls: Vec<_> = (0..10)
        .map(|i| {
            let c = client.clone();
            tokio::spawn(async move {
                // Later calls arrive while the first refresh is under way.
                tokio::time::sleep(Duration::from_millis(20 * i)).await;
                let started = Instant::now();
                let e = c.call(DialogGet::new().chat_id(5)).await.unwrap_err();
                (started.elapsed(), e)
            })
        })
        .collect();
    for h in calls {
        let (took, e) = h.await.unwrap();
        assert!(
            took < timeout * 8 / 5,
            "a call took {took:?} with a {timeout:?} timeout"
        );
        match &e {
            Error::Auth(AuthError::Transport(t)) => assert!(t.timeout, "{t}"),
            other => panic!("{other:?}"),
        }
        assert_no_secret(&shown(&e));
    }
    assert_eq!(token_server.received().len(), 1, "one refresh request");
}

#[tokio::test]
async fn silent_and_trickling_servers_time_out() {
    let timeout = Duration::from_millis(400);
    for reply in [|| Reply::Hang, || Reply::Trickle] {
        let portal = Server::start(move |_| reply()).await;
        let c = webhook(&portal).timeout(timeout).build().unwrap();
        let started = Instant::now();
        let e = c.call(DialogGet::new().chat_id(5)).await.unwrap_err();
        assert!(started.elapsed() < timeout * 3, "{:?}", started.elapsed());
        assert!(matches!(&e, Error::Transport(t) if t.timeout), "{e:?}");
        let source = std::error::Error::source(&e).expect("the transport error is the source");
        assert!(
            source.source().is_some(),
            "the HTTP error behind it is reachable"
        );
        assert_no_secret(&shown(&e));
    }
}

#[tokio::test]
#[allow(deprecated)]
async fn a_null_result_decodes_into_an_optional_result() {
    let portal = Server::start(|_| Reply::json(200, r#"{"result":null,"time":{"start":1}}"#)).await;
    let c = webhook(&portal).build().unwrap();
    assert_eq!(c.call(ChatGet::new("LINES", "x")).await.unwrap(), None);
    let e = c.call(DialogGet::new().chat_id(5)).await.unwrap_err();
    assert!(
        matches!(&e, Error::Decode(d) if d.reason.contains("documented shape")),
        "{e:?}"
    );
}

#[tokio::test]
async fn broken_total_next_and_time_do_not_cost_the_result() {
    let bodies = [
        r#"{"result":{"id":5},"total":"lots","next":-1,"time":"now"}"#,
        r#"{"result":{"id":5},"total":1e999,"next":18446744073709551616,"time":{"start":[]}}"#,
    ];
    let n = Arc::new(AtomicUsize::new(0));
    let k = n.clone();
    let portal =
        Server::start(move |_| Reply::json(200, bodies[k.fetch_add(1, Ordering::SeqCst) % 2]))
            .await;
    let c = webhook(&portal).build().unwrap();
    for _ in 0..2 {
        let r = c.call_full(DialogGet::new().chat_id(5)).await.unwrap();
        assert_eq!(r.result.id, Some(5));
        assert_eq!((r.total, r.next, r.time), (None, None, None));
    }
}

#[tokio::test]
async fn hostile_batch_answers_and_batches() {
    let portal = Server::start(|_| {
        Reply::json(
            200,
            r#"{"result":{"result":{"c0":true},"result_error":[]}}"#,
        )
    })
    .await;
    let c = webhook(&portal).build().unwrap();
    assert!(matches!(c.batch().send().await, Err(Error::Refused(_))));
    assert_eq!(portal.connections(), 0, "an empty batch is not sent");

    let mut batch = c.batch();
    let first = batch.add(finish()).unwrap();
    let second = batch.add(DialogGet::new().chat_id(5)).unwrap();
    let debug = format!("{batch:?}");
    assert!(debug.contains("imopenlines.bot.session.finish"), "{debug}");
    assert!(!debug.contains(BOT), "{debug}");
    let answer = batch.send().await.unwrap();
    assert!(answer.get(&first).unwrap());
    match answer.get(&second).unwrap_err() {
        Error::Decode(d) => assert!(d.reason.contains("unknown"), "{}", d.reason),
        other => panic!("a missing answer is not a safe refusal: {other:?}"),
    }
}

#[tokio::test]
async fn method_names_cannot_leave_the_rest_path() {
    let portal = other_host().await;
    let c = webhook(&portal).build().unwrap();
    let params = serde_json::json!({});
    for name in ["../../x", "a/b", "a?b", "a#b", "a%2e", "a b", "", "a..b"] {
        let e = c.call_raw(name, &params).await.unwrap_err();
        assert!(matches!(e, Error::Refused(_)), "{name:?}: {e:?}");
    }
    assert_eq!(portal.connections(), 0, "nothing was sent");
    assert!(c.call_raw("imbot.v2.Chat.get", &params).await.is_ok());
}
