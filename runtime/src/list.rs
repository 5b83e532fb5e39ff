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

mod step;

use crate::error::Error;
use crate::method::Method;
use crate::Client;
use futures_core::Stream;
use std::collections::VecDeque;
pub use step::ListEnd;
use step::{Cursor, PageEnd};

/// How a list method asks for its next page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Paging {
    /// The `start` param; the answer's envelope carries `total` and `next`.
    Start,
    /// An offset param ([`ListMethod::set_offset`]) stepped by the page size.
    Offset(ListEnd),
    /// A cursor param ([`ListMethod::set_cursor`]) set to the value the last item of the
    /// previous page gives ([`ListMethod::cursor`]).
    Cursor(ListEnd),
}

/// A list method: the portal answers a page of at most [`ListMethod::PAGE_SIZE`] items, and
/// [`ListMethod::PAGING`] says how to ask for the next one.
///
/// Ways to walk a list:
/// - by `start`: the first page tells `total`; the remaining pages are fetched in batches of
///   50 pages, one HTTP request per 2,500 items;
/// - fast ([`ListMethod::FAST`]): `start = -1` (the portal skips counting `total`) and a
///   filter on `ID` greater than the last item's, one page per request, for methods whose
///   filter and order by `ID` work that way;
/// - by offset: one page per request, the offset stepped by the page size from 0, until the
///   [`ListEnd`] condition;
/// - by cursor: one page per request, each after the first asked for with the cursor of the
///   previous page's last item, until the [`ListEnd`] condition. A cursor that does not move
///   on ends the stream with [`Error::List`](crate::Error::List).
///
/// Offset and cursor walks set the page-size param ([`ListMethod::set_limit`]) to
/// [`ListMethod::PAGE_SIZE`]; the rest of the request is sent as the caller built it.
pub trait ListMethod: Method + Clone {
    /// One item of a page.
    type Item;
    /// Items per page (50 on the portal for `start` paging).
    const PAGE_SIZE: u64 = 50;
    /// Whether the fast mode applies (see the trait docs).
    const FAST: bool = false;
    /// How the next page is asked for.
    const PAGING: Paging = Paging::Start;
    /// Start paging: sets the `start` parameter.
    fn set_start(&mut self, start: i64) {
        let _ = start;
    }
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
    /// Offset and cursor paging: sets the page-size parameter, when the method has one.
    fn set_limit(&mut self, limit: u64) {
        let _ = limit;
    }
    /// Offset paging: sets the offset parameter.
    fn set_offset(&mut self, offset: u64) {
        let _ = offset;
    }
    /// Cursor paging: sets the cursor parameter.
    fn set_cursor(&mut self, cursor: i64) {
        let _ = cursor;
    }
    /// Cursor paging: the value an item gives the next page's cursor.
    fn cursor(item: &Self::Item) -> Option<i64> {
        let _ = item;
        None
    }
    /// [`ListEnd::Flag`]: whether more pages follow, as a page's result says.
    fn has_more(result: &Self::Result) -> Option<bool> {
        let _ = result;
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
    /// Offset paging: the page at this offset.
    Offset(u64),
    /// Cursor paging: the next page's cursor and the items walked so far.
    Cursor(Cursor, u64),
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
    /// Every item of a list, as a stream that follows its pages to the end, the way
    /// [`ListMethod::PAGING`] says. Pages are fetched as the stream is read; at most one batch
    /// of pages (2,500 items by default, `start` paging) or one page (other kinds) is held at
    /// a time. An error ends the stream.
    pub fn list<M>(&self, request: M) -> impl Stream<Item = Result<M::Item, Error<M::Error>>>
    where
        M: ListMethod + 'static,
    {
        let walk = Walk {
            client: self.clone(),
            request,
            buffer: VecDeque::new(),
            error: None,
            phase: match M::PAGING {
                Paging::Offset(_) => Phase::Offset(0),
                Paging::Cursor(_) => Phase::Cursor(Cursor::default(), 0),
                Paging::Start if M::FAST => Phase::After(0),
                Paging::Start => Phase::First,
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
                    Phase::Offset(offset) => w.offset(offset).await,
                    Phase::Cursor(cursor, seen) => w.cursor(cursor, seen).await,
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

    /// Sends one page request of an offset or cursor walk; stores its items, keeps the last
    /// one's cursor and returns what the page tells about the end, or `None` after an error.
    async fn sized_page(&mut self, mut r: M, seen: u64) -> Option<(PageEnd, Option<i64>)> {
        r.set_limit(M::PAGE_SIZE);
        match self.client.call_full(r).await {
            Ok(resp) => {
                let more = M::has_more(&resp.result);
                let items = M::items(resp.result);
                let n = items.len() as u64;
                let cursor = items.last().and_then(M::cursor);
                self.buffer.extend(items);
                let end = PageEnd {
                    items: n,
                    seen: seen.saturating_add(n),
                    total: resp.total,
                    more,
                };
                Some((end, cursor))
            }
            Err(e) => {
                self.error = Some(e);
                self.phase = Phase::Done;
                None
            }
        }
    }

    async fn offset(&mut self, offset: u64) {
        let Paging::Offset(end) = M::PAGING else {
            self.phase = Phase::Done;
            return;
        };
        let mut r = self.request.clone();
        r.set_offset(offset);
        // The walk counts by offset: a page asked for at `offset` reaches `offset + items`.
        if let Some((page, _)) = self.sized_page(r, offset).await {
            self.phase = if end.is_last(page, M::PAGE_SIZE) {
                Phase::Done
            } else {
                Phase::Offset(offset.saturating_add(M::PAGE_SIZE))
            };
        }
    }

    async fn cursor(&mut self, cursor: Cursor, seen: u64) {
        let Paging::Cursor(end) = M::PAGING else {
            self.phase = Phase::Done;
            return;
        };
        let mut r = self.request.clone();
        if let Some(c) = cursor.sent {
            r.set_cursor(c);
        }
        if let Some((page, next)) = self.sized_page(r, seen).await {
            self.phase = if end.is_last(page, M::PAGE_SIZE) {
                Phase::Done
            } else {
                match cursor.advance(next) {
                    Ok(c) => Phase::Cursor(c, page.seen),
                    Err(e) => {
                        self.error = Some(Error::List(e));
                        Phase::Done
                    }
                }
            };
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
