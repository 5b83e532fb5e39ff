//! Emitter for request structs and their `Method` impl.

use super::types::{builder, checks, redacting_debug};
use super::{docs, ident, ty};
use crate::ir::MethodIr;
use proc_macro2::TokenStream;
use quote::quote;

/// The request struct of a method, its builder, and its `Method` impl.
pub fn request(m: &MethodIr) -> TokenStream {
    let n = ident(&m.struct_name);
    let doc = docs::attrs(&docs::method(m));
    let (decls, imp) = builder(&m.struct_name, &m.params);
    let debug = redacting_debug(&m.struct_name, &m.params);
    let derive_debug = debug.is_none().then(|| quote!(Debug,));
    let deprecated = m
        .deprecated
        .as_ref()
        .map(|note| quote!(#[deprecated(note = #note)]));
    let wire = &m.wire;
    let scopes = m.scopes.iter().map(|(_, v)| {
        let v = ident(v);
        quote!(crate::Scope::#v)
    });
    let result = ty(&m.result);
    let error = match &m.errors {
        Some(e) => ident(&e.name),
        None => quote!(crate::NoMethodError),
    };
    let body = checks(&m.params, &m.one_of);
    let result_error = m.result_error.as_ref().map(|((code, code_opt), desc)| {
        let code_id = super::ident(code);
        let code_expr = if *code_opt {
            quote!(result.#code_id.as_deref())
        } else {
            quote!(Some(result.#code_id.as_str()))
        };
        let desc_expr = match desc {
            Some((d, true)) => {
                let d = super::ident(d);
                quote!(result.#d.as_deref())
            }
            Some((d, false)) => {
                let d = super::ident(d);
                quote!(Some(result.#d.as_str()))
            }
            None => quote!(None),
        };
        quote! {
            fn result_error(result: &Self::Result) -> ::std::option::Option<crate::ApiError> {
                crate::__private::result_error(#code_expr, #desc_expr)
            }
        }
    });
    let check = (!body.is_empty()).then(|| {
        quote! {
            fn check(&self, c: &mut crate::__private::Checker) {
                #[allow(unused_imports)]
                use crate::__private::Check as _;
                #body
            }
        }
    });
    quote! {
        #doc
        #deprecated
        #[derive(#derive_debug Clone, PartialEq, ::serde::Serialize)]
        #[non_exhaustive]
        pub struct #n { #decls }
        #imp
        #debug
        impl crate::Method for #n {
            const NAME: &'static str = #wire;
            const SCOPES: &'static [crate::Scope] = &[#(#scopes),*];
            type Result = #result;
            type Error = #error;
            #check
            #result_error
        }
    }
}
