//! The `list` key of a method: what it resolves to in the method's params and result, or why
//! it does not fit. Validation reports the problems; lowering builds the `ListMethod` impl from
//! the resolved shape. Both call [`resolve`], so they cannot disagree.

use crate::load::SpecSet;
use crate::spec::{Field, Items, ListSpec, MethodSpec, Required, TypeExpr};

/// The most items a page of a `start`-paged list holds on the portal.
pub const MAX_PAGE_SIZE: u64 = 50;

/// A `list` key resolved against its method.
#[derive(Debug)]
pub struct Shape<'a> {
    /// Items per page.
    pub page_size: u64,
    /// The `start` param.
    pub start: &'a Field,
    /// The result field holding the items; `None` when the result is the array of items.
    pub items: Option<&'a Field>,
    /// The fast walk, when the key asks for it.
    pub fast: Option<Fast<'a>>,
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
    if !m.read {
        problems.push((
            "list".into(),
            "a list method only reads, but `read` is not true".into(),
            "add `read: true`".into(),
        ));
    }
    let start = start_param(m, &mut problems);
    let (items, element) = items_of(m, list, &mut problems);
    let fast = if list.fast {
        fast_parts(m, element, set, module, &mut problems)
    } else {
        None
    };
    match start {
        Some(start) if problems.is_empty() => Ok(Shape {
            page_size,
            start,
            items,
            fast,
        }),
        _ => Err(problems),
    }
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
        if !is_type(&m.result.ty, "array") {
            problems.push((
                "list.items".into(),
                format!(
                    "the result is not an array (it is {})",
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
        .filter(|f| is_type(&f.ty, "array"))
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
            let hint = if is_type(&m.result.ty, "array") {
                "the result is the array of items: `items: result`".to_string()
            } else if names.is_empty() {
                "describe the result's array of items, or use `items: result` for an array result"
                    .to_string()
            } else {
                format!("the result's array fields: {}", names.join(", "))
            };
            problems.push((
                "list.items".into(),
                format!("the result has no array field \"{}\"", list.items),
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
    element: Option<Element<'a>>,
    set: &'a SpecSet,
    module: &str,
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
    let fields = element.and_then(|e| match e.items {
        Items::Name(n) if n == "object" => e.fields,
        Items::Name(n) => named_fields(set, module, n),
        Items::Nested(_) | Items::Union(_) => None,
    });
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

/// The fields of a named type visible from `module`: its own types, then the common ones.
fn named_fields<'a>(set: &'a SpecSet, module: &str, name: &str) -> Option<&'a [Field]> {
    let local = set
        .module_types
        .get(module)
        .and_then(|t| t.value.types.get(name));
    let common = || set.types.as_ref().and_then(|t| t.value.types.get(name));
    local.or_else(common).map(|t| t.fields.as_slice())
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

    #[test]
    fn a_fitting_key_resolves() {
        let m = method(PAGED);
        let list = ListSpec {
            page_size: None,
            items: "result".into(),
            fast: true,
        };
        let set = SpecSet::default();
        let shape = resolve(&m, &list, &set, "a").expect("fits");
        assert_eq!(shape.page_size, 50);
        assert_eq!(shape.start.name, "start");
        assert!(shape.items.is_none());
        let fast = shape.fast.expect("fast");
        assert_eq!(
            (fast.filter.name.as_str(), fast.id.name.as_str()),
            ("FILTER", "ID")
        );
    }

    #[test]
    fn every_misfit_is_reported() {
        let m = method(&PAGED.replace("read: true\n", "").replace("start", "offset"));
        let list = ListSpec {
            page_size: Some(0),
            items: "rows".into(),
            fast: true,
        };
        let set = SpecSet::default();
        let places: Vec<String> = resolve(&m, &list, &set, "a")
            .unwrap_err()
            .into_iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(
            places,
            ["list.page_size", "list", "list", "list.items", "list.fast"]
        );
    }
}
