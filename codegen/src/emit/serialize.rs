//! Emitter for the `Serialize` impl of a generated struct: one runtime call per field
//! (`bitrix_api::__private::StructWriter`), in place of a `serde` derive with per-field
//! attributes, which expands to more code for the compiler to check.

use super::ident;
use crate::ir::{BoolEncoding, FieldIr, RustTy};
use proc_macro2::TokenStream;
use quote::quote;

/// `impl Serialize for <name>`: fields in order under their wire names; with `skip_unset`,
/// an unset optional field is left out (what is sent), otherwise written as `null` (what a
/// received struct holds).
pub(crate) fn serialize_impl(name: &str, fields: &[FieldIr], skip_unset: bool) -> TokenStream {
    let n = ident(name);
    let len = fields.len();
    let w = if fields.is_empty() {
        quote!(w)
    } else {
        quote!(mut w)
    };
    let writes = fields.iter().map(|f| {
        let id = ident(&f.ident);
        let wire = &f.wire;
        let skip = skip_unset && f.is_optional();
        let encoding = match (f.encoding, &f.ty) {
            (Some(BoolEncoding::Yn), RustTy::Bool) => {
                Some(quote!(runtime::__private::BoolWire::Yn))
            }
            (Some(BoolEncoding::Int), RustTy::Bool) => {
                Some(quote!(runtime::__private::BoolWire::Int))
            }
            _ => None,
        };
        match (encoding, skip) {
            (Some(e), true) => quote!(w.opt_flag(#wire, &self.#id, #e);),
            (Some(e), false) if !f.is_optional() => quote!(w.flag(#wire, &self.#id, #e);),
            (_, true) => quote!(w.opt(#wire, &self.#id);),
            _ => quote!(w.field(#wire, &self.#id);),
        }
    });
    quote! {
        impl ::serde::Serialize for #n {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                let #w = runtime::__private::write_struct(s, #name, #len)?;
                #(#writes)*
                w.end()
            }
        }
    }
}
