//! Support for the generated `ListMethod` impls: the fast walk's filter and item ids, and the
//! integer params of offset and cursor walks.

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A filter param the fast walk can add `>ID` to: a JSON object (`object` without fields in the
/// spec) or a map of JSON values (`map` of `any`).
pub trait IdFilter {
    /// Sets `>ID` to `id`, keeping the caller's other conditions. A filter that is not an
    /// object (only a wrong hand-set value can be) is replaced.
    fn set_after(&mut self, id: u64);
}

impl IdFilter for Option<Value> {
    fn set_after(&mut self, id: u64) {
        if !matches!(self, Some(Value::Object(_))) {
            *self = Some(Value::Object(Map::new()));
        }
        if let Some(Value::Object(map)) = self {
            map.insert(">ID".into(), Value::from(id));
        }
    }
}

impl IdFilter for Option<BTreeMap<String, Value>> {
    fn set_after(&mut self, id: u64) {
        self.get_or_insert_with(BTreeMap::new)
            .insert(">ID".into(), Value::from(id));
    }
}

/// Fast walk: sets `>ID` to `id` in a filter param (see [`IdFilter`]).
pub fn after_id<F: IdFilter>(filter: &mut F, id: u64) {
    filter.set_after(id);
}

/// Fast walk: an item's `ID` as the walk counts it (`None` when absent or negative).
pub fn item_id(id: Option<i64>) -> Option<u64> {
    u64::try_from(id?).ok()
}

/// An offset or page size as the `i64` of an integer param (saturating; no walk gets there).
pub fn page_param(n: u64) -> Option<i64> {
    Some(i64::try_from(n).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn after_id_keeps_other_conditions_and_replaces_the_last_id() {
        let mut f = Some(json!({"ACTIVE": "Y", ">ID": 3}));
        after_id(&mut f, 50);
        assert_eq!(f, Some(json!({"ACTIVE": "Y", ">ID": 50})));
        let mut none = None;
        after_id(&mut none, 0);
        assert_eq!(none, Some(json!({">ID": 0})));
        let mut wrong = Some(json!([1]));
        after_id(&mut wrong, 7);
        assert_eq!(wrong, Some(json!({">ID": 7})));
        let mut map = Some(BTreeMap::from([("ACTIVE".to_string(), json!(true))]));
        after_id(&mut map, 9);
        assert_eq!(
            map,
            Some(BTreeMap::from([
                (">ID".to_string(), json!(9)),
                ("ACTIVE".to_string(), json!(true)),
            ]))
        );
        let mut empty: Option<BTreeMap<String, Value>> = None;
        after_id(&mut empty, 1);
        assert_eq!(empty, Some(BTreeMap::from([(">ID".to_string(), json!(1))])));
    }

    #[test]
    fn page_params_saturate() {
        assert_eq!(page_param(200), Some(200));
        assert_eq!(page_param(u64::MAX), Some(i64::MAX));
    }

    #[test]
    fn item_ids_are_non_negative() {
        assert_eq!(item_id(Some(1001)), Some(1001));
        assert_eq!(item_id(Some(-1)), None);
        assert_eq!(item_id(None), None);
    }
}
