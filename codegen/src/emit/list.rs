//! Emitter for the `ListMethod` impl of a list method: the field accesses only; the walk
//! itself (pages, batches, the fast mode) is the runtime's `Client::list`.

use super::{ident, ty};
use crate::ir::{ListIr, ResultField};
use proc_macro2::TokenStream;
use quote::quote;

/// `impl ListMethod for <request>`.
pub fn list_impl(struct_name: &str, l: &ListIr) -> TokenStream {
    let n = ident(struct_name);
    let item = ty(&l.item);
    let start = ident(&l.start);
    let page_size = l.page_size.map(|p| {
        let p = proc_macro2::Literal::u64_unsuffixed(p);
        quote!(const PAGE_SIZE: u64 = #p;)
    });
    let items = items_expr(l);
    let fast_const = l.fast.as_ref().map(|_| {
        quote!(
            const FAST: bool = true;
        )
    });
    let fast = l.fast.as_ref().map(|f| {
        let filter = ident(&f.filter);
        let id = field(quote!(item), &f.id);
        quote! {
            fn set_after_id(&mut self, id: u64) {
                crate::__private::after_id(&mut self.#filter, id);
            }
            fn item_id(item: &Self::Item) -> ::std::option::Option<u64> {
                crate::__private::item_id(#id)
            }
        }
    });
    quote! {
        impl crate::ListMethod for #n {
            type Item = #item;
            #page_size
            #fast_const
            fn set_start(&mut self, start: i64) {
                self.#start = ::std::option::Option::Some(start);
            }
            fn items(result: Self::Result) -> ::std::vec::Vec<Self::Item> {
                #items
            }
            #fast
        }
    }
}

/// The items of a page's `result`.
fn items_expr(l: &ListIr) -> TokenStream {
    match (&l.items_field, l.result_optional) {
        (None, false) => quote!(result),
        (None, true) => quote!(result.unwrap_or_default()),
        (Some(f), false) => {
            let id = ident(&f.ident);
            if f.optional {
                quote!(result.#id.unwrap_or_default())
            } else {
                quote!(result.#id)
            }
        }
        (Some(f), true) => {
            let id = ident(&f.ident);
            if f.optional {
                quote!(result.and_then(|r| r.#id).unwrap_or_default())
            } else {
                quote!(result.map(|r| r.#id).unwrap_or_default())
            }
        }
    }
}

/// A field of `owner` as an `Option<i64>`.
fn field(owner: TokenStream, f: &ResultField) -> TokenStream {
    let id = ident(&f.ident);
    if f.optional {
        quote!(#owner.#id)
    } else {
        quote!(::std::option::Option::Some(#owner.#id))
    }
}
