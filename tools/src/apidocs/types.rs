//! Type expressions: how the documentation writes them, how the spec writes them, and
//! when the two mean the same type.
//!
//! The documentation writes a type as a name (`integer`, `object`, `time`, `Bot`), an
//! array of a type (`integer[]`, `User[]`), the bare word `array`, or a union of those
//! separated by `|` (`string|integer`, `string | null`). The spec writes a name or a list
//! of names, with `items:` for the element type of an `array` or `map`.
//!
//! # Equivalence rules
//!
//! Both sides are turned into a set of [`Atom`]s and compared as sets:
//!
//! 1. `null` in a union is dropped on both sides (the docs write `string|null` for a value
//!    that may be null; the spec does not model null).
//! 2. Base type names (`integer`, `file`, ...) compare exactly; named types compare
//!    case-insensitively (`Bot` == `bot`), and `File` (named) is not `file` (base).
//! 3. Doc `X[]` == spec `array` with `items: X` (the items compared by these same rules).
//!    Doc `X[]` against a spec `array` without `items` is a difference.
//! 4. Doc `array` == any spec `array`, whatever its items.
//! 5. Doc `object` == spec `object`, spec `map`, or any spec named type (a name that is
//!    not one of the base types, e.g. `time`).
//! 6. A doc named type (`Bot`, `time`) == a spec named type of the same name, or spec
//!    `object` (the spec inlined the fields).
//! 7. Unions are equal when every doc atom matches some spec atom and every spec atom
//!    matches some doc atom.
//! 8. Anything else, including `string` against `char` or `text`, is a difference: the
//!    spec uses the documentation's names.
//! 9. Except for flags: a spec `char` or `boolean` with `encoding: yn` matches a doc
//!    `char`, `string` or `boolean` (the wire value is `Y`/`N` whatever the page calls
//!    it), and one with `encoding: int` matches a doc `integer` or `boolean`.

use bitrix_codegen::spec::{Encoding, Field, Items, ResultSpec, TypeExpr};

/// The base type names of the documentation (the spec's built-ins); any other name is a named type.
pub use bitrix_codegen::spec::BUILTIN_TYPES as BASE_TYPES;

/// Whether `name` is a named type rather than a base type. Base names are lower case:
/// `File` (an entity of the chat-bot pages) is a named type, `file` (an upload) is not.
pub fn is_named_type(name: &str) -> bool {
    !BASE_TYPES.contains(&name) && !name.eq_ignore_ascii_case("null")
}

/// One alternative of a type expression.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Atom {
    /// A base or named type, as written.
    Name(String),
    /// An array; `None` when the element type is not given.
    Array(Option<Box<Atom>>),
    /// A map; `None` when the value type is not given.
    Map(Option<Box<Atom>>),
}

impl std::fmt::Display for Atom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Atom::Name(n) => f.write_str(n),
            Atom::Array(None) => f.write_str("array"),
            Atom::Array(Some(a)) => write!(f, "{a}[]"),
            Atom::Map(None) => f.write_str("map"),
            Atom::Map(Some(a)) => write!(f, "map<{a}>"),
        }
    }
}

/// Parses one name (`integer`, `User[]`, `array`) into an atom.
fn atom(name: &str) -> Atom {
    let name = name.trim();
    if let Some(inner) = name.strip_suffix("[]") {
        return Atom::Array(Some(Box::new(atom(inner))));
    }
    match name.to_ascii_lowercase().as_str() {
        "array" => Atom::Array(None),
        "map" => Atom::Map(None),
        _ => Atom::Name(name.to_string()),
    }
}

/// Splits a written doc type (`string|integer`, `User[]`) into its alternatives,
/// dropping `null`. An empty result means the type is unknown.
pub fn parse_doc_type(written: &str) -> Vec<Atom> {
    written
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("null"))
        .map(atom)
        .collect()
}

/// The atoms of a spec type expression with its `items`.
pub fn spec_atoms(ty: &TypeExpr, items: Option<&str>) -> Vec<Atom> {
    spec_atoms_of(ty, items.map(Items::from).as_ref())
}

/// The atoms of a spec type expression with its whole `items`: a union of items
/// (`items: [integer, User]`) gives one collection atom per member (`integer[]`, `User[]`,
/// as the docs would write the alternatives), and nested items keep their own items.
pub fn spec_atoms_of(ty: &TypeExpr, items: Option<&Items>) -> Vec<Atom> {
    let inner = items.map(items_atoms);
    ty.names()
        .into_iter()
        .filter(|n| !n.eq_ignore_ascii_case("null"))
        .flat_map(|n| {
            let lower = n.to_ascii_lowercase();
            let wrap: Option<Wrap> = match lower.as_str() {
                "array" => Some(Atom::Array),
                "map" => Some(Atom::Map),
                _ => None,
            };
            match (wrap, &inner) {
                (Some(w), Some(atoms)) if !atoms.is_empty() => {
                    atoms.iter().map(|a| w(Some(Box::new(a.clone())))).collect()
                }
                (Some(w), _) => vec![w(None)],
                (None, _) => vec![atom(n)],
            }
        })
        .collect()
}

/// Makes a collection atom of its item atom (`Atom::Array`, `Atom::Map`).
type Wrap = fn(Option<Box<Atom>>) -> Atom;

/// The atoms of one item of a collection.
fn items_atoms(items: &Items) -> Vec<Atom> {
    match items {
        Items::Name(n) => vec![atom(n)],
        Items::Union(members) => members.iter().map(|m| atom(m)).collect(),
        Items::Nested(s) => spec_atoms_of(&TypeExpr::One(s.ty.clone()), s.items.as_ref()),
    }
}

/// The atoms of a spec field.
pub fn field_atoms(f: &Field) -> Vec<Atom> {
    spec_atoms_of(&f.ty, f.items.as_ref())
}

/// The atoms of a spec result.
pub fn result_atoms(r: &ResultSpec) -> Vec<Atom> {
    spec_atoms_of(&r.ty, r.items.as_ref())
}

/// Whether a doc atom and a spec atom mean the same type (rules 2 to 6).
pub fn atom_matches(doc: &Atom, spec: &Atom) -> bool {
    match (doc, spec) {
        (Atom::Name(d), Atom::Name(s)) => {
            d == s
                || (is_named_type(d) && is_named_type(s) && d.eq_ignore_ascii_case(s))
                || (d == "object" && is_named_type(s))
                || (is_named_type(d) && s == "object")
        }
        (Atom::Name(d), Atom::Map(_)) => d == "object",
        (Atom::Array(None), Atom::Array(_)) => true,
        (Atom::Array(Some(d)), Atom::Array(Some(s))) => atom_matches(d, s),
        (Atom::Map(None), Atom::Map(_)) => true,
        (Atom::Map(Some(d)), Atom::Map(Some(s))) => atom_matches(d, s),
        _ => false,
    }
}

/// Whether two atom sets mean the same type (rule 7). An empty doc set (type not
/// documented) matches anything.
pub fn equivalent(doc: &[Atom], spec: &[Atom]) -> bool {
    doc.is_empty()
        || (doc.iter().all(|d| spec.iter().any(|s| atom_matches(d, s)))
            && spec.iter().all(|s| doc.iter().any(|d| atom_matches(d, s))))
}

/// Whether a documented type fits a spec flag with an explicit wire `encoding` (rule 9):
/// `yn` travels as `Y`/`N`, which the docs write as `char`, `string` or `boolean`; `int`
/// travels as `1`/`0`, which they write as `integer` or `boolean`.
pub fn fits_encoding(doc: &[Atom], encoding: Encoding) -> bool {
    let allowed: &[&str] = match encoding {
        Encoding::Yn => &["char", "string", "boolean"],
        Encoding::Int => &["integer", "boolean"],
    };
    !doc.is_empty()
        && doc
            .iter()
            .all(|a| matches!(a, Atom::Name(n) if allowed.contains(&n.as_str())))
}

/// Renders atoms as the docs would write them (`string|integer`).
pub fn render(atoms: &[Atom]) -> String {
    atoms
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("|")
}

/// Whether these atoms describe something with fields (an object, a named type, or an
/// array or map of those).
pub fn has_fields(atoms: &[Atom]) -> bool {
    atoms.iter().any(|a| match a {
        Atom::Name(n) => n == "object" || is_named_type(n),
        Atom::Array(i) | Atom::Map(i) => i
            .as_deref()
            .is_none_or(|i| has_fields(std::slice::from_ref(i))),
    })
}

/// The named type these atoms refer to (`time`, `Bot`, or the items of `Bot[]`), if any.
pub fn named_type(atoms: &[Atom]) -> Option<&str> {
    atoms.iter().find_map(|a| match a {
        Atom::Name(n) if is_named_type(n) => Some(n.as_str()),
        Atom::Array(Some(i)) | Atom::Map(Some(i)) => named_type(std::slice::from_ref(i)),
        _ => None,
    })
}

/// Converts a written doc type into the spec's `type` and `items` (for drafts).
/// Named types are lowercased, as the spec names them, unless that would turn them
/// into a base type (`File` stays `File`).
pub fn to_spec(written: &str) -> (TypeExpr, Option<String>) {
    let atoms = parse_doc_type(written);
    let mut names = Vec::new();
    let mut items = None;
    for a in &atoms {
        match a {
            Atom::Name(n) => names.push(spec_name(n)),
            Atom::Array(i) => {
                names.push("array".to_string());
                if let Some(i) = i {
                    items = Some(match i.as_ref() {
                        Atom::Name(n) => spec_name(n),
                        other => other.to_string(),
                    });
                }
            }
            Atom::Map(i) => {
                names.push("map".to_string());
                items = i.as_ref().map(|i| i.to_string());
            }
        }
    }
    names.dedup();
    let ty = match names.len() {
        0 => TypeExpr::One("any".into()),
        1 => TypeExpr::One(names.remove(0)),
        _ => TypeExpr::Union(names),
    };
    (ty, items)
}

/// The spec spelling of a doc type name: named types in lower case (`time`), unless that
/// would turn them into a base type (`File` stays `File`, not the upload type `file`).
fn spec_name(n: &str) -> String {
    let lower = n.to_ascii_lowercase();
    if is_named_type(n) && !is_named_type(&lower) {
        n.to_string()
    } else {
        lower
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> TypeExpr {
        TypeExpr::One(s.into())
    }

    #[test]
    fn parses_doc_types() {
        assert_eq!(
            parse_doc_type("string | null"),
            vec![Atom::Name("string".into())]
        );
        assert_eq!(
            parse_doc_type("User[]"),
            vec![Atom::Array(Some(Box::new(Atom::Name("User".into()))))]
        );
        assert_eq!(parse_doc_type("array"), vec![Atom::Array(None)]);
    }

    #[test]
    fn equivalence_rules() {
        let eq = |d: &str, s: TypeExpr, items: Option<&str>| {
            equivalent(&parse_doc_type(d), &spec_atoms(&s, items))
        };
        assert!(eq("integer[]", one("array"), Some("integer")));
        assert!(!eq("integer[]", one("array"), Some("string")));
        assert!(!eq("integer[]", one("array"), None));
        assert!(eq("array", one("array"), Some("object")));
        assert!(eq("object", one("time"), None));
        assert!(eq("object", one("map"), Some("string")));
        assert!(eq("Bot", one("object"), None));
        assert!(eq("Bot", one("bot"), None));
        assert!(eq("File", one("object"), None));
        assert!(!eq("File", one("file"), None));
        assert!(eq("User[]", one("array"), Some("object")));
        assert!(eq(
            "integer|string",
            TypeExpr::Union(vec!["string".into(), "integer".into()]),
            None
        ));
        assert!(!eq("string|integer", one("string"), None));
        assert!(!eq("string", one("char"), None));
        assert!(eq("string|null", one("string"), None));
        let d = parse_doc_type("string");
        assert!(fits_encoding(&d, Encoding::Yn));
        assert!(!fits_encoding(&d, Encoding::Int));
        assert!(fits_encoding(&parse_doc_type("integer"), Encoding::Int));
    }

    #[test]
    fn a_union_of_items_is_one_collection_per_member() {
        let items = Items::Union(vec!["integer".into(), "DialogUser".into()]);
        let atoms = spec_atoms_of(&one("array"), Some(&items));
        assert_eq!(render(&atoms), "integer[]|DialogUser[]");
        assert_eq!(named_type(&atoms), Some("DialogUser"));
        assert!(equivalent(&parse_doc_type("array"), &atoms));
        assert!(equivalent(
            &parse_doc_type("integer[]|DialogUser[]"),
            &atoms
        ));
        assert!(!equivalent(&parse_doc_type("integer[]"), &atoms));
        let nested: Items = serde_yaml::from_str("{type: array, items: [integer, User]}").unwrap();
        let map = spec_atoms_of(&one("map"), Some(&nested));
        assert_eq!(render(&map), "map<integer[]>|map<User[]>");
        assert!(equivalent(&parse_doc_type("object"), &map));
        assert_eq!(named_type(&map), Some("User"));
    }

    #[test]
    fn converts_to_spec() {
        assert_eq!(to_spec("User[]"), (one("array"), Some("user".into())));
        assert_eq!(
            to_spec("string|integer"),
            (
                TypeExpr::Union(vec!["string".into(), "integer".into()]),
                None
            )
        );
    }
}
