//! The open-line bot's logic, shared by the `openlines_bot` example and the e2e test
//! `tests/tests/bot_conversation.rs`: what it answers to a customer's message, and the REST
//! calls it makes for that.
//!
//! - a greeting (`hello`, `hi`, …) or anything on a first contact: a welcome line;
//! - `help`: the commands; `hours`: the opening hours;
//! - a message mentioning an `operator` (or `human`): a line, then
//!   `imopenlines.bot.session.operator` (the chat goes to the line's queue);
//! - `bye` / `goodbye`: a line, then `imopenlines.bot.session.finish`;
//! - anything else: a hint to type `help`.

// The v1 bot event is deprecated by Bitrix24 but is what `imbot.register` bots receive.
#![allow(dead_code, deprecated)]

use bitrix_api::imopenlines::{BotSessionFinish, BotSessionMessageSend, BotSessionOperator};
use bitrix_api::{Client, Event, Method};

/// Any failed call.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the bot does about one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Says hello.
    Greet,
    /// Lists the commands.
    Help,
    /// Gives the opening hours.
    Hours,
    /// Hands the chat to a human operator.
    Operator,
    /// Says goodbye and finishes the session.
    Finish,
    /// Says it did not understand.
    Unknown,
}

/// Chooses the action for a customer's message.
pub fn action_for(text: &str) -> Action {
    let t = text.trim().to_lowercase();
    let words: Vec<&str> = t
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    if has("operator") || has("human") {
        Action::Operator
    } else if has("bye") || has("goodbye") {
        Action::Finish
    } else if has("help") {
        Action::Help
    } else if has("hours") {
        Action::Hours
    } else if has("hello") || has("hi") || has("hey") {
        Action::Greet
    } else {
        Action::Unknown
    }
}

/// The line the bot writes for an action.
pub fn answer(action: Action) -> &'static str {
    match action {
        Action::Greet => "Hello! I am the support bot. Type \"help\" to see what I can do.",
        Action::Help => "Commands: \"hours\" (opening hours), \"operator\" (talk to a person), \"bye\" (end the chat).",
        Action::Hours => "We are open Monday to Friday, 9:00 to 18:00.",
        Action::Operator => "Connecting you with an operator, one moment please.",
        Action::Finish => "Thank you for writing to us. Goodbye!",
        Action::Unknown => "Sorry, I did not get that. Type \"help\" for the commands.",
    }
}

/// The bot: a client for its calls back, and the CLIENT_ID it was registered with.
#[derive(Clone)]
pub struct Bot {
    pub client: Client,
    pub client_id: String,
}

/// What the bot did for one event: the chat, the action and the methods it called, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handled {
    /// The open-line chat.
    pub chat_id: i64,
    /// The action taken.
    pub action: Action,
    /// The REST methods called, in order.
    pub methods: Vec<&'static str>,
}

impl Bot {
    /// Handles one event; `Ok(None)` for an event the bot does not act on. Prints each
    /// method as it is called.
    pub async fn handle(&self, event: &Event) -> Result<Option<Handled>, BoxError> {
        let Event::Imbot(bitrix_api::imbot::Event::OnImbotMessageAdd(m)) = event else {
            return Ok(None);
        };
        let Some(chat_id) = m.params.chat_id.or(m.params.to_chat_id) else {
            return Ok(None);
        };
        let text = m.params.message.as_deref().unwrap_or_default();
        let action = action_for(text);
        let mut methods = Vec::new();
        let reply = answer(action);
        println!("    bot → {}: {reply:?}", BotSessionMessageSend::NAME);
        self.client
            .call(BotSessionMessageSend::new(chat_id).message(reply))
            .await?;
        methods.push(BotSessionMessageSend::NAME);
        match action {
            Action::Operator => {
                println!("    bot → {} (chat {chat_id})", BotSessionOperator::NAME);
                self.client.call(BotSessionOperator::new(chat_id)).await?;
                methods.push(BotSessionOperator::NAME);
            }
            Action::Finish => {
                println!("    bot → {} (chat {chat_id})", BotSessionFinish::NAME);
                self.client
                    .call(BotSessionFinish::new(chat_id).client_id(self.client_id.as_str()))
                    .await?;
                methods.push(BotSessionFinish::NAME);
            }
            _ => {}
        }
        Ok(Some(Handled {
            chat_id,
            action,
            methods,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions() {
        assert_eq!(action_for("Hello!"), Action::Greet);
        assert_eq!(action_for("  HELP "), Action::Help);
        assert_eq!(action_for("what are your hours?"), Action::Hours);
        assert_eq!(action_for("operator please"), Action::Operator);
        assert_eq!(action_for("ok, bye"), Action::Finish);
        assert_eq!(action_for("this is helpful"), Action::Unknown);
    }
}
