//! `$result[…]` references: a later command of a batch takes a value of an earlier command's
//! result. The portal runs a batch's commands in order and puts the value in place of the
//! reference before running the command that holds it.

use crate::error::Problem;
use serde_json::Value;
use std::fmt;

/// A value of an earlier command's result in the same batch: `$result[c0][ID]`, or
/// `$result[c0][UF_DEPARTMENT][0]` deeper in. Made from a [`Slot`](crate::Slot) with
/// [`Slot::result`](crate::Slot::result), then [`field`](Self::field) and
/// [`index`](Self::index); given to [`Batch::add_linked`](crate::Batch::add_linked) for a param.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRef {
    pub(crate) key: String,
    path: Vec<String>,
}

impl ResultRef {
    pub(crate) fn new(key: String) -> Self {
        ResultRef {
            key,
            path: Vec::new(),
        }
    }

    /// The field `name` of the value referred to (`[name]`). A name of other characters than
    /// ASCII letters, digits, `_`, `-` and `.` is refused when the command is added.
    #[must_use]
    pub fn field(mut self, name: impl Into<String>) -> Self {
        self.path.push(name.into());
        self
    }

    /// Item `i` of the list referred to (`[i]`): a list method's result is an array.
    #[must_use]
    pub fn index(mut self, i: usize) -> Self {
        self.path.push(i.to_string());
        self
    }

    /// A problem with the reference's path, when a segment could break the command's query.
    pub(crate) fn problem(&self, param: &str) -> Option<Problem> {
        let ok = |s: &String| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        };
        (!self.path.iter().all(ok)).then(|| Problem {
            param: param.to_string(),
            message: format!(
                "the reference {self} has a field name that is empty or not of ASCII letters, \
                 digits, `_`, `-` and `.`"
            ),
        })
    }
}

/// The reference as the portal reads it: `$result[key][field]…`.
impl fmt::Display for ResultRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "$result[{}]", self.key)?;
        for seg in &self.path {
            write!(f, "[{seg}]")?;
        }
        Ok(())
    }
}

/// The segments of a param name as the query writes it: `FIELDS[CHAT_ID]` → `FIELDS`,
/// `CHAT_ID`. `None` for a name that is not ASCII letters, digits and `_` in that form.
pub(crate) fn param_path(name: &str) -> Option<Vec<&str>> {
    let word = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let (first, mut rest) = name
        .split_once('[')
        .map_or((name, ""), |(a, _)| (a, &name[a.len()..]));
    let mut segs = vec![first];
    while let Some(inner) = rest.strip_prefix('[') {
        let (seg, after) = inner.split_once(']')?;
        segs.push(seg);
        rest = after;
    }
    (rest.is_empty() && segs.iter().all(|s| word(s))).then_some(segs)
}

/// The param as the pre-send checks name it (`FIELDS.CHAT_ID`, `ITEMS[2].ID`).
pub(crate) fn check_name(segs: &[&str]) -> String {
    let mut out = String::new();
    for (i, seg) in segs.iter().enumerate() {
        if i > 0 && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            if i > 0 {
                out.push('.');
            }
            out.push_str(seg);
        }
    }
    out
}

/// Whether a pre-send problem concerns a referenced param (`one_of` problems name a group:
/// `A, B`), so that the value the request holds there, which is not sent, is not judged.
pub(crate) fn concerns(problem: &Problem, names: &[String]) -> bool {
    names
        .iter()
        .any(|n| problem.param == *n || problem.param.split(", ").any(|p| p == n))
}

/// Clears the value at `segs` in the encoded params (it is sent as the reference instead).
pub(crate) fn clear(params: &mut Value, segs: &[&str]) {
    let mut at = params;
    for seg in segs {
        at = match at {
            Value::Object(map) => match map.get_mut(*seg) {
                Some(v) => v,
                None => return,
            },
            Value::Array(items) => match seg.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                Some(v) => v,
                None => return,
            },
            _ => return,
        };
    }
    *at = Value::Null;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_read_as_the_docs_write_them() {
        let r = ResultRef::new("c0".into()).field("UF_DEPARTMENT").index(0);
        assert_eq!(r.to_string(), "$result[c0][UF_DEPARTMENT][0]");
        assert!(r.problem("ID").is_none());
        let bad = ResultRef::new("c0".into()).field("a&b=c");
        assert_eq!(bad.problem("ID").unwrap().param, "ID");
        assert!(ResultRef::new("c0".into())
            .field("")
            .problem("ID")
            .is_some());
    }

    #[test]
    fn param_names_in_query_form() {
        assert_eq!(param_path("CHAT_ID"), Some(vec!["CHAT_ID"]));
        assert_eq!(
            param_path("FIELDS[CHAT_ID]"),
            Some(vec!["FIELDS", "CHAT_ID"])
        );
        assert_eq!(param_path("ITEMS[2][ID]"), Some(vec!["ITEMS", "2", "ID"]));
        for bad in ["", "A&B", "A[", "A[]", "A]B", "A[B]C", "A=1", "A[B&C]"] {
            assert_eq!(param_path(bad), None, "{bad}");
        }
        assert_eq!(check_name(&["ITEMS", "2", "ID"]), "ITEMS[2].ID");
        assert_eq!(check_name(&["FIELDS", "CHAT_ID"]), "FIELDS.CHAT_ID");
    }

    #[test]
    fn a_referenced_value_is_cleared_and_its_checks_dropped() {
        let mut v = json!({"CHAT_ID": 0, "FIELDS": {"A": 1}, "L": [1, 2]});
        clear(&mut v, &["CHAT_ID"]);
        clear(&mut v, &["FIELDS", "A"]);
        clear(&mut v, &["L", "1"]);
        clear(&mut v, &["MISSING", "X"]);
        assert_eq!(
            v,
            json!({"CHAT_ID": null, "FIELDS": {"A": null}, "L": [1, null]})
        );
        let p = |param: &str| Problem {
            param: param.into(),
            message: String::new(),
        };
        let names = ["CHAT_ID".to_string()];
        assert!(concerns(&p("CHAT_ID"), &names));
        assert!(concerns(&p("CHAT_ID, USER_ID"), &names));
        assert!(!concerns(&p("CHAT_ID_X"), &names));
    }
}
