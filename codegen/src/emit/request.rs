//! Emitter for request structs and their `Method` impl.

use super::serialize::serialize_impl;
use super::types::{builder, checks};
use super::{ident, rustdoc, ty};
use crate::ir::MethodIr;
use proc_macro2::TokenStream;
use quote::quote;

/// The request struct of a method, its builder, and its `Method` impl.
pub fn request(m: &MethodIr) -> TokenStream {
    let n = ident(&m.struct_name);
    let doc = rustdoc::attrs(&rustdoc::method(m));
    let (decls, imp) = builder(&m.struct_name, &m.params);
    let serialize = serialize_impl(&m.struct_name, &m.params, true);
    let deprecated = m
        .deprecated
        .as_ref()
        .map(|note| quote!(#[deprecated(note = #note)]));
    let wire = &m.wire;
    let read = m.read.then(|| {
        quote!(
            const READ: bool = true;
        )
    });
    let scopes = m.scopes.iter().map(|s| {
        let v = ident(&s.variant);
        quote!(runtime::Scope::#v)
    });
    let result = ty(&m.result);
    let error = match &m.errors {
        Some(e) => ident(&e.name),
        None => quote!(runtime::NoMethodError),
    };
    let body = checks(&m.params, &m.one_of);
    let result_error = m.result_error.as_ref().map(|r| {
        let text = |f: &crate::ir::ResultField| {
            let id = ident(&f.ident);
            if f.optional {
                quote!(result.#id.as_deref())
            } else {
                quote!(Some(result.#id.as_str()))
            }
        };
        let code_expr = text(&r.code);
        let desc_expr = r.description.as_ref().map_or(quote!(None), text);
        quote! {
            fn result_error(result: &Self::Result) -> ::std::option::Option<runtime::ApiError> {
                runtime::__private::result_error(#code_expr, #desc_expr)
            }
        }
    });
    let check = (!body.is_empty()).then(|| {
        quote! {
            fn check(&self, c: &mut runtime::__private::Checker) {
                #body
            }
        }
    });
    quote! {
        #doc
        #deprecated
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct #n { #decls }
        #serialize
        #imp
        impl runtime::Method for #n {
            const NAME: &'static str = #wire;
            const SCOPES: &'static [runtime::Scope] = &[#(#scopes),*];
            #read
            type Result = #result;
            type Error = #error;
            #check
            #result_error
        }
    }
}
