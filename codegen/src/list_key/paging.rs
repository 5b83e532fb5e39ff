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
    let page_size = page_size(list, kind, limit.as_ref().map(|l| l.field), problems);
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

/// A param an offset or cursor walk sets: a param of the method, or a field reached through
/// object params (`PARAMS.offset`).
#[derive(Debug)]
pub struct ParamRef<'a> {
    /// The object params (and object fields) on the way, outermost first; empty for a param
    /// of the method itself.
    pub objects: Vec<&'a Field>,
    /// The integer param or field the walk sets.
    pub field: &'a Field,
}

/// A paging param (`role`: offset, cursor or limit): an optional, non-nullable integer, named
/// by its wire name or by a dotted path into object params.
fn param<'a>(
    m: &'a MethodSpec,
    role: &str,
    name: &str,
    problems: &mut Vec<Problem>,
) -> Option<ParamRef<'a>> {
    let place = format!("list.paging.{role}");
    // A param of that very name first (wire names may hold dots); else a path.
    let found = match m.params.iter().find(|p| p.name == name) {
        Some(p) => Some(ParamRef {
            objects: Vec::new(),
            field: p,
        }),
        None => path(m, role, name, &place, problems),
    }?;
    let p = found.field;
    if !is_type(&p.ty, "integer") || p.required != Required::No || p.nullable {
        problems.push((
            place,
            format!(
                "the {role} param \"{name}\" must be an optional integer (it is {}{}{})",
                if p.required == Required::No {
                    ""
                } else {
                    "a required "
                },
                if p.nullable { "a nullable " } else { "" },
                type_text(&p.ty)
            ),
            format!(
                "give \"{}\" `type: integer`, without `required` or `nullable`",
                p.name
            ),
        ));
        return None;
    }
    Some(found)
}

/// The field a dotted `name` (`PARAMS.offset`) reaches through object params, each an inline
/// object the walk can fill in; `None` (with the problem) when a step does not fit.
fn path<'a>(
    m: &'a MethodSpec,
    role: &str,
    name: &str,
    place: &str,
    problems: &mut Vec<Problem>,
) -> Option<ParamRef<'a>> {
    let mut problem = |message: String, hint: String| {
        problems.push((place.to_string(), message, hint));
        None
    };
    let steps: Vec<&str> = name.split('.').collect();
    let (first, rest) = steps.split_first()?;
    if rest.is_empty() || steps.iter().any(|s| s.is_empty()) {
        if !rest.is_empty() {
            return problem(
                format!("\"{name}\" is not a path: it has an empty step"),
                "write a param's wire name, or `PARAM.field` for a field of an object param".into(),
            );
        }
        let names: Vec<&str> = m.params.iter().map(|p| p.name.as_str()).collect();
        return problem(
            format!("the method has no param \"{name}\" for the {role}"),
            if names.is_empty() {
                "describe the param the docs list, or remove `list:`".into()
            } else {
                format!("name one of the params: {}", names.join(", "))
            },
        );
    }
    let Some(mut at) = m.params.iter().find(|p| p.name == *first) else {
        let objects: Vec<&str> = m
            .params
            .iter()
            .filter(|p| p.fields.is_some())
            .map(|p| p.name.as_str())
            .collect();
        return problem(
            format!("the method has no param \"{first}\" for the {role} path \"{name}\""),
            if objects.is_empty() {
                "the method has no object param with fields; name a param of its own".into()
            } else {
                format!("its object params: {}", objects.join(", "))
            },
        );
    };
    let mut objects = Vec::new();
    for step in rest {
        let Some(fields) = at.fields.as_deref().filter(|_| is_type(&at.ty, "object")) else {
            return problem(
                format!(
                    "\"{}\" on the {role} path \"{name}\" must be an object with fields (it is {})",
                    at.name,
                    if is_type(&at.ty, "object") {
                        "an object without fields".to_string()
                    } else {
                        type_text(&at.ty)
                    }
                ),
                "a path goes through objects described inline (`type: object` with `fields:`)"
                    .into(),
            );
        };
        if at.nullable {
            return problem(
                format!(
                    "\"{}\" on the {role} path \"{name}\" is nullable; the walk fills it in, \
                     never clears it",
                    at.name
                ),
                format!("remove `nullable` from \"{}\"", at.name),
            );
        }
        if at.required != Required::Yes {
            // Left out by the caller, the object is made by the walk with only its paging
            // fields: it must be a valid object then.
            if let Some(f) = fields.iter().find(|f| f.required == Required::Yes) {
                return problem(
                    format!(
                        "the walk makes \"{}\" when the caller leaves it out, but its field \
                         \"{}\" is required",
                        at.name, f.name
                    ),
                    format!(
                        "make \"{}\" required, or \"{}\" optional, as the docs say",
                        at.name, f.name
                    ),
                );
            }
            if !at.one_of.is_empty() {
                return problem(
                    format!(
                        "the walk makes \"{}\" when the caller leaves it out, and its `one_of` \
                         groups may not be met then",
                        at.name
                    ),
                    format!(
                        "make \"{}\" required, or name a param of the method",
                        at.name
                    ),
                );
            }
        }
        objects.push(at);
        let Some(next) = fields.iter().find(|f| f.name == *step) else {
            let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            return problem(
                format!(
                    "the object \"{}\" has no field \"{step}\" for the {role}",
                    at.name
                ),
                format!("its fields: {}", names.join(", ")),
            );
        };
        at = next;
    }
    Some(ParamRef { objects, field: at })
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
