//! Lowering of the `list` key: the resolved [`Shape`] of a list method, read against the
//! method's lowered params and result types, becomes the [`ListIr`] of its `ListMethod` impl.

use crate::ir::{
    EndIr, FastListIr, FieldIr, ListIr, ObjectStepIr, ParamPathIr, ResultField, RustTy, TypeDef,
    WalkIr,
};
use crate::list_key::{End, ParamRef, Shape, Walk, MAX_PAGE_SIZE};
use crate::names;
use crate::spec::{Field, Required};

/// The list impl of a method whose params, result type and generated types are lowered;
/// `None` when a name cannot be found (validation has reported why).
pub fn list_ir(
    shape: &Shape<'_>,
    params: &[FieldIr],
    result: &RustTy,
    types: &[TypeDef],
) -> Option<ListIr> {
    let param = |wire: &str| {
        params
            .iter()
            .find(|p| p.wire == wire)
            .map(|p| p.ident.clone())
    };
    let (result_optional, result) = match result {
        RustTy::Option(inner) => (true, inner.as_ref()),
        other => (false, other),
    };
    let (items_field, list) = match shape.items {
        None => (None, result.clone()),
        Some(field) => {
            let RustTy::Named(name) = result else {
                return None;
            };
            let f = types.iter().find_map(|t| match t {
                TypeDef::Struct(s) if s.name == *name => {
                    s.fields.iter().find(|f| f.wire == field.name)
                }
                _ => None,
            })?;
            let at = ResultField {
                ident: f.ident.clone(),
                optional: f.is_optional(),
            };
            (Some(at), f.ty.clone())
        }
    };
    let (item, items_map) = match list {
        RustTy::Vec(item) => (item, false),
        RustTy::Map(item) => (item, true),
        _ => return None,
    };
    let end = |e: &End<'_>| match e {
        End::Short => EndIr::Short,
        End::Total => EndIr::Total,
        End::Flag(f) => EndIr::Flag(result_field(f)),
    };
    let walk = match &shape.walk {
        Walk::Start { start, fast } => WalkIr::Start {
            start: param(&start.name)?,
            fast: match fast {
                Some(fast) => Some(FastListIr {
                    filter: param(&fast.filter.name)?,
                    id: result_field(fast.id),
                }),
                None => None,
            },
        },
        Walk::Offset {
            offset,
            limit,
            end: e,
        } => WalkIr::Offset {
            offset: param_path(offset, params, types)?,
            limit: optional_path(limit.as_ref(), params, types)?,
            end: end(e),
        },
        Walk::Cursor {
            cursor,
            from,
            limit,
            end: e,
        } => WalkIr::Cursor {
            cursor: param_path(cursor, params, types)?,
            from: result_field(from),
            limit: optional_path(limit.as_ref(), params, types)?,
            end: end(e),
        },
    };
    Some(ListIr {
        item: *item,
        page_size: (shape.page_size != MAX_PAGE_SIZE).then_some(shape.page_size),
        result_optional,
        items_field,
        items_map,
        walk,
    })
}

/// The Rust fields to a param a walk sets: through the lowered params, then the fields of
/// each object's generated struct.
fn param_path(r: &ParamRef<'_>, params: &[FieldIr], types: &[TypeDef]) -> Option<ParamPathIr> {
    let mut fields = params;
    let mut objects = Vec::new();
    for o in &r.objects {
        let f = fields.iter().find(|f| f.wire == o.name)?;
        let RustTy::Named(name) = &f.ty else {
            return None;
        };
        let s = types.iter().find_map(|t| match t {
            TypeDef::Struct(s) if s.name == *name => Some(s),
            _ => None,
        })?;
        objects.push(ObjectStepIr {
            ident: f.ident.clone(),
            make: f.is_optional().then(|| name.clone()),
        });
        fields = &s.fields;
    }
    let field = fields.iter().find(|f| f.wire == r.field.name)?;
    Some(ParamPathIr {
        objects,
        field: field.ident.clone(),
    })
}

/// [`param_path`] of an optional param: `Some(None)` when there is none, `None` when it cannot
/// be found.
fn optional_path(
    r: Option<&ParamRef<'_>>,
    params: &[FieldIr],
    types: &[TypeDef],
) -> Option<Option<ParamPathIr>> {
    match r {
        None => Some(None),
        Some(r) => param_path(r, params, types).map(Some),
    }
}

/// A result field as the lowering names it (named types are lowered elsewhere, so the name is
/// derived here the same way).
fn result_field(f: &Field) -> ResultField {
    let base = f.rust_name.clone().unwrap_or_else(|| names::snake(&f.name));
    ResultField {
        ident: names::field_ident(&base),
        optional: f.required != Required::Yes,
    }
}
