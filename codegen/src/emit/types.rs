//! Emitters for generated data types: objects, enumerations, unions.

use super::{docs, ident, ty};
use crate::ir::{EnumIr, FieldIr, Role, RustTy, StructIr, TypeDef, UnionIr};
use crate::spec::Encoding;
use proc_macro2::TokenStream;
use quote::quote;

/// One generated type.
pub fn type_def(t: &TypeDef) -> TokenStream {
    match t {
        TypeDef::Struct(s) => match s.role {
            Role::Param => param_struct(s),
            Role::Result | Role::Both => result_struct(s),
        },
        TypeDef::Enum(e) => enumeration(e),
        TypeDef::Union(u) => union(u),
    }
}

/// The declared type of a field: wrapped in `Option` unless required.
pub(crate) fn field_ty(f: &FieldIr) -> TokenStream {
    let t = ty(&f.ty);
    if f.nullable {
        quote!(::std::option::Option<::std::option::Option<#t>>)
    } else if f.is_optional() {
        quote!(::std::option::Option<#t>)
    } else {
        t
    }
}

/// Serde attributes of a field that is sent.
pub(crate) fn ser_attrs(f: &FieldIr) -> TokenStream {
    let wire = &f.wire;
    let with = match (f.encoding, &f.ty, f.is_optional()) {
        (Some(Encoding::Yn), RustTy::Bool, false) => Some("crate::__private::ser_yn"),
        (Some(Encoding::Yn), RustTy::Bool, true) => Some("crate::__private::ser_opt_yn"),
        (Some(Encoding::Int), RustTy::Bool, false) => Some("crate::__private::ser_int"),
        (Some(Encoding::Int), RustTy::Bool, true) => Some("crate::__private::ser_opt_int"),
        _ => None,
    };
    let with = with.map(|w| quote!(, serialize_with = #w));
    if f.is_optional() {
        quote!(#[serde(rename = #wire, skip_serializing_if = "Option::is_none" #with)])
    } else {
        quote!(#[serde(rename = #wire #with)])
    }
}

/// A manual `Debug` that redacts secret fields; `None` when no field is secret.
pub(crate) fn redacting_debug(name: &str, fields: &[FieldIr]) -> Option<TokenStream> {
    if !fields.iter().any(|f| f.secret) {
        return None;
    }
    let n = ident(name);
    let entries = fields.iter().map(|f| {
        let id = ident(&f.ident);
        let label = f.ident.trim_start_matches("r#");
        if f.secret {
            quote!(.field(#label, &crate::__private::Redacted(&self.#id)))
        } else {
            quote!(.field(#label, &self.#id))
        }
    });
    Some(quote! {
        impl ::std::fmt::Debug for #n {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#name) #(#entries)* .finish()
            }
        }
    })
}

/// The type a constructor or setter takes, and how to turn it into the field's type.
pub(crate) fn arg(f: &FieldIr) -> (TokenStream, TokenStream) {
    if f.nullable {
        // `None` sends null, to clear the value.
        let t = ty(&f.ty);
        return (quote!(::std::option::Option<#t>), quote!());
    }
    match &f.ty {
        RustTy::Str => (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(.into()),
        ),
        RustTy::Named(_) => {
            let t = ty(&f.ty);
            (quote!(impl ::std::convert::Into<#t>), quote!(.into()))
        }
        other => (ty(other), quote!()),
    }
}

/// Struct fields and builder methods shared by request structs and param objects.
pub(crate) fn builder(name: &str, fields: &[FieldIr]) -> (TokenStream, TokenStream) {
    let decls = fields.iter().map(|f| {
        let doc = docs::attrs(&docs::field(f));
        let attrs = ser_attrs(f);
        let id = ident(&f.ident);
        let t = field_ty(f);
        quote!(#doc #attrs pub #id: #t,)
    });
    let required: Vec<&FieldIr> = fields.iter().filter(|f| !f.is_optional()).collect();
    let args = required.iter().map(|f| {
        let id = ident(&f.ident);
        let (t, _) = arg(f);
        quote!(#id: #t)
    });
    let inits = fields.iter().map(|f| {
        let id = ident(&f.ident);
        if f.is_optional() {
            quote!(#id: None)
        } else {
            let (_, conv) = arg(f);
            if conv.is_empty() {
                quote!(#id)
            } else {
                quote!(#id: #id #conv)
            }
        }
    });
    let setters = fields.iter().filter(|f| f.is_optional()).map(|f| {
        let id = ident(&f.ident);
        let (t, conv) = arg(f);
        let doc = docs::attrs(&format!("Sets `{}`.", f.wire));
        quote! {
            #doc
            #[must_use]
            pub fn #id(mut self, value: #t) -> Self {
                self.#id = Some(value #conv);
                self
            }
        }
    });
    let new_doc = if required.is_empty() {
        "Creates it with every field unset.".to_string()
    } else {
        let names: Vec<String> = required.iter().map(|f| format!("`{}`", f.wire)).collect();
        format!(
            "A request with its required parameters: {}.",
            names.join(", ")
        )
    };
    let new_doc = docs::attrs(&new_doc);
    let n = ident(name);
    let decls = quote!(#(#decls)*);
    let imp = quote! {
        impl #n {
            #new_doc
            #[allow(clippy::new_without_default, clippy::too_many_arguments)]
            #[must_use]
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
            #(#setters)*
        }
    };
    (decls, imp)
}

/// The body of a `check` function: constraints, webhook-only requirements, nested objects.
pub(crate) fn checks(fields: &[FieldIr], one_of: &[Vec<(String, String)>]) -> TokenStream {
    let groups = one_of.iter().map(|g| {
        let wires = g.iter().map(|(w, _)| w);
        let present = g.iter().map(|(_, id)| {
            let id = ident(id);
            quote!(self.#id.is_some())
        });
        quote!(c.one_of(&[#(#wires),*], &[#(#present),*]);)
    });
    let groups = quote!(#(#groups)*);
    let fields = fields_checks(fields);
    quote!(#fields #groups)
}

fn fields_checks(fields: &[FieldIr]) -> TokenStream {
    let items = fields.iter().map(|f| {
        let id = ident(&f.ident);
        let wire = &f.wire;
        let opt = f.is_optional();
        let mut out = TokenStream::new();
        if f.required == crate::spec::Required::Webhook {
            out.extend(quote!(c.webhook_required(#wire, self.#id.is_some());));
        }
        if f.min.is_some() || f.max.is_some() {
            let lo = opt_tokens(f.min);
            let hi = opt_tokens(f.max);
            let val = match (opt, f.nullable) {
                (true, true) => quote!(self.#id.flatten()),
                (true, false) => quote!(self.#id),
                (false, _) => quote!(Some(self.#id)),
            };
            let call = if f.ty == RustTy::Float { quote!(float_range) } else { quote!(int_range) };
            out.extend(quote!(c.#call(#wire, #val, #lo, #hi);));
        }
        if let Some((other, other_id, value)) = &f.required_if {
            let other_id = ident(other_id);
            out.extend(quote!(c.required_if(
                #wire,
                self.#id.is_some(),
                #other,
                #value,
                crate::__private::wire_value(&self.#other_id),
            );));
        }
        if let Some(max) = f.max_items {
            let len = if opt {
                if f.nullable {
                    quote!(self.#id.as_ref().and_then(|v| v.as_ref()).map(|v| v.len()))
                } else {
                    quote!(self.#id.as_ref().map(|v| v.len()))
                }
            } else {
                quote!(Some(self.#id.len()))
            };
            out.extend(quote!(c.max_items(#wire, #len, #max);));
        }
        if let Some(max) = f.max_length {
            let val = match (opt, f.nullable) {
                (true, true) => quote!(self.#id.as_ref().and_then(|v| v.as_deref())),
                (true, false) => quote!(self.#id.as_deref()),
                (false, _) => quote!(Some(self.#id.as_str())),
            };
            if f.ty == RustTy::Str {
                out.extend(quote!(c.max_length(#wire, #val, #max);));
            }
        }
        match &f.ty {
            _ if !f.nested_check => {}
            RustTy::Named(_) => {
                if f.nullable {
                    out.extend(quote!(if let Some(Some(v)) = &self.#id { c.nested(#wire, |c| v.check(c)); }));
                } else if opt {
                    out.extend(quote!(if let Some(v) = &self.#id { c.nested(#wire, |c| v.check(c)); }));
                } else {
                    out.extend(quote!(c.nested(#wire, |c| self.#id.check(c));));
                }
            }
            RustTy::Vec(_) => {
                let iter = match (opt, f.nullable) {
                    (true, true) => quote!(self.#id.iter().flatten().flatten()),
                    (true, false) => quote!(self.#id.iter().flatten()),
                    (false, _) => quote!(self.#id.iter()),
                };
                out.extend(quote!(for (i, v) in #iter.enumerate() { c.nested_index(#wire, i, |c| v.check(c)); }));
            }
            _ => {}
        }
        out
    });
    quote!(#(#items)*)
}

fn opt_tokens(v: Option<i64>) -> TokenStream {
    match v {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

/// A param object: serialised, with a builder and a `check`.
fn param_struct(s: &StructIr) -> TokenStream {
    let n = ident(&s.name);
    let doc = docs::attrs(&docs::escape(&s.doc));
    let (decls, imp) = builder(&s.name, &s.fields);
    let debug = redacting_debug(&s.name, &s.fields);
    let derive_debug = debug.is_none().then(|| quote!(Debug,));
    let body = checks(&s.fields, &s.one_of);
    quote! {
        #doc
        #[derive(#derive_debug Clone, PartialEq, ::serde::Serialize)]
        #[non_exhaustive]
        pub struct #n { #decls }
        #imp
        #debug
        impl crate::__private::Check for #n {
            fn check(&self, c: &mut crate::__private::Checker) {
                let _ = c;
                #body
            }
        }
    }
}

/// A result object (or a named common type): decoded leniently, also serialisable.
fn result_struct(s: &StructIr) -> TokenStream {
    let n = ident(&s.name);
    let doc = docs::attrs(&docs::escape(&s.doc));
    let fields = s.fields.iter().map(|f| {
        let doc = docs::attrs(&docs::field(f));
        let id = ident(&f.ident);
        let t = field_ty(f);
        let wire = &f.wire;
        let skip = (s.role == crate::ir::Role::Both && f.is_optional())
            .then(|| quote!(, skip_serializing_if = "Option::is_none"));
        quote! {
            #doc
            #[serde(rename = #wire #skip)]
            pub #id: #t,
        }
    });
    let debug = redacting_debug(&s.name, &s.fields);
    let derive_debug = debug.is_none().then(|| quote!(Debug,));
    let deserialize = lenient_deserialize(s);
    // Named types may also be sent: they get the same constructor and setters as params.
    let ctor = (s.role == crate::ir::Role::Both).then(|| {
        let imp = builder(&s.name, &s.fields).1;
        let body = checks(&s.fields, &s.one_of);
        quote! {
            #imp
            impl crate::__private::Check for #n {
                fn check(&self, c: &mut crate::__private::Checker) {
                    let _ = c;
                    #body
                }
            }
        }
    });
    quote! {
        #ctor
        #doc
        #[derive(#derive_debug Clone, PartialEq, ::serde::Serialize)]
        #[non_exhaustive]
        pub struct #n { #(#fields)* }
        #debug
        #deserialize
        impl crate::__private::Lenient for #n {
            fn lenient<'de, D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                crate::__private::lenient_object(d)
            }
            fn lenient_opt<'de, D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<::std::option::Option<Self>, D::Error> {
                crate::__private::lenient_object_opt(d)
            }
        }
    }
}

/// A `Deserialize` that reads every field through the runtime's lenient seed: one visitor per
/// struct, without the per-field wrapper types that `#[serde(deserialize_with)]` would make.
fn lenient_deserialize(s: &StructIr) -> TokenStream {
    let n = ident(&s.name);
    let expecting = format!("the object {}", s.name);
    let slots: Vec<TokenStream> = (0..s.fields.len())
        .map(|i| ident(&format!("f{i}")))
        .collect();
    let arms = s.fields.iter().zip(&slots).map(|(f, slot)| {
        let wire = &f.wire;
        quote!(#wire => #slot = Some(map.next_value_seed(crate::__private::Seed::new())?),)
    });
    let inits = s.fields.iter().zip(&slots).map(|(f, slot)| {
        let id = ident(&f.ident);
        let wire = &f.wire;
        if f.is_optional() {
            quote!(#id: #slot.flatten(),)
        } else {
            quote!(#id: crate::__private::required(#slot, #wire)?,)
        }
    });
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #n {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                struct V;
                impl<'de> ::serde::de::Visitor<'de> for V {
                    type Value = #n;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::std::result::Result<#n, A::Error> {
                        #(let mut #slots = None;)*
                        while let Some(key) = map.next_key::<crate::__private::Key<'de>>()? {
                            match key.as_str() {
                                #(#arms)*
                                _ => {
                                    map.next_value::<::serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        Ok(#n { #(#inits)* })
                    }
                }
                d.deserialize_map(V)
            }
        }
    }
}

/// A string enumeration with an `Other` fallback.
fn enumeration(e: &EnumIr) -> TokenStream {
    let n = ident(&e.name);
    let doc = docs::attrs(&docs::escape(&e.doc));
    let variants = e.variants.iter().map(|(v, wire, d)| {
        let id = ident(v);
        let text = if d.is_empty() {
            format!("`{wire}`")
        } else {
            format!("`{wire}`: {}", docs::escape(d))
        };
        let doc = docs::attrs(&text);
        quote!(#doc #id,)
    });
    let to_wire = e.variants.iter().map(|(v, wire, _)| {
        let id = ident(v);
        quote!(Self::#id => #wire,)
    });
    let from_wire = e.variants.iter().map(|(v, wire, _)| {
        let id = ident(v);
        quote!(#wire => Self::#id,)
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #n {
            #(#variants)*
            /// A value this version of the crate does not know, kept as sent.
            Other(::std::string::String),
        }
        impl crate::__private::WireEnum for #n {
            fn as_wire(&self) -> &str {
                match self {
                    #(#to_wire)*
                    Self::Other(s) => s,
                }
            }
            fn from_wire(s: &str) -> Self {
                match s {
                    #(#from_wire)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }
        crate::__private::wire_enum!(#n);
    }
}

/// A value of one of several types.
fn union(u: &UnionIr) -> TokenStream {
    let n = ident(&u.name);
    let doc = docs::attrs(&docs::escape(&u.doc));
    let variants = u.variants.iter().map(|(v, t)| {
        let id = ident(v);
        let t = ty(t);
        let doc = docs::attrs(&format!("As {v}."));
        quote!(#doc #id(#t),)
    });
    let froms = u
        .variants
        .iter()
        .filter(|(_, t)| *t != RustTy::Json)
        .map(|(v, t)| {
            let id = ident(v);
            let tt = ty(t);
            quote! {
                impl ::std::convert::From<#tt> for #n {
                    fn from(v: #tt) -> Self { Self::#id(v) }
                }
            }
        });
    let str_from = u
        .variants
        .iter()
        .find(|(_, t)| *t == RustTy::Str)
        .map(|(v, _)| {
            let id = ident(v);
            quote! {
                impl ::std::convert::From<&str> for #n {
                    fn from(v: &str) -> Self { Self::#id(v.to_owned()) }
                }
            }
        });
    let lenient = (u.role != Role::Param).then(|| {
        quote! {
            impl crate::__private::Lenient for #n {
                fn lenient<'de, D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                    <Self as ::serde::Deserialize>::deserialize(d)
                }
            }
        }
    });
    let derives = if u.role == Role::Param {
        quote!(#[derive(Debug, Clone, PartialEq, ::serde::Serialize)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)])
    };
    quote! {
        #doc
        #derives
        #[serde(untagged)]
        pub enum #n { #(#variants)* }
        #(#froms)*
        #str_from
        #lenient
    }
}
