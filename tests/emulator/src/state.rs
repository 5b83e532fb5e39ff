//! The portal's data: employees, the application's chat-bot, one open line
//! with its queue, and the open-line chats with their sessions, messages and
//! CRM bindings. Seeded at start; changed by the chat-bot methods.

use std::collections::BTreeMap;

/// Who currently handles an open-line chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatHandler {
    /// The application's chat-bot answers the client.
    Bot,
    /// The employee with this user id answers the client.
    Operator(i64),
}

/// A copy of one chat's emulated state, for assertions in tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatSnapshot {
    /// Chat id (`CHAT_ID`).
    pub chat_id: i64,
    /// Id of the chat's current (or last) session.
    pub session_id: i64,
    /// Who handles the chat.
    pub handler: ChatHandler,
    /// `false` once the session was finished.
    pub session_open: bool,
    /// Whether the bot is still a member of the chat (a transfer with
    /// `LEAVE=Y` removes it).
    pub bot_in_chat: bool,
    /// Texts of all messages, oldest first.
    pub messages: Vec<String>,
}

/// A CRM object type that open-line chats can be bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum CrmType {
    Lead,
    Deal,
    Company,
    Contact,
}

impl CrmType {
    /// Reads `lead`/`deal`/`company`/`contact` in any letter case.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "lead" => Some(CrmType::Lead),
            "deal" => Some(CrmType::Deal),
            "company" => Some(CrmType::Company),
            "contact" => Some(CrmType::Contact),
            _ => None,
        }
    }

    fn upper(self) -> &'static str {
        match self {
            CrmType::Lead => "LEAD",
            CrmType::Deal => "DEAL",
            CrmType::Company => "COMPANY",
            CrmType::Contact => "CONTACT",
        }
    }
}

/// A portal user (employee, the bot's user, or an external client).
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub id: i64,
    pub name: String,
    /// Employees can receive transferred dialogs; clients and bots cannot.
    pub employee: bool,
}

/// The application's chat-bot.
#[derive(Debug, Clone)]
pub(crate) struct Bot {
    /// The bot's id, which is also its user id.
    pub id: i64,
    /// The `CLIENT_ID` it was registered with.
    pub client_id: String,
}

/// The open line (its config id doubles as the queue id).
#[derive(Debug, Clone)]
pub(crate) struct OpenLine {
    pub id: i64,
    pub name: String,
    pub welcome: String,
    pub queue: Vec<i64>,
}

/// One chat message.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub id: i64,
    pub author_id: i64,
    pub text: String,
}

/// One open-line chat and its current session.
#[derive(Debug, Clone)]
pub(crate) struct Chat {
    pub id: i64,
    pub session_id: i64,
    pub line_id: i64,
    pub connector_id: &'static str,
    pub connector_title: &'static str,
    pub user_code: String,
    pub guest_id: i64,
    pub guest_name: String,
    pub color: &'static str,
    pub created: i64,
    pub handler: ChatHandler,
    pub session_open: bool,
    pub bot_in_chat: bool,
    pub messages: Vec<Message>,
    pub crm: Vec<(CrmType, i64)>,
}

impl Chat {
    /// `entity_data_1`: CRM flag, main binding, session id and start time.
    pub(crate) fn entity_data_1(&self) -> String {
        let (t, id) = self
            .crm
            .iter()
            .find(|(t, _)| *t == CrmType::Deal)
            .or_else(|| self.crm.first())
            .map_or(("NONE", 0), |(t, id)| (t.upper(), *id));
        let flag = if self.crm.is_empty() { "N" } else { "Y" };
        format!(
            "{flag}|{t}|{id}|N|N|{}|{}|0|0|0",
            self.session_id, self.created
        )
    }

    /// `entity_data_2`: the id bound for each CRM type (0 when none).
    pub(crate) fn entity_data_2(&self) -> String {
        let id = |t: CrmType| {
            self.crm
                .iter()
                .find(|(x, _)| *x == t)
                .map_or(0, |(_, id)| *id)
        };
        format!(
            "LEAD|{}|COMPANY|{}|CONTACT|{}|DEAL|{}",
            id(CrmType::Lead),
            id(CrmType::Company),
            id(CrmType::Contact),
            id(CrmType::Deal)
        )
    }

    fn snapshot(&self) -> ChatSnapshot {
        ChatSnapshot {
            chat_id: self.id,
            session_id: self.session_id,
            handler: self.handler,
            session_open: self.session_open,
            bot_in_chat: self.bot_in_chat,
            messages: self.messages.iter().map(|m| m.text.clone()).collect(),
        }
    }
}

/// All mutable portal data.
#[derive(Debug)]
pub(crate) struct Portal {
    pub users: Vec<User>,
    pub bot: Bot,
    pub line: OpenLine,
    pub chats: BTreeMap<i64, Chat>,
    /// CRM objects the calling user may not see (`ACCESS_DENIED`).
    pub restricted_crm: Vec<(CrmType, i64)>,
    next_message_id: i64,
    next_queue_pick: usize,
}

/// Id of the admin user who owns the webhook and the OAuth tokens.
pub(crate) const ADMIN_USER_ID: i64 = 1;
/// Chat id of the seeded chat that an operator already handles.
pub(crate) const OPERATOR_CHAT_ID: i64 = 104;
/// A CRM deal the calling user has no access to.
pub(crate) const RESTRICTED_DEAL_ID: i64 = 990;

impl Portal {
    /// The seeded portal. `now` (Unix seconds) anchors chat creation times.
    pub(crate) fn seed(bot_client_id: &str, now: i64) -> Self {
        let users = vec![
            user(ADMIN_USER_ID, "Alex Carter", true),
            user(11, "Maria Lopez", true),
            user(12, "Ivan Petrov", true),
            user(13, "Chen Wei", true),
            user(50, "Support Bot", false),
            user(601, "Guest #1", false),
            user(602, "Guest #2", false),
            user(603, "Guest #3", false),
            user(604, "Guest #4", false),
            user(605, "Guest #5", false),
        ];
        let line = OpenLine {
            id: 2,
            name: "Website support".to_owned(),
            welcome: "Hi! Thanks for reaching out, an answer is on its way.".to_owned(),
            queue: vec![11, 12],
        };
        let mut portal = Portal {
            users,
            bot: Bot {
                id: 50,
                client_id: bot_client_id.to_owned(),
            },
            line,
            chats: BTreeMap::new(),
            restricted_crm: vec![(CrmType::Deal, RESTRICTED_DEAL_ID)],
            next_message_id: 5001,
            next_queue_pick: 0,
        };
        use CrmType::*;
        let seeds = [
            ChatSeed {
                id: 101,
                connector: "livechat",
                handler: ChatHandler::Bot,
                open: true,
                crm: vec![(Lead, 201), (Contact, 301)],
            },
            ChatSeed {
                id: 102,
                connector: "telegrambot",
                handler: ChatHandler::Bot,
                open: true,
                crm: vec![(Deal, 401), (Contact, 302), (Company, 501)],
            },
            ChatSeed {
                id: 103,
                connector: "livechat",
                handler: ChatHandler::Bot,
                open: true,
                crm: vec![(Lead, 202)],
            },
            ChatSeed {
                id: OPERATOR_CHAT_ID,
                connector: "livechat",
                handler: ChatHandler::Operator(11),
                open: true,
                crm: vec![(Deal, 402), (Contact, 301)],
            },
            ChatSeed {
                id: 105,
                connector: "livechat",
                handler: ChatHandler::Bot,
                open: false,
                crm: vec![(Lead, 201), (Deal, RESTRICTED_DEAL_ID)],
            },
        ];
        for (n, seed) in seeds.into_iter().enumerate() {
            let ChatSeed {
                id,
                connector,
                handler,
                open,
                crm,
            } = seed;
            let idx = i64::try_from(n).unwrap_or(0);
            let guest_id = 601 + idx;
            let (connector_id, connector_title, user_code) = if connector == "telegrambot" {
                (
                    "telegrambot",
                    "Telegram",
                    format!("telegrambot|{}|78120{id}|{guest_id}", 2),
                )
            } else {
                (
                    "livechat",
                    "Live Chat",
                    format!("livechat|{}|{}|{guest_id}", 2, id + 1000),
                )
            };
            let mut chat = Chat {
                id,
                session_id: 1001 + idx,
                line_id: 2,
                connector_id,
                connector_title,
                user_code,
                guest_id,
                guest_name: format!("Guest #{}", idx + 1),
                color: ["#58cc47", "#4ba984", "#f76187", "#ab7761", "#2fc6f6"][n % 5],
                created: now - 3600 * (6 - idx),
                handler,
                session_open: open,
                bot_in_chat: handler == ChatHandler::Bot,
                messages: Vec::new(),
                crm,
            };
            let first = portal.take_message_id();
            chat.messages.push(Message {
                id: first,
                author_id: guest_id,
                text: "Hello, I have a question about my order.".to_owned(),
            });
            let second = portal.take_message_id();
            let (author, text) = match handler {
                ChatHandler::Bot => (50, "Hello! I am the support bot, how can I help?"),
                ChatHandler::Operator(uid) => (uid, "Good day, let me check that for you."),
            };
            chat.messages.push(Message {
                id: second,
                author_id: author,
                text: text.to_owned(),
            });
            portal.chats.insert(id, chat);
        }
        portal
    }

    fn take_message_id(&mut self) -> i64 {
        let id = self.next_message_id;
        self.next_message_id += 1;
        id
    }

    /// Adds a message to a chat, if it exists.
    pub(crate) fn append_message(&mut self, chat_id: i64, author_id: i64, text: String) {
        let id = self.take_message_id();
        if let Some(chat) = self.chats.get_mut(&chat_id) {
            chat.messages.push(Message {
                id,
                author_id,
                text,
            });
        }
    }

    /// The user with this id, if any.
    pub(crate) fn user(&self, id: i64) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// Display name of a user, or an empty string.
    pub(crate) fn user_name(&self, id: i64) -> String {
        self.user(id).map(|u| u.name.clone()).unwrap_or_default()
    }

    /// Employee ids that can take dialogs (the operators).
    pub(crate) fn operator_ids(&self) -> Vec<i64> {
        self.users
            .iter()
            .filter(|u| u.employee && u.id != ADMIN_USER_ID)
            .map(|u| u.id)
            .collect()
    }

    /// Next operator of a queue, round robin; `None` for an unknown or empty queue.
    pub(crate) fn pick_from_queue(&mut self, queue_id: i64) -> Option<i64> {
        if queue_id != self.line.id || self.line.queue.is_empty() {
            return None;
        }
        let pick = self.line.queue[self.next_queue_pick % self.line.queue.len()];
        self.next_queue_pick = self.next_queue_pick.wrapping_add(1);
        Some(pick)
    }

    /// Ids of open chats the bot handles.
    pub(crate) fn bot_chat_ids(&self) -> Vec<i64> {
        self.chats
            .values()
            .filter(|c| c.session_open && c.handler == ChatHandler::Bot)
            .map(|c| c.id)
            .collect()
    }

    /// A snapshot of one chat.
    pub(crate) fn snapshot(&self, chat_id: i64) -> Option<ChatSnapshot> {
        self.chats.get(&chat_id).map(Chat::snapshot)
    }
}

/// How one seeded chat starts out.
struct ChatSeed {
    id: i64,
    connector: &'static str,
    handler: ChatHandler,
    open: bool,
    crm: Vec<(CrmType, i64)>,
}

fn user(id: i64, name: &str, employee: bool) -> User {
    User {
        id,
        name: name.to_owned(),
        employee,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_is_consistent() {
        let p = Portal::seed("bot", 1_700_000_000);
        assert_eq!(p.bot_chat_ids(), vec![101, 102, 103]);
        assert_eq!(
            p.chats[&OPERATOR_CHAT_ID].handler,
            ChatHandler::Operator(11)
        );
        assert_eq!(
            p.chats[&101].entity_data_2(),
            "LEAD|201|COMPANY|0|CONTACT|301|DEAL|0"
        );
        assert!(p.chats[&102]
            .entity_data_1()
            .starts_with("Y|DEAL|401|N|N|1002|"));
    }
}
