//! The rules for one field (a param, an object field, or a result), one function per rule.

use super::Validator;
use crate::diag::Diagnostic;
use crate::spec::{BaseType, Field, Items, Required, TypeExpr, STRING_TYPES};
use std::path::Path;

/// What a field's type says, worked out once for all the rules.
struct Shape<'a> {
    /// The type names (one, or the members of a union).
    names: Vec<&'a str>,
    /// Whether the type is a union.
    union: bool,
    /// The single type name; empty for a union.
    primary: &'a str,
    /// `array`, `map`, or a union holding `array`.
    collection: bool,
    /// The type whose values the field holds: the items' type for a collection.
    scalar: &'a str,
}

impl<'a> Shape<'a> {
    fn of(f: &'a Field) -> Self {
        let names = f.ty.names();
        let union = matches!(f.ty, TypeExpr::Union(_));
        let primary = if union {
            ""
        } else {
            names.first().copied().unwrap_or("")
        };
        let collection =
            primary == "array" || primary == "map" || (union && names.contains(&"array"));
        let scalar = if collection {
            f.items.as_ref().map(Items::name).unwrap_or("")
        } else {
            primary
        };
        Shape {
            names,
            union,
            primary,
            collection,
            scalar,
        }
    }

    fn numeric(&self) -> bool {
        self.scalar == "integer" || self.scalar == "double"
    }
}

impl Validator {
    /// Checks one field against every rule.
    pub(super) fn field(&mut self, path: &Path, here: &str, f: &Field, is_param: bool) {
        let shape = Shape::of(f);
        self.union_size(path, here, &shape);
        self.types_known(path, here, &shape);
        self.union_members(path, here, &shape);
        self.items(path, here, f, &shape, is_param);
        self.object_fields(path, here, f, &shape, is_param);
        self.one_of_only_for_params(path, here, f, is_param);
        self.encoding(path, here, f, &shape);
        if let Some(values) = &f.values {
            self.values(path, here, shape.scalar, values, f.encoding.is_some());
        }
        self.bounds(path, here, f, &shape);
        self.max_length(path, here, f, &shape);
        self.max_items(path, here, f, &shape);
        self.nullable(path, here, f, is_param);
        self.webhook_only_for_params(path, here, f, is_param);
    }

    /// A union lists at least two types.
    fn union_size(&mut self, path: &Path, here: &str, shape: &Shape<'_>) {
        if shape.union && shape.names.len() < 2 {
            self.push(
                Diagnostic::new(path, here, "a union needs at least two types")
                    .hint("write a single type as type: string"),
            );
        }
    }

    /// Every type name is built in or named.
    fn types_known(&mut self, path: &Path, here: &str, shape: &Shape<'_>) {
        for t in &shape.names {
            if !self.known(t) {
                self.unknown_type(path, here, t);
            }
        }
    }

    /// A union holds only built-in scalars, `object` and `array`.
    fn union_members(&mut self, path: &Path, here: &str, shape: &Shape<'_>) {
        let bad = shape
            .names
            .iter()
            .any(|t| *t == "map" || self.named_types.contains(*t) || self.local_types.contains(*t));
        if shape.union && bad {
            self.push(
                Diagnostic::new(
                    path,
                    here,
                    "a union may hold only built-in scalar types, object and array",
                )
                .hint("use any for looser values"),
            );
        }
    }

    /// `items:` is there exactly for collections, and names a known type or a nested one.
    fn items(&mut self, path: &Path, here: &str, f: &Field, shape: &Shape<'_>, is_param: bool) {
        match (&f.items, shape.collection) {
            (None, true) if !shape.union => {
                self.push(
                    Diagnostic::new(path, here, format!("{} needs items:", shape.primary))
                        .hint("say the type of each item, e.g. items: integer (any when unknown)"),
                );
            }
            (Some(_), false) => {
                self.push(
                    Diagnostic::new(path, here, "items: is only for array and map")
                        .hint("remove items: or make the type array"),
                );
            }
            (Some(it), true) => self.item_type(path, here, f, it, is_param),
            _ => {}
        }
    }

    /// The type of a collection's items.
    fn item_type(&mut self, path: &Path, here: &str, f: &Field, it: &Items, is_param: bool) {
        match it {
            Items::Name(n) if n == "array" || n == "map" => {
                self.push(
                    Diagnostic::new(path, here, format!("items: {n} needs the inner items"))
                        .hint(format!("write items: {{type: {n}, items: integer}}")),
                );
            }
            Items::Name(n) => {
                if !self.known(n) {
                    self.unknown_type(path, &format!("{here} items"), n);
                }
            }
            Items::Union(members) => self.item_union(path, &format!("{here} items"), f, members),
            Items::Nested(_) => {
                if f.fields.is_some() {
                    self.push(
                        Diagnostic::new(path, here, "fields: belong inside the nested items:")
                            .hint("move fields: under items:"),
                    );
                }
                let inner = it.as_field(&f.name, f);
                self.field(path, &format!("{here} items"), &inner, is_param);
            }
        }
    }

    /// A union of items: two or more distinct members, each a built-in scalar or a named
    /// type (an inline object could not say which fields belong to which member), and no
    /// `values:`, which would belong to one member only.
    fn item_union(&mut self, path: &Path, here: &str, f: &Field, members: &[String]) {
        if members.len() < 2 {
            self.push(
                Diagnostic::new(path, here, "a union of items needs at least two types")
                    .hint("write a single type as items: integer"),
            );
        }
        let mut decoded_as: Vec<&str> = Vec::new();
        for (i, m) in members.iter().enumerate() {
            // Members that decode into one Rust type: the later one could never be chosen.
            let rust = match BaseType::parse(m) {
                Some(BaseType::Integer | BaseType::Timestamp) => "i64",
                Some(b) if b.is_text() => "String",
                _ => m.as_str(),
            };
            if decoded_as.contains(&rust) && !members[..i].contains(m) {
                self.push(
                    Diagnostic::new(
                        path,
                        here,
                        format!(
                            "\"{m}\" decodes as the same Rust type ({rust}) as an earlier member"
                        ),
                    )
                    .hint("keep one of them"),
                );
            }
            decoded_as.push(rust);
            if members[..i].contains(m) {
                self.push(Diagnostic::new(
                    path,
                    here,
                    format!("\"{m}\" is listed twice in the union"),
                ));
                continue;
            }
            if !self.known(m) {
                self.unknown_type(path, here, m);
                continue;
            }
            let collection_or_free = matches!(m.as_str(), "array" | "map" | "object" | "any");
            if collection_or_free {
                self.push(
                    Diagnostic::new(
                        path,
                        here,
                        format!(
                            "a union of items may hold built-in scalars and named types, not {m}"
                        ),
                    )
                    .hint("name the object's type in types/<module>.yaml, or use items: any"),
                );
            }
        }
        if f.values.is_some() {
            self.push(
                Diagnostic::new(path, here, "values: cannot go with a union of items")
                    .hint("describe the values in the description"),
            );
        }
    }

    /// `fields:` (and `one_of:`) only on objects, never empty; the fields themselves.
    fn object_fields(
        &mut self,
        path: &Path,
        here: &str,
        f: &Field,
        shape: &Shape<'_>,
        is_param: bool,
    ) {
        let object_like = shape.primary == "object"
            || (shape.collection && matches!(&f.items, Some(Items::Name(n)) if n == "object"));
        if let Some(fields) = &f.fields {
            if !object_like || shape.union {
                self.push(
                    Diagnostic::new(
                        path,
                        here,
                        "fields: is only for object, or an array or map of object",
                    )
                    .hint("set type: object, or items: object"),
                );
            } else if fields.is_empty() {
                self.push(
                    Diagnostic::new(path, here, "fields: is empty")
                        .hint("list the fields, or remove fields: for a free-form object"),
                );
            }
            self.fields(path, &format!("{here} fields"), fields, is_param);
            self.one_of(path, &format!("{here} one_of"), &f.one_of, fields);
        } else if !f.one_of.is_empty() {
            self.push(
                Diagnostic::new(path, here, "one_of: is only for objects with fields:")
                    .hint("move it to the object whose fields it names"),
            );
        }
    }

    /// `one_of:` only in params: results are not checked.
    fn one_of_only_for_params(&mut self, path: &Path, here: &str, f: &Field, is_param: bool) {
        if !is_param && !f.one_of.is_empty() {
            self.push(
                Diagnostic::new(path, here, "one_of: is only for params")
                    .hint("results are not checked"),
            );
        }
    }

    /// `encoding:` only for boolean (or char) values.
    fn encoding(&mut self, path: &Path, here: &str, f: &Field, shape: &Shape<'_>) {
        if f.encoding.is_some() && !(shape.scalar == "boolean" || shape.scalar == "char") {
            self.push(
                Diagnostic::new(path, here, "encoding: is only for boolean (or char) values")
                    .hint("remove encoding:"),
            );
        }
    }

    /// `min:`/`max:` only for numbers, in order.
    fn bounds(&mut self, path: &Path, here: &str, f: &Field, shape: &Shape<'_>) {
        if (f.min.is_some() || f.max.is_some()) && (!shape.numeric() || shape.collection) {
            self.push(
                Diagnostic::new(path, here, "min:/max: are only for integer and double")
                    .hint("remove them, or use max_length: for text"),
            );
        }
        if let (Some(lo), Some(hi)) = (f.min, f.max) {
            if lo > hi {
                self.push(Diagnostic::new(
                    path,
                    here,
                    format!("min {lo} is above max {hi}"),
                ));
            }
        }
    }

    /// `max_length:` only for text.
    fn max_length(&mut self, path: &Path, here: &str, f: &Field, shape: &Shape<'_>) {
        let text = STRING_TYPES.contains(&shape.scalar) || shape.scalar == "text";
        if f.max_length.is_some() && (!text || shape.collection) {
            self.push(
                Diagnostic::new(path, here, "max_length: is only for text types")
                    .hint("remove it, or use max: for numbers"),
            );
        }
    }

    /// `max_items:` only for collections.
    fn max_items(&mut self, path: &Path, here: &str, f: &Field, shape: &Shape<'_>) {
        if f.max_items.is_some() && !shape.collection {
            self.push(
                Diagnostic::new(path, here, "max_items: is only for array and map")
                    .hint("remove it, or use max_length: for text"),
            );
        }
    }

    /// `nullable:` only for optional params sent as they are.
    fn nullable(&mut self, path: &Path, here: &str, f: &Field, is_param: bool) {
        if f.nullable && (!is_param || f.required == Required::Yes || f.encoding.is_some()) {
            self.push(
                Diagnostic::new(
                    path,
                    here,
                    "nullable: is only for optional params without encoding:",
                )
                .hint("results are optional anyway; a required param cannot be sent as null"),
            );
        }
    }

    /// `required: webhook` only for params.
    fn webhook_only_for_params(&mut self, path: &Path, here: &str, f: &Field, is_param: bool) {
        if !is_param && f.required == Required::Webhook {
            self.push(
                Diagnostic::new(path, here, "required: webhook is only for params")
                    .hint("use true (always present) or false"),
            );
        }
    }
}
