//! The runtime of [`bitrix-api`](https://docs.rs/bitrix-api): the client, errors, batches,
//! lists, limits, events, OAuth and installation, and the items every namespace shares
//! (`Scope`, `SystemError`, module `types`). The methods live in one crate per namespace.
//!
//! Depend on `bitrix-api`, which re-exports all of this next to the namespaces its cargo
//! features select; this crate is its own so that the namespace crates build side by side.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod batch;
mod bulk;
mod client;
mod envelope;
mod error;
pub mod events;
pub mod install;
pub mod limits;
mod list;
mod method;
pub mod oauth;
mod payload;
mod presend;
mod secret;
mod transport;

#[doc(hidden)]
pub mod __private;

pub use batch::{Batch, BatchAnswer, ResultRef, Slot, MAX_COMMANDS as MAX_BATCH_COMMANDS};
pub use bulk::{Bulk, BulkAnswer, Progress, ProgressFn};
pub use client::{decode_answer, Client, ClientBuilder};
pub use envelope::Response;
pub use error::{
    ApiError, AuthError, ConfigError, DecodeError, Error, LimitKind, ListError, Problem,
    RedirectError, Refusal, RenewerError, TooLargeError, TransportError, DECODE_BODY_KEPT,
};
pub use limits::{LimitStats, RateLimit, RetryPolicy};
pub use list::{ListEnd, ListMethod, Paging};
pub use method::{ErrorDoc, Method, MethodError, NoMethodError};
pub use oauth::{OAuthApp, OAuthConfig, TokenGrant, TokenStore, Tokens};
pub use payload::EventPayload;
pub use secret::Secret;
pub use transport::{RedirectPolicy, DEFAULT_BODY_LIMIT};

// Generated from `spec/` by `cargo run -p bitrix-tools -- generate` and never edited by hand
// (a test fails while it is out of date with the spec): `Scope`, `SystemError` and module
// `types`, from spec/scopes.yaml and spec/common/.
include!("generated/common.rs");
