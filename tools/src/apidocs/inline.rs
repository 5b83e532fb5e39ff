//! Inline Markdown helpers: plain text of a fragment, code spans, link targets, and
//! method-name tokens.

/// The plain text of a Markdown fragment: links become their text, emphasis marks and
/// code-span backticks go, escapes are resolved, whitespace collapses to single spaces.
pub fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() && chars[i + 1].is_ascii_punctuation() => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '/' if i + 1 < chars.len() && (chars[i + 1] == '{' || chars[i + 1] == '}') => {
                // `/{BOT_ID/}` is how some pages escape braces.
                out.push(chars[i + 1]);
                i += 2;
            }
            '!' if chars.get(i + 1) == Some(&'[') => i += 1,
            '[' => {
                // `[text](target)`: keep the text, drop the target.
                if let Some(close) = find_link_close(&chars, i) {
                    out.push_str(&plain(&chars[i + 1..close].iter().collect::<String>()));
                    i = skip_link_target(&chars, close + 1);
                } else {
                    out.push(c);
                    i += 1;
                }
            }
            '`' => i += 1,
            '*' | '_' if is_emphasis(&chars, i) => i += 1,
            c if c.is_whitespace() => {
                if !out.ends_with(' ') && !out.is_empty() {
                    out.push(' ');
                }
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out.trim().to_string()
}

/// `*` and `_` runs of two or more are emphasis marks; single `_` inside a word is not.
fn is_emphasis(chars: &[char], i: usize) -> bool {
    let c = chars[i];
    let prev = i.checked_sub(1).map(|j| chars[j]);
    let next = chars.get(i + 1).copied();
    if next == Some(c) || prev == Some(c) {
        return true;
    }
    if c == '_' {
        let word = |x: Option<char>| x.is_some_and(|x| x.is_alphanumeric());
        return !(word(prev) && word(next));
    }
    // A single `*` touching a word on one side only is emphasis.
    let space = |x: Option<char>| x.is_none_or(|x| x.is_whitespace());
    space(prev) != space(next)
}

/// Index of the `]` that closes the link text opened at `open`, when `(` follows it.
fn find_link_close(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0;
    let mut in_code = false;
    for (j, &c) in chars.iter().enumerate().skip(open) {
        match c {
            '`' => in_code = !in_code,
            '[' if !in_code => depth += 1,
            ']' if !in_code => {
                depth -= 1;
                if depth == 0 {
                    return (chars.get(j + 1) == Some(&'(')).then_some(j);
                }
            }
            _ => {}
        }
    }
    None
}

/// Past the `(target)` that starts at `i` (which holds `(`).
fn skip_link_target(chars: &[char], i: usize) -> usize {
    let mut depth = 0;
    for (j, &c) in chars.iter().enumerate().skip(i) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
    }
    chars.len()
}

/// The contents of the code spans in `s`, in order.
pub fn code_spans(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'`' {
            i += 1;
            continue;
        }
        let n = b[i..].iter().take_while(|&&x| x == b'`').count();
        let start = i + n;
        let mut j = start;
        let mut end = None;
        while j < b.len() {
            if b[j] == b'`' {
                let m = b[j..].iter().take_while(|&&x| x == b'`').count();
                if m == n {
                    end = Some(j);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        match end {
            Some(e) => {
                out.push(s[start..e].trim().to_string());
                i = e + n;
            }
            None => i = start,
        }
    }
    out
}

/// The targets of the links in `s` that point inside the same page (`(#anchor)`).
pub fn local_anchors(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(p) = rest.find("](#") {
        let after = &rest[p + 3..];
        let end = after
            .find(|c: char| c == ')' || c.is_whitespace())
            .unwrap_or(after.len());
        if end > 0 {
            out.push(after[..end].to_string());
        }
        rest = &after[end..];
    }
    out
}

/// The texts of the links in `s` (`[text](target)`), in plain form.
pub fn link_texts(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '[' {
            if let Some(close) = find_link_close(&chars, i) {
                out.push(plain(&chars[i + 1..close].iter().collect::<String>()));
                i = skip_link_target(&chars, close + 1);
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Whether `s` looks like a REST method name: dot-separated segments of letters, digits,
/// `_` (and `{placeholders}`), starting with a letter, at least two segments.
pub fn is_method_name(s: &str) -> bool {
    let mut parts = 0;
    for seg in s.split('.') {
        parts += 1;
        if seg.is_empty()
            || !seg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_{}".contains(c))
        {
            return false;
        }
    }
    parts >= 2 && s.starts_with(|c: char| c.is_ascii_alphabetic()) && !s.ends_with(".md")
}

/// Method-name tokens in a line of plain text, in order.
pub fn method_tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || "._{}".contains(c)))
        .map(|t| t.trim_end_matches('.'))
        .filter(|t| is_method_name(t))
        .map(str::to_string)
        .collect()
}

/// Collapses runs of whitespace into single spaces and trims.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text() {
        assert_eq!(
            plain("[`string`](../x.md)\\|[`integer`](y)"),
            "string|integer"
        );
        assert_eq!(plain("**CHAT_ID**  is `x`"), "CHAT_ID is x");
        assert_eq!(plain("a_b and *c*"), "a_b and c");
        assert_eq!(plain("Element /{BOT_ID/}"), "Element {BOT_ID}");
    }

    #[test]
    fn spans_and_links() {
        assert_eq!(code_spans("`a` and ```b|c```"), ["a", "b|c"]);
        assert_eq!(
            local_anchors("see [below](#fields) and [x](#y)"),
            ["fields", "y"]
        );
        assert_eq!(
            link_texts("use [imbot.v2.Bot.register](../a.md)"),
            ["imbot.v2.Bot.register"]
        );
    }

    #[test]
    fn method_names() {
        assert!(is_method_name("imbot.v2.Chat.Message.send"));
        assert!(is_method_name("crm.item.{entityTypeId}.list"));
        assert!(!is_method_name("2.0"));
        assert!(!is_method_name("batch"));
        assert_eq!(
            method_tokens("Send a message in the imopenlines.bot.session.message.send Dialog."),
            ["imopenlines.bot.session.message.send"]
        );
    }
}
