//! Receiving Bitrix24 events: the wire layer. [`receive`] checks and decodes what a portal
//! POSTs (a PHP form or JSON) into a [`ReceivedEvent`], whose data decodes into any payload
//! type or [`TypedEvent`]. Its overview, with an example, is the page of `bitrix_api::events`,
//! which re-exports all of this.

mod de;
mod envelope;
mod form;
mod limits;
mod offset;
mod redact;
mod reject;
#[cfg(feature = "axum")]
mod router;
mod tree;
mod typed;
mod verify;

pub use de::{from_form, FormDeserializer, PayloadError};
pub use envelope::{auth_json_redacted, EventAuth, EventData, ReceivedEvent, Unverified};
pub use limits::{Limits, HARD_MAX_DEPTH};
pub use offset::{FileOffset, MemoryOffset, OffsetStore};
pub use redact::is_secret_key;
pub use reject::Rejection;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use router::{router, status_of};
pub use tree::{FormMap, FormValue};
pub use typed::TypedEvent;
pub use verify::{tokens_match, AppTokens, FixedToken, LookupError, Portal};

use form::FormError;

/// Parses, checks and hands over one received event (see the [module docs](self)).
pub async fn receive<T: AppTokens>(
    content_type: &str,
    body: &[u8],
    limits: &Limits,
    tokens: &T,
) -> Result<ReceivedEvent, Rejection> {
    let event = parse(content_type, body, limits)?;
    if !event.has_token() {
        return Err(Rejection::MissingToken);
    }
    let expected = tokens
        .application_token(event.portal())
        .await
        .map_err(|e| Rejection::TokenLookup(e.to_string()))?;
    event.verify(expected.as_ref())
}

/// Parses a received body without checking its token: the first half of [`receive`], for
/// callers that look the token up themselves (then [`Unverified::verify`]).
pub fn parse(content_type: &str, body: &[u8], limits: &Limits) -> Result<Unverified, Rejection> {
    let kind = body_kind(content_type)?;
    if body.len() > limits.max_body {
        return Err(Rejection::BodyTooLarge {
            size: body.len(),
            limit: limits.max_body,
        });
    }
    match kind {
        BodyKind::Form => {
            let mut root = parse_form(body, limits)?;
            let data = root
                .remove("data")
                .unwrap_or(FormValue::Map(FormMap::new()));
            let head = envelope::head_from_form(&FormValue::Map(root));
            Unverified::from_parts(head, EventData::Form(data))
        }
        BodyKind::Json => {
            check_json_depth(body, limits.depth())?;
            let value: serde_json::Value = serde_json::from_slice(body)
                .map_err(|e| Rejection::MalformedEncoding(format!("JSON: {}", json_reason(&e))))?;
            let serde_json::Value::Object(mut root) = value else {
                return Err(Rejection::NotAnEvent);
            };
            let data = root.remove("data").unwrap_or(serde_json::Value::Null);
            let head = envelope::head_from_json(&serde_json::Value::Object(root));
            Unverified::from_parts(head, EventData::Json(data))
        }
    }
}

/// Parses an `application/x-www-form-urlencoded` body into its top-level map, by the rules of
/// PHP 8.2's `$_POST` / `parse_str`:
///
/// - fields are split on `&`; empty fields are skipped; a field without `=` has the value `""`;
///   the first `=` splits name from value (later ones belong to the value);
/// - name and value are percent-decoded: `+` is a space, `%XX` with two hex digits is that
///   byte, any other `%` stays as it is;
/// - the name ends at its first NUL byte (`%00`); values keep NUL bytes;
/// - leading spaces of the name are dropped; before the first `[`, spaces and dots become `_`
///   (`a.b c` is `a_b_c`); a field whose name is empty there is dropped (`=1`, `[a]=1`);
/// - `[key]` after the name nests; `[]` (or `[ ]`) appends under the next integer key (one
///   more than the largest integer key so far, negative ones included; 0 in a fresh map); one
///   leading space inside brackets stays in the key (`[ b]` is `" b"`); a key runs to the first
///   `]` (`[b[c]]` is the key `b[c`); anything after a `]` that is not `[` is ignored;
/// - a first `[` without a `]` is no bracket: it and every later space, dot or `[` become `_`
///   (`a[b` is `a_b`); a later unclosed `[` ends the name (`a[b][c` is `a[b]`);
/// - keys that are canonical integers (`0`, `42`, `-3`; not `05`) are integer keys, which only
///   matters for where `[]` appends;
/// - a repeated name replaces the earlier value in its place (the last one wins); a name that
///   nests under a string replaces that string with a map; a plain name replaces a map;
/// - an append to a map whose integer keys reached `i64::MAX` is dropped.
///
/// Where PHP silently drops or keeps, this parser rejects: a name nested deeper than
/// [`Limits::max_depth`] (PHP drops the whole top-level variable), more fields than
/// [`Limits::max_fields`] (PHP keeps the first ones), a body over [`Limits::max_body`], and
/// bytes that are not UTF-8 once decoded (PHP strings are bytes).
///
/// The parse is linear in the body's size and does not recurse.
pub fn parse_form(body: &[u8], limits: &Limits) -> Result<FormMap, Rejection> {
    form::parse(body, limits).map_err(|e| match e {
        FormError::TooLarge { size } => Rejection::BodyTooLarge {
            size,
            limit: limits.max_body,
        },
        FormError::TooManyFields => Rejection::TooManyFields {
            limit: limits.max_fields,
        },
        FormError::TooDeep => Rejection::NestingTooDeep {
            limit: limits.depth(),
        },
        FormError::NotUtf8 { field } => {
            Rejection::MalformedEncoding(format!("field {field} is not UTF-8 once decoded"))
        }
    })
}

enum BodyKind {
    Form,
    Json,
}

fn body_kind(content_type: &str) -> Result<BodyKind, Rejection> {
    let wrong = || Rejection::WrongContentType(reject::clip(content_type));
    let mut parts = content_type.split(';');
    let media = parts.next().unwrap_or("").trim();
    for param in parts {
        let (name, value) = param.split_once('=').unwrap_or((param, ""));
        if name.trim().eq_ignore_ascii_case("charset") {
            let cs = value.trim().trim_matches('"');
            if !cs.eq_ignore_ascii_case("utf-8") && !cs.eq_ignore_ascii_case("utf8") {
                return Err(wrong());
            }
        }
    }
    if media.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        Ok(BodyKind::Form)
    } else if media.eq_ignore_ascii_case("application/json") {
        Ok(BodyKind::Json)
    } else {
        Err(wrong())
    }
}

/// Refuses JSON nested deeper than a form body may be: the top-level object stands for the
/// form's top level, so `limit + 1` objects or arrays inside one another are allowed.
fn check_json_depth(body: &[u8], limit: usize) -> Result<(), Rejection> {
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    for &b in body {
        if in_str {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > limit + 1 {
                    return Err(Rejection::NestingTooDeep { limit });
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// A JSON parse error without the text it quotes (its category and position only).
fn json_reason(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Io => "unreadable",
        Category::Syntax => "syntax error",
        Category::Data => "unexpected data",
        Category::Eof => "truncated",
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: &str = "application/x-www-form-urlencoded";

    async fn run(ct: &str, body: &str, token: &str) -> Result<ReceivedEvent, Rejection> {
        receive(
            ct,
            body.as_bytes(),
            &Limits::default(),
            &FixedToken::new(token),
        )
        .await
    }

    #[test]
    fn content_types() {
        assert!(body_kind("application/x-www-form-urlencoded").is_ok());
        assert!(body_kind("Application/X-WWW-Form-URLEncoded; charset=UTF-8").is_ok());
        assert!(body_kind("application/json;charset=\"utf-8\"").is_ok());
        for ct in [
            "text/plain",
            "",
            "multipart/form-data; boundary=x",
            "application/json; charset=latin1",
        ] {
            assert!(
                matches!(body_kind(ct), Err(Rejection::WrongContentType(_))),
                "{ct}"
            );
        }
    }

    #[tokio::test]
    async fn a_form_event_is_verified_and_handed_over() {
        let body =
            "event=ONAPPINSTALL&ts=1696527000&data[VERSION]=1&auth[application_token]=tok123\
                    &auth[access_token]=acc456&auth[member_id]=m1&auth[expires_in]=3600";
        let ev = run(FORM, body, "tok123").await.unwrap();
        assert_eq!(ev.event, "ONAPPINSTALL");
        assert_eq!(ev.ts, Some(1696527000));
        assert_eq!(ev.auth.expires_in, Some(3600));
        assert_eq!(ev.auth.member_id.as_deref(), Some("m1"));
        assert_eq!(
            ev.auth.access_token.as_ref().map(|s| s.expose()),
            Some("acc456")
        );
        let shown = format!("{ev:?} {}", ev.to_json_redacted());
        assert!(
            !shown.contains("tok123") && !shown.contains("acc456"),
            "{shown}"
        );
        assert_eq!(
            run(FORM, body, "tok124").await.unwrap_err(),
            Rejection::WrongToken
        );
    }

    #[tokio::test]
    async fn rejections() {
        assert_eq!(
            run(FORM, "event=X&auth[domain]=d", "t").await.unwrap_err(),
            Rejection::MissingToken
        );
        assert_eq!(
            run(FORM, "event=X&auth[application_token]=", "t")
                .await
                .unwrap_err(),
            Rejection::MissingToken
        );
        assert_eq!(
            run(FORM, "data[a]=1&auth[application_token]=t", "t")
                .await
                .unwrap_err(),
            Rejection::NotAnEvent
        );
        assert_eq!(
            run(FORM, "event=X&auth[application_token]=t", "")
                .await
                .unwrap_err(),
            Rejection::UnknownPortal
        );
        assert_eq!(
            run("application/json", "[1]", "t").await.unwrap_err(),
            Rejection::NotAnEvent
        );
        assert!(matches!(
            run("application/json", "{\"event\":", "t").await,
            Err(Rejection::MalformedEncoding(_))
        ));
        let deep = format!(
            "{{\"event\":\"X\",\"data\":{}1{}}}",
            "[".repeat(70),
            "]".repeat(70)
        );
        assert_eq!(
            run("application/json", &deep, "t").await.unwrap_err(),
            Rejection::NestingTooDeep { limit: 64 }
        );
        let deep = format!(
            "{{\"event\":\"X\",\"data\":\"{}\",\"auth\":{{\"application_token\":\"t\"}}}}",
            "[".repeat(70)
        );
        assert!(
            run("application/json", &deep, "t").await.is_ok(),
            "brackets inside strings do not nest"
        );
    }

    #[tokio::test]
    async fn json_errors_do_not_quote_the_body() {
        let e = run(
            "application/json",
            "{\"auth\": {\"application_token\": \"sekrit\" x}}",
            "t",
        )
        .await
        .unwrap_err();
        assert!(!e.to_string().contains("sekrit"), "{e}");
    }
}
