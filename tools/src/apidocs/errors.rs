//! Error tables: `Status`, `Code`, message and description columns in any order.
//!
//! Columns are found by their header:
//! - `Status` (or `HTTP status`) gives the status;
//! - `Code` (or `Error code`, `Error`) gives the code; when the same header cell has a
//!   second line (`Code` newline `Error Message`), each row's code cell holds the code on
//!   its first line and the message on the next;
//! - `Message`, `Error message` or `error_description` gives the message;
//! - otherwise the `Description` column gives the message (pages that list
//!   `Code | Description | Value` put the server's text under Description and the
//!   explanation under Value);
//! - any other column (`Value`, `Reason`, ...) is explanation and is not read.
//!
//! A code cell reading `Empty string` (or `Empty`, `(empty)`) is the empty code `""`: the
//! server answers `"error": ""` with only a message. Messages copied from a JSON answer keep
//! its `\uXXXX` escapes on some pages (`The \u0027FIELD_NAME\u0027 field`); they are read as
//! the characters the server sends.
//!
//! A table without a status column leaves the status unknown; when the section's
//! `HTTP Status: **400**` line names exactly one error status, rows record it as their
//! likely `section_status` (the line belongs to the section's example, so it is not
//! taken as documented); otherwise a warning says the status cannot be read. Every row is
//! kept, also when a code repeats.

use super::inline::{code_spans, plain, squash};
use super::yfm::{Problem, Table};
use super::DocError;

/// The columns of an error table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorShape {
    /// Column of the status.
    pub status: Option<usize>,
    /// Column of the code.
    pub code: usize,
    /// Column of the message, and whether it is the second line of the code cell.
    pub message: Option<(usize, bool)>,
}

/// The shape of `table` when its header has a code column.
pub fn error_shape(table: &Table) -> Option<ErrorShape> {
    let header = table.rows.first()?;
    let mut status = None;
    let mut code = None;
    let mut message = None;
    let mut description = None;
    for (i, cell) in header.cells.iter().enumerate() {
        let lines: Vec<String> = cell
            .text
            .lines()
            .map(|l| plain(l).to_ascii_lowercase())
            .filter(|l| !l.is_empty())
            .collect();
        for (k, l) in lines.iter().enumerate() {
            match l.as_str() {
                "status" | "http status" | "http code" if status.is_none() => status = Some(i),
                "code" | "error code" | "error" if code.is_none() => code = Some(i),
                "message" | "error message" | "error_description" | "error text"
                    if message.is_none() =>
                {
                    message = Some((i, k > 0 && code == Some(i)));
                }
                "description" if description.is_none() => description = Some(i),
                _ => {}
            }
        }
    }
    let code = code?;
    Some(ErrorShape {
        status,
        code,
        message: message.or(description.map(|d| (d, false))),
    })
}

/// The HTTP statuses named on a line like `HTTP Status: **400**, **403**`.
pub fn statuses_in_line(line: &str) -> Option<Vec<u16>> {
    let p = plain(line);
    let lower = p.to_ascii_lowercase();
    let rest = lower.strip_prefix("http status")?;
    let rest = rest.trim_start_matches(|c: char| c == ':' || c.is_whitespace());
    Some(
        rest.split(|c: char| !c.is_ascii_digit())
            .filter_map(|t| t.parse::<u16>().ok())
            .filter(|s| (100..600).contains(s))
            .collect(),
    )
}

/// Reads the rows of an error table. `section_status` is recorded on the rows of a
/// table without a status column.
pub fn read_errors(
    table: &Table,
    shape: ErrorShape,
    section_status: Option<u16>,
    problems: &mut Vec<Problem>,
) -> Vec<DocError> {
    let mut out = Vec::new();
    for row in table.rows.iter().skip(1) {
        if row.cells.iter().all(|c| c.text.is_empty()) {
            continue;
        }
        let Some(code_cell) = row.cells.get(shape.code) else {
            problems.push(Problem {
                line: row.line,
                message: "error row has no code cell and is ignored".into(),
            });
            continue;
        };
        let line = if code_cell.line > 0 {
            code_cell.line
        } else {
            row.line
        };
        let mut code_lines = code_cell
            .text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty());
        let first = code_lines.next().unwrap_or("");
        let code = read_code(first);
        let Some(code) = code else {
            problems.push(Problem {
                line,
                message: format!("cannot read an error code from {first:?}; the row is ignored"),
            });
            continue;
        };
        let message = match shape.message {
            Some((i, true)) if i == shape.code => {
                let rest: Vec<&str> = code_lines.collect();
                (!rest.is_empty()).then(|| unescape_json(&squash(&plain(&rest.join(" ")))))
            }
            Some((i, _)) => row
                .cells
                .get(i)
                .map(|c| unescape_json(&squash(&plain(&c.text))))
                .filter(|m| !m.is_empty()),
            None => None,
        };
        let status = match shape.status {
            Some(i) => {
                let text = row.cells.get(i).map(|c| plain(&c.text)).unwrap_or_default();
                match text.trim().parse::<u16>() {
                    Ok(s) => Some(s),
                    Err(_) => {
                        problems.push(Problem {
                            line,
                            message: format!("cannot read the status {text:?} of error {code}"),
                        });
                        None
                    }
                }
            }
            None => None,
        };
        out.push(DocError {
            status,
            section_status: if shape.status.is_none() {
                section_status
            } else {
                None
            },
            code,
            message,
            line,
        });
    }
    out
}

/// The code from the first line of a code cell (`` `CHAT_ID_EMPTY` ``); `""` for a cell
/// that says the code is empty (`Empty string`).
fn read_code(first: &str) -> Option<String> {
    let words = plain(first).trim().to_ascii_lowercase();
    if matches!(
        words.as_str(),
        "empty string" | "empty" | "(empty)" | "\"\""
    ) {
        return Some(String::new());
    }
    let spans = code_spans(first);
    let candidate = match spans.as_slice() {
        [one] => one.clone(),
        _ => plain(first),
    };
    let c = candidate.trim();
    let ok = !c.is_empty()
        && c.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "_.-:".contains(ch));
    ok.then(|| c.to_string())
}

/// `\uXXXX` escapes (as a JSON answer shows them) replaced by their characters; anything
/// else, a malformed or surrogate escape included, is kept as written.
fn unescape_json(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("\\u") {
        out.push_str(&rest[..at]);
        let hex = rest.get(at + 2..at + 6);
        let ch = hex
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32);
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[at + 6..];
            }
            None => {
                out.push_str("\\u");
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::super::yfm::{scan, Block};
    use super::*;

    fn table(src: &str) -> Table {
        match scan(src).0.into_iter().next() {
            Some(Block::Table(t)) => t,
            other => panic!("no table: {other:?}"),
        }
    }

    #[test]
    fn four_columns_with_value() {
        let t = table("#|\n|| **Status** | **Code** | **Description** | **Value** ||\n|| `400` | `A` | Msg a | why ||\n|#");
        let s = error_shape(&t).expect("shape");
        let e = read_errors(&t, s, None, &mut Vec::new());
        assert_eq!(e[0].status, Some(400));
        assert_eq!(e[0].code, "A");
        assert_eq!(e[0].message.as_deref(), Some("Msg a"));
    }

    #[test]
    fn code_and_message_in_one_cell() {
        let t = table("#|\n|| **Status** | **Code**\n**Error Message** | **Description** ||\n|| `500` | `X`\nBoom | why ||\n|#");
        let s = error_shape(&t).expect("shape");
        let e = read_errors(&t, s, None, &mut Vec::new());
        assert_eq!(e[0].message.as_deref(), Some("Boom"));
    }

    #[test]
    fn an_empty_string_code_is_the_empty_code_and_json_escapes_are_read() {
        let t = table("#|\n|| **Code** | **Description** | **Value** ||\n|| Empty string | The \\u0027ID\\u0027 field is not found. | why ||\n|| `A` | Msg | why ||\n|| Some words | M | why ||\n|#");
        let s = error_shape(&t).expect("shape");
        let mut problems = Vec::new();
        let e = read_errors(&t, s, None, &mut problems);
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].code, "");
        assert_eq!(
            e[0].message.as_deref(),
            Some("The 'ID' field is not found.")
        );
        assert_eq!(e[1].code, "A");
        assert_eq!(problems.len(), 1, "text that is no code is still refused");
    }

    #[test]
    fn json_escapes() {
        assert_eq!(unescape_json("a \\u0027b\\u0027"), "a 'b'");
        assert_eq!(unescape_json("\\u00"), "\\u00");
        assert_eq!(unescape_json("\\uD800 x"), "\\uD800 x");
        assert_eq!(unescape_json("\\uzzzz"), "\\uzzzz");
        assert_eq!(unescape_json("é\\u00e9"), "éé");
    }

    #[test]
    fn status_line() {
        assert_eq!(
            statuses_in_line("HTTP Status: **400**, **403**"),
            Some(vec![400, 403])
        );
        assert_eq!(statuses_in_line("HTTP status: **400**"), Some(vec![400]));
        assert_eq!(statuses_in_line("Other"), None);
    }
}
