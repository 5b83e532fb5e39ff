//! List methods as streams: every item of a paginated list, page after page.
//!
//! ```no_run
//! # use bitrix_api::{Client, ListMethod};
//! # async fn run<M: ListMethod + 'static>(client: Client, request: M)
//! # where M::Item: std::fmt::Debug {
//! use futures_util::StreamExt;
//! let mut items = std::pin::pin!(client.list(request));
//! while let Some(item) = items.next().await {
//!     println!("{:?}", item.map_err(|e| e.to_string()));
//! }
//! # }
//! ```

use crate::error::Error;
use crate::method::Method;
use crate::Client;
use futures_core::Stream;
use std::collections::VecDeque;

/// A list method: the portal answers a page of at most [`ListMethod::PAGE_SIZE`] items with
/// `total` (items in all) and `next` (the `start` of the next page).
///
/// Two ways to walk a list:
/// - by `start`: the first page tells `total`; the remaining pages are fetched in batches of
///   50 pages, one HTTP request per 2,500 items;
/// - fast ([`ListMethod::FAST`]): `start = -1` (the portal skips counting `total`) and a
///   filter on `ID` greater than the last item's, one page per request, for methods whose
///   filter and order by `ID` work that way.
pub trait ListMethod: Method + Clone {
    /// One item of a page.
    type Item;
    /// Items per page (50 on the portal).
    const PAGE_SIZE: u64 = 50;
    /// Whether the fast mode applies (see the trait docs).
    const FAST: bool = false;
    /// Sets the `start` parameter.
    fn set_start(&mut self, start: i64);
    /// The items of one page's result.
    fn items(result: Self::Result) -> Vec<Self::Item>;
    /// Fast mode: keeps only items with an `ID` above `id`, in ascending `ID` order.
    fn set_after_id(&mut self, id: u64) {
        let _ = id;
    }
    /// Fast mode: an item's `ID`.
    fn item_id(item: &Self::Item) -> Option<u64> {
        let _ = item;
        None
    }
}

/// Where a list walk is.
enum Phase {
    First,
    /// By `start`, `total` known: pages from `start` on, in batches.
    Pages {
        start: u64,
        total: u64,
    },
    /// By `next`, `total` unknown: one page at a time.
    Follow(u64),
    /// Fast mode: the page after this `ID`.
    After(u64),
    Done,
}

struct Walk<M: ListMethod> {
    client: Client,
    request: M,
    buffer: VecDeque<M::Item>,
    /// An error to yield once the buffered items are out.
    error: Option<Error<M::Error>>,
    phase: Phase,
}

impl Client {
    /// Every item of a list, as a stream that follows `start` / `next` to the end. At most one
    /// batch of pages (2,500 items by default) is held at a time; an error ends the stream.
    pub fn list<M>(&self, request: M) -> impl Stream<Item = Result<M::Item, Error<M::Error>>>
    where
        M: ListMethod + 'static,
    {
        let walk = Walk {
            client: self.clone(),
            request,
            buffer: VecDeque::new(),
            error: None,
            phase: if M::FAST {
                Phase::After(0)
            } else {
                Phase::First
            },
        };
        futures_util::stream::unfold(walk, |mut w| async move {
            loop {
                if let Some(item) = w.buffer.pop_front() {
                    return Some((Ok(item), w));
                }
                if let Some(e) = w.error.take() {
                    w.phase = Phase::Done;
                    return Some((Err(e), w));
                }
                match w.phase {
                    Phase::Done => return None,
                    Phase::First => w.first().await,
                    Phase::Follow(start) => w.follow(start).await,
                    Phase::Pages { start, total } => w.pages(start, total).await,
                    Phase::After(id) => w.after(id).await,
                }
            }
        })
    }
}

impl<M: ListMethod> Walk<M> {
    /// Sends one page request; stores its items and returns `(items, next, total)`.
    async fn page(&mut self, start: i64) -> Option<(usize, Option<u64>, Option<u64>)> {
        let mut r = self.request.clone();
        r.set_start(start);
        match self.client.call_full(r).await {
            Ok(resp) => {
                let items = M::items(resp.result);
                let n = items.len();
                self.buffer.extend(items);
                Some((n, resp.next, resp.total))
            }
            Err(e) => {
                self.error = Some(e);
                self.phase = Phase::Done;
                None
            }
        }
    }

    async fn first(&mut self) {
        if let Some((_, next, total)) = self.page(0).await {
            self.phase = match (next, total) {
                (Some(n), Some(t)) if n < t => Phase::Pages { start: n, total: t },
                (Some(n), None) => Phase::Follow(n),
                _ => Phase::Done,
            };
        }
    }

    async fn follow(&mut self, start: u64) {
        let start = i64::try_from(start).unwrap_or(i64::MAX);
        if let Some((_, next, _)) = self.page(start).await {
            self.phase = next.map_or(Phase::Done, Phase::Follow);
        }
    }

    async fn after(&mut self, id: u64) {
        let mut r = self.request.clone();
        r.set_start(-1);
        r.set_after_id(id);
        match self.client.call_full(r).await {
            Ok(resp) => {
                let items = M::items(resp.result);
                let full = items.len() as u64 >= M::PAGE_SIZE;
                let last = items.last().and_then(M::item_id);
                self.buffer.extend(items);
                self.phase = match last {
                    Some(last) if full && last > id => Phase::After(last),
                    _ => Phase::Done,
                };
            }
            Err(e) => {
                self.error = Some(e);
                self.phase = Phase::Done;
            }
        }
    }

    /// Up to 50 pages from `start` in one batch request.
    async fn pages(&mut self, start: u64, total: u64) {
        let step = M::PAGE_SIZE.max(1);
        let mut bulk = self.client.bulk().in_flight(1);
        let mut slots = Vec::new();
        let mut s = start;
        while s < total && slots.len() < crate::MAX_BATCH_COMMANDS {
            let mut r = self.request.clone();
            r.set_start(i64::try_from(s).unwrap_or(i64::MAX));
            slots.push(bulk.add(r));
            s += step;
        }
        let answer = bulk.send().await;
        self.phase = if s < total {
            Phase::Pages { start: s, total }
        } else {
            Phase::Done
        };
        for slot in &slots {
            match answer.get(slot) {
                Ok(result) => self.buffer.extend(M::items(result)),
                Err(e) => {
                    self.error = Some(e);
                    self.phase = Phase::Done;
                    return;
                }
            }
        }
    }
}
