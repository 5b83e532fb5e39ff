//! `imopenlines.bot.session.{message.send,operator,transfer,finish}`.

use bitrix_emulator::{ChatHandler, Config};
use serde_json::{json, Value};

use super::common::*;

const SEND: &str = "imopenlines.bot.session.message.send";
const OPERATOR: &str = "imopenlines.bot.session.operator";
const TRANSFER: &str = "imopenlines.bot.session.transfer";
const FINISH: &str = "imopenlines.bot.session.finish";
const ALL: [&str; 4] = [SEND, OPERATOR, TRANSFER, FINISH];
/// The methods whose pages document BOT_ID_ERROR and CLIENT_ID.
const NEED_BOT: [&str; 2] = [TRANSFER, FINISH];

/// Params that pass every check but the one under test.
fn valid(method: &str, chat_id: i64) -> Value {
    if method == TRANSFER {
        json!({"CHAT_ID": chat_id, "USER_ID": 12})
    } else {
        json!({"CHAT_ID": chat_id, "NAME": "DEFAULT", "MESSAGE": "hi"})
    }
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v[key] = value;
    v
}

fn without(mut v: Value, key: &str) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove(key);
    }
    v
}

#[tokio::test]
async fn session_auth_is_wrong_auth_type() {
    let emu = start().await;
    for m in ALL {
        session(&emu, m, &valid(m, 101)).await.assert_error(
            403,
            "WRONG_AUTH_TYPE",
            "Access for this method not allowed by session authorization",
        );
    }
}

#[tokio::test]
async fn missing_or_bad_chat_id_is_chat_id_empty() {
    let emu = start().await;
    let tokens = emu.issue_tokens();
    for m in ALL {
        for bad in [
            None,
            Some(json!(0)),
            Some(json!(-5)),
            Some(json!("abc")),
            Some(json!(null)),
            Some(json!({"x": 1})),
        ] {
            let params = match &bad {
                None => without(valid(m, 1), "CHAT_ID"),
                Some(v) => with(valid(m, 1), "CHAT_ID", v.clone()),
            };
            oauth(&emu, &tokens.access_token, m, &params)
                .await
                .assert_error(400, "CHAT_ID_EMPTY", "Chat ID can't be empty");
        }
    }
}

#[tokio::test]
async fn webhook_needs_the_bot_client_id() {
    let emu = start().await;
    for m in NEED_BOT {
        hook(&emu, m, &valid(m, 101))
            .await
            .assert_error(400, "BOT_ID_ERROR", "Bot not found");
        hook(
            &emu,
            m,
            &with(valid(m, 101), "CLIENT_ID", json!("someone_else")),
        )
        .await
        .assert_error(400, "BOT_ID_ERROR", "Bot not found");
    }
    // With the right CLIENT_ID the same call goes through.
    let ok = hook(
        &emu,
        FINISH,
        &json!({"CHAT_ID": 101, "CLIENT_ID": emu.bot_client_id()}),
    )
    .await;
    assert_eq!(ok.result(), &json!(true));
    // message.send and operator document neither CLIENT_ID nor BOT_ID_ERROR.
    let ok = hook(&emu, SEND, &valid(SEND, 102)).await;
    assert_eq!(ok.result(), &json!(true));
    let ok = hook(&emu, OPERATOR, &json!({"CHAT_ID": 102})).await;
    assert_eq!(ok.result(), &json!(true));
}

#[tokio::test]
async fn app_without_bot_is_bot_id_error() {
    let emu = start_with(Config {
        app_has_bot: false,
        ..Config::default()
    })
    .await;
    let tokens = emu.issue_tokens();
    for m in NEED_BOT {
        oauth(&emu, &tokens.access_token, m, &valid(m, 101))
            .await
            .assert_error(400, "BOT_ID_ERROR", "Bot not found");
    }
    let ok = oauth(&emu, &tokens.access_token, SEND, &valid(SEND, 101)).await;
    assert_eq!(ok.result(), &json!(true));
    emu.set_app_has_bot(true);
    let ok = oauth(&emu, &tokens.access_token, FINISH, &valid(FINISH, 103)).await;
    assert_eq!(ok.result(), &json!(true));
    emu.set_app_has_bot(false);
    hook(
        &emu,
        FINISH,
        &json!({"CHAT_ID": 101, "CLIENT_ID": emu.bot_client_id()}),
    )
    .await
    .assert_error(400, "BOT_ID_ERROR", "Bot not found");
}

#[tokio::test]
async fn operator_on_operator_chat_is_wrong_chat() {
    let emu = start().await;
    let t = emu.issue_tokens();
    oauth(
        &emu,
        &t.access_token,
        OPERATOR,
        &json!({"CHAT_ID": emu.operator_chat_id()}),
    )
    .await
    .assert_error(400, "WRONG_CHAT", "Operator is not a bot");
}

#[tokio::test]
async fn operator_moves_bot_chat_to_a_queue_operator() {
    let emu = start().await;
    let t = emu.issue_tokens();
    let chat = emu.bot_chat_ids()[0];
    let r = oauth(&emu, &t.access_token, OPERATOR, &json!({"CHAT_ID": chat})).await;
    assert_eq!(r.result(), &json!(true));
    let snap = emu.chat(chat).unwrap();
    assert!(
        matches!(snap.handler, ChatHandler::Operator(uid) if emu.operator_user_ids().contains(&uid))
    );
    assert!(!emu.bot_chat_ids().contains(&chat));
    // Once an operator has it, the bot cannot hand it over again.
    oauth(&emu, &t.access_token, OPERATOR, &json!({"CHAT_ID": chat}))
        .await
        .assert_error(400, "WRONG_CHAT", "Operator is not a bot");
}

#[tokio::test]
async fn transfer_argument_errors() {
    let emu = start().await;
    let t = emu.issue_tokens();
    let call = |params: Value| {
        let emu = emu.clone();
        let token = t.access_token.clone();
        async move { oauth(&emu, &token, TRANSFER, &params).await }
    };
    call(json!({"CHAT_ID": 101, "USER_ID": 0}))
        .await
        .assert_error(400, "USER_ID_EMPTY", "User ID can't be empty");
    call(json!({"CHAT_ID": 101, "USER_ID": ""}))
        .await
        .assert_error(400, "USER_ID_EMPTY", "User ID can't be empty");
    // USER_ID comes first even when QUEUE_ID is valid.
    call(json!({"CHAT_ID": 101, "USER_ID": -1, "QUEUE_ID": emu.queue_id()}))
        .await
        .assert_error(400, "USER_ID_EMPTY", "User ID can't be empty");
    call(json!({"CHAT_ID": 101, "QUEUE_ID": 0}))
        .await
        .assert_error(400, "QUEUE_ID_EMPTY", "QUEUE ID can't be empty");
    call(json!({"CHAT_ID": 101})).await.assert_error(
        400,
        "TRANSFER_ID_EMPTY",
        "Queue ID or User ID can't be empty",
    );
    call(json!({"CHAT_ID": 101, "TRANSFER_ID": ""}))
        .await
        .assert_error(
            400,
            "TRANSFER_ID_EMPTY",
            "Queue ID or User ID can't be empty",
        );
    for params in [
        json!({"CHAT_ID": 101, "USER_ID": 999_999}),
        json!({"CHAT_ID": 101, "USER_ID": emu.bot_id()}),
        json!({"CHAT_ID": 101, "QUEUE_ID": 77}),
        json!({"CHAT_ID": 101, "TRANSFER_ID": "queue77"}),
        json!({"CHAT_ID": 101, "TRANSFER_ID": "nobody"}),
        json!({"CHAT_ID": 101, "TRANSFER_ID": 999_999}),
    ] {
        call(params).await.assert_error(
            400,
            "OPERATOR_WRONG",
            "You cannot redirect to this operator",
        );
    }
    // Nothing above changed the chat.
    assert_eq!(emu.chat(101).unwrap().handler, ChatHandler::Bot);
}

#[tokio::test]
async fn transfer_destinations_in_priority_order() {
    let emu = start().await;
    let t = emu.issue_tokens();
    let token = t.access_token.as_str();
    // USER_ID wins over QUEUE_ID and TRANSFER_ID.
    let r = oauth(
        &emu,
        token,
        TRANSFER,
        &json!({"CHAT_ID": 101, "USER_ID": 13, "QUEUE_ID": 77, "TRANSFER_ID": "queue77"}),
    )
    .await;
    assert_eq!(r.result(), &json!(true));
    assert_eq!(emu.chat(101).unwrap().handler, ChatHandler::Operator(13));
    assert!(emu.chat(101).unwrap().bot_in_chat, "LEAVE defaults to N");

    // QUEUE_ID wins over TRANSFER_ID.
    let r = oauth(
        &emu,
        token,
        TRANSFER,
        &json!({"CHAT_ID": 102, "QUEUE_ID": emu.queue_id(), "TRANSFER_ID": "999999", "LEAVE": "Y"}),
    )
    .await;
    assert_eq!(r.result(), &json!(true));
    let snap = emu.chat(102).unwrap();
    assert!(matches!(snap.handler, ChatHandler::Operator(_)));
    assert!(!snap.bot_in_chat);

    // TRANSFER_ID as queue<N> and as a user id.
    let q = format!("queue{}", emu.queue_id());
    let r = oauth(
        &emu,
        token,
        TRANSFER,
        &json!({"CHAT_ID": 103, "TRANSFER_ID": q}),
    )
    .await;
    assert_eq!(r.result(), &json!(true));
    let r = oauth(
        &emu,
        token,
        TRANSFER,
        &json!({"CHAT_ID": 103, "TRANSFER_ID": "13"}),
    )
    .await;
    assert_eq!(r.result(), &json!(true));
    assert_eq!(emu.chat(103).unwrap().handler, ChatHandler::Operator(13));
    assert!(emu.bot_chat_ids().is_empty());

    // Over the webhook with CLIENT_ID.
    let r = hook(
        &emu,
        TRANSFER,
        &json!({"CHAT_ID": 101, "USER_ID": 12, "CLIENT_ID": emu.bot_client_id()}),
    )
    .await;
    assert_eq!(r.result(), &json!(true));
    assert_eq!(emu.chat(101).unwrap().handler, ChatHandler::Operator(12));
}

#[tokio::test]
async fn message_send_appends_messages() {
    let emu = start().await;
    let t = emu.issue_tokens();
    let before = emu.chat(101).unwrap().messages.len();
    let r = oauth(
        &emu,
        &t.access_token,
        SEND,
        &json!({"CHAT_ID": 101, "NAME": "WELCOME", "MESSAGE": "ignored"}),
    )
    .await;
    assert_eq!(r.result(), &json!(true));
    let r = oauth(
        &emu,
        &t.access_token,
        SEND,
        &json!({"CHAT_ID": 101, "NAME": "DEFAULT", "MESSAGE": "Your order ships today."}),
    )
    .await;
    assert_eq!(r.result(), &json!(true));
    // DEFAULT with an empty MESSAGE adds nothing but still answers true.
    let r = oauth(
        &emu,
        &t.access_token,
        SEND,
        &json!({"CHAT_ID": 101, "NAME": "DEFAULT"}),
    )
    .await;
    assert_eq!(r.result(), &json!(true));
    let msgs = emu.chat(101).unwrap().messages;
    assert_eq!(msgs.len(), before + 2);
    assert_ne!(msgs[before], "ignored");
    assert_eq!(msgs[before + 1], "Your order ships today.");

    let dialog = oauth(
        &emu,
        &t.access_token,
        "imopenlines.dialog.get",
        &json!({"CHAT_ID": 101}),
    )
    .await;
    assert_eq!(dialog.result()["message_count"], before + 2);
}

#[tokio::test]
async fn finish_closes_the_session() {
    let emu = start().await;
    let t = emu.issue_tokens();
    let r = oauth(&emu, &t.access_token, FINISH, &json!({"CHAT_ID": 101})).await;
    assert_eq!(r.result(), &json!(true));
    assert!(!emu.chat(101).unwrap().session_open);
    assert!(!emu.bot_chat_ids().contains(&101));
    // The chat is no longer listed as active for its lead.
    let active = oauth(
        &emu,
        &t.access_token,
        "imopenlines.crm.chat.get",
        &json!({"CRM_ENTITY_TYPE": "lead", "CRM_ENTITY": 201}),
    )
    .await;
    assert_eq!(active.result(), &json!([]));
    // Transfer of a finished dialog is refused.
    oauth(
        &emu,
        &t.access_token,
        TRANSFER,
        &json!({"CHAT_ID": 101, "USER_ID": 12}),
    )
    .await
    .assert_error(
        400,
        "OPERATOR_WRONG",
        "You cannot redirect to this operator",
    );
}
