//! The `list` key of a method: how its pages are walked (`paging`) and how the last one is
//! known (`end`). `list_key.rs` matches it against the method's params and result.

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The `list` key of a method that answers its items a page at a time. The params, result
/// fields and item fields it names are matched against the method by `check`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ListSpec {
    /// Items per page: the most the docs allow (50 for `start` paging when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u64>,
    /// Where a page's items are: `result` when the result is the array of items, else the
    /// name of the array field of the result object that holds them.
    pub items: String,
    /// The docs describe the fast walk for it (`start=-1`, a `>ID` filter, items in ascending
    /// `ID` order); `start` paging only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fast: bool,
    /// How the next page is asked for (`start` when absent).
    #[serde(default, skip_serializing_if = "Paging::is_start")]
    pub paging: Paging,
    /// How the last page is known, for `offset` and `cursor` paging (a short page when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<ListEnd>,
}

/// How a list method moves from one page to the next.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Paging {
    /// `paging: start`: the `start` param, with `total` and `next` in the answer's envelope.
    #[default]
    Start,
    /// `paging: {offset: OFFSET, limit: LIMIT}`: an integer param of items to skip, stepped by
    /// the page size; the optional limit param is set to the page size. Each name is a param's
    /// wire name or a dotted path to a field of an object param (`PARAMS.offset`).
    Offset {
        /// Wire name of the offset param.
        offset: String,
        /// Wire name of the page-size param, when the method has one.
        limit: Option<String>,
    },
    /// `paging: {cursor: LAST_ID, from: id, limit: LIMIT}`: an integer param set, for each
    /// page after the first, to the `from` field of the previous page's last item (params named
    /// as for `Offset`).
    Cursor {
        /// Wire name of the cursor param.
        cursor: String,
        /// Wire name of the item field whose value on the last item feeds the cursor.
        from: String,
        /// Wire name of the page-size param, when the method has one.
        limit: Option<String>,
    },
}

impl Paging {
    /// Whether this is the default, `start` paging.
    pub fn is_start(&self) -> bool {
        *self == Paging::Start
    }

    /// The keyword of the kind, as the spec writes it.
    pub fn kind(&self) -> &'static str {
        match self {
            Paging::Start => "start",
            Paging::Offset { .. } => "offset",
            Paging::Cursor { .. } => "cursor",
        }
    }
}

/// The keys of a `paging` map, before their combination is checked.
#[derive(Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
struct PagingKeys {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    offset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limit: Option<String>,
}

impl TryFrom<PagingKeys> for Paging {
    type Error = String;

    fn try_from(k: PagingKeys) -> Result<Self, String> {
        match (k.offset, k.cursor, k.from) {
            (Some(offset), None, None) => Ok(Paging::Offset {
                offset,
                limit: k.limit,
            }),
            (None, Some(cursor), Some(from)) => Ok(Paging::Cursor {
                cursor,
                from,
                limit: k.limit,
            }),
            (None, Some(_), None) => Err("a `cursor` needs `from`, the item field \
                 whose value on the last item feeds it"
                .into()),
            (Some(_), Some(_), _) => Err("give either `offset` or `cursor`, not both".into()),
            (Some(_), None, Some(_)) => Err("`from` goes with `cursor`, not with `offset`".into()),
            (None, None, _) => Err("give `offset: <param>` or `cursor: <param>` \
                 with `from: <item field>` (or `paging: start`)"
                .into()),
        }
    }
}

impl Serialize for Paging {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Paging::Start => s.serialize_str("start"),
            Paging::Offset { offset, limit } => PagingKeys {
                offset: Some(offset.clone()),
                limit: limit.clone(),
                ..PagingKeys::default()
            }
            .serialize(s),
            Paging::Cursor {
                cursor,
                from,
                limit,
            } => PagingKeys {
                cursor: Some(cursor.clone()),
                from: Some(from.clone()),
                limit: limit.clone(),
                ..PagingKeys::default()
            }
            .serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Paging {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Paging;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`start`, `{offset, limit}` or `{cursor, from, limit}`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Paging, E> {
                if v == "start" {
                    Ok(Paging::Start)
                } else {
                    Err(E::custom(format!(
                        "{v:?} is not a paging kind; write `start`, or a map with \
                         `offset` or `cursor`"
                    )))
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Paging, A::Error> {
                let keys = PagingKeys::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Paging::try_from(keys).map_err(de::Error::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// How the last page of an `offset` or `cursor` list is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListEnd {
    /// `end: short`: a page with fewer items than the page size (the default).
    Short,
    /// `end: total`: the envelope's `total` (items in all) is reached, or a page is short.
    Total,
    /// `end: {flag: hasMore}`: a boolean field of the result object is false, or a page is
    /// empty.
    Flag(String),
}

/// The map form of `end`.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct EndKeys {
    flag: String,
}

impl Serialize for ListEnd {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ListEnd::Short => s.serialize_str("short"),
            ListEnd::Total => s.serialize_str("total"),
            ListEnd::Flag(flag) => EndKeys { flag: flag.clone() }.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for ListEnd {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ListEnd;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`short`, `total` or `{flag: <result field>}`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ListEnd, E> {
                match v {
                    "short" => Ok(ListEnd::Short),
                    "total" => Ok(ListEnd::Total),
                    _ => Err(E::custom(format!(
                        "{v:?} is not a way to end; write `short`, `total` or \
                         `{{flag: <result field>}}`"
                    ))),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ListEnd, A::Error> {
                let keys = EndKeys::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(ListEnd::Flag(keys.flag))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(yaml: &str) -> Result<ListSpec, String> {
        serde_yaml::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn every_paging_kind_reads_and_writes_back() {
        for yaml in [
            "items: result\n",
            "items: result\npaging: start\n",
            "items: items\npaging: {offset: OFFSET, limit: LIMIT}\nend: {flag: hasMore}\n",
            "items: result\npaging: {offset: OFFSET}\nend: total\n",
            "items: messages\npaging: {cursor: LAST_ID, from: id, limit: LIMIT}\nend: short\n",
            "items: result\npaging: {offset: PARAMS.offset, limit: PARAMS.limit}\n",
        ] {
            let spec = list(yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"));
            let back = serde_yaml::to_string(&spec).unwrap();
            assert_eq!(list(&back).unwrap(), spec, "{yaml} → {back}");
        }
        let spec = list("items: m\npaging: {cursor: LAST_ID, from: id}\n").unwrap();
        assert_eq!(
            spec.paging,
            Paging::Cursor {
                cursor: "LAST_ID".into(),
                from: "id".into(),
                limit: None
            }
        );
        assert_eq!(spec.end, None);
    }

    #[test]
    fn a_wrong_combination_is_named() {
        for (yaml, says) in [
            ("paging: {offset: A, cursor: B, from: id}", "not both"),
            ("paging: {cursor: B}", "needs `from`"),
            ("paging: {offset: A, from: id}", "goes with `cursor`"),
            ("paging: {limit: L}", "give `offset"),
            ("paging: pages", "is not a paging kind"),
            ("paging: {offset: A, step: 2}", "unknown field `step`"),
            ("end: never", "is not a way to end"),
            ("end: {flag: a, b: c}", "unknown field `b`"),
        ] {
            let e = list(&format!("items: result\n{yaml}\n")).unwrap_err();
            assert!(e.contains(says), "{yaml}: {e}");
        }
    }
}
