//! `$result[…]` references between the commands of one batch, end to end: the emulator puts
//! an earlier command's result in place of the reference, as the portal does.

use bitrix_api::imopenlines::{BotSessionMessageSend, DialogGet};
use bitrix_api::{Client, Error};
use bitrix_emulator::{Config, Emulator};

#[tokio::test]
async fn a_command_takes_a_value_of_an_earlier_commands_result() {
    let emu = Emulator::start(Config::default())
        .await
        .expect("the emulator starts");
    let c = Client::webhook(&emu.webhook_url()).unwrap();
    let chat = emu.bot_chat_ids()[0];
    let mut batch = c.batch();
    let dialog = batch
        .add(DialogGet::new().dialog_id(format!("chat{chat}")))
        .unwrap();
    // The chat id is not known when the batch is made: 0 stands for it, and alone is refused.
    assert!(matches!(
        batch.add(BotSessionMessageSend::new(0).message("unlinked")),
        Err(Error::Refused(_))
    ));
    let sent = batch
        .add_linked(
            BotSessionMessageSend::new(0).message("linked"),
            [("CHAT_ID", dialog.result().field("id"))],
        )
        .unwrap();
    let again = batch
        .add_linked(DialogGet::new(), [("CHAT_ID", dialog.result().field("id"))])
        .unwrap();
    let answer = batch.send().await.unwrap();
    assert!(answer.get(&sent).unwrap());
    assert_eq!(answer.get(&again).unwrap().id, Some(chat));
    let messages = emu.chat(chat).unwrap().messages;
    assert!(messages.iter().any(|m| m == "linked"), "{messages:?}");
    assert!(!messages.iter().any(|m| m == "unlinked"));

    // A reference the earlier result cannot satisfy reaches the method as written, and the
    // method refuses it (the portal leaves such a reference unreplaced too).
    let mut batch = c.batch();
    let dialog = batch.add(DialogGet::new().chat_id(chat)).unwrap();
    let missing = batch
        .add_linked(
            BotSessionMessageSend::new(0).message("nowhere"),
            [("CHAT_ID", dialog.result().field("no_such_field"))],
        )
        .unwrap();
    let answer = batch.send().await.unwrap();
    assert!(answer.get(&missing).is_err());
}
