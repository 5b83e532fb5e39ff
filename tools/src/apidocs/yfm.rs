//! Block structure of a Yandex Flavored Markdown page.
//!
//! Splits a page into headings, tables, fenced code, notes, includes and plain text
//! lines. Tables use the YFM multi-line syntax: `#|` opens a table, `||` opens and closes
//! a row, `|` separates cells, `|#` closes the table. A cell may span lines and may hold
//! code spans, fenced code blocks and whole nested tables; pipes inside those, and escaped
//! pipes (`\|`), are cell text, not separators.
//!
//! The scanner never fails: anything malformed becomes a [`Problem`] with its line, and
//! the scan goes on.

/// A problem met while scanning, with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line.
    pub line: usize,
    /// What went wrong.
    pub message: String,
}

/// A heading (`## Text {#anchor}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1 for `#`, 2 for `##`, ...
    pub level: usize,
    /// The text, without the `#` marks and without the trailing `{#anchor}`.
    pub text: String,
    /// The explicit anchor, when the heading has one.
    pub anchor: Option<String>,
    /// 1-based line.
    pub line: usize,
}

/// One cell of a table row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cell {
    /// Raw Markdown of the cell, trimmed; nested tables are kept verbatim.
    pub text: String,
    /// 1-based line where the cell's content starts.
    pub line: usize,
    /// Tables nested inside the cell, parsed.
    pub tables: Vec<Table>,
}

/// One table row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    /// The cells, left to right.
    pub cells: Vec<Cell>,
    /// 1-based line of the row's opening `||`.
    pub line: usize,
}

/// A YFM table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// The rows; the first one is normally the header.
    pub rows: Vec<Row>,
    /// 1-based line of the opening `#|`.
    pub line: usize,
}

/// A block of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading.
    Heading(Heading),
    /// A table.
    Table(Table),
    /// `{% include [..](target) %}`.
    Include {
        /// The included path, as written.
        target: String,
        /// 1-based line.
        line: usize,
    },
    /// `{% note kind "title" %}`.
    NoteOpen {
        /// `info`, `warning`, `tip`, ...
        kind: String,
        /// The quoted title, possibly empty.
        title: String,
        /// 1-based line.
        line: usize,
    },
    /// `{% endnote %}`.
    NoteClose {
        /// 1-based line.
        line: usize,
    },
    /// A fenced code block (content is not kept).
    Code {
        /// 1-based line of the opening fence.
        line: usize,
    },
    /// One line of other text.
    Text {
        /// The line, trimmed.
        text: String,
        /// 1-based line.
        line: usize,
    },
}

impl Block {
    /// The block's first line.
    pub fn line(&self) -> usize {
        match self {
            Block::Heading(h) => h.line,
            Block::Table(t) => t.line,
            Block::Include { line, .. }
            | Block::NoteOpen { line, .. }
            | Block::NoteClose { line }
            | Block::Code { line }
            | Block::Text { line, .. } => *line,
        }
    }
}

/// Scans a whole page into blocks.
pub fn scan(text: &str) -> (Vec<Block>, Vec<Problem>) {
    let src = Source::new(text);
    let mut blocks = Vec::new();
    let mut problems = Vec::new();
    let mut i = 0;
    while i < src.lines.len() {
        let (start, end) = src.lines[i];
        let raw = &text[start..end];
        let t = raw.trim();
        let line = i + 1;
        if let Some(fence) = fence_marker(raw) {
            match src.fence_end(i, fence) {
                Some(close) => {
                    blocks.push(Block::Code { line });
                    i = close + 1;
                }
                None => {
                    problems.push(Problem {
                        line,
                        message: "code fence is never closed; read as text".into(),
                    });
                    blocks.push(Block::Text {
                        text: t.to_string(),
                        line,
                    });
                    i += 1;
                }
            }
            continue;
        }
        if t.starts_with("#|") {
            let open = start + (raw.len() - raw.trim_start().len());
            let (table, after) = parse_table(&src, open, &mut problems);
            blocks.push(Block::Table(table));
            let last = src.line_of(after.saturating_sub(1).max(open));
            let (_, last_end) = src.lines[last];
            let rest = text.get(after..last_end).unwrap_or("").trim();
            if !rest.is_empty() {
                problems.push(Problem {
                    line: last + 1,
                    message: format!("text after the end of a table is ignored: {rest:?}"),
                });
            }
            i = last + 1;
            continue;
        }
        if let Some(h) = heading(raw, line) {
            blocks.push(Block::Heading(h));
        } else if let Some(b) = directive(t, line) {
            blocks.push(b);
        } else if !t.is_empty() {
            blocks.push(Block::Text {
                text: t.to_string(),
                line,
            });
        }
        i += 1;
    }
    (blocks, problems)
}

/// The text with its line table.
struct Source<'a> {
    text: &'a str,
    /// Byte range of each line, without the newline.
    lines: Vec<(usize, usize)>,
}

impl<'a> Source<'a> {
    fn new(text: &'a str) -> Self {
        let mut lines = Vec::new();
        let mut start = 0;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                let end = if i > start && text.as_bytes()[i - 1] == b'\r' {
                    i - 1
                } else {
                    i
                };
                lines.push((start, end));
                start = i + 1;
            }
        }
        if start < text.len() {
            lines.push((start, text.len()));
        }
        Source { text, lines }
    }

    /// 0-based index of the line holding byte `pos`.
    fn line_of(&self, pos: usize) -> usize {
        match self.lines.binary_search_by(|&(s, _)| s.cmp(&pos)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        }
    }

    /// 0-based index of the line closing the fence opened on line `open`.
    fn fence_end(&self, open: usize, fence: Fence) -> Option<usize> {
        (open + 1..self.lines.len()).find(|&j| {
            let (s, e) = self.lines[j];
            closes_fence(&self.text[s..e], fence)
        })
    }
}

/// A fence opener: its character and length.
#[derive(Debug, Clone, Copy)]
struct Fence {
    ch: u8,
    len: usize,
}

/// The fence opened by this line, if it opens one.
fn fence_marker(line: &str) -> Option<Fence> {
    let t = line.trim_start();
    let ch = *t.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = t.bytes().take_while(|&b| b == ch).count();
    if len < 3 {
        return None;
    }
    // A backtick fence's info string may not contain backticks (else it is inline code).
    if ch == b'`' && t[len..].contains('`') {
        return None;
    }
    Some(Fence { ch, len })
}

fn closes_fence(line: &str, fence: Fence) -> bool {
    let t = line.trim();
    let n = t.bytes().take_while(|&b| b == fence.ch).count();
    n >= fence.len && n == t.len()
}

/// An ATX heading.
fn heading(raw: &str, line: usize) -> Option<Heading> {
    let indent = raw.len() - raw.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let t = &raw[indent..];
    let level = t.bytes().take_while(|&b| b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &t[level..];
    if !rest.is_empty() && !rest.starts_with(' ') && !rest.starts_with('\t') {
        return None;
    }
    let mut text = rest.trim().to_string();
    let mut anchor = None;
    if text.ends_with('}') {
        if let Some(pos) = text.rfind("{#") {
            let a = text[pos + 2..text.len() - 1].trim().to_string();
            if !a.is_empty() && !a.contains(' ') {
                anchor = Some(a);
                text = text[..pos].trim().to_string();
            }
        }
    }
    let text = text.trim_end_matches('#').trim().to_string();
    Some(Heading {
        level,
        text,
        anchor,
        line,
    })
}

/// `{% include %}`, `{% note %}` and `{% endnote %}`; other directives are text.
fn directive(t: &str, line: usize) -> Option<Block> {
    let inner = t.strip_prefix("{%")?.strip_suffix("%}")?.trim();
    let (word, rest) = inner.split_once(' ').unwrap_or((inner, ""));
    match word {
        "include" => {
            let target = rest
                .rfind('(')
                .and_then(|p| rest[p + 1..].split_once(')').map(|(x, _)| x))
                .unwrap_or(rest)
                .trim()
                .to_string();
            Some(Block::Include { target, line })
        }
        "note" => {
            let rest = rest.trim();
            let (kind, title) = rest.split_once(' ').unwrap_or((rest, ""));
            Some(Block::NoteOpen {
                kind: kind.to_string(),
                title: title.trim().trim_matches('"').to_string(),
                line,
            })
        }
        "endnote" => Some(Block::NoteClose { line }),
        _ => None,
    }
}

/// Parses the table whose `#|` starts at byte `open`. Returns it and the byte just past
/// its closing `|#` (or the end of the text when it is never closed).
fn parse_table(src: &Source<'_>, open: usize, problems: &mut Vec<Problem>) -> (Table, usize) {
    let text = src.text;
    let bytes = text.as_bytes();
    let mut table = Table {
        rows: Vec::new(),
        line: src.line_of(open) + 1,
    };
    let mut row: Option<Row> = None;
    let mut cell = CellBuf::default();
    let mut stray_line = 0;
    let mut p = open + 2;
    while p < bytes.len() {
        let at_line_start = is_line_start(text, p);
        if at_line_start {
            let line_idx = src.line_of(p);
            let (ls, le) = src.lines[line_idx];
            if let Some(f) = fence_marker(&text[ls..le]) {
                if let Some(close) = src.fence_end(line_idx, f) {
                    let end = src.lines[close].1;
                    if row.is_some() {
                        cell.push_str(&text[p..end], line_idx + 1);
                    }
                    p = end;
                    continue;
                }
            }
        }
        if text[p..].starts_with("#|") && line_blank_before(text, p) {
            if row.is_some() {
                let (inner, after) = parse_table(src, p, problems);
                cell.push_str(&text[p..after], src.line_of(p) + 1);
                cell.tables.push(inner);
                p = after;
                continue;
            }
            problems.push(Problem {
                line: src.line_of(p) + 1,
                message: "table opened between rows of another table".into(),
            });
        }
        let b = bytes[p];
        if b == b'\\' && p + 1 < bytes.len() && bytes[p + 1] == b'|' {
            if row.is_some() {
                cell.push_str("\\|", src.line_of(p) + 1);
            }
            p += 2;
            continue;
        }
        if b == b'`' {
            let end = code_span_end(text, p);
            if row.is_some() {
                cell.push_str(&text[p..end], src.line_of(p) + 1);
            }
            p = end;
            continue;
        }
        if b == b'|' {
            let next = bytes.get(p + 1).copied();
            if next == Some(b'#') && (row.is_none() || line_blank_before(text, p)) {
                if let Some(r) = row.take() {
                    // A stray `||` before `|#` opens an empty row: nothing is lost.
                    let empty = r.cells.iter().all(|c| c.text.is_empty())
                        && cell.text.trim().is_empty()
                        && cell.tables.is_empty();
                    if empty {
                        cell.take();
                    } else {
                        problems.push(Problem {
                            line: src.line_of(p) + 1,
                            message: "table ends inside an unclosed row".into(),
                        });
                        finish_row(&mut table, r, &mut cell);
                    }
                }
                return (table, p + 2);
            }
            if next == Some(b'|') {
                match row.take() {
                    Some(r) => finish_row(&mut table, r, &mut cell),
                    None => {
                        row = Some(Row {
                            cells: Vec::new(),
                            line: src.line_of(p) + 1,
                        })
                    }
                }
                p += 2;
                continue;
            }
            match row.as_mut() {
                Some(r) => r.cells.push(cell.take()),
                None => {
                    let l = src.line_of(p) + 1;
                    if l != stray_line {
                        stray_line = l;
                        problems.push(Problem {
                            line: l,
                            message: "stray `|` between table rows is ignored".into(),
                        });
                    }
                }
            }
            p += 1;
            continue;
        }
        let ch_len = utf8_len(b);
        if row.is_some() {
            cell.push_str(&text[p..p + ch_len], src.line_of(p) + 1);
        } else if !b.is_ascii_whitespace() {
            let l = src.line_of(p) + 1;
            if l != stray_line {
                stray_line = l;
                problems.push(Problem {
                    line: l,
                    message: "text between table rows is ignored".into(),
                });
            }
        }
        p += ch_len;
    }
    if let Some(r) = row.take() {
        finish_row(&mut table, r, &mut cell);
    }
    problems.push(Problem {
        line: table.line,
        message: "table is never closed with `|#`".into(),
    });
    (table, text.len())
}

fn finish_row(table: &mut Table, mut row: Row, cell: &mut CellBuf) {
    row.cells.push(cell.take());
    table.rows.push(row);
}

/// Accumulates one cell.
#[derive(Default)]
struct CellBuf {
    text: String,
    line: usize,
    tables: Vec<Table>,
}

impl CellBuf {
    fn push_str(&mut self, s: &str, line: usize) {
        if self.text.trim().is_empty() && !s.trim().is_empty() {
            self.line = line;
        }
        self.text.push_str(s);
    }

    fn take(&mut self) -> Cell {
        let text = std::mem::take(&mut self.text);
        let cell = Cell {
            text: text.trim().to_string(),
            line: self.line,
            tables: std::mem::take(&mut self.tables),
        };
        self.line = 0;
        cell
    }
}

fn is_line_start(text: &str, p: usize) -> bool {
    p == 0 || text.as_bytes()[p - 1] == b'\n'
}

/// Only whitespace between the start of the line and `p`.
fn line_blank_before(text: &str, p: usize) -> bool {
    let start = text[..p].rfind('\n').map_or(0, |i| i + 1);
    text[start..p].trim().is_empty()
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xff => 4,
        _ => 1,
    }
}

/// End (exclusive) of the code span starting at `p` (a backtick). A run of N backticks is
/// closed by the next run of exactly N within the same paragraph; without one, the run is
/// literal text.
fn code_span_end(text: &str, p: usize) -> usize {
    let bytes = text.as_bytes();
    let n = bytes[p..].iter().take_while(|&&b| b == b'`').count();
    let mut q = p + n;
    while q < bytes.len() {
        if bytes[q] == b'\n' {
            // A blank line ends the paragraph.
            let rest = &text[q + 1..];
            let next_line = rest.split('\n').next().unwrap_or("");
            if next_line.trim().is_empty() {
                return p + n;
            }
        }
        if bytes[q] == b'`' {
            let m = bytes[q..].iter().take_while(|&&b| b == b'`').count();
            if m == n {
                return q + m;
            }
            q += m;
            continue;
        }
        q += 1;
    }
    p + n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(text: &str) -> Vec<Table> {
        scan(text)
            .0
            .into_iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    fn texts(row: &Row) -> Vec<&str> {
        row.cells.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn multi_line_cells() {
        let t = tables("#|\n|| **A**\n`int` | first\n\nsecond ||\n|| b | c ||\n|#\n");
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].rows.len(), 2);
        assert_eq!(texts(&t[0].rows[0]), ["**A**\n`int`", "first\n\nsecond"]);
        assert_eq!(t[0].rows[1].line, 6);
    }

    #[test]
    fn pipes_in_code_and_escaped() {
        let t = tables("#|\n|| [```a|b```](x) | `c|d` \\| e ||\n|#");
        assert_eq!(texts(&t[0].rows[0]), ["[```a|b```](x)", "`c|d` \\| e"]);
    }

    #[test]
    fn fenced_code_in_cell() {
        let t = tables("#|\n|| a | x:\n```\n|| not | a row ||\n```\n||\n|#");
        assert_eq!(t[0].rows.len(), 1);
        assert!(t[0].rows[0].cells[1].text.contains("not | a row"));
    }

    #[test]
    fn nested_table() {
        let t = tables("#|\n|| a | values:\n#|\n|| x | y ||\n|#\n ||\n|| b | c ||\n|#");
        assert_eq!(t[0].rows.len(), 2);
        assert_eq!(t[0].rows[0].cells[1].tables.len(), 1);
        assert_eq!(texts(&t[0].rows[0].cells[1].tables[0].rows[0]), ["x", "y"]);
    }

    #[test]
    fn headings_and_directives() {
        let (b, p) = scan("# T a.b\n\n```sh\n# not\n```\n### X {#x}\n{% note warning \"DEPRECATED\" %}\n{% include [a](../b.md) %}\n");
        assert!(p.is_empty());
        assert!(matches!(&b[0], Block::Heading(h) if h.level == 1 && h.text == "T a.b"));
        assert!(matches!(&b[1], Block::Code { line: 3 }));
        assert!(matches!(&b[2], Block::Heading(h) if h.anchor.as_deref() == Some("x")));
        assert!(matches!(&b[3], Block::NoteOpen { title, .. } if title == "DEPRECATED"));
        assert!(matches!(&b[4], Block::Include { target, .. } if target == "../b.md"));
    }

    #[test]
    fn unclosed_table_is_reported() {
        let (_, p) = scan("#|\n|| a | b ||\n");
        assert_eq!(p.len(), 1);
    }
}
