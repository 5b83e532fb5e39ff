//! Bulk work: any number of typed calls, sent as batches of 50 through the client's limits,
//! every answer kept in input order.
//!
//! ```no_run
//! # async fn run(client: bitrix_api::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use bitrix_api::imopenlines::BotSessionMessageSend;
//! let calls = (0..3000).map(|i| BotSessionMessageSend::new(112).message(format!("#{i}")));
//! for (i, outcome) in client.batch_all(calls).await.into_iter().enumerate() {
//!     if let Err(e) = outcome {
//!         eprintln!("message {i}: {e}");
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! Commands the portal refuses inside a batch before running them (`QUERY_LIMIT_EXCEEDED`,
//! `OPERATION_TIME_LIMIT`) are sent again in a later batch, within the retry policy's
//! deadline; everything else is each command's own outcome.

use crate::batch::{self, BatchAnswer, Slot, MAX_COMMANDS};
use crate::error::{Error, LimitKind, Problem, Refusal};
use crate::limits::LimitStats;
use crate::method::Method;
use crate::{Client, NoMethodError};
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

/// How far a bulk run has got, passed to the [`Bulk::on_progress`] callback after every batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Commands with a final outcome.
    pub done: usize,
    /// Commands in the run.
    pub total: usize,
    /// `batch` requests answered so far.
    pub requests: u64,
    /// Refusals and waits of the client since the run started (other work of the same client
    /// running meanwhile is counted too).
    pub limits: LimitStats,
}

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Any number of typed calls, filled with [`Bulk::add`] and sent with [`Bulk::send`].
#[must_use = "a bulk run does nothing until it is sent"]
pub struct Bulk<'c> {
    client: &'c Client,
    halt: bool,
    in_flight: usize,
    progress: Option<ProgressFn>,
    commands: Vec<Command>,
}

impl fmt::Debug for Bulk<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bulk")
            .field("commands", &self.commands.len())
            .field("halt", &self.halt)
            .field("in_flight", &self.in_flight)
            .finish_non_exhaustive()
    }
}

/// One encoded call.
#[derive(Debug, Clone)]
struct Command {
    method: &'static str,
    /// `method?query`, or why the call was refused before sending.
    text: Result<String, Refusal>,
    read: bool,
}

/// The answers of a bulk run, one per added call.
#[derive(Debug)]
pub struct BulkAnswer {
    answers: BatchAnswer,
    /// Calls refused before sending, by key.
    refused: BTreeMap<String, Refusal>,
    /// Calls whose `batch` request failed as a whole, by key.
    failed: BTreeMap<String, Arc<Error<NoMethodError>>>,
    /// `batch` requests sent.
    pub requests: u64,
}

fn key(i: usize) -> String {
    format!("c{i}")
}

impl<'c> Bulk<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Bulk {
            client,
            halt: false,
            in_flight: 4,
            progress: None,
            commands: Vec::new(),
        }
    }

    /// Whether the run stops at the first failing call (default: every call is run). Calls
    /// after it are answered "not run"; batches are then sent one at a time.
    pub fn halt_on_error(mut self, halt: bool) -> Self {
        self.halt = halt;
        self
    }

    /// How many `batch` requests may be in flight at once (default 4; the rate bucket still
    /// decides when each is sent).
    pub fn in_flight(mut self, n: usize) -> Self {
        self.in_flight = n.max(1);
        self
    }

    /// Calls `f` after every answered batch.
    pub fn on_progress(mut self, f: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// How many calls it holds.
    pub fn len(&self) -> usize {
        self.commands.len()
    }

    /// Whether it holds no call.
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    /// Adds a call, checked as [`Client::call`] checks it. A call that fails the check is kept:
    /// its answer is the refusal, so answers stay one per call.
    pub fn add<M: Method>(&mut self, request: M) -> Slot<M> {
        let text = batch::encode(self.client, &request).map_err(|e| match e {
            Error::Refused(r) => r,
            other => Refusal {
                method: M::NAME,
                problems: vec![Problem {
                    param: String::new(),
                    message: other.to_string(),
                }],
            },
        });
        let k = key(self.commands.len());
        self.commands.push(Command {
            method: M::NAME,
            text,
            read: M::READ,
        });
        Slot::new(k)
    }

    /// Sends every call, in batches of up to 50, and waits for all answers. Each call ends in
    /// exactly one outcome, read with [`BulkAnswer::get`].
    pub async fn send(self) -> BulkAnswer {
        let client = self.client;
        let policy = *client.retry_policy();
        let total = self.commands.len();
        let stats_at_start = client.limit_stats();
        let mut out = BulkAnswer {
            answers: BatchAnswer::empty(),
            refused: BTreeMap::new(),
            failed: BTreeMap::new(),
            requests: 0,
        };
        let mut pending = VecDeque::new();
        for (i, c) in self.commands.iter().enumerate() {
            match &c.text {
                Ok(_) => pending.push_back(i),
                Err(r) => {
                    out.refused.insert(key(i), r.clone());
                }
            }
        }
        let mut done = total - pending.len();
        let mut first_sent: Vec<Option<Instant>> = vec![None; total];
        let in_flight = if self.halt { 1 } else { self.in_flight };
        let mut running = FuturesUnordered::new();
        let mut halted = false;
        loop {
            while !halted && running.len() < in_flight && !pending.is_empty() {
                let take = pending.len().min(MAX_COMMANDS);
                let chunk: Vec<usize> = pending.drain(..take).collect();
                let now = Instant::now();
                for &i in &chunk {
                    first_sent[i].get_or_insert(now);
                }
                running.push(send_chunk(client, self.halt, &self.commands, chunk));
            }
            let Some((chunk, result)) = running.next().await else {
                break;
            };
            out.requests += 1;
            match result {
                Err(e) => {
                    let e = Arc::new(e);
                    for i in chunk {
                        out.failed.insert(key(i), Arc::clone(&e));
                        done += 1;
                    }
                    halted |= self.halt;
                }
                Ok(mut answer) => {
                    let mut again = Vec::new();
                    let mut refused_here = false;
                    // Methods already blocked after a refusal in this answer: one wait each.
                    let mut blocked: BTreeSet<&str> = BTreeSet::new();
                    for i in chunk {
                        let k = key(i);
                        let method = self.commands[i].method;
                        let limit = answer
                            .error_of(&k)
                            .and_then(|e| Error::<NoMethodError>::from_api(e.clone()).limit());
                        let in_time =
                            first_sent[i].is_some_and(|t| t.elapsed() < policy.refusal_deadline);
                        let not_run = !answer.has_result(&k) && answer.error_of(&k).is_none();
                        if let (Some(kind), true) = (limit, in_time) {
                            match kind {
                                LimitKind::Rate => {
                                    client.stats().rate_refusal();
                                    if let Some(b) = client.bucket() {
                                        b.refused();
                                    }
                                }
                                LimitKind::OperatingTime => {
                                    client.stats().operating_refusal();
                                    if blocked.insert(method) {
                                        client.budgets().refused(method);
                                    }
                                }
                            }
                            tracing::debug!(
                                method,
                                ?kind,
                                "a batched call was refused; it will be sent again"
                            );
                            refused_here = true;
                            again.push(i);
                            continue;
                        }
                        if self.halt && refused_here && not_run {
                            // Stopped by a refusal, not by a failure: send it again too.
                            again.push(i);
                            continue;
                        }
                        if self.halt && answer.error_of(&k).is_some() {
                            halted = true;
                            out.answers.mark_halted();
                        }
                        out.answers.put(k.clone(), answer.take(&k));
                        done += 1;
                    }
                    for i in again.into_iter().rev() {
                        pending.push_front(i);
                    }
                }
            }
            let p = Progress {
                done,
                total,
                requests: out.requests,
                limits: client.limit_stats().since(&stats_at_start),
            };
            tracing::debug!(
                target: "bitrix_api::bulk",
                done = p.done,
                total = p.total,
                requests = p.requests,
                refusals = p.limits.refusals(),
                waits = p.limits.waits,
                "bulk progress"
            );
            if let Some(f) = &self.progress {
                f(&p);
            }
        }
        out
    }
}

/// Sends commands `chunk` as one batch, after waiting for the budgets of their methods.
async fn send_chunk(
    client: &Client,
    halt: bool,
    commands: &[Command],
    chunk: Vec<usize>,
) -> (Vec<usize>, Result<BatchAnswer, Error<NoMethodError>>) {
    let methods: BTreeSet<&str> = chunk.iter().map(|&i| commands[i].method).collect();
    for m in methods {
        client.wait_budget(m).await;
    }
    let read = chunk.iter().all(|&i| commands[i].read);
    let batch: Vec<batch::Command> = chunk
        .iter()
        .filter_map(|&i| {
            Some(batch::Command {
                key: key(i),
                method: commands[i].method,
                encoded: commands[i].text.as_ref().ok()?.clone(),
            })
        })
        .collect();
    let result = batch::send_commands(client, halt, batch, read).await;
    (chunk, result)
}

impl BulkAnswer {
    /// The typed result of a call, or its typed error (as [`crate::BatchAnswer::get`]); a call
    /// whose `batch` request failed as a whole gets that failure.
    pub fn get<M: Method>(&self, slot: &Slot<M>) -> Result<M::Result, Error<M::Error>> {
        if let Some(r) = self.refused.get(slot.key()) {
            return Err(Error::Refused(r.clone()));
        }
        if let Some(e) = self.failed.get(slot.key()) {
            return Err(e.replicate());
        }
        self.answers.get(slot)
    }

    /// For a list method: how many items there are in all.
    pub fn total<M>(&self, slot: &Slot<M>) -> Option<u64> {
        self.answers.total(slot)
    }

    /// For a list method: the `start` of the next page, when there is one.
    pub fn next<M>(&self, slot: &Slot<M>) -> Option<u64> {
        self.answers.next(slot)
    }
}

impl Client {
    /// Starts a [`Bulk`] run: any number of calls of any methods, sent in batches of 50.
    pub fn bulk(&self) -> Bulk<'_> {
        Bulk::new(self)
    }

    /// Sends any number of calls of one method in batches of 50 and returns every outcome in
    /// input order.
    pub async fn batch_all<M: Method>(
        &self,
        requests: impl IntoIterator<Item = M>,
    ) -> Vec<Result<M::Result, Error<M::Error>>> {
        let mut bulk = self.bulk();
        let slots: Vec<Slot<M>> = requests.into_iter().map(|r| bulk.add(r)).collect();
        let answer = bulk.send().await;
        slots.iter().map(|s| answer.get(s)).collect()
    }
}
