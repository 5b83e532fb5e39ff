//! An open-line chat-bot walking dialogs end to end.
//!
//! With no settings it starts the embedded Bitrix24 emulator on loopback and talks to it.
//! To talk to a real portal instead, set:
//!
//! - `BITRIX24_WEBHOOK_URL`: an incoming webhook (`https://PORTAL/rest/USER_ID/CODE/`) with the
//!   `imopenlines` and `imbot` scopes;
//! - `BITRIX24_BOT_CLIENT_ID`: the CLIENT_ID (or botToken) your chat-bot was registered with;
//! - `BITRIX24_CHAT_ID`: an open-line chat that your bot handles now;
//! - `BITRIX24_OPERATOR_ID` (optional): an operator to transfer it to; without it the dialog is
//!   finished instead.
//!
//! Run: `cargo run -p bitrix-api --example openlines_bot`

use bitrix_api::imopenlines::{
    BotSessionFinish, BotSessionMessageSend, BotSessionMessageSendName, BotSessionOperator,
    BotSessionOperatorError, BotSessionTransfer, CrmChatGet, CrmChatGetCrmEntityType, DialogGet,
    DialogGetError,
};
use bitrix_api::{Client, Error};

/// Where the bot runs: the portal and what it knows of it.
struct Target {
    webhook: String,
    bot_client_id: String,
    chat_id: i64,
    operator_id: Option<i64>,
    /// A chat an operator already handles (emulator only), for a documented error.
    busy_chat_id: Option<i64>,
    _emulator: Option<bitrix_emulator::Emulator>,
}

async fn target() -> Result<Target, Box<dyn std::error::Error>> {
    if let Ok(webhook) = std::env::var("BITRIX24_WEBHOOK_URL") {
        let need = |k: &str| {
            std::env::var(k).map_err(|_| format!("{k} must be set with BITRIX24_WEBHOOK_URL"))
        };
        println!("Using the portal of BITRIX24_WEBHOOK_URL");
        return Ok(Target {
            webhook,
            bot_client_id: need("BITRIX24_BOT_CLIENT_ID")?,
            chat_id: need("BITRIX24_CHAT_ID")?.parse()?,
            operator_id: std::env::var("BITRIX24_OPERATOR_ID")
                .ok()
                .map(|v| v.parse())
                .transpose()?,
            busy_chat_id: None,
            _emulator: None,
        });
    }
    let emu = bitrix_emulator::Emulator::start(bitrix_emulator::Config::default()).await?;
    println!(
        "Started the embedded Bitrix24 emulator at {}",
        emu.base_url()
    );
    Ok(Target {
        webhook: emu.webhook_url(),
        bot_client_id: emu.bot_client_id(),
        chat_id: emu
            .bot_chat_ids()
            .first()
            .copied()
            .ok_or("the emulator seeded no chat")?,
        operator_id: emu.operator_user_ids().first().copied(),
        busy_chat_id: Some(emu.operator_chat_id()),
        _emulator: Some(emu),
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let t = target().await?;
    let client = Client::webhook(&t.webhook)?;
    println!("Client: {client:?}\n");

    // 1. Read the dialog the bot handles.
    let chat = client.call(DialogGet::new().chat_id(t.chat_id)).await?;
    println!(
        "1. imopenlines.dialog.get → chat {} {:?}, {} messages, channel {:?}",
        chat.id.unwrap_or_default(),
        chat.name.as_deref().unwrap_or(""),
        chat.message_count.unwrap_or_default(),
        chat.entity_id.as_deref().unwrap_or("")
    );

    // 2. The CRM binding of the dialog: entity_data_2 is "LEAD|<id>|COMPANY|<id>|…".
    let lead = chat
        .entity_data_2
        .as_deref()
        .and_then(|s| {
            s.split('|')
                .collect::<Vec<_>>()
                .get(1)
                .and_then(|id| id.parse::<i64>().ok())
        })
        .filter(|id| *id > 0);
    if let Some(lead) = lead {
        let chats = client
            .call(CrmChatGet::new(CrmChatGetCrmEntityType::Lead, lead).active_only(false))
            .await?;
        println!(
            "2. imopenlines.crm.chat.get (lead {lead}) → {} chat(s):",
            chats.len()
        );
        for c in &chats {
            println!(
                "     chat {} via {}",
                c.chat_id.as_deref().unwrap_or("?"),
                c.connector_title.as_deref().unwrap_or("?")
            );
        }
    } else {
        println!("2. the dialog has no lead bound; skipping imopenlines.crm.chat.get");
    }

    // 3. Greet the client from the bot.
    let sent = client
        .call(
            BotSessionMessageSend::new(t.chat_id)
                .name(BotSessionMessageSendName::Default)
                .message("Hello! A colleague will take over in a moment."),
        )
        .await?;
    println!("3. imopenlines.bot.session.message.send → {sent}");

    // 4. A documented error, matched by its typed variant.
    let missing = client.call(DialogGet::new().chat_id(987_654_321)).await;
    match missing {
        Err(Error::Method(DialogGetError::AccessError(e))) => {
            println!("4. imopenlines.dialog.get (no such chat) → DialogGetError::AccessError: {e}")
        }
        other => println!("4. unexpected answer: {other:?}"),
    }
    if let Some(busy) = t.busy_chat_id {
        match client.call(BotSessionOperator::new(busy)).await {
            Err(Error::Method(BotSessionOperatorError::WrongChat(e))) => println!(
                "   imopenlines.bot.session.operator (chat {busy} is with an operator) → BotSessionOperatorError::WrongChat: {e}"
            ),
            other => println!("   unexpected answer: {other:?}"),
        }
    }

    // 5. A request broken before it leaves: refused locally, nothing is sent.
    match client
        .call(BotSessionFinish::new(0).client_id(&t.bot_client_id))
        .await
    {
        Err(Error::Refused(r)) => println!(
            "5. imopenlines.bot.session.finish with CHAT_ID 0 → refused before sending: {r}"
        ),
        other => println!("5. unexpected answer: {other:?}"),
    }

    // 6. Hand the dialog to an operator, or finish it.
    match t.operator_id {
        Some(op) => {
            let done = client
                .call(
                    BotSessionTransfer::new(t.chat_id)
                        .user_id(op)
                        .leave(true)
                        .client_id(&t.bot_client_id),
                )
                .await?;
            println!("6. imopenlines.bot.session.transfer → operator {op}: {done}");
        }
        None => {
            let done = client
                .call(BotSessionFinish::new(t.chat_id).client_id(&t.bot_client_id))
                .await?;
            println!("6. imopenlines.bot.session.finish → {done}");
        }
    }
    println!("\nDone.");
    Ok(())
}
