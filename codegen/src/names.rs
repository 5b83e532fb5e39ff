//! Naming rules: how wire names become Rust names. Pure functions, used only by `lower`.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict and reserved) that need a raw identifier.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore instead.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// The namespace of a method: its first segment, joined with a version segment that follows
/// (`imbot.v2.Bot.register` → `imbot_v2`).
pub fn namespace(method: &str) -> (String, String) {
    let segs: Vec<&str> = method.split('.').collect();
    if segs.len() > 2 && is_version(segs[1]) {
        (
            format!("{}_{}", segs[0], segs[1]).to_snake_case(),
            format!("{}.{}", segs[0], segs[1]),
        )
    } else {
        (segs[0].to_snake_case(), segs[0].to_string())
    }
}

fn is_version(seg: &str) -> bool {
    seg.len() > 1 && seg.starts_with('v') && seg[1..].bytes().all(|b| b.is_ascii_digit())
}

/// The name by which generated code names the runtime crate (`bitrix-api-runtime`), as
/// `runtime::Method`: every generated root file declares it (`extern crate bitrix_api_runtime
/// as runtime;` in a namespace crate and the facade, `extern crate self as runtime;` in the
/// runtime), which puts it in the crate's extern prelude, so one short path serves every
/// module of every crate the code is generated into.
pub const RUNTIME: &str = "runtime";

/// The package name of the crate that holds namespace `module`: `bitrix-api-imbot-v2`.
#[cfg(feature = "format")]
pub fn namespace_crate(module: &str) -> String {
    format!("bitrix-api-{}", module.replace('_', "-"))
}

/// Where a method's (or an event's) generated code goes: its module and its struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodPlace {
    /// The namespace module (and cargo feature), `imbot_v2`.
    pub module: String,
    /// The request struct, `BotRegister`.
    pub struct_name: String,
}

/// The place of a method. Without `namespace_key` (the method file's `namespace`), the module
/// comes from the name ([`namespace`]) and the struct from the segments after it
/// ([`request_struct`]). With it, the module is that key and the struct joins every segment of
/// the name (`server.time` in `app` → `ServerTime`), since no prefix was taken off.
pub fn method_place(method: &str, namespace_key: Option<&str>) -> MethodPlace {
    match namespace_key {
        Some(module) if module != namespace(method).0 => MethodPlace {
            module: module.to_string(),
            struct_name: camel(&method.replace('.', "_")),
        },
        _ => MethodPlace {
            module: namespace(method).0,
            struct_name: request_struct(method),
        },
    }
}

/// The request struct name: the segments after the namespace, in UpperCamelCase.
pub fn request_struct(method: &str) -> String {
    let (_, prefix) = namespace(method);
    let rest = method[prefix.len()..].trim_start_matches('.');
    let rest = if rest.is_empty() { method } else { rest };
    camel(&rest.replace('.', "_"))
}

/// UpperCamelCase of any wire text (`CHAT_ID` → `ChatId`, `botToken` → `BotToken`).
pub fn camel(s: &str) -> String {
    let c = s.to_upper_camel_case();
    if c.is_empty() || c.starts_with(|ch: char| ch.is_ascii_digit()) {
        format!("V{c}")
    } else {
        c
    }
}

/// The variant an error code gets in an error enum: UpperCamelCase of the code
/// (`CHAT_ID_EMPTY` → `ChatIdEmpty`), and [`NO_CODE_VARIANT`] for the empty code some pages
/// document (the server answers `"error": ""` with only an `error_description`).
pub fn error_variant(code: &str) -> String {
    if code.is_empty() {
        NO_CODE_VARIANT.to_string()
    } else {
        camel(code)
    }
}

/// The variant of the errors documented with an empty code.
pub const NO_CODE_VARIANT: &str = "NoCode";

/// snake_case Rust field name of a wire name, as text without the `r#` prefix.
pub fn snake(s: &str) -> String {
    let c = s.to_snake_case();
    if c.is_empty() || c.starts_with(|ch: char| ch.is_ascii_digit()) {
        format!("f_{c}")
    } else {
        c
    }
}

/// Whether a name is a Rust keyword.
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// Whether the generated code can write `s` as an identifier: ASCII letters, digits and `_`,
/// not starting with a digit, not `_` alone and not a keyword; or `r#` before a keyword that
/// may be raw (`r#type`). Stricter than Rust (no non-ASCII letters), so that every name the
/// generator emits reads the same everywhere.
pub fn is_ident(s: &str) -> bool {
    if let Some(raw) = s.strip_prefix("r#") {
        return is_word(raw) && !NOT_RAW.contains(&raw);
    }
    is_word(s) && !is_keyword(s)
}

/// ASCII letters, digits and `_`, not starting with a digit, and not `_` alone.
fn is_word(s: &str) -> bool {
    let mut bytes = s.bytes();
    match bytes.next() {
        Some(b) if b.is_ascii_alphabetic() || b == b'_' => {}
        _ => return false,
    }
    s != "_" && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The identifier text to emit for a field name: `r#type` for keywords, `self_` for those
/// that cannot be raw.
pub fn field_ident(s: &str) -> String {
    if NOT_RAW.contains(&s) {
        format!("{s}_")
    } else if is_keyword(s) {
        format!("r#{s}")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces() {
        assert_eq!(namespace("imopenlines.bot.session.finish").0, "imopenlines");
        assert_eq!(
            namespace("imbot.v2.Bot.register"),
            ("imbot_v2".into(), "imbot.v2".into())
        );
        assert_eq!(namespace("im.v2.Chat.get").0, "im_v2");
        assert_eq!(namespace("imbot.app.register").0, "imbot");
    }

    #[test]
    fn places() {
        let place = |m, k| {
            let p = method_place(m, k);
            (p.module, p.struct_name)
        };
        assert_eq!(
            place("server.time", Some("app")),
            ("app".into(), "ServerTime".into())
        );
        assert_eq!(place("scope", Some("app")), ("app".into(), "Scope".into()));
        assert_eq!(
            place("app.info", Some("app")),
            ("app".into(), "Info".into())
        );
        assert_eq!(place("app.info", None), ("app".into(), "Info".into()));
        assert_eq!(
            place("imbot.v2.Bot.list", None),
            ("imbot_v2".into(), "BotList".into())
        );
    }

    #[test]
    fn error_variants_and_the_empty_code() {
        assert_eq!(error_variant("CHAT_ID_EMPTY"), "ChatIdEmpty");
        assert_eq!(error_variant("expired_token"), "ExpiredToken");
        assert_eq!(error_variant(""), NO_CODE_VARIANT);
        assert_eq!(
            error_variant("NO_CODE"),
            NO_CODE_VARIANT,
            "a collision lower reports"
        );
    }

    #[test]
    fn structs_and_fields() {
        assert_eq!(
            request_struct("imopenlines.bot.session.finish"),
            "BotSessionFinish"
        );
        assert_eq!(request_struct("imbot.v2.Bot.register"), "BotRegister");
        assert_eq!(
            request_struct("imbot.v2.Chat.Message.send"),
            "ChatMessageSend"
        );
        assert_eq!(snake("CHAT_ID"), "chat_id");
        assert_eq!(snake("dialogId"), "dialog_id");
        assert_eq!(field_ident("type"), "r#type");
        assert_eq!(field_ident("self"), "self_");
        assert_eq!(camel("CHAT_ID_EMPTY"), "ChatIdEmpty");
        assert_eq!(camel("expired_token"), "ExpiredToken");
        assert_eq!(camel("1c"), "V1c");
    }

    #[test]
    fn identifiers() {
        for ok in ["chat_id", "ChatId", "_x", "v2", "r#type", "r#fn"] {
            assert!(is_ident(ok), "{ok}");
        }
        for bad in [
            "", "_", "2x", "type", "Self", "self", "r#self", "r#crate", "r#", "a-b", "a b", "чат",
            "r#чат", "x!",
        ] {
            assert!(!is_ident(bad), "{bad}");
        }
        assert!(is_ident(&field_ident("type")));
    }
}
