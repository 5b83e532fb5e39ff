//! Emission: one function per kind of item, each returning a `TokenStream` built with
//! `quote!`. Emitters read every name from the IR and decide none.

mod errors;
mod events;
mod list;
mod request;
pub mod rustdoc;
mod serialize;
mod types;
mod union_items;

use crate::ir::{Api, MethodIr, NamespaceIr, RustTy};
use proc_macro2::TokenStream;
use quote::quote;

pub use errors::{error_enum, system_errors};
pub use events::event;
pub use request::request;
pub use types::type_def;

/// A path or identifier from the IR as tokens (`r#type`, `runtime::types::Time`).
pub(crate) fn ident(text: &str) -> TokenStream {
    text.parse().unwrap_or_else(|_| {
        let msg = format!("bitrix-codegen: invalid identifier {text:?}");
        quote!(compile_error!(#msg))
    })
}

/// The tokens of a Rust type.
pub(crate) fn ty(t: &RustTy) -> TokenStream {
    match t {
        RustTy::Int => quote!(i64),
        RustTy::Float => quote!(f64),
        RustTy::Str => quote!(::std::string::String),
        RustTy::Bool => quote!(bool),
        RustTy::Json => quote!(::serde_json::Value),
        RustTy::Vec(inner) => {
            let i = ty(inner);
            quote!(::std::vec::Vec<#i>)
        }
        RustTy::Map(inner) => {
            let i = ty(inner);
            quote!(::std::collections::BTreeMap<::std::string::String, #i>)
        }
        RustTy::Named(p) => ident(p),
        RustTy::Secret => quote!(runtime::Secret),
        RustTy::Option(inner) => {
            let i = ty(inner);
            quote!(::std::option::Option<#i>)
        }
    }
}

/// Everything generated for one method: its types, request struct, error enum.
pub fn method(m: &MethodIr) -> TokenStream {
    let types = m.types.iter().map(type_def);
    let req = request(m);
    let err = m.errors.as_ref().map(|e| error_enum(e, &m.struct_name));
    let list = m.list.as_ref().map(|l| list::list_impl(&m.struct_name, l));
    quote! {
        #req
        #list
        #err
        #(#types)*
    }
}

/// The root file (`src/lib.rs`) of one namespace's crate: its docs and lints, the name of
/// the runtime, and the inclusion of its code (`src/generated.rs`, [`namespace`]), which
/// `cargo fmt` leaves as `prettyplease` laid it out because it is included, not a module.
pub fn namespace_root(ns: &NamespaceIr) -> TokenStream {
    let doc = rustdoc::inner_attrs(&format!(
        "{}\n\nUsed as `bitrix_api::{}`, with the cargo feature `{}` of \
         [`bitrix-api`](https://docs.rs/bitrix-api) (or `full`), which re-exports this crate.",
        module_summary(ns),
        ns.module,
        ns.module
    ));
    let runtime = ident(crate::names::RUNTIME);
    quote! {
        #doc
        #![deny(missing_docs)]
        #![allow(deprecated)]
        extern crate bitrix_api_runtime as #runtime;
        include!("generated.rs");
    }
}

/// The code of one namespace's crate: its named types, methods and events.
pub fn namespace(ns: &NamespaceIr) -> TokenStream {
    let types = module_types(ns);
    let methods = ns.methods.iter().map(method);
    let events = ns.events.iter().map(event);
    let event_enum = events::module_enum(ns);
    quote!(#types #(#methods)* #event_enum #(#events)*)
}

/// What a namespace holds, in one sentence.
fn module_summary(ns: &NamespaceIr) -> String {
    format!("Module `{}`: {}.", ns.module, contents(ns))
}

/// What a namespace holds: its method families and counts, and its events.
pub(crate) fn contents(ns: &NamespaceIr) -> String {
    let mut what = Vec::new();
    if !ns.methods.is_empty() {
        // Methods placed here by a `namespace` key do not share the prefix: name them.
        let dotted = format!("{}.", ns.prefix);
        let mut families = vec![format!("`{}.*`", ns.prefix)];
        families.extend(
            ns.methods
                .iter()
                .filter(|m| !m.wire.starts_with(&dotted))
                .map(|m| format!("`{}`", m.wire)),
        );
        what.push(format!(
            "methods {} ({})",
            families.join(", "),
            ns.methods.len()
        ));
    }
    if !ns.events.is_empty() {
        what.push(format!("events ({})", ns.events.len()));
    }
    what.join(" and ")
}

/// The named types of a namespace module (`spec/types/<module>.yaml`).
pub fn module_types(ns: &NamespaceIr) -> TokenStream {
    let types = ns.types.iter().map(type_def);
    quote!(#(#types)*)
}

/// The file of items shared by all namespaces: `Scope`, `SystemError`, and module `types`.
pub fn common(api: &Api) -> TokenStream {
    let scopes = scope_enum(api);
    let sys = system_errors(&api.system_errors, &api.system_errors_url);
    let types = api.common_types.iter().map(type_def);
    // Included at the runtime's root, which its generated code names as `runtime`.
    let runtime = ident(crate::names::RUNTIME);
    quote! {
        extern crate self as #runtime;
        #scopes
        #sys
        /// Named object types shared by many methods (`spec/common/types.yaml`).
        pub mod types {
            #(#types)*
        }
    }
}

/// The `Scope` enum.
fn scope_enum(api: &Api) -> TokenStream {
    let variants = api.scopes.iter().map(|s| {
        let v = ident(&s.variant);
        let doc = rustdoc::attrs(&format!("`{}`: {}", s.wire, rustdoc::escape(&s.doc)));
        quote!(#doc #v,)
    });
    let arms = api.scopes.iter().map(|s| {
        let v = ident(&s.variant);
        let w = &s.wire;
        quote!(Scope::#v => #w,)
    });
    quote! {
        /// A permission scope of the REST API (`spec/scopes.yaml`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Scope {
            #(#variants)*
        }
        impl Scope {
            /// The scope's wire name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    #(#arms)*
                }
            }
        }
        impl ::std::fmt::Display for Scope {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

/// The facade's `namespaces.rs`: each namespace crate re-exported as a module behind its
/// cargo feature, and the crate's `Event` enum of them all.
pub fn modules(api: &Api) -> TokenStream {
    let mods = api.namespaces.values().map(|ns| {
        let m = ident(&ns.module);
        let feature = &ns.module;
        let krate = ident(&crate::names::namespace_crate(&ns.module).replace('-', "_"));
        quote! {
            #[cfg(feature = #feature)]
            #[cfg_attr(docsrs, doc(cfg(feature = #feature)))]
            #[doc(inline)]
            pub use #krate as #m;
        }
    });
    let event = events::crate_enum(api);
    let runtime = ident(crate::names::RUNTIME);
    quote! {
        extern crate bitrix_api_runtime as #runtime;
        #(#mods)*
        #event
    }
}
