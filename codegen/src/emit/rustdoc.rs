//! Rustdoc text: escaping spec prose for rustdoc and building the method page
//! (summary, scopes, access, params table, result, errors table, official link).

use crate::ir::{Auth, ErrorVariantIr, EventIr, FieldIr, MethodIr, Presence};
use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "..."]` attributes, one per line, so that the rendered code shows `///` lines.
pub fn attrs(text: &str) -> TokenStream {
    let lines = doc_lines(text).map(|l| quote!(#[doc = #l]));
    quote!(#(#lines)*)
}

/// `#![doc = "…"]` attributes, one per line of `text`: the docs of the enclosing item (a
/// crate root), written as `//!` lines once formatted.
pub fn inner_attrs(text: &str) -> TokenStream {
    let lines = doc_lines(text).map(|l| quote!(#![doc = #l]));
    quote!(#(#lines)*)
}

/// The lines of `text` as doc attribute values: a leading space before each non-empty line.
fn doc_lines(text: &str) -> impl Iterator<Item = String> + '_ {
    text.trim_end().lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    })
}

/// Makes free text safe for rustdoc: outside inline code, `<`, `>` and `[`, `]` are escaped
/// so that they are neither HTML tags nor intra-doc links, and bare URLs get angle brackets.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(part);
            continue;
        }
        let mut rest = part;
        while let Some(pos) = rest.find("http") {
            let (before, tail) = rest.split_at(pos);
            push_escaped(&mut out, before);
            if tail.starts_with("https://") || tail.starts_with("http://") {
                let end = tail
                    .find(|c: char| c.is_whitespace() || c == ')' || c == '>' || c == '"')
                    .unwrap_or(tail.len());
                let url = tail[..end].trim_end_matches(['.', ',', ';']);
                out.push('<');
                out.push_str(url);
                out.push('>');
                rest = &tail[url.len()..];
            } else {
                push_escaped(&mut out, &tail[..4]);
                rest = &tail[4..];
            }
        }
        push_escaped(&mut out, rest);
    }
    // An odd number of backticks would open code that never closes; close it.
    if text.matches('`').count() % 2 == 1 {
        out.push('`');
    }
    out
}

fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            _ => out.push(c),
        }
    }
}

/// Text for a table cell: one line, pipes escaped.
pub fn cell(text: &str) -> String {
    escape(&text.split_whitespace().collect::<Vec<_>>().join(" ")).replace('|', "\\|")
}

/// The doc comment of a field.
pub fn field(f: &FieldIr) -> String {
    let mut s = format!("`{}` ({}", f.wire, f.wire_type);
    match f.presence {
        Presence::Required => s.push_str(", required"),
        Presence::WebhookOnly => s.push_str(", required for webhook calls"),
        Presence::Optional | Presence::Nullable => {}
    }
    s.push(')');
    if !f.doc.is_empty() {
        s.push_str(": ");
        s.push_str(&escape(&f.doc));
    }
    if let Some(r) = &f.constraints.required_if {
        s.push_str(&format!(
            " Required when `{}` is `{}`.",
            r.sibling.wire, r.value
        ));
    }
    if let Some(n) = f.constraints.max_items {
        s.push_str(&format!(" At most {n} items."));
    }
    if f.presence == Presence::Nullable {
        s.push_str(" Set it to `None` to send null, which clears the value.");
    }
    if let Some(d) = &f.deprecated {
        s.push_str(&format!("\n\nDeprecated: {}", escape(d)));
    }
    if f.secret {
        s.push_str("\n\nA credential: a [`Secret`](runtime::Secret), never shown by `Debug`.");
    }
    s
}

/// The doc comment of a request struct: the whole method page.
pub fn method(m: &MethodIr) -> String {
    let mut s = format!("{}\n\n`{}`", escape(&m.summary), m.wire);
    if let Some(d) = &m.description {
        s.push_str("\n\n");
        s.push_str(&escape(d.trim()));
    }
    if let Some(d) = &m.deprecated {
        s.push_str(&format!("\n\n**Deprecated**: {}.", escape(d)));
    }
    // A list, so that each line renders on a line of its own.
    let scopes: Vec<String> = m.scopes.iter().map(|s| format!("`{}`", s.wire)).collect();
    s.push_str(&format!("\n\n- **Scopes:** {}", scopes.join(", ")));
    if let Some(a) = &m.access {
        s.push_str(&format!(
            "\n- **Who may call:** {}",
            escape(&a.split_whitespace().collect::<Vec<_>>().join(" "))
        ));
    }
    let auth: Vec<&str> = m
        .auth
        .iter()
        .map(|a| match a {
            Auth::OAuth => "OAuth",
            Auth::Webhook => "webhook",
            Auth::Session => "browser session",
        })
        .collect();
    s.push_str(&format!("\n- **Auth:** {}", auth.join(", ")));
    if m.read {
        s.push_str("\n- **Reads only:** repeated after a transport failure or a 5xx");
    }
    if let Some(l) = &m.list {
        let how = list_how(l);
        s.push_str(&format!(
            "\n- **List:** [`Client::list`](runtime::Client::list) streams every item ({how})"
        ));
    }

    s.push_str("\n\n# Parameters\n\n");
    if m.params.is_empty() {
        s.push_str("None.");
    } else {
        s.push_str("| Param | Field | Type | Required | Description |\n|---|---|---|---|---|\n");
        for p in &m.params {
            let req = match p.presence {
                Presence::Required => "yes",
                Presence::Optional | Presence::Nullable => "no",
                Presence::WebhookOnly => "webhook",
            };
            s.push_str(&format!(
                "| `{}` | `{}` | {} | {} | {} |\n",
                p.wire,
                p.ident.trim_start_matches("r#"),
                cell(&p.wire_type),
                req,
                cell(&p.doc)
            ));
        }
        s.truncate(s.trim_end().len());
        for g in &m.one_of {
            let names: Vec<String> = g.members.iter().map(|f| format!("`{}`", f.wire)).collect();
            s.push_str(&format!(
                "\n\nAt least one of {} must be given.",
                names.join(", ")
            ));
        }
    }
    s.push_str(&format!("\n\n# Result\n\n`{}`", m.result_wire_type));
    if !m.result_doc.trim().is_empty() {
        s.push_str(": ");
        s.push_str(&escape(m.result_doc.trim()));
    }
    s.push_str("\n\n# Errors\n\n");
    match &m.errors {
        None => s.push_str("No method-specific errors are documented; system errors apply."),
        Some(e) => {
            s.push_str(&format!(
                "Documented errors arrive as [`{}`]; system errors as [`SystemError`](runtime::SystemError).\n\n",
                e.name
            ));
            s.push_str(errors_table(&e.variants).trim_end());
        }
    }
    if !m.deviations.is_empty() {
        s.push_str("\n\n# Differences from the official page\n");
        for d in &m.deviations {
            s.push_str(&format!("\n- `{}`: {}", d.name, escape(d.reason.trim())));
        }
    }
    see_also(&mut s, &m.see_also);
    s.push_str(&format!("\n\n[Official documentation]({})", m.docs_url));
    s
}

/// The doc comment of an event's payload struct: the whole event page.
pub fn event(e: &EventIr) -> String {
    let mut s = format!("{}\n\n`{}`", escape(&e.summary), e.wire);
    if let Some(d) = &e.description {
        s.push_str("\n\n");
        s.push_str(&escape(d.trim()));
    }
    if let Some(d) = &e.deprecated {
        s.push_str(&format!("\n\n**Deprecated**: {}.", escape(d)));
    }
    let scopes: Vec<String> = e.scopes.iter().map(|s| format!("`{}`", s.wire)).collect();
    s.push_str(&format!("\n\n- **Scopes:** {}", scopes.join(", ")));
    if let Some(a) = &e.subscribers {
        s.push_str(&format!(
            "\n- **Who may subscribe:** {}",
            escape(&a.split_whitespace().collect::<Vec<_>>().join(" "))
        ));
    }
    s.push_str("\n\n# Data\n\n");
    if e.value.is_some() {
        s.push_str("A single value, not an object: the payload's `.0`.");
    } else if e.fields.is_empty() {
        s.push_str("None.");
    } else {
        s.push_str("| Key | Field | Type | Description |\n|---|---|---|---|\n");
        for f in &e.fields {
            s.push_str(&format!(
                "| `{}` | `{}` | {} | {} |\n",
                f.wire,
                f.ident.trim_start_matches("r#"),
                cell(&f.wire_type),
                cell(&f.doc)
            ));
        }
        s.truncate(s.trim_end().len());
    }
    s.push_str(
        "\n\nDecoded from a webhook delivery (form-encoded, every value a string) and from \
         fetch mode (JSON) alike.",
    );
    if !e.deviations.is_empty() {
        s.push_str("\n\n# Differences from the official page\n");
        for d in &e.deviations {
            s.push_str(&format!("\n- `{}`: {}", d.name, escape(d.reason.trim())));
        }
    }
    see_also(&mut s, &e.see_also);
    s.push_str(&format!("\n\n[Official documentation]({})", e.docs_url));
    s
}

/// Appends the "See also" line, when there are related items.
fn see_also(s: &mut String, items: &[crate::ir::SeeAlso]) {
    if items.is_empty() {
        return;
    }
    let links: Vec<String> = items
        .iter()
        .map(|see| match &see.path {
            Some(path) => format!("[`{}`]({path})", see.wire),
            None => format!("`{}`", see.wire),
        })
        .collect();
    s.push_str(&format!("\n\n**See also:** {}", links.join(", ")));
}

/// A Markdown table of error cases: status, code, message, meaning.
pub fn errors_table(variants: &[ErrorVariantIr]) -> String {
    let mut s = String::from("| Status | Code | Message | When |\n|---|---|---|---|\n");
    for v in variants {
        for c in &v.cases {
            s.push_str(&format!(
                "| {}{} | {} | {} | {} |\n",
                c.status,
                if c.in_result { " (in result)" } else { "" },
                code_text(&v.code),
                c.message.as_deref().map(cell).unwrap_or_default(),
                c.when.as_deref().map(cell).unwrap_or_default()
            ));
        }
    }
    s
}

/// An error code as shown in the docs: `` `CODE` ``, or "(empty code)" for `""`.
fn code_text(code: &str) -> String {
    if code.is_empty() {
        "(empty code)".to_string()
    } else {
        format!("`{code}`")
    }
}

/// The doc comment of an error variant.
pub fn error_variant(v: &ErrorVariantIr) -> String {
    let mut s = code_text(&v.code);
    if v.code.is_empty() {
        s.push_str(": the server sends no code, only a message; the cases below tell them apart");
    }
    for c in &v.cases {
        s.push_str(&format!("\n\n- HTTP {}", c.status));
        if c.in_result {
            s.push_str(" (inside the result)");
        }
        if let Some(m) = &c.message {
            s.push_str(&format!(": \"{}\"", escape(m)));
        }
        if let Some(w) = &c.when {
            s.push_str(&format!(" — {}", escape(w.trim())));
        }
    }
    s
}

/// How `Client::list` walks a list method, for its rustdoc.
fn list_how(l: &crate::ir::ListIr) -> String {
    use crate::ir::{EndIr, WalkIr};
    let end = |e: &EndIr| match e {
        EndIr::Short => "until a short page".to_string(),
        EndIr::Total => "until `total`".to_string(),
        EndIr::Flag(f) => format!("while `{}` is true", f.ident.trim_start_matches("r#")),
    };
    let size = l.page_size.unwrap_or(50);
    match &l.walk {
        WalkIr::Start { fast: Some(_), .. } => {
            "fast: `start=-1` and `>ID`, a page per request".into()
        }
        WalkIr::Start { fast: None, .. } => "by `start`, 50 pages per batch request".into(),
        WalkIr::Offset { end: e, .. } => {
            format!("by offset, {size} a page, a page per request, {}", end(e))
        }
        WalkIr::Cursor { from, end: e, .. } => format!(
            "by cursor from the last item's `{}`, {size} a page, a page per request, {}",
            from.ident.trim_start_matches("r#"),
            end(e)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_code_is_named_in_words() {
        let v = ErrorVariantIr {
            variant: "NoCode".into(),
            code: String::new(),
            cases: vec![crate::ir::ErrorCaseIr {
                status: 400,
                message: Some("Access denied.".into()),
                when: None,
                in_result: false,
            }],
        };
        assert!(error_variant(&v).starts_with("(empty code): the server sends no code"));
        assert!(errors_table(std::slice::from_ref(&v))
            .contains("| 400 | (empty code) | Access denied. |"));
        assert!(!errors_table(&[v]).contains("``"));
    }

    #[test]
    fn escapes_html_links_and_urls_outside_code() {
        assert_eq!(escape("chat<ID> `chat<ID>`"), "chat&lt;ID&gt; `chat<ID>`");
        assert_eq!(escape("FIELDS[NAME]"), "FIELDS\\[NAME\\]");
        assert_eq!(escape("see https://x.y/a."), "see <https://x.y/a>.");
        assert_eq!(escape("odd `tick"), "odd `tick`");
    }
}
