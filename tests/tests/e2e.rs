//! End to end: the typed client against the emulated portal, over real HTTP on loopback.

use bitrix_api::imopenlines::{
    BotSessionFinish, BotSessionFinishError, BotSessionMessageSend, BotSessionMessageSendError,
    BotSessionOperator, BotSessionOperatorError, BotSessionTransfer, BotSessionTransferError,
    DialogGet,
};
use bitrix_api::{Client, Error, OAuthConfig, RetryPolicy, SystemError, TokenStore, Tokens};
use bitrix_emulator::{Config, Emulator, Fault, RateLimit};
use std::sync::{Arc, Mutex};
use std::time::Duration;

async fn emulator() -> Emulator {
    Emulator::start(Config::default())
        .await
        .expect("the emulator starts")
}

/// A webhook client that lets the server judge every request (no pre-send checks).
fn unchecked(emu: &Emulator) -> Client {
    Client::webhook_builder(&emu.webhook_url())
        .check_requests(false)
        .build()
        .unwrap()
}

fn oauth(emu: &Emulator, tokens: Tokens) -> bitrix_api::ClientBuilder {
    let cfg = OAuthConfig::new(emu.rest_url(), emu.client_id(), emu.client_secret())
        .token_url(emu.oauth_token_url());
    Client::oauth_builder(cfg, tokens)
}

fn pair(t: bitrix_emulator::Tokens) -> Tokens {
    Tokens::new(t.access_token, t.refresh_token)
}

#[tokio::test]
async fn the_bot_walks_a_dialog() {
    let emu = emulator().await;
    let client = Client::webhook(&emu.webhook_url()).unwrap();
    let chat = emu.bot_chat_ids()[0];
    let dialog = client.call(DialogGet::new().chat_id(chat)).await.unwrap();
    assert_eq!(dialog.id, Some(chat));
    assert!(client
        .call(BotSessionMessageSend::new(chat).message("hi"))
        .await
        .unwrap());
    let op = emu.operator_user_ids()[0];
    let t = BotSessionTransfer::new(chat)
        .user_id(op)
        .client_id(emu.bot_client_id());
    assert!(client.call(t).await.unwrap());
    let other = emu.bot_chat_ids()[0];
    let full = client
        .call_full(BotSessionFinish::new(other).client_id(emu.bot_client_id()))
        .await
        .unwrap();
    assert!(full.result);
    assert!(full.time.is_some(), "time is kept for callers");
}

#[tokio::test]
async fn finish_errors_arrive_typed() {
    let emu = emulator().await;
    let c = unchecked(&emu);
    let chat = emu.bot_chat_ids()[0];
    let e = c
        .call(BotSessionFinish::new(0).client_id(emu.bot_client_id()))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Method(BotSessionFinishError::ChatIdEmpty(ref a)) if a.status == 400),
        "{e:?}"
    );
    let e = c.call(BotSessionFinish::new(chat)).await.unwrap_err();
    assert!(
        matches!(e, Error::Method(BotSessionFinishError::BotIdError(_))),
        "{e:?}"
    );
    emu.set_app_has_bot(false);
    let e = c
        .call(BotSessionFinish::new(chat).client_id(emu.bot_client_id()))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Method(BotSessionFinishError::BotIdError(_))),
        "{e:?}"
    );
}

#[tokio::test]
async fn message_send_and_operator_errors_arrive_typed() {
    let emu = emulator().await;
    let c = unchecked(&emu);
    let e = c.call(BotSessionMessageSend::new(-5)).await.unwrap_err();
    assert!(
        matches!(e, Error::Method(BotSessionMessageSendError::ChatIdEmpty(_))),
        "{e:?}"
    );
    let e = c.call(BotSessionOperator::new(0)).await.unwrap_err();
    assert!(
        matches!(e, Error::Method(BotSessionOperatorError::ChatIdEmpty(_))),
        "{e:?}"
    );
    let e = c
        .call(BotSessionOperator::new(emu.operator_chat_id()))
        .await
        .unwrap_err();
    match e {
        Error::Method(BotSessionOperatorError::WrongChat(a)) => {
            assert_eq!(
                (a.status, a.description.as_str()),
                (400, "Operator is not a bot")
            )
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn transfer_errors_arrive_typed() {
    let emu = emulator().await;
    let c = unchecked(&emu);
    let chat = emu.bot_chat_ids()[0];
    let bot = emu.bot_client_id();
    let t = || BotSessionTransfer::new(chat).client_id(bot.clone());
    let e = c
        .call(BotSessionTransfer::new(0).user_id(1).client_id(bot.clone()))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Method(BotSessionTransferError::ChatIdEmpty(_))),
        "{e:?}"
    );
    let e = c.call(t().user_id(0)).await.unwrap_err();
    assert!(
        matches!(e, Error::Method(BotSessionTransferError::UserIdEmpty(_))),
        "{e:?}"
    );
    let e = c.call(t().queue_id(-1)).await.unwrap_err();
    assert!(
        matches!(e, Error::Method(BotSessionTransferError::QueueIdEmpty(_))),
        "{e:?}"
    );
    let e = c.call(t()).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Method(BotSessionTransferError::TransferIdEmpty(_))
        ),
        "{e:?}"
    );
    let e = c.call(t().user_id(999_999)).await.unwrap_err();
    assert!(
        matches!(e, Error::Method(BotSessionTransferError::OperatorWrong(_))),
        "{e:?}"
    );
    let e = c
        .call(BotSessionTransfer::new(chat).user_id(emu.operator_user_ids()[0]))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Method(BotSessionTransferError::BotIdError(_))),
        "{e:?}"
    );
    // TRANSFER_ID as a queue, through the union type.
    let q = format!("queue{}", emu.queue_id());
    assert!(c.call(t().transfer_id(q.as_str())).await.unwrap());
}

/// WRONG_AUTH_TYPE answers browser-session calls, which this SDK never makes; the portal's
/// answer is injected to check that it still arrives typed, for every method documenting it.
#[tokio::test]
async fn wrong_auth_type_arrives_typed() {
    let emu = emulator().await;
    let c = unchecked(&emu);
    let chat = emu.bot_chat_ids()[0];
    let wrong = || Fault::Error {
        status: 403,
        code: "WRONG_AUTH_TYPE".into(),
        message: "Access for this method not allowed by session authorization".into(),
    };
    emu.inject_fault(wrong(), 4);
    let bot = emu.bot_client_id();
    let e = c
        .call(BotSessionFinish::new(chat).client_id(bot.clone()))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Method(BotSessionFinishError::WrongAuthType(ref a)) if a.status == 403),
        "{e:?}"
    );
    let e = c.call(BotSessionMessageSend::new(chat)).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Method(BotSessionMessageSendError::WrongAuthType(_))
        ),
        "{e:?}"
    );
    let e = c.call(BotSessionOperator::new(chat)).await.unwrap_err();
    assert!(
        matches!(e, Error::Method(BotSessionOperatorError::WrongAuthType(_))),
        "{e:?}"
    );
    let e = c
        .call(BotSessionTransfer::new(chat).user_id(1).client_id(bot))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Method(BotSessionTransferError::WrongAuthType(_))),
        "{e:?}"
    );
}

#[tokio::test]
async fn unknown_codes_are_kept_verbatim() {
    let emu = emulator().await;
    let c = Client::webhook(&emu.webhook_url()).unwrap();
    let e = c
        .call_raw("no.such.method", &serde_json::json!({}))
        .await
        .unwrap_err();
    match e {
        Error::Api(a) => assert_eq!((a.code.as_str(), a.status), ("ERROR_METHOD_NOT_FOUND", 404)),
        other => panic!("{other:?}"),
    }
    emu.inject_fault(
        Fault::Error {
            status: 418,
            code: "SOMETHING_NEW".into(),
            message: "New in a later release".into(),
        },
        1,
    );
    let e = c
        .call(BotSessionOperator::new(emu.bot_chat_ids()[0]))
        .await
        .unwrap_err();
    match e {
        Error::Api(a) => {
            assert_eq!(
                (a.code.as_str(), a.description.as_str(), a.status),
                ("SOMETHING_NEW", "New in a later release", 418)
            )
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn broken_answers_are_errors_that_keep_the_body() {
    let emu = emulator().await;
    // `dialog.get` is a read, which the default policy repeats after a 5xx: never repeat here,
    // to see each broken answer itself.
    let c = Client::webhook_builder(&emu.webhook_url())
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    let chat = emu.bot_chat_ids()[0];
    emu.inject_fault(Fault::Html502, 1);
    match c.call(DialogGet::new().chat_id(chat)).await.unwrap_err() {
        Error::Decode(d) => {
            assert_eq!(d.status, 502);
            assert!(d.body.contains("502 Bad Gateway"), "{}", d.body);
            assert!(d.content_type.unwrap_or_default().starts_with("text/html"));
        }
        other => panic!("{other:?}"),
    }
    emu.inject_fault(Fault::Truncated, 1);
    match c.call(DialogGet::new().chat_id(chat)).await.unwrap_err() {
        Error::Decode(d) => {
            assert!(d.reason.contains("truncated"), "{}", d.reason);
            assert!(d.body.starts_with('{'), "{}", d.body);
        }
        other => panic!("{other:?}"),
    }
    // A delay past the client's timeout is a transport error.
    let slow = Client::webhook_builder(&emu.webhook_url())
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    emu.inject_fault(Fault::Delay(Duration::from_millis(1500)), 1);
    match slow.call(DialogGet::new().chat_id(chat)).await.unwrap_err() {
        Error::Transport(t) => assert!(t.timeout, "{t}"),
        other => panic!("{other:?}"),
    }
}

/// The spec marks reads (`read: true`, `Method::READ`): a read is repeated after a 502, a write
/// never is (it may have run).
#[tokio::test]
async fn a_read_is_repeated_after_a_502_and_a_write_is_not() {
    use bitrix_api::Method;
    const { assert!(DialogGet::READ) };
    const { assert!(!BotSessionFinish::READ) };
    let emu = emulator().await;
    let c = Client::webhook(&emu.webhook_url()).unwrap();
    let chat = emu.bot_chat_ids()[0];
    emu.clear_requests();
    emu.inject_fault(Fault::Html502, 1);
    assert!(c.call(DialogGet::new().chat_id(chat)).await.is_ok());
    assert_eq!(emu.requests().len(), 2, "the read was sent twice");
    emu.clear_requests();
    emu.inject_fault(Fault::Html502, 1);
    let e = c
        .call(BotSessionFinish::new(chat).client_id(emu.bot_client_id()))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Decode(ref d) if d.status == 502),
        "{e:?}"
    );
    assert_eq!(emu.requests().len(), 1, "the write was sent once");
}

#[tokio::test]
async fn a_wrong_webhook_code_is_a_system_error() {
    let emu = emulator().await;
    let url = emu.webhook_url().replace(&emu.webhook_code(), "wrongcode");
    let c = Client::webhook(&url).unwrap();
    let e = c.call(DialogGet::new().chat_id(1)).await.unwrap_err();
    assert!(
        matches!(e, Error::System(SystemError::NoAuthFound(ref a)) if a.status == 401),
        "{e:?}"
    );
    assert!(!e.to_string().contains("wrongcode"));
}

#[tokio::test]
async fn refused_before_sending() {
    let emu = emulator().await;
    let c = Client::webhook(&emu.webhook_url()).unwrap();
    emu.clear_requests();
    match c.call(BotSessionFinish::new(0)).await.unwrap_err() {
        Error::Refused(r) => {
            let params: Vec<&str> = r.problems.iter().map(|p| p.param.as_str()).collect();
            assert_eq!(params, ["CHAT_ID", "CLIENT_ID"], "{r}");
        }
        other => panic!("{other:?}"),
    }
    assert!(emu.requests().is_empty(), "nothing may reach the portal");
    // Over OAuth, CLIENT_ID is not needed.
    let o = oauth(&emu, pair(emu.issue_tokens())).build().unwrap();
    assert!(o
        .call(BotSessionFinish::new(emu.bot_chat_ids()[0]))
        .await
        .unwrap());
}

#[tokio::test]
async fn plain_http_is_refused_except_on_loopback() {
    let e = Client::webhook("http://example.bitrix24.com/rest/1/abc123/").unwrap_err();
    assert!(e.to_string().contains("https"), "{e}");
    assert!(!e.to_string().contains("abc123"));
    let cfg = OAuthConfig::new("http://example.bitrix24.com/rest/", "app", "secret");
    assert!(Client::oauth_builder(cfg, Tokens::new("a", "r"))
        .build()
        .is_err());
    assert!(Client::webhook("http://127.0.0.1:9/rest/1/abc123/").is_ok());
    assert!(Client::webhook("https://example.bitrix24.com/rest/1/abc123/").is_ok());
}

#[tokio::test]
async fn rate_limit_is_a_retryable_system_error() {
    let emu = Emulator::start(Config {
        rate_limit: Some(RateLimit::new(3, 1)),
        ..Config::default()
    })
    .await
    .unwrap();
    // No pacing and no repeats, so the portal's refusal reaches the caller.
    let c = Client::webhook_builder(&emu.webhook_url())
        .no_rate_limit()
        .retry_policy(bitrix_api::RetryPolicy::never())
        .build()
        .unwrap();
    let chat = emu.bot_chat_ids()[0];
    let mut limited = None;
    for _ in 0..6 {
        if let Err(e) = c.call(DialogGet::new().chat_id(chat)).await {
            limited = Some(e);
            break;
        }
    }
    let e = limited.expect("the limit is reached");
    assert!(
        matches!(e, Error::System(SystemError::QueryLimitExceeded(ref a)) if a.status == 503),
        "{e:?}"
    );
    assert!(e.is_retryable() && e.is_refused_before_running() && !e.is_transient());
}

#[tokio::test]
async fn rate_limited_calls_can_be_retried() {
    let limit = RateLimit::new(2, 2);
    let emu = Emulator::start(Config {
        rate_limit: Some(limit),
        ..Config::default()
    })
    .await
    .unwrap();
    // Without client-side pacing the portal refuses; refusals are repeated by default.
    let c = Client::webhook_builder(&emu.webhook_url())
        .no_rate_limit()
        .build()
        .unwrap();
    let chat = emu.bot_chat_ids()[0];
    for _ in 0..5 {
        c.call(DialogGet::new().chat_id(chat))
            .await
            .expect("retried until the bucket drained");
    }
    let refused = emu
        .requests()
        .iter()
        .filter(|r| r.error.as_deref() == Some("QUERY_LIMIT_EXCEEDED"))
        .count();
    assert!(
        refused >= 1,
        "the limit was met and retried ({refused} refusals)"
    );
}

#[tokio::test]
async fn a_batch_decodes_each_answer_into_its_types() {
    use bitrix_api::imopenlines::{CrmChatGet, CrmChatGetCrmEntityType};
    let emu = emulator().await;
    let c = Client::webhook(&emu.webhook_url()).unwrap();
    let chat = emu.bot_chat_ids()[0];
    let mut batch = c.batch();
    let dialog = batch.add(DialogGet::new().chat_id(chat)).unwrap();
    let chats = batch
        .add(CrmChatGet::new(CrmChatGetCrmEntityType::Lead, 201).active_only(false))
        .unwrap();
    let busy = batch
        .add(BotSessionOperator::new(emu.operator_chat_id()))
        .unwrap();
    let sent = batch
        .add(BotSessionMessageSend::new(chat).message("from a batch"))
        .unwrap();
    assert_eq!(batch.len(), 4);
    let answer = batch.send().await.unwrap();
    assert_eq!(answer.get(&dialog).unwrap().id, Some(chat));
    assert!(!answer.get(&chats).unwrap().is_empty());
    match answer.get(&busy).unwrap_err() {
        Error::Method(BotSessionOperatorError::WrongChat(e)) => assert_eq!(e.code, "WRONG_CHAT"),
        other => panic!("{other:?}"),
    }
    assert!(answer.get(&sent).unwrap());
    assert!(emu
        .chat(chat)
        .unwrap()
        .messages
        .iter()
        .any(|m| m == "from a batch"));
    assert_eq!(
        emu.requests()
            .iter()
            .filter(|r| r.method == "batch")
            .count(),
        1,
        "one HTTP request"
    );

    // Refused commands never join the batch; a halted batch reports the commands it skipped.
    let mut halted = c.batch().halt_on_error(true);
    assert!(matches!(
        halted.add(BotSessionFinish::new(0)),
        Err(Error::Refused(_))
    ));
    let first = halted
        .add(BotSessionOperator::new(emu.operator_chat_id()))
        .unwrap();
    let second = halted.add(DialogGet::new().chat_id(chat)).unwrap();
    let answer = halted.send().await.unwrap();
    assert!(matches!(answer.get(&first), Err(Error::Method(_))));
    // With halt = 1 the docs say nothing after the failing command runs: it was not run.
    assert!(
        matches!(answer.get(&second), Err(Error::Refused(r)) if r.problems[0].message.contains("halted")),
        "left out after the halt"
    );
}

#[derive(Default)]
struct Saved(Mutex<Vec<Tokens>>);

impl TokenStore for Saved {
    fn save<'a>(&'a self, tokens: &'a Tokens) -> bitrix_api::oauth::StoreFuture<'a> {
        Box::pin(async move {
            self.0.lock().unwrap().push(tokens.clone());
            Ok(())
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_expired_calls_share_one_refresh() {
    let emu = emulator().await;
    let store = Arc::new(Saved::default());
    let first = pair(emu.issue_tokens());
    let client = oauth(&emu, first.clone())
        .token_store(store.clone())
        .build()
        .unwrap();
    let chat = emu.bot_chat_ids()[0];
    assert!(client.call(DialogGet::new().chat_id(chat)).await.is_ok());
    emu.expire_access_tokens();
    let calls = (0..20).map(|_| {
        let c = client.clone();
        tokio::spawn(async move { c.call(DialogGet::new().chat_id(chat)).await })
    });
    for h in calls.collect::<Vec<_>>() {
        h.await
            .unwrap()
            .expect("every call succeeds after the refresh");
    }
    assert_eq!(emu.refresh_count(), 1, "exactly one refresh request");
    let saved = store.0.lock().unwrap().clone();
    assert_eq!(saved.len(), 1, "the new pair is persisted once");
    assert_ne!(saved[0], first);
    assert_eq!(client.tokens().unwrap(), saved[0]);
}

#[tokio::test]
async fn a_failed_refresh_is_an_auth_error() {
    let emu = emulator().await;
    let c = oauth(&emu, Tokens::new("bogus-access", "bogus-refresh"))
        .build()
        .unwrap();
    emu.expire_access_tokens();
    let e = c.call(DialogGet::new().chat_id(1)).await.unwrap_err();
    // An unknown token is NO_AUTH_FOUND, not expired: no refresh is attempted.
    assert!(
        matches!(e, Error::System(SystemError::NoAuthFound(_))),
        "{e:?}"
    );
    let t = pair(emu.issue_tokens());
    let c = oauth(
        &emu,
        Tokens::new(t.access_token.expose(), "not-the-refresh-token"),
    )
    .build()
    .unwrap();
    emu.expire_access_tokens();
    let e = c.call(DialogGet::new().chat_id(1)).await.unwrap_err();
    assert!(
        matches!(e, Error::Auth(bitrix_api::AuthError::Refused(_))),
        "{e:?}"
    );
    assert!(!format!("{e:?} {e}").contains("not-the-refresh-token"));
}

#[tokio::test]
async fn no_secret_is_ever_shown() {
    let emu = emulator().await;
    let tokens = emu.issue_tokens();
    let secrets = [
        emu.webhook_code(),
        emu.client_secret(),
        emu.bot_client_id(),
        tokens.access_token.clone(),
        tokens.refresh_token.clone(),
    ];
    let mut shown = Vec::new();
    let hook = Client::webhook(&emu.webhook_url()).unwrap();
    shown.push(format!("{hook:?}"));
    let o = oauth(&emu, pair(tokens.clone())).build().unwrap();
    shown.push(format!("{o:?} {:?}", o.tokens()));
    let req = BotSessionFinish::new(0).client_id(emu.bot_client_id());
    shown.push(format!("{req:?}"));
    let e = hook.call(req).await.unwrap_err();
    shown.push(format!("{e:?} {e}"));
    // A transport error names no URL: the webhook URL carries the code.
    let dead = Client::webhook(&format!(
        "http://127.0.0.1:9/rest/1/{}/",
        emu.webhook_code()
    ))
    .unwrap();
    let e = dead.call(DialogGet::new().chat_id(1)).await.unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    shown.push(format!("{e:?} {e}"));
    for s in &shown {
        for secret in &secrets {
            assert!(!s.contains(secret.as_str()), "a secret leaks in: {s}");
        }
    }
}
