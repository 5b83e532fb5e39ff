//! Emitters for events: one payload struct per event, the module's enum of its events, and
//! the crate's `Event` enum of every module's events.

use super::types::{received_struct, type_def};
use super::{ident, rustdoc};
use crate::ir::{Api, EventIr, NamespaceIr, Role, StructIr};
use proc_macro2::TokenStream;
use quote::quote;

/// Everything generated for one event: its payload struct, nested types, `EventPayload` impl.
pub fn event(e: &EventIr) -> TokenStream {
    let n = ident(&e.struct_name);
    let payload = StructIr {
        name: e.struct_name.clone(),
        doc: String::new(),
        fields: e.fields.clone(),
        one_of: Vec::new(),
        role: Role::Result,
    };
    let deprecated = e
        .deprecated
        .as_ref()
        .map(|note| quote!(#[deprecated(note = #note)]));
    let doc = rustdoc::attrs(&rustdoc::event(e));
    let body = match &e.value {
        None => received_struct(&payload, quote!(#doc #deprecated)),
        Some(t) => newtype_payload(&e.struct_name, t, quote!(#doc #deprecated)),
    };
    let types = e.types.iter().map(type_def);
    let wire = &e.wire;
    let scopes = e.scopes.iter().map(|s| {
        let v = ident(&s.variant);
        quote!(runtime::Scope::#v)
    });
    quote! {
        #body
        impl runtime::EventPayload for #n {
            const NAME: &'static str = #wire;
            const SCOPES: &'static [runtime::Scope] = &[#(#scopes),*];
        }
        #(#types)*
    }
}

/// A payload whose `data` is not an object: a newtype over its type, decoded leniently.
fn newtype_payload(name: &str, t: &crate::ir::RustTy, doc: TokenStream) -> TokenStream {
    let n = ident(name);
    let t = super::ty(t);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
        #[serde(transparent)]
        pub struct #n(pub #t);
        impl<'de> ::serde::Deserialize<'de> for #n {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                <#t as runtime::__private::Lenient>::lenient(d).map(Self)
            }
        }
        impl runtime::__private::Lenient for #n {
            fn lenient<'de, D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                <#t as runtime::__private::Lenient>::lenient(d).map(Self)
            }
        }
    }
}

/// The enum of a module's events, with the decoding that picks a variant by wire name.
pub fn module_enum(ns: &NamespaceIr) -> Option<TokenStream> {
    if ns.events.is_empty() {
        return None;
    }
    let n = ident(&ns.event_enum);
    let doc = rustdoc::attrs(&format!(
        "An event of module `{}`, with its typed payload.",
        ns.module
    ));
    let variants = ns.events.iter().map(|e| {
        let v = ident(&e.struct_name);
        let doc = rustdoc::attrs(&format!("`{}`", e.wire));
        quote!(#doc #v(#v),)
    });
    let names = ns.events.iter().map(|e| &e.wire);
    let name_arms = ns.events.iter().map(|e| {
        let v = ident(&e.struct_name);
        quote!(Self::#v(_) => <#v as runtime::EventPayload>::NAME,)
    });
    let decode_arms = ns.events.iter().map(|e| {
        let v = ident(&e.struct_name);
        let wire = &e.wire;
        quote!(#wire => runtime::__private::Lenient::lenient(data).map(Self::#v),)
    });
    Some(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        #[allow(clippy::large_enum_variant)] // one event is handled at a time; no boxing
        pub enum #n { #(#variants)* }
        impl #n {
            /// The wire names of the module's events.
            pub const NAMES: &'static [&'static str] = &[#(#names),*];
            /// The event's wire name.
            pub fn name(&self) -> &'static str {
                match self { #(#name_arms)* }
            }
            /// Decodes the `data` of the event named `name` (one of [`Self::NAMES`]).
            pub fn decode<'de, D: ::serde::Deserializer<'de>>(
                name: &str,
                data: D,
            ) -> ::std::result::Result<Self, D::Error> {
                match name {
                    #(#decode_arms)*
                    other => Err(<D::Error as ::serde::de::Error>::custom(
                        ::std::format_args!("{other} is not an event of this module"),
                    )),
                }
            }
        }
    })
}

/// The crate's `Event`: a variant per module with events (behind its feature), and `Unknown`.
pub fn crate_enum(api: &Api) -> TokenStream {
    let with_events: Vec<&NamespaceIr> = api
        .namespaces
        .values()
        .filter(|ns| !ns.events.is_empty())
        .collect();
    let variant = |ns: &NamespaceIr| ident(&crate::names::camel(&ns.module));
    let variants = with_events.iter().map(|ns| {
        let v = variant(ns);
        let (m, e, feature) = (ident(&ns.module), ident(&ns.event_enum), &ns.module);
        let doc = rustdoc::attrs(&format!("An event of module `{}`.", ns.module));
        quote!(#doc #[cfg(feature = #feature)] #v(#m::#e),)
    });
    let name_arms = with_events.iter().map(|ns| {
        let v = variant(ns);
        let feature = &ns.module;
        quote!(#[cfg(feature = #feature)] Self::#v(e) => e.name(),)
    });
    let decoders = with_events.iter().map(|ns| {
        let v = variant(ns);
        let (m, e, feature) = (ident(&ns.module), ident(&ns.event_enum), &ns.module);
        quote! {
            #[cfg(feature = #feature)]
            if #m::#e::NAMES.contains(&name.as_str()) {
                return #m::#e::decode(&name, data).map(Self::#v);
            }
        }
    });
    quote! {
        /// An event the portal sent, with its typed payload: one variant per module (behind
        /// the module's cargo feature), and `Unknown` for an event this build does not type,
        /// so that a new event never fails a handler.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        #[allow(clippy::large_enum_variant)] // one event is handled at a time; no boxing
        pub enum Event {
            #(#variants)*
            /// An event without a typed payload in this build, with its `data` as sent.
            Unknown {
                /// The wire name, as sent.
                name: ::std::string::String,
                /// The `data`, untyped.
                data: ::serde_json::Value,
            },
        }
        impl Event {
            /// The event's wire name (upper case, as the portal sends it).
            pub fn name(&self) -> &str {
                match self {
                    #(#name_arms)*
                    Self::Unknown { name, .. } => name,
                }
            }
            /// Decodes the `data` of the event named `name` (any case) into its typed payload,
            /// or into [`Event::Unknown`] when this build has no type for it.
            pub fn decode<'de, D: ::serde::Deserializer<'de>>(
                name: &str,
                data: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let name = name.to_ascii_uppercase();
                #(#decoders)*
                let data = <::serde_json::Value as ::serde::Deserialize>::deserialize(data)?;
                Ok(Self::Unknown { name, data })
            }
        }
        impl runtime::events::TypedEvent for Event {
            fn name(&self) -> &str {
                Event::name(self)
            }
            fn decode<'de, D: ::serde::Deserializer<'de>>(
                name: &str,
                data: D,
            ) -> ::std::result::Result<Self, D::Error> {
                Event::decode(name, data)
            }
        }
    }
}
