//! `user.get`: a paginated list of the portal's employees (a directory of
//! `Config::directory_users` generated users, ids from 1001), 50 a page.
//!
//! Reads `FILTER` keys `ID`, `>ID`, `>=ID`, `<ID`, `<=ID` (other filter keys
//! are ignored), `order`/`ORDER` `DESC` (default ascending by `ID`) and
//! `start`: `N` for the page beginning at item N, with `total` and (when more
//! items follow) `next`; `-1` for the first page without counting `total`
//! (the fast mode).

use serde_json::{json, Value};

use super::{Call, Reply};
use crate::errors::ApiError;
use crate::wire::coerce::{given, intval, text};

/// Items per page.
pub(crate) const PAGE: usize = 50;
/// Id of the first directory user.
const FIRST_ID: i64 = 1001;

fn user(id: i64) -> Value {
    let n = id - FIRST_ID + 1;
    json!({
        "ID": id.to_string(),
        "ACTIVE": true,
        "NAME": format!("Employee {n}"),
        "LAST_NAME": format!("Number {n}"),
        "USER_TYPE": "employee",
    })
}

/// The id range `[lo, hi]` the filter allows.
fn id_range(filter: Option<&Value>) -> (i64, i64) {
    let (mut lo, mut hi) = (i64::MIN, i64::MAX);
    if let Some(Value::Object(f)) = filter {
        for (k, v) in f {
            let n = intval(v);
            match k.trim().to_ascii_uppercase().as_str() {
                "ID" | "=ID" => {
                    lo = lo.max(n);
                    hi = hi.min(n);
                }
                ">ID" => lo = lo.max(n.saturating_add(1)),
                ">=ID" => lo = lo.max(n),
                "<ID" => hi = hi.min(n.saturating_sub(1)),
                "<=ID" => hi = hi.min(n),
                _ => {}
            }
        }
    }
    (lo, hi)
}

pub(crate) fn get(call: &Call<'_>) -> Result<Reply, ApiError> {
    let p = &call.params.map;
    let count = i64::try_from(call.shared.config.directory_users).unwrap_or(i64::MAX);
    let (lo, hi) = id_range(given(p, "FILTER"));
    let lo = lo.max(FIRST_ID);
    let hi = hi.min(FIRST_ID.saturating_add(count) - 1);
    let matched = if hi >= lo { (hi - lo + 1) as usize } else { 0 };
    let desc = given(p, "order")
        .and_then(text)
        .is_some_and(|o| o.eq_ignore_ascii_case("desc"));
    let start = given(p, "start").map_or(0, intval);
    let (offset, counted) = if start < 0 {
        (0, false)
    } else {
        (usize::try_from(start).unwrap_or(usize::MAX), true)
    };
    let ids = (offset..matched.min(offset.saturating_add(PAGE))).map(|i| {
        let i = i as i64;
        if desc {
            hi - i
        } else {
            lo + i
        }
    });
    let items: Vec<Value> = ids.map(user).collect();
    let more = offset.saturating_add(PAGE) < matched;
    Ok(Reply {
        result: Value::Array(items),
        total: Some(if counted { matched as u64 } else { 0 }),
        next: (counted && more).then(|| (offset + PAGE) as u64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_by_id() {
        assert_eq!(id_range(Some(&json!({">ID": "1049"}))), (1050, i64::MAX));
        assert_eq!(id_range(Some(&json!({"<=ID": 5, "ID": 3}))), (3, 3));
        assert_eq!(id_range(None), (i64::MIN, i64::MAX));
    }
}
