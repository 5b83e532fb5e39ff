//! The example bot (`bitrix-api/examples/openlines_bot/bot.rs`) holds conversations against
//! the emulator: the emulator POSTs `ONIMBOTMESSAGEADD` to the bot's handler (the crate's
//! `events::router`, feature `axum`), the bot answers with REST calls, and the emulator records
//! the messages, the transfer to an operator and the finished session. Every wait is bounded.

#[path = "../../bitrix-api/examples/openlines_bot/bot.rs"]
mod bot;

use std::time::Duration;

use bitrix_api::events::{router, FixedToken, Limits};
use bitrix_api::Client;
use bitrix_emulator::{scenario, ChatHandler, Config, Emulator};
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(10);

/// The emulator, and the bot behind the router on loopback, registered with the emulator;
/// every event the bot handled comes out of the channel.
async fn setup() -> (Emulator, mpsc::UnboundedReceiver<bot::Handled>) {
    let emu = Emulator::start(Config::default()).await.unwrap();
    let client = Client::webhook(&emu.webhook_url()).unwrap();
    let the_bot = bot::Bot {
        client: client.clone(),
        client_id: emu.bot_client_id(),
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let app = router(
        "/bot",
        FixedToken::new(emu.application_token()),
        Limits::default(),
        move |event, _received| {
            let (the_bot, tx) = (the_bot.clone(), tx.clone());
            async move {
                match the_bot.handle(&event).await {
                    Ok(Some(done)) => {
                        let _ = tx.send(done);
                    }
                    Ok(None) => {}
                    Err(e) => panic!("the bot's call failed: {e}"),
                }
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/bot", listener.local_addr().unwrap());
    tokio::spawn(async move { axum_serve(listener, app).await });
    #[allow(deprecated)]
    let id = client
        .call(
            bitrix_api::imbot::Register::new(
                "e2e_bot",
                bitrix_api::imbot::RegisterProperties::new().name("E2E"),
            )
            .openline(true)
            .event_handler(&url)
            .client_id(emu.bot_client_id()),
        )
        .await
        .unwrap();
    assert_eq!(id, 50);
    assert_eq!(emu.bot_handler_url(), Some(url));
    (emu, rx)
}

async fn axum_serve(listener: tokio::net::TcpListener, app: axum::Router) {
    axum::serve(listener, app).await.unwrap();
}

/// Plays the lines in the chat; gives what the bot did for each.
async fn play(
    emu: &Emulator,
    rx: &mut mpsc::UnboundedReceiver<bot::Handled>,
    chat: i64,
    lines: &[&str],
) -> Vec<bot::Handled> {
    let mut done = Vec::new();
    for line in lines {
        let sent = emu.customer_writes(chat, line).await.unwrap();
        let delivery = sent.delivery.expect("the bot handles the chat");
        assert_eq!(delivery.status, Some(200), "{delivery:?}");
        assert_eq!(delivery.event, "ONIMBOTMESSAGEADD");
        let handled = tokio::time::timeout(WAIT, rx.recv())
            .await
            .expect("the bot handled the event in time")
            .expect("the channel is open");
        assert_eq!(handled.chat_id, chat);
        done.push(handled);
    }
    done
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_is_greeted_answered_and_transferred() {
    let (emu, mut rx) = setup().await;
    let chat = emu.bot_chat_ids()[0];
    let before = emu.chat(chat).unwrap().messages.len();
    let done = play(&emu, &mut rx, chat, scenario::ASKS_FOR_OPERATOR).await;
    let actions: Vec<bot::Action> = done.iter().map(|h| h.action).collect();
    assert_eq!(
        actions,
        [
            bot::Action::Greet,
            bot::Action::Help,
            bot::Action::Hours,
            bot::Action::Operator
        ]
    );
    assert_eq!(
        done[3].methods,
        [
            "imopenlines.bot.session.message.send",
            "imopenlines.bot.session.operator"
        ]
    );
    let snap = emu.chat(chat).unwrap();
    assert!(matches!(snap.handler, ChatHandler::Operator(_)), "{snap:?}");
    assert!(snap.session_open);
    // Each customer line, then the bot's answer to it.
    let mut want = Vec::new();
    for (line, action) in scenario::ASKS_FOR_OPERATOR.iter().zip(&actions) {
        want.push(line.to_string());
        want.push(bot::answer(*action).to_string());
    }
    assert_eq!(snap.messages[before..], want[..]);
    let calls: Vec<String> = emu
        .requests()
        .into_iter()
        .filter(|r| r.status == 200)
        .map(|r| r.method)
        .collect();
    assert!(
        calls.contains(&"imopenlines.bot.session.operator".to_string()),
        "{calls:?}"
    );
    // The chat is the operator's now: no more events for the bot.
    let sent = emu.customer_writes(chat, "hello?").await.unwrap();
    assert_eq!(sent.delivery, None);
    assert_eq!(emu.deliveries().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_says_goodbye_and_the_session_is_finished() {
    let (emu, mut rx) = setup().await;
    let chat = emu.bot_chat_ids()[1];
    let done = play(&emu, &mut rx, chat, scenario::SAYS_GOODBYE).await;
    assert_eq!(done.last().map(|h| h.action), Some(bot::Action::Finish));
    assert_eq!(
        done.last().map(|h| h.methods.clone()),
        Some(vec![
            "imopenlines.bot.session.message.send",
            "imopenlines.bot.session.finish"
        ])
    );
    let snap = emu.chat(chat).unwrap();
    assert!(!snap.session_open, "{snap:?}");
    assert_eq!(
        snap.messages.last().map(String::as_str),
        Some(bot::answer(bot::Action::Finish))
    );
}

#[tokio::test]
async fn a_forged_event_is_refused_and_never_reaches_the_bot() {
    let (emu, mut rx) = setup().await;
    let url = emu.bot_handler_url().unwrap();
    let body = "event=ONIMBOTMESSAGEADD&data%5BPARAMS%5D%5BCHAT_ID%5D=101\
                &data%5BPARAMS%5D%5BMESSAGE%5D=bye&auth%5Bapplication_token%5D=forged";
    let answer = reqwest_post(&url, body).await;
    assert_eq!(answer, 401);
    assert!(tokio::time::timeout(Duration::from_millis(300), rx.recv())
        .await
        .is_err());
    assert!(emu.chat(101).unwrap().session_open);
}

async fn reqwest_post(url: &str, body: &str) -> u16 {
    // The emulator's own client is not public; a raw HTTP/1.1 request is enough here.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let req = format!(
        "POST /bot HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out.split(' ').nth(1).unwrap().parse().unwrap()
}
