//! A cheap, linear pre-scan of YAML text that bounds its nesting before the parser sees it.
//!
//! The YAML parser takes time that grows with the square of the nesting depth, so a small
//! file of nested `[` could stall a build. This scan counts block levels (indentation, `- `
//! and `? ` indicators) and flow levels (`[`, `{`) outside quotes, comments and block
//! scalars. It errs towards counting a level too many in odd plain text, never one too few in
//! real structure; the limit is far above what any spec file needs.

/// Where `text` first nests deeper than `max`: the 1-based line and the depth reached there.
pub fn too_deep(text: &str, max: usize) -> Option<(usize, usize)> {
    let mut scan = Scan::default();
    for (n, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        // A lone CR also breaks lines in YAML.
        for part in line.split('\r') {
            if let Some(depth) = scan.line(part, max) {
                return Some((n + 1, depth));
            }
        }
    }
    None
}

/// State carried from one line to the next.
#[derive(Default)]
struct Scan {
    /// Indentations of the open block levels.
    indents: Vec<usize>,
    /// Open `[` and `{`.
    flow: usize,
    /// The quote of a quoted scalar still open at the end of the last line.
    quote: Option<u8>,
    /// The indentation of the line that opened a block scalar (`|`, `>`) still going on.
    block_scalar: Option<usize>,
}

impl Scan {
    /// Scans one line; returns the depth when it passes `max`.
    fn line(&mut self, line: &str, max: usize) -> Option<usize> {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        if let Some(open) = self.block_scalar {
            if rest.trim().is_empty() || indent > open {
                return None;
            }
            self.block_scalar = None;
        }
        if self.quote.is_none() && self.flow == 0 {
            if rest.trim().is_empty() || rest.starts_with('#') {
                return None;
            }
            while self.indents.last().is_some_and(|&t| t > indent) {
                self.indents.pop();
            }
            if self.indents.last().is_none_or(|&t| t < indent) {
                self.indents.push(indent);
                if self.indents.len() > max {
                    return Some(self.indents.len());
                }
            }
        }
        let b = rest.as_bytes();
        let mut levels = self.indents.len();
        let mut token_start = true;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            let next = b.get(i + 1).copied();
            if let Some(q) = self.quote {
                if q == b'"' && c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == q {
                    if q == b'\'' && next == Some(b'\'') {
                        i += 2;
                        continue;
                    }
                    self.quote = None;
                    token_start = false;
                }
                i += 1;
                continue;
            }
            let spaced = matches!(next, None | Some(b' ' | b'\t'));
            match c {
                b' ' | b'\t' => {}
                b'#' if i == 0 || matches!(b[i - 1], b' ' | b'\t') => break,
                b'[' | b'{' if token_start || self.flow > 0 => {
                    self.flow += 1;
                    token_start = true;
                    if levels + self.flow > max {
                        return Some(levels + self.flow);
                    }
                }
                b']' | b'}' if self.flow > 0 => {
                    self.flow -= 1;
                    token_start = false;
                }
                b',' if self.flow > 0 => token_start = true,
                b'\'' | b'"' if token_start => self.quote = Some(c),
                b'-' | b'?' if token_start && self.flow == 0 && spaced => {
                    levels += 1;
                    if levels > max {
                        return Some(levels);
                    }
                }
                b':' if spaced
                    || (self.flow > 0
                        && (matches!(next, Some(b',' | b']' | b'}'))
                            || (i > 0 && matches!(b[i - 1], b'"' | b'\'')))) =>
                {
                    token_start = true;
                }
                b'|' | b'>' if token_start && self.flow == 0 => {
                    let mut j = i + 1;
                    while j < b.len() && matches!(b[j], b'+' | b'-' | b'0'..=b'9') {
                        j += 1;
                    }
                    let tail = rest[j..].trim_start();
                    if tail.is_empty() || tail.starts_with('#') {
                        self.block_scalar = Some(indent);
                        break;
                    }
                    token_start = false;
                }
                _ => token_start = false,
            }
            i += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_flow_brackets_are_caught_on_their_line() {
        let text = format!("a: 1\nb: {}1{}\n", "[".repeat(70), "]".repeat(70));
        assert_eq!(too_deep(&text, 64), Some((2, 65)));
        let ok = format!("a: {}1{}\n", "[".repeat(10), "]".repeat(10));
        assert_eq!(too_deep(&ok, 64), None);
    }

    #[test]
    fn block_levels_count_indentation_and_dashes() {
        let mut text = String::new();
        for i in 0..70 {
            text.push_str(&format!("{}k{i}:\n", " ".repeat(i)));
        }
        assert_eq!(too_deep(&text, 64).map(|(l, _)| l), Some(65));
        assert_eq!(
            too_deep(&format!("{}a\n", "- ".repeat(70)), 64),
            Some((1, 65))
        );
    }

    #[test]
    fn quotes_comments_and_block_scalars_hide_brackets() {
        let deep = "[".repeat(100);
        let text = format!(
            "a: '{deep}'\nb: \"{deep}\\\"{deep}\"\nc: x # {deep}\nd: |\n  {deep}\n  more {deep}\ne: plain [text {deep}\n"
        );
        assert_eq!(too_deep(&text, 64), None);
    }

    #[test]
    fn every_real_spec_file_passes() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let mut seen = 0;
        for dir in ["", "common", "types", "methods"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = e.unwrap().path();
                if path.extension().is_some_and(|x| x == "yaml") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    assert_eq!(too_deep(&text, 16), None, "{}", path.display());
                    seen += 1;
                }
            }
        }
        assert!(seen > 100);
    }

    #[test]
    fn a_large_file_of_brackets_is_rejected_quickly() {
        let text = "[".repeat(200_000);
        let t = std::time::Instant::now();
        assert_eq!(too_deep(&text, 64), Some((1, 65)));
        assert!(t.elapsed() < std::time::Duration::from_millis(500));
    }
}
