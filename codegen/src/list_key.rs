//! The `list` key of a method: what it resolves to in the method's params and result, or why
//! it does not fit. Validation reports the problems; lowering builds the `ListMethod` impl from
//! the resolved shape. Both call [`resolve`], so they cannot disagree.

mod paging;

use crate::load::SpecSet;
use crate::spec::{Field, Items, ListSpec, MethodSpec, Paging, Required, TypeExpr};
pub use paging::{End, ParamRef};

/// The most items a page of a `start`-paged list holds on the portal.
pub const MAX_PAGE_SIZE: u64 = 50;

/// A `list` key resolved against its method.
#[derive(Debug)]
pub struct Shape<'a> {
    /// Items per page.
    pub page_size: u64,
    /// The result field holding the items; `None` when the result is the array of items.
    pub items: Option<&'a Field>,
    /// How the pages are walked, with the params and fields each kind uses.
    pub walk: Walk<'a>,
}

/// How the pages of a list are walked.
#[derive(Debug)]
pub enum Walk<'a> {
    /// By the `start` param, `total` and `next` in the envelope.
    Start {
        /// The `start` param.
        start: &'a Field,
        /// The fast walk, when the key asks for it.
        fast: Option<Fast<'a>>,
    },
    /// By an offset param stepped by the page size.
    Offset {
        /// The offset param.
        offset: ParamRef<'a>,
        /// The page-size param, when the method has one.
        limit: Option<ParamRef<'a>>,
        /// How the last page is known.
        end: End<'a>,
    },
    /// By a cursor param fed from the last item of the previous page.
    Cursor {
        /// The cursor param.
        cursor: ParamRef<'a>,
        /// The item field whose value feeds the cursor.
        from: &'a Field,
        /// The page-size param, when the method has one.
        limit: Option<ParamRef<'a>>,
        /// How the last page is known.
        end: End<'a>,
    },
}

/// What the fast walk (`start=-1`, `>ID`) uses.
#[derive(Debug)]
pub struct Fast<'a> {
    /// The filter param that receives `>ID`.
    pub filter: &'a Field,
    /// The `ID` field of an item.
    pub id: &'a Field,
}

/// Why a `list` key does not fit: place, message, hint.
pub type Problem = (String, String, String);

/// Resolves `list` of method `m` (in namespace `module`), or returns every problem found.
pub fn resolve<'a>(
    m: &'a MethodSpec,
    list: &'a ListSpec,
    set: &'a SpecSet,
    module: &str,
) -> Result<Shape<'a>, Vec<Problem>> {
    let mut problems = Vec::new();
    if !m.read {
        problems.push((
            "list".into(),
            "a list method only reads, but `read` is not true".into(),
            "add `read: true`".into(),
        ));
    }
    let (items, element) = items_of(m, list, &mut problems);
    let fields = element.and_then(|e| element_fields(e, set, module));
    let (page_size, walk) = match &list.paging {
        Paging::Start => {
            let page_size = start_page_size(list, &mut problems);
            if list.end.is_some() {
                problems.push((
                    "list.end".into(),
                    "`end` is for offset and cursor paging; a start-paged list ends by the \
                     answer's `total` and `next`"
                        .into(),
                    "remove `end`, or give the `paging` the docs describe".into(),
                ));
            }
            let start = start_param(m, &mut problems);
            let fast = if list.fast {
                fast_parts(m, fields, &mut problems)
            } else {
                None
            };
            (page_size, start.map(|start| Walk::Start { start, fast }))
        }
        other => {
            if list.fast {
                problems.push((
                    "list.fast".into(),
                    format!(
                        "the fast walk is a kind of start paging, not of {} paging",
                        other.kind()
                    ),
                    "drop `fast`".into(),
                ));
            }
            paging::resolve(m, list, items, fields, &mut problems)
        }
    };
    match walk {
        Some(walk) if problems.is_empty() => Ok(Shape {
            page_size,
            items,
            walk,
        }),
        _ => Err(problems),
    }
}

/// The page size of a start-paged list: 1 to 50, 50 when absent.
fn start_page_size(list: &ListSpec, problems: &mut Vec<Problem>) -> u64 {
    let page_size = list.page_size.unwrap_or(MAX_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
        problems.push((
            "list.page_size".into(),
            format!("page_size {page_size} is not between 1 and {MAX_PAGE_SIZE}"),
            format!(
                "give the page size the docs state, or leave page_size out for {MAX_PAGE_SIZE}"
            ),
        ));
    }
    page_size
}

/// The `start` param: an optional integer that cannot be sent as null.
fn start_param<'a>(m: &'a MethodSpec, problems: &mut Vec<Problem>) -> Option<&'a Field> {
    let Some((i, start)) = m.params.iter().enumerate().find(|(_, p)| p.name == "start") else {
        problems.push((
            "list".into(),
            "a list method needs the `start` param, and there is none".into(),
            "add the `start` param (type integer) the docs list, or remove `list:`".into(),
        ));
        return None;
    };
    if !is_type(&start.ty, "integer") || start.required != Required::No || start.nullable {
        problems.push((
            format!("params[{i}] start"),
            "`start` of a list method must be an optional integer".into(),
            "give it `type: integer`, without `required` or `nullable`".into(),
        ));
        return None;
    }
    Some(start)
}

/// The item array: the result field holding it (`None` for the result itself), and the type
/// of one item (`items` and, for objects, `fields`).
fn items_of<'a>(
    m: &'a MethodSpec,
    list: &'a ListSpec,
    problems: &mut Vec<Problem>,
) -> (Option<&'a Field>, Option<Element<'a>>) {
    if list.items == "result" {
        if !is_collection(&m.result.ty) {
            problems.push((
                "list.items".into(),
                format!(
                    "the result is not an array or map (it is {})",
                    type_text(&m.result.ty)
                ),
                "name the result field that holds the items: `items: <field>`".into(),
            ));
            return (None, None);
        }
        let element = m.result.items.as_ref().map(|items| Element {
            items,
            fields: m.result.fields.as_deref(),
        });
        return (None, element);
    }
    let arrays: Vec<&Field> = m
        .result
        .fields
        .iter()
        .flatten()
        .filter(|f| is_collection(&f.ty))
        .collect();
    match arrays.iter().find(|f| f.name == list.items) {
        Some(field) if is_type(&m.result.ty, "object") => {
            let element = field.items.as_ref().map(|items| Element {
                items,
                fields: field.fields.as_deref(),
            });
            (Some(field), element)
        }
        _ => {
            let names: Vec<&str> = arrays.iter().map(|f| f.name.as_str()).collect();
            let hint = if is_collection(&m.result.ty) {
                "the result is the array of items: `items: result`".to_string()
            } else if names.is_empty() {
                "describe the result's array of items, or use `items: result` for an array result"
                    .to_string()
            } else {
                format!("the result's array and map fields: {}", names.join(", "))
            };
            problems.push((
                "list.items".into(),
                format!("the result has no array or map field \"{}\"", list.items),
                hint,
            ));
            (None, None)
        }
    }
}

/// One item of the list: its type name, and its fields when it is an inline object.
#[derive(Debug, Clone, Copy)]
struct Element<'a> {
    items: &'a Items,
    fields: Option<&'a [Field]>,
}

/// A filter that takes any condition: an `object` without `fields` (a JSON object in Rust) or a
/// `map` of `any` (a `BTreeMap` of JSON values).
fn is_free_filter(f: &Field) -> bool {
    (is_type(&f.ty, "object") && f.fields.is_none())
        || (is_type(&f.ty, "map") && matches!(&f.items, Some(Items::Name(n)) if n == "any"))
}

/// The filter param and the items' `ID` field of the fast walk.
fn fast_parts<'a>(
    m: &'a MethodSpec,
    fields: Option<&'a [Field]>,
    problems: &mut Vec<Problem>,
) -> Option<Fast<'a>> {
    let filter = m
        .params
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case("filter"));
    let filter = match filter {
        Some(f) if f.required == Required::No && !f.nullable && is_free_filter(f) => Some(f),
        _ => {
            problems.push((
                "list.fast".into(),
                "the fast walk needs an optional `filter` (or `FILTER`) param of type object \
                 without fields, or a map of any, to send `>ID`"
                    .into(),
                "describe the filter param the docs list, or drop `fast`".into(),
            ));
            None
        }
    };
    let id = fields
        .into_iter()
        .flatten()
        .find(|f| f.name == "ID" || f.name == "id")
        .filter(|f| is_type(&f.ty, "integer"));
    if id.is_none() {
        problems.push((
            "list.fast".into(),
            "the fast walk needs an integer `ID` (or `id`) field in each item".into(),
            "describe the items' ID field as `type: integer`, or drop `fast`".into(),
        ));
    }
    Some(Fast {
        filter: filter?,
        id: id?,
    })
}

/// The fields of one item: an inline object's, or a named type's.
fn element_fields<'a>(e: Element<'a>, set: &'a SpecSet, module: &str) -> Option<&'a [Field]> {
    match e.items {
        Items::Name(n) if n == "object" => e.fields,
        Items::Name(n) => named_fields(set, module, n),
        Items::Nested(_) | Items::Union(_) => None,
    }
}

/// The fields of a named type visible from `module`: its own types, then the common ones.
fn named_fields<'a>(set: &'a SpecSet, module: &str, name: &str) -> Option<&'a [Field]> {
    let local = set
        .module_types
        .get(module)
        .and_then(|t| t.value.types.get(name));
    let common = || set.types.as_ref().and_then(|t| t.value.types.get(name));
    local.or_else(common).map(|t| t.fields.as_slice())
}

/// An `array` of items, or a `map` of them keyed by id (its values are the items).
fn is_collection(t: &TypeExpr) -> bool {
    is_type(t, "array") || is_type(t, "map")
}

fn is_type(t: &TypeExpr, name: &str) -> bool {
    matches!(t, TypeExpr::One(n) if n == name)
}

fn type_text(t: &TypeExpr) -> String {
    t.names().join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method(yaml: &str) -> MethodSpec {
        crate::load::parse_str(yaml).unwrap_or_else(|e| panic!("{e:?}"))
    }

    const PAGED: &str = "method: a.list\nsummary: s\nscopes: [imbot]\ndocs: a.md\nread: true\n\
        params:\n  - {name: FILTER, type: object}\n  - {name: start, type: integer}\n\
        result:\n  type: array\n  items: object\n  fields:\n    - {name: ID, type: integer, required: true}\n";

    fn key(yaml: &str) -> ListSpec {
        crate::load::parse_str(yaml).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn a_fitting_key_resolves() {
        let m = method(PAGED);
        let list = key("items: result\nfast: true\n");
        let set = SpecSet::default();
        let shape = resolve(&m, &list, &set, "a").expect("fits");
        assert_eq!(shape.page_size, 50);
        assert!(shape.items.is_none());
        let Walk::Start {
            start,
            fast: Some(fast),
        } = shape.walk
        else {
            panic!("a fast start walk: {:?}", shape.walk);
        };
        assert_eq!(start.name, "start");
        assert_eq!(
            (fast.filter.name.as_str(), fast.id.name.as_str()),
            ("FILTER", "ID")
        );
    }

    #[test]
    fn every_misfit_is_reported() {
        let m = method(&PAGED.replace("read: true\n", "").replace("start", "offset"));
        let list = key("items: rows\npage_size: 0\nfast: true\n");
        let set = SpecSet::default();
        let places: Vec<String> = resolve(&m, &list, &set, "a")
            .unwrap_err()
            .into_iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(
            places,
            ["list", "list.items", "list.page_size", "list", "list.fast"]
        );
    }

    const OFFSET: &str = "method: a.list
summary: s
scopes: [imbot]
docs: a.md
read: true
params:
  - {name: OFFSET, type: integer}
  - {name: LIMIT, type: integer, max: 200}
  - {name: LAST_ID, type: integer}
  - {name: NAME, type: string}
result:
  type: object
  fields:
    - {name: hasMore, type: boolean}
    - {name: count, type: integer}
    - name: items
      type: array
      items: object
      fields:
        - {name: id, type: integer}
        - {name: title, type: string}
";

    #[test]
    fn offset_and_cursor_keys_resolve() {
        let m = method(OFFSET);
        let set = SpecSet::default();
        let list = key("items: items\npage_size: 200\npaging: {offset: OFFSET, limit: LIMIT}\nend: {flag: hasMore}\n");
        let shape = resolve(&m, &list, &set, "a").expect("offset fits");
        assert_eq!(shape.page_size, 200);
        let Walk::Offset {
            offset,
            limit: Some(limit),
            end: End::Flag(flag),
        } = shape.walk
        else {
            panic!("an offset walk with a flag: {:?}", shape.walk);
        };
        assert!(offset.objects.is_empty() && limit.objects.is_empty());
        assert_eq!(
            (
                offset.field.name.as_str(),
                limit.field.name.as_str(),
                flag.name.as_str()
            ),
            ("OFFSET", "LIMIT", "hasMore")
        );
        let list = key("items: items\npage_size: 50\npaging: {cursor: LAST_ID, from: id}\n");
        let shape = resolve(&m, &list, &set, "a").expect("cursor fits");
        let Walk::Cursor {
            cursor,
            from,
            limit: None,
            end: End::Short,
        } = shape.walk
        else {
            panic!("a cursor walk to a short page: {:?}", shape.walk);
        };
        assert_eq!(
            (cursor.field.name.as_str(), from.name.as_str()),
            ("LAST_ID", "id")
        );
    }

    #[test]
    fn offset_and_cursor_misfits_are_reported() {
        let m = method(OFFSET);
        let set = SpecSet::default();
        let cases = [
            (
                "paging: {offset: SKIP}\npage_size: 10",
                vec!["list.paging.offset"],
            ),
            (
                "paging: {offset: NAME, limit: LIMIT}\npage_size: 10",
                vec!["list.paging.offset"],
            ),
            (
                "paging: {offset: OFFSET, limit: LIMIT}\npage_size: 500",
                vec!["list.page_size"],
            ),
            ("paging: {offset: OFFSET}", vec!["list.page_size"]),
            (
                "paging: {offset: OFFSET}\npage_size: 9\nend: {flag: count}",
                vec!["list.end.flag"],
            ),
            (
                "paging: {offset: OFFSET}\npage_size: 9\nend: {flag: more}",
                vec!["list.end.flag"],
            ),
            (
                "paging: {cursor: LAST_ID, from: title}\npage_size: 9",
                vec!["list.paging.from"],
            ),
            (
                "paging: {cursor: LAST_ID, from: ID}\npage_size: 9",
                vec!["list.paging.from"],
            ),
            (
                "paging: {cursor: NAME, from: id, limit: PAGE}\npage_size: 9",
                vec!["list.paging.cursor", "list.paging.limit"],
            ),
            (
                "paging: {offset: OFFSET}\npage_size: 9\nfast: true",
                vec!["list.fast"],
            ),
            ("end: total", vec!["list.end", "list"]),
        ];
        for (yaml, want) in cases {
            let list = key(&format!("items: items\n{yaml}\n"));
            let places: Vec<String> = resolve(&m, &list, &set, "a")
                .expect_err(yaml)
                .into_iter()
                .map(|p| p.0)
                .collect();
            assert_eq!(places, want, "{yaml}");
        }
    }

    const NESTED: &str = "method: a.list
summary: s
scopes: [imbot]
docs: a.md
read: true
params:
  - name: PARAMS
    type: object
    fields:
      - {name: select, type: array, items: string}
      - {name: name, type: string}
      - {name: limit, type: integer, min: 0, max: 200}
      - {name: offset, type: integer}
  - name: NEED
    type: object
    required: true
    fields:
      - {name: id, type: integer, required: true}
      - {name: offset, type: integer}
      - name: deep
        type: object
        fields:
          - {name: offset, type: integer}
  - name: STRICT
    type: object
    fields:
      - {name: id, type: integer, required: true}
      - {name: offset, type: integer}
  - name: NULLED
    type: object
    nullable: true
    fields:
      - {name: offset, type: integer}
  - name: GROUPED
    type: object
    one_of: [[a, b]]
    fields:
      - {name: a, type: string}
      - {name: b, type: string}
      - {name: offset, type: integer}
  - {name: FREE, type: object}
  - {name: TEXT, type: string}
result:
  type: array
  items: object
  fields:
    - {name: id, type: integer}
";

    #[test]
    fn a_path_reaches_into_object_params() {
        let m = method(NESTED);
        let set = SpecSet::default();
        let list = key(
            "items: result\npage_size: 200\npaging: {offset: PARAMS.offset, limit: PARAMS.limit}\n",
        );
        let shape = resolve(&m, &list, &set, "a").expect("a path fits");
        let Walk::Offset {
            offset,
            limit: Some(limit),
            end: End::Short,
        } = shape.walk
        else {
            panic!("an offset walk: {:?}", shape.walk);
        };
        let names = |r: &ParamRef<'_>| {
            let mut n: Vec<&str> = r.objects.iter().map(|o| o.name.as_str()).collect();
            n.push(&r.field.name);
            n.join("/")
        };
        assert_eq!(
            (names(&offset), names(&limit)),
            ("PARAMS/offset".into(), "PARAMS/limit".into())
        );
        for (path, want) in [
            ("NEED.offset", "NEED/offset"),
            ("NEED.deep.offset", "NEED/deep/offset"),
        ] {
            let list = key(&format!(
                "items: result\npage_size: 9\npaging: {{cursor: {path}, from: id}}\n"
            ));
            let shape = resolve(&m, &list, &set, "a").expect(path);
            let Walk::Cursor { cursor, .. } = shape.walk else {
                panic!("a cursor walk: {:?}", shape.walk);
            };
            assert_eq!(names(&cursor), want);
        }
    }

    #[test]
    fn a_path_that_does_not_fit_is_named() {
        let m = method(NESTED);
        let set = SpecSet::default();
        for (path, says) in [
            ("PARAMS.skip", "has no field \"skip\""),
            ("PARAMS.name", "must be an optional integer"),
            ("PARAMS", "must be an optional integer"),
            ("PARAMS..offset", "empty step"),
            ("NOPE.offset", "no param \"NOPE\""),
            (
                "TEXT.offset",
                "must be an object with fields (it is string)",
            ),
            (
                "FREE.offset",
                "must be an object with fields (it is an object without fields)",
            ),
            ("NULLED.offset", "is nullable"),
            ("STRICT.offset", "its field \"id\" is required"),
            ("GROUPED.offset", "`one_of`"),
            (
                "NEED.id",
                "must be an optional integer (it is a required integer)",
            ),
        ] {
            let list = key(&format!(
                "items: result\npage_size: 9\npaging: {{offset: {path}}}\n"
            ));
            let problems = resolve(&m, &list, &set, "a").expect_err(path);
            assert_eq!(problems.len(), 1, "{path}: {problems:?}");
            let (place, message, _) = &problems[0];
            assert_eq!(place, "list.paging.offset", "{path}");
            assert!(message.contains(says), "{path}: {message}");
        }
        let list = key(
            "items: result\npage_size: 300\npaging: {offset: PARAMS.offset, limit: PARAMS.limit}\n",
        );
        let problems = resolve(&m, &list, &set, "a").expect_err("too big");
        assert_eq!(
            problems[0].1,
            "page_size 300 is not 1 to 200, the bounds of \"limit\""
        );
    }
}
