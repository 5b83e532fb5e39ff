//! `batch`: up to 50 typed calls in one request, each answer decoded into its method's types.
//!
//! ```no_run
//! # async fn run(client: bitrix_api::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use bitrix_api::imopenlines::{BotSessionMessageSend, DialogGet};
//! let mut batch = client.batch();
//! let dialog = batch.add(DialogGet::new().chat_id(112))?;
//! let sent = batch.add(BotSessionMessageSend::new(112).message("Hello"))?;
//! let answer = batch.send().await?;
//! println!("{:?} {}", answer.get(&dialog)?.name, answer.get(&sent)?);
//! # Ok(()) }
//! ```
//!
//! Each command travels as `method?query`, its params encoded as PHP's `http_build_query` does
//! (`FIELDS[NAME]=x`, `true` as `1`, `null` and empty lists left out), which is how the portal
//! reads them.

mod refs;

pub use refs::ResultRef;

use crate::__private::Lenient;
use crate::envelope::Response;
use crate::error::{ApiError, DecodeError, Error, Problem, Refusal};
use crate::method::Method;
use crate::presend::{prepare, prepare_except, refuse};
use crate::Client;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// Most commands one batch may hold (the portal's limit).
pub const MAX_COMMANDS: usize = 50;

/// A batch being filled. Send it with [`Batch::send`].
#[must_use = "a batch does nothing until it is sent"]
pub struct Batch<'c> {
    client: &'c Client,
    halt: bool,
    /// Whether every command is a read ([`Method::READ`]).
    read: bool,
    commands: Vec<Command>,
}

/// One encoded command.
pub(crate) struct Command {
    pub(crate) key: String,
    pub(crate) method: &'static str,
    /// `method?query`: holds the params, secrets included.
    pub(crate) encoded: String,
}

/// Shows the method names only: the encoded params may hold secrets (a bot's `CLIENT_ID`).
impl fmt::Debug for Batch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let methods: Vec<&str> = self.commands.iter().map(|c| c.method).collect();
        f.debug_struct("Batch")
            .field("halt", &self.halt)
            .field("methods", &methods)
            .finish_non_exhaustive()
    }
}

/// Where the answer of one command of a batch is found; typed by its method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot<M> {
    key: String,
    method: PhantomData<fn() -> M>,
}

impl<M> Slot<M> {
    /// The command's key in the batch.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// A reference to this command's result, for a later command of the same batch
    /// ([`Batch::add_linked`]); narrow it with [`ResultRef::field`] and [`ResultRef::index`].
    pub fn result(&self) -> ResultRef {
        ResultRef::new(self.key.clone())
    }
}

/// The answers of a sent batch.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchAnswer {
    results: BTreeMap<String, Value>,
    errors: BTreeMap<String, ApiError>,
    totals: BTreeMap<String, u64>,
    nexts: BTreeMap<String, u64>,
    /// Sent with `halt = 1`, and a command failed: the portal ran nothing after it.
    halted: bool,
    /// Timing of the whole `batch` request.
    pub time: Option<crate::types::Time>,
}

impl<'c> Batch<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Batch {
            client,
            halt: false,
            read: true,
            commands: Vec::new(),
        }
    }

    /// Whether the portal stops at the first failing command (default: it runs them all).
    pub fn halt_on_error(mut self, halt: bool) -> Self {
        self.halt = halt;
        self
    }

    /// How many commands the batch holds.
    pub fn len(&self) -> usize {
        self.commands.len()
    }

    /// Whether the batch holds no command.
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    /// Adds a call. It is checked as [`Client::call`] checks it; a full batch refuses it.
    pub fn add<M: Method>(&mut self, request: M) -> Result<Slot<M>, Error<M::Error>> {
        self.room::<M>()?;
        let encoded = encode(self.client, &request)?;
        Ok(self.push(encoded))
    }

    /// Refuses a call of `M` when the batch is full.
    fn room<M: Method>(&self) -> Result<(), Error<M::Error>> {
        if self.commands.len() >= MAX_COMMANDS {
            return Err(refuse(
                M::NAME,
                format!("a batch holds at most {MAX_COMMANDS} calls"),
            ));
        }
        Ok(())
    }

    /// Appends an encoded command of `M` under the next key.
    fn push<M: Method>(&mut self, encoded: String) -> Slot<M> {
        let key = format!("c{}", self.commands.len());
        self.read &= M::READ;
        self.commands.push(Command {
            key: key.clone(),
            method: M::NAME,
            encoded,
        });
        Slot::new(key)
    }

    /// Adds a call whose params in `refs` take a value of an earlier command's result in this
    /// batch: the portal runs the commands in order and puts the value in place of the
    /// reference (`$result[c0][ID]`). A param is named as the query writes it (`CHAT_ID`,
    /// `FIELDS[CHAT_ID]`); the value the request holds there is not sent, and the pre-send
    /// checks leave it alone (so `BotSessionFinish::new(0)` may stand for a chat id to come).
    /// A reference to no earlier command of this batch, or a name or path that could break
    /// the query, is refused. References need the commands in one request: a
    /// [`Bulk`](crate::Bulk) run, which may split and resend them, does not take them.
    ///
    /// ```no_run
    /// # async fn run(client: bitrix_api::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use bitrix_api::imopenlines::{BotSessionMessageSend, DialogGet};
    /// let mut batch = client.batch();
    /// let dialog = batch.add(DialogGet::new().user_code("livechat|1|2|3"))?;
    /// let sent = batch.add_linked(
    ///     BotSessionMessageSend::new(0).message("Hello"),
    ///     [("CHAT_ID", dialog.result().field("id"))],
    /// )?;
    /// let answer = batch.send().await?;
    /// println!("{}", answer.get(&sent)?);
    /// # Ok(()) }
    /// ```
    pub fn add_linked<M, I, S>(&mut self, request: M, refs: I) -> Result<Slot<M>, Error<M::Error>>
    where
        M: Method,
        I: IntoIterator<Item = (S, ResultRef)>,
        S: Into<String>,
    {
        self.room::<M>()?;
        let refs: Vec<(String, ResultRef)> = refs.into_iter().map(|(n, r)| (n.into(), r)).collect();
        let mut problems = Vec::new();
        let mut paths = Vec::new();
        for (name, r) in &refs {
            match refs::param_path(name) {
                Some(segs) => paths.push(segs),
                None => problems.push(Problem {
                    param: name.chars().take(80).collect(),
                    message:
                        "is not a param name as a query writes it (`CHAT_ID`, `FIELDS[CHAT_ID]`)"
                            .into(),
                }),
            }
            if !self.commands.iter().any(|c| c.key == r.key) {
                problems.push(Problem {
                    param: name.clone(),
                    message: format!("{r} refers to no earlier command of this batch"),
                });
            }
            problems.extend(r.problem(name));
        }
        if !problems.is_empty() {
            return Err(Error::Refused(Refusal {
                method: M::NAME,
                problems,
            }));
        }
        let names: Vec<String> = paths.iter().map(|s| refs::check_name(s)).collect();
        let mut params = prepare_except(
            self.client,
            &request,
            |p| refs::concerns(p, &names),
            |r| serde_json::to_value(r),
        )?;
        for segs in &paths {
            refs::clear(&mut params, segs);
        }
        let mut query = php_query(&params);
        for (name, r) in &refs {
            if !query.is_empty() {
                query.push('&');
            }
            query.extend(url::form_urlencoded::byte_serialize(name.as_bytes()));
            query.push('=');
            // Literal: the portal looks for `$result[` in the command as written.
            query.push_str(&r.to_string());
        }
        Ok(self.push(format!("{}?{query}", M::NAME)))
    }

    /// Sends the batch as one `batch` call. An empty batch is refused before sending.
    pub async fn send(self) -> Result<BatchAnswer, Error<crate::NoMethodError>> {
        send_commands(self.client, self.halt, self.commands, self.read).await
    }
}

impl<M> Slot<M> {
    pub(crate) fn new(key: String) -> Self {
        Slot {
            key,
            method: PhantomData,
        }
    }
}

/// Checks a call as [`Client::call`] does and encodes it as a batch command, `method?query`.
pub(crate) fn encode<M: Method>(client: &Client, request: &M) -> Result<String, Error<M::Error>> {
    let params = prepare(client, request, |r| serde_json::to_value(r))?;
    let query = php_query(&params);
    Ok(if query.is_empty() {
        M::NAME.to_string()
    } else {
        format!("{}?{query}", M::NAME)
    })
}

/// Sends commands as one `batch` call; `read` when every command is a read. An empty list is
/// refused before sending.
pub(crate) async fn send_commands(
    client: &Client,
    halt: bool,
    commands: Vec<Command>,
    read: bool,
) -> Result<BatchAnswer, Error<crate::NoMethodError>> {
    if commands.is_empty() {
        return Err(refuse("batch", "the batch holds no calls".into()));
    }
    {
        let cmd: serde_json::Map<String, Value> = commands
            .into_iter()
            .map(|c| (c.key, Value::String(c.encoded)))
            .collect();
        let body = serde_json::json!({ "halt": u8::from(halt), "cmd": cmd });
        let raw: Response<RawBatch> = client.send_json("batch", &body, read).await?;
        let r = raw.result;
        let halted = halt && !r.result_error.is_empty();
        Ok(BatchAnswer {
            results: r.result,
            errors: r
                .result_error
                .into_iter()
                .map(|(k, e)| {
                    let code = text(e.get("error"));
                    let description = text(e.get("error_description"));
                    (
                        k,
                        ApiError {
                            code,
                            description,
                            status: 0,
                        },
                    )
                })
                .collect(),
            totals: counts(r.result_total),
            nexts: counts(r.result_next),
            halted,
            time: raw.time,
        })
    }
}

impl BatchAnswer {
    /// The error answer of command `key`, when it failed.
    pub(crate) fn error_of(&self, key: &str) -> Option<&ApiError> {
        self.errors.get(key)
    }

    /// Whether command `key` has a result.
    pub(crate) fn has_result(&self, key: &str) -> bool {
        self.results.contains_key(key)
    }

    /// Takes the outcome of command `key` out of the answer.
    pub(crate) fn take(&mut self, key: &str) -> Taken {
        Taken {
            result: self.results.remove(key),
            error: self.errors.remove(key),
            total: self.totals.remove(key),
            next: self.nexts.remove(key),
        }
    }

    /// Puts an outcome taken from another answer under `key`.
    pub(crate) fn put(&mut self, key: String, t: Taken) {
        if let Some(v) = t.result {
            self.results.insert(key.clone(), v);
        }
        if let Some(e) = t.error {
            self.errors.insert(key.clone(), e);
        }
        if let Some(n) = t.total {
            self.totals.insert(key.clone(), n);
        }
        if let Some(n) = t.next {
            self.nexts.insert(key, n);
        }
    }

    /// Marks the answer as that of a halted run: commands it lacks did not run.
    pub(crate) fn mark_halted(&mut self) {
        self.halted = true;
    }

    /// An answer with no commands.
    pub(crate) fn empty() -> Self {
        BatchAnswer {
            results: BTreeMap::new(),
            errors: BTreeMap::new(),
            totals: BTreeMap::new(),
            nexts: BTreeMap::new(),
            halted: false,
            time: None,
        }
    }

    /// The typed result of a command, or its typed error. An error inside a batch carries no
    /// HTTP status of its own: its `status` is 0.
    pub fn get<M: Method>(&self, slot: &Slot<M>) -> Result<M::Result, Error<M::Error>> {
        if let Some(e) = self.errors.get(&slot.key) {
            return Err(Error::from_api(e.clone()));
        }
        let Some(value) = self.results.get(&slot.key) else {
            if self.halted {
                // The docs: with halt = 1 the portal runs nothing after the first failing
                // command, so this one did not run and may be sent again.
                return Err(refuse(
                    M::NAME,
                    format!(
                        "not run: the batch halted at an earlier failing command ({})",
                        slot.key
                    ),
                ));
            }
            // Without a halt the answer should hold every command: this one may have run, so
            // it is never reported as safe to repeat.
            return Err(Error::Decode(DecodeError::new(
                200,
                None,
                format!(
                    "the batch answer has neither a result nor an error for {} ({}): whether it \
                     ran is unknown",
                    slot.key,
                    M::NAME
                ),
                b"",
            )));
        };
        let result = M::Result::lenient(value).map_err(|e| {
            Error::Decode(DecodeError::new(
                200,
                None,
                format!("result does not match the documented shape: {e}"),
                value.to_string().as_bytes(),
            ))
        })?;
        match M::result_error(&result) {
            Some(e) => Err(Error::from_api(e)),
            None => Ok(result),
        }
    }

    /// For a list method: how many items there are in all.
    pub fn total<M>(&self, slot: &Slot<M>) -> Option<u64> {
        self.totals.get(&slot.key).copied()
    }

    /// For a list method: the `start` of the next page, when there is one.
    pub fn next<M>(&self, slot: &Slot<M>) -> Option<u64> {
        self.nexts.get(&slot.key).copied()
    }
}

/// One command's part of a batch answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Taken {
    pub(crate) result: Option<Value>,
    pub(crate) error: Option<ApiError>,
    pub(crate) total: Option<u64>,
    pub(crate) next: Option<u64>,
}

/// The `result` of a `batch` answer.
#[derive(serde::Deserialize)]
struct RawBatch {
    #[serde(default, deserialize_with = "crate::__private::lenient")]
    result: BTreeMap<String, Value>,
    #[serde(default, deserialize_with = "crate::__private::lenient")]
    result_error: BTreeMap<String, Value>,
    #[serde(default, deserialize_with = "crate::__private::lenient")]
    result_total: BTreeMap<String, Value>,
    #[serde(default, deserialize_with = "crate::__private::lenient")]
    result_next: BTreeMap<String, Value>,
}

impl Lenient for RawBatch {
    fn lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::__private::lenient_object(d)
    }
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn counts(m: BTreeMap<String, Value>) -> BTreeMap<String, u64> {
    m.into_iter()
        .filter_map(|(k, v)| {
            let n = match &v {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            }?;
            Some((k, n))
        })
        .collect()
}

/// Encodes params as PHP's `http_build_query` does.
fn php_query(params: &Value) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    if let Value::Object(map) = params {
        for (k, v) in map {
            push(&mut out, k.clone(), v);
        }
    }
    out.finish()
}

fn push(out: &mut url::form_urlencoded::Serializer<'_, String>, key: String, v: &Value) {
    match v {
        Value::Null => {}
        Value::Bool(b) => {
            out.append_pair(&key, if *b { "1" } else { "0" });
        }
        Value::Number(n) => {
            out.append_pair(&key, &n.to_string());
        }
        Value::String(s) => {
            out.append_pair(&key, s);
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                push(out, format!("{key}[{i}]"), item);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                push(out, format!("{key}[{k}]"), item);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two methods as the generator writes them, reduced to what batching reads: a read
    /// with an optional `CHAT_ID`, and a send whose `CHAT_ID` must be at least 1.
    #[derive(Debug, serde::Serialize)]
    struct DialogGet {
        #[serde(rename = "CHAT_ID", skip_serializing_if = "Option::is_none")]
        chat_id: Option<i64>,
    }
    impl DialogGet {
        fn new() -> Self {
            DialogGet { chat_id: None }
        }
        fn chat_id(self, id: i64) -> Self {
            DialogGet { chat_id: Some(id) }
        }
    }
    impl Method for DialogGet {
        const NAME: &'static str = "imopenlines.dialog.get";
        const SCOPES: &'static [crate::Scope] = &[];
        type Result = serde_json::Value;
        type Error = crate::NoMethodError;
    }
    #[derive(serde::Serialize)]
    struct BotSessionMessageSend {
        #[serde(rename = "CHAT_ID")]
        chat_id: i64,
        #[serde(rename = "MESSAGE", skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    }
    impl BotSessionMessageSend {
        fn new(chat_id: i64) -> Self {
            BotSessionMessageSend {
                chat_id,
                message: None,
            }
        }
        fn message(self, text: &str) -> Self {
            BotSessionMessageSend {
                message: Some(text.into()),
                ..self
            }
        }
    }
    impl Method for BotSessionMessageSend {
        const NAME: &'static str = "imopenlines.bot.session.message.send";
        const SCOPES: &'static [crate::Scope] = &[];
        type Result = bool;
        type Error = crate::NoMethodError;
        fn check(&self, c: &mut crate::__private::Checker) {
            c.int_range("CHAT_ID", &self.chat_id, Some(1i64), None);
        }
    }

    #[test]
    fn a_linked_command_sends_the_reference_in_place_of_the_value() {
        let client = Client::webhook("https://x.bitrix24.com/rest/1/abc/").unwrap();
        let mut batch = client.batch();
        let dialog = batch.add(DialogGet::new().chat_id(7)).unwrap();
        // The placeholder 0 breaks CHAT_ID's documented minimum, but it is not sent.
        assert!(batch.add(BotSessionMessageSend::new(0)).is_err());
        let to = dialog.result().field("id");
        batch
            .add_linked(
                BotSessionMessageSend::new(0).message("hi"),
                [("CHAT_ID", to)],
            )
            .unwrap();
        assert_eq!(
            batch.commands[1].encoded,
            "imopenlines.bot.session.message.send?MESSAGE=hi&CHAT_ID=$result[c0][id]"
        );
        let refused = |r: Result<Slot<DialogGet>, Error<_>>| match r {
            Err(Error::Refused(r)) => r.problems[0].message.clone(),
            other => panic!("{other:?}"),
        };
        let elsewhere = ResultRef::new("c9".into());
        let m = refused(batch.add_linked(DialogGet::new(), [("CHAT_ID", elsewhere)]));
        assert!(m.contains("no earlier command"), "{m}");
        let m = refused(batch.add_linked(DialogGet::new(), [("A&B=1", dialog.result())]));
        assert!(m.contains("not a param name"), "{m}");
        let m = refused(batch.add_linked(
            DialogGet::new(),
            [("CHAT_ID", dialog.result().field("x&CLIENT_ID=1"))],
        ));
        assert!(m.contains("field name"), "{m}");
        assert_eq!(batch.len(), 2, "refused commands never join the batch");
    }

    #[test]
    fn params_are_encoded_as_php_reads_them() {
        let v = serde_json::json!({
            "CHAT_ID": 5, "LEAVE": "Y", "on": true, "off": false, "gone": null,
            "FIELDS": {"NAME": "a b", "LIST": [1, {"X": "&"}]}, "EMPTY": []
        });
        let q = php_query(&v);
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect();
        let get = |k: &str| pairs.iter().find(|(a, _)| a == k).map(|(_, b)| b.as_str());
        assert_eq!(get("CHAT_ID"), Some("5"));
        assert_eq!(get("LEAVE"), Some("Y"));
        assert_eq!((get("on"), get("off")), (Some("1"), Some("0")));
        assert_eq!(get("gone"), None);
        assert_eq!(get("FIELDS[NAME]"), Some("a b"));
        assert_eq!(get("FIELDS[LIST][0]"), Some("1"));
        assert_eq!(get("FIELDS[LIST][1][X]"), Some("&"));
        assert!(!q.contains("EMPTY"));
    }
}
