//! Emitters for error enums: one per method, and the shared `SystemError`.

use super::{ident, rustdoc};
use crate::ir::{ErrorEnumIr, ErrorVariantIr};
use proc_macro2::TokenStream;
use quote::quote;

/// The `ErrorDoc` table and the variant arms shared by both kinds of error enum.
fn parts(name: &str, variants: &[ErrorVariantIr]) -> TokenStream {
    let n = ident(name);
    let decls = variants.iter().map(|v| {
        let id = ident(&v.variant);
        let doc = rustdoc::attrs(&rustdoc::error_variant(v));
        quote!(#doc #id(runtime::ApiError),)
    });
    let table = variants.iter().flat_map(|v| {
        let code = &v.code;
        v.cases.iter().map(move |c| {
            let status = c.status;
            let msg = c.message.clone().unwrap_or_default();
            quote!(runtime::ErrorDoc { code: #code, status: #status, message: #msg },)
        })
    });
    let from = variants.iter().map(|v| {
        let id = ident(&v.variant);
        let code = &v.code;
        quote!(#code => Ok(Self::#id(e)),)
    });
    let get = variants.iter().map(|v| {
        let id = ident(&v.variant);
        quote!(Self::#id(e) => e,)
    });
    quote! {
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #n { #(#decls)* }
        impl runtime::MethodError for #n {
            const DOCUMENTED: &'static [runtime::ErrorDoc] = &[#(#table)*];
            fn from_api(e: runtime::ApiError) -> ::std::result::Result<Self, runtime::ApiError> {
                match e.code.as_str() {
                    #(#from)*
                    _ => Err(e),
                }
            }
            fn api_error(&self) -> &runtime::ApiError {
                match self { #(#get)* }
            }
        }
        runtime::__private::method_error!(#n);
    }
}

/// A method's error enum.
pub fn error_enum(e: &ErrorEnumIr, request: &str) -> TokenStream {
    let doc = rustdoc::attrs(&format!(
        "Errors documented for [`{request}`], one variant per code; each keeps the server's answer.\n\n{}",
        rustdoc::errors_table(&e.variants)
    ));
    let body = parts(&e.name, &e.variants);
    quote!(#doc #body)
}

/// The shared enum of system errors any method can return.
pub fn system_errors(variants: &[ErrorVariantIr], url: &str) -> TokenStream {
    let doc = rustdoc::attrs(&format!(
        "System errors: any method can return these (`spec/common/errors.yaml`).\n\n{}\n[Official documentation]({url})",
        rustdoc::errors_table(variants)
    ));
    let body = parts("SystemError", variants);
    quote!(#doc #body)
}
