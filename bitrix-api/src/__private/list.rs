//! Support for the generated `ListMethod` impls: the fast walk's filter and item ids.

use serde_json::{Map, Value};

/// Fast walk: sets `>ID` to `id` in a filter param, keeping the caller's other conditions. A
/// filter that is not an object (only a wrong hand-set value can be) is replaced.
pub fn after_id(filter: &mut Option<Value>, id: u64) {
    let map = match filter {
        Some(Value::Object(map)) => map,
        other => {
            *other = Some(Value::Object(Map::new()));
            match other {
                Some(Value::Object(map)) => map,
                _ => return,
            }
        }
    };
    map.insert(">ID".into(), Value::from(id));
}

/// Fast walk: an item's `ID` as the walk counts it (`None` when absent or negative).
pub fn item_id(id: Option<i64>) -> Option<u64> {
    u64::try_from(id?).ok()
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
    }

    #[test]
    fn item_ids_are_non_negative() {
        assert_eq!(item_id(Some(1001)), Some(1001));
        assert_eq!(item_id(Some(-1)), None);
        assert_eq!(item_id(None), None);
    }
}
