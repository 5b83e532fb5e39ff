//! `offset` and `cursor` paging of a `list` key: the params and fields they name, matched
//! against the method, and the page size against the limit param's bounds.

use super::{is_type, type_text, Problem, Walk};
use crate::spec::{Field, ListEnd, ListSpec, MethodSpec, Paging, Required};

/// How the last page of an offset or cursor list is known, resolved.
#[derive(Debug)]
pub enum End<'a> {
    /// A page with fewer items than the page size.
    Short,
    /// The envelope's `total` reached (or a short page).
    Total,
    /// This boolean field of the result object is false (or a page is empty).
    Flag(&'a Field),
}

/// The page size and walk of an `offset` or `cursor` key (`None` when a part does not fit).
pub(super) fn resolve<'a>(
    m: &'a MethodSpec,
    list: &'a ListSpec,
    items: Option<&'a Field>,
    fields: Option<&'a [Field]>,
    problems: &mut Vec<Problem>,
) -> (u64, Option<Walk<'a>>) {
    let (position, limit) = match &list.paging {
        Paging::Start => return (0, None),
        Paging::Offset { offset, limit } => (("offset", offset), limit),
        Paging::Cursor { cursor, limit, .. } => (("cursor", cursor), limit),
    };
    let kind = list.paging.kind();
    let position = param(m, position.0, position.1, problems);
    let limit = limit
        .as_deref()
        .and_then(|l| param(m, "limit", l, problems));
    let page_size = page_size(list, kind, limit, problems);
    let end = end(m, list, items, problems);
    let walk = match &list.paging {
        Paging::Offset { .. } => match (position, end) {
            (Some(offset), Some(end)) => Some(Walk::Offset { offset, limit, end }),
            _ => None,
        },
        Paging::Cursor { from, .. } => match (position, item_field(fields, from, problems), end) {
            (Some(cursor), Some(from), Some(end)) => Some(Walk::Cursor {
                cursor,
                from,
                limit,
                end,
            }),
            _ => None,
        },
        Paging::Start => None,
    };
    (page_size, walk)
}

/// A paging param (`role`: offset, cursor or limit): an optional, non-nullable integer.
fn param<'a>(
    m: &'a MethodSpec,
    role: &str,
    name: &str,
    problems: &mut Vec<Problem>,
) -> Option<&'a Field> {
    let place = format!("list.paging.{role}");
    let Some(p) = m.params.iter().find(|p| p.name == name) else {
        let names: Vec<&str> = m.params.iter().map(|p| p.name.as_str()).collect();
        problems.push((
            place,
            format!("the method has no param \"{name}\" for the {role}"),
            if names.is_empty() {
                "describe the param the docs list, or remove `list:`".into()
            } else {
                format!("name one of the params: {}", names.join(", "))
            },
        ));
        return None;
    };
    if !is_type(&p.ty, "integer") || p.required != Required::No || p.nullable {
        problems.push((
            place,
            format!(
                "the {role} param \"{name}\" must be an optional integer (it is {}{})",
                if p.required == Required::No {
                    ""
                } else {
                    "a required "
                },
                type_text(&p.ty)
            ),
            format!("give \"{name}\" `type: integer`, without `required` or `nullable`"),
        ));
        return None;
    }
    Some(p)
}

/// The page size an offset or cursor list asks for: required, at least 1, and within the
/// limit param's `min`/`max`.
fn page_size(
    list: &ListSpec,
    kind: &str,
    limit: Option<&Field>,
    problems: &mut Vec<Problem>,
) -> u64 {
    let Some(size) = list.page_size else {
        problems.push((
            "list.page_size".into(),
            format!("{kind} paging needs the page size"),
            "give `page_size:` the largest page the docs allow".into(),
        ));
        return 0;
    };
    let size_i = i64::try_from(size).unwrap_or(i64::MAX);
    let lo = limit.and_then(|l| l.min).unwrap_or(1).max(1);
    let hi = limit.and_then(|l| l.max);
    if size_i < lo || hi.is_some_and(|hi| size_i > hi) {
        let range = match (hi, limit) {
            (Some(hi), Some(l)) => format!("{lo} to {hi}, the bounds of \"{}\"", l.name),
            _ => format!("at least {lo}"),
        };
        problems.push((
            "list.page_size".into(),
            format!("page_size {size} is not {range}"),
            "give the largest page the docs allow".into(),
        ));
    }
    size
}

/// The end condition: a `flag` must be a boolean field of the result object.
fn end<'a>(
    m: &'a MethodSpec,
    list: &'a ListSpec,
    items: Option<&'a Field>,
    problems: &mut Vec<Problem>,
) -> Option<End<'a>> {
    match &list.end {
        None | Some(ListEnd::Short) => Some(End::Short),
        Some(ListEnd::Total) => Some(End::Total),
        Some(ListEnd::Flag(name)) => {
            let fields = items.and(m.result.fields.as_deref()).unwrap_or_default();
            match fields.iter().find(|f| f.name == *name) {
                Some(f) if is_type(&f.ty, "boolean") => Some(End::Flag(f)),
                Some(f) => {
                    problems.push((
                        "list.end.flag".into(),
                        format!(
                            "the flag \"{name}\" must be a boolean (it is {})",
                            type_text(&f.ty)
                        ),
                        format!("give \"{name}\" `type: boolean`"),
                    ));
                    None
                }
                None => {
                    let flags: Vec<&str> = fields
                        .iter()
                        .filter(|f| is_type(&f.ty, "boolean"))
                        .map(|f| f.name.as_str())
                        .collect();
                    problems.push((
                        "list.end.flag".into(),
                        format!("the result object has no field \"{name}\""),
                        if flags.is_empty() {
                            "describe the result's flag field, or use `end: short` or \
                             `end: total`"
                                .into()
                        } else {
                            format!("the result's boolean fields: {}", flags.join(", "))
                        },
                    ));
                    None
                }
            }
        }
    }
}

/// The item field a cursor is taken from: an integer field of each item.
fn item_field<'a>(
    fields: Option<&'a [Field]>,
    name: &str,
    problems: &mut Vec<Problem>,
) -> Option<&'a Field> {
    let Some(fields) = fields else {
        problems.push((
            "list.paging.from".into(),
            format!("the items have no fields, so none is \"{name}\""),
            "describe the items as an object (inline fields or a named type)".into(),
        ));
        return None;
    };
    match fields.iter().find(|f| f.name == name) {
        Some(f) if is_type(&f.ty, "integer") => Some(f),
        Some(f) => {
            problems.push((
                "list.paging.from".into(),
                format!(
                    "the item field \"{name}\" must be an integer to feed the cursor (it is {})",
                    type_text(&f.ty)
                ),
                format!("give \"{name}\" `type: integer`"),
            ));
            None
        }
        None => {
            let ints: Vec<&str> = fields
                .iter()
                .filter(|f| is_type(&f.ty, "integer"))
                .map(|f| f.name.as_str())
                .collect();
            problems.push((
                "list.paging.from".into(),
                format!("the items have no field \"{name}\""),
                if ints.is_empty() {
                    "describe the item field the docs take the cursor from".into()
                } else {
                    format!("the items' integer fields: {}", ints.join(", "))
                },
            ));
            None
        }
    }
}
