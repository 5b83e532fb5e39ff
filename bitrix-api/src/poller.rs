//! Fetch mode: a bot registered with `eventMode: fetch` reads its events with
//! `imbot.v2.Event.get` instead of receiving POSTs. [`Poller`] loops over that method.

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use crate::__private::WireEnum;
use crate::events::{EventData, OffsetStore, Rejection};
use crate::imbot_v2::{EventGet, EventGetError};
use crate::{Client, Event, Secret};

/// One event read in fetch mode.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PolledEvent {
    /// `eventId`.
    pub id: i64,
    /// `type`: the event's name (`ONIMBOTV2MESSAGEADD`, …).
    pub name: String,
    /// `date`, as sent (ISO 8601).
    pub date: Option<String>,
    /// `data` decoded by its name into the crate's [`Event`] (`Unknown` for a name this build
    /// does not type); a payload that breaks its type is a [`Rejection::Payload`], and the
    /// poller carries on with the next event.
    pub event: Result<Event, Rejection>,
}

/// Why polling stopped.
#[derive(Debug)]
#[non_exhaustive]
pub enum PollError {
    /// `imbot.v2.Event.get` failed (after the client's own retries).
    Call(crate::Error<EventGetError>),
    /// The offset store failed.
    Store(std::io::Error),
}

impl fmt::Display for PollError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PollError::Call(e) => write!(f, "imbot.v2.Event.get failed: {e}"),
            PollError::Store(e) => write!(f, "the offset store failed: {e}"),
        }
    }
}

impl std::error::Error for PollError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PollError::Call(e) => Some(e),
            PollError::Store(e) => Some(e),
        }
    }
}

/// Reads a fetch-mode bot's events one by one with `imbot.v2.Event.get`, in order, each
/// once: it sends the offset the last answer gave (`nextOffset`), skips any event it has
/// already handed out, and waits [`idle`](Self::idle) between calls that brought nothing.
///
/// The offset is saved to the [`OffsetStore`] when an event is done with: [`next`](Self::next)
/// acknowledges the event it returned before, and [`commit`](Self::commit) the last one. A
/// poller started on the same store resumes after the last acknowledged event, so an event
/// being handled when the process died is read again (at least once across crashes, exactly
/// once within a run).
///
/// ```no_run
/// # async fn run(client: bitrix_api::Client) -> Result<(), bitrix_api::events::PollError> {
/// use bitrix_api::events::{FileOffset, Poller};
///
/// let mut poller = Poller::new(client, 456, FileOffset::new("bot-456.offset")).bot_token("tok");
/// loop {
///     let polled = poller.next().await?;
///     match polled.event {
///         Ok(event) => println!("{} #{}", event.name(), polled.id),
///         Err(why) => eprintln!("#{} skipped: {why}", polled.id),
///     }
/// }
/// # }
/// ```
pub struct Poller<S> {
    client: Client,
    bot_id: i64,
    bot_token: Option<Secret>,
    limit: i64,
    idle: Duration,
    store: S,
    /// The offset to send; `None` until loaded from the store.
    offset: Option<i64>,
    loaded: bool,
    /// The id of the event handed out last and not yet acknowledged.
    unacked: Option<i64>,
    /// The largest id handed out (nothing at or below it is handed out again).
    last_id: Option<i64>,
    pending: VecDeque<PolledEvent>,
}

impl<S> fmt::Debug for Poller<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Poller")
            .field("bot_id", &self.bot_id)
            .field("offset", &self.offset)
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl<S: OffsetStore> Poller<S> {
    /// A poller for bot `bot_id`, calling through `client`, keeping its offset in `store`.
    /// It reads 100 events a call and waits 1 s after a call that brought none.
    pub fn new(client: Client, bot_id: i64, store: S) -> Self {
        Poller {
            client,
            bot_id,
            bot_token: None,
            limit: 100,
            idle: Duration::from_secs(1),
            store,
            offset: None,
            loaded: false,
            unacked: None,
            last_id: None,
            pending: VecDeque::new(),
        }
    }

    /// The bot's token (`botToken`), needed when the client is a webhook.
    #[must_use]
    pub fn bot_token(mut self, token: impl Into<Secret>) -> Self {
        self.bot_token = Some(token.into());
        self
    }

    /// Events per call (`limit`, 1 to 1000).
    #[must_use]
    pub fn limit(mut self, limit: i64) -> Self {
        self.limit = limit.clamp(1, 1000);
        self
    }

    /// The pause after a call that brought no events.
    #[must_use]
    pub fn idle(mut self, idle: Duration) -> Self {
        self.idle = idle;
        self
    }

    /// The next event, waiting for one if none is queued; acknowledges the one returned before.
    pub async fn next(&mut self) -> Result<PolledEvent, PollError> {
        self.commit().await?;
        loop {
            if let Some(e) = self.pending.pop_front() {
                self.unacked = Some(e.id);
                return Ok(e);
            }
            if !self.fetch().await? {
                tokio::time::sleep(self.idle).await;
            }
        }
    }

    /// Acknowledges the event returned last: saves the offset after it.
    pub async fn commit(&mut self) -> Result<(), PollError> {
        if let Some(id) = self.unacked.take() {
            self.store.save(id + 1).await.map_err(PollError::Store)?;
        }
        Ok(())
    }

    /// One call of `imbot.v2.Event.get`; queues the new events. `false` when it brought none.
    async fn fetch(&mut self) -> Result<bool, PollError> {
        if !self.loaded {
            self.offset = self.store.load().await.map_err(PollError::Store)?;
            self.loaded = true;
        }
        let mut request = EventGet::new(self.bot_id).limit(self.limit);
        if let Some(t) = &self.bot_token {
            request = request.bot_token(t.clone());
        }
        if let Some(o) = self.offset {
            request = request.offset(o);
        }
        let page = self.client.call(request).await.map_err(PollError::Call)?;
        let mut got = false;
        for item in page.events.unwrap_or_default() {
            let Some(id) = item.event_id else { continue };
            if self.last_id.is_some_and(|last| id <= last) || self.offset.is_some_and(|o| id < o) {
                continue;
            }
            self.last_id = Some(id);
            let name = item
                .r#type
                .as_ref()
                .map(|t| t.as_wire().to_string())
                .unwrap_or_default();
            let data = item.data.unwrap_or(serde_json::Value::Null);
            let event = EventData::Json(data).decode_event(&name);
            self.pending.push_back(PolledEvent {
                id,
                name,
                date: item.date,
                event,
            });
            got = true;
        }
        let before = self.offset;
        if let Some(next) = page.next_offset {
            self.offset = Some(self.offset.map_or(next, |o| o.max(next)));
        }
        // More is waiting only if the portal says so and the offset moved on.
        Ok(got || (page.has_more == Some(true) && self.offset != before))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{FileOffset, MemoryOffset};

    async fn take(poller: &mut Poller<impl OffsetStore>, n: usize) -> Vec<(i64, String)> {
        let mut out = Vec::new();
        for _ in 0..n {
            let e = tokio::time::timeout(Duration::from_secs(10), poller.next())
                .await
                .expect("an event in time")
                .unwrap();
            assert_eq!(e.name, "ONIMBOTV2MESSAGEADD");
            let event = e.event.unwrap();
            assert_eq!(event.name(), "ONIMBOTV2MESSAGEADD");
            // Untyped in this build, or typed once the event has a spec file: then the text
            // is in the payload's Debug.
            let text = match &event {
                Event::Unknown { data, .. } => {
                    data["message"]["text"].as_str().unwrap().to_string()
                }
                #[allow(unreachable_patterns)]
                other => format!("{other:?}"),
            };
            out.push((e.id, text));
        }
        out
    }

    /// Ids, with each text checked to be (or to appear in) the expected one.
    async fn ids(poller: &mut Poller<impl OffsetStore>, texts: &[&str]) -> Vec<i64> {
        let got = take(poller, texts.len()).await;
        let mut out = Vec::new();
        for ((id, text), want) in got.into_iter().zip(texts) {
            assert!(
                text == *want || text.contains(&format!("{want:?}")),
                "{text} is not {want}"
            );
            out.push(id);
        }
        out
    }

    #[tokio::test]
    async fn every_event_once_in_order_and_a_restart_resumes() {
        let emu = bitrix_emulator::Emulator::start(bitrix_emulator::Config::default())
            .await
            .unwrap();
        let chat = emu.bot_chat_ids()[0];
        for i in 0..5 {
            emu.customer_writes(chat, &format!("m{i}")).await.unwrap();
        }
        let client = Client::webhook(&emu.webhook_url()).unwrap();
        let dir = std::env::temp_dir().join(format!("bitrix-poller-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("offset");
        let _ = std::fs::remove_file(&path);
        let poller = |store| {
            Poller::new(client.clone(), 50, store)
                .bot_token(emu.bot_client_id())
                .limit(2)
                .idle(Duration::from_millis(20))
        };

        let mut first = poller(FileOffset::new(&path));
        assert_eq!(ids(&mut first, &["m0", "m1", "m2"]).await, [1, 2, 3]);
        first.commit().await.unwrap();
        drop(first);

        // A new poller on the same file goes on after m2; new events arrive while it waits.
        let mut second = poller(FileOffset::new(&path));
        assert_eq!(ids(&mut second, &["m3", "m4"]).await, [4, 5]);
        let writer = emu.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            writer.customer_writes(chat, "late").await.unwrap();
        });
        assert_eq!(ids(&mut second, &["late"]).await, [6]);
        drop(second);

        // Without a commit the last event handed out is read again after a restart.
        let mut third = poller(FileOffset::new(&path));
        assert_eq!(ids(&mut third, &["late"]).await, [6]);
        let _ = std::fs::remove_dir_all(&dir);

        // From the start with an empty store: all six, no gaps, no duplicates.
        let mut all = Poller::new(client.clone(), 50, MemoryOffset::new())
            .bot_token(emu.bot_client_id())
            .limit(4)
            .idle(Duration::from_millis(20));
        let all_texts = ["m0", "m1", "m2", "m3", "m4", "late"];
        assert_eq!(ids(&mut all, &all_texts).await, [1, 2, 3, 4, 5, 6]);
        all.commit().await.unwrap();
        assert_eq!(all.store.get(), Some(7));
    }
}
