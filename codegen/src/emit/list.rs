//! Emitter for the `ListMethod` impl of a list method: the field accesses and the paging kind
//! only; the walk itself (pages, batches, the fast mode, offsets, cursors, the end) is the
//! runtime's `Client::list`.

use super::{ident, ty};
use crate::ir::{EndIr, ListIr, ParamPathIr, ResultField, WalkIr};
use proc_macro2::TokenStream;
use quote::quote;

/// `impl ListMethod for <request>`.
pub fn list_impl(struct_name: &str, l: &ListIr) -> TokenStream {
    let n = ident(struct_name);
    let item = ty(&l.item);
    let page_size = l.page_size.map(|p| {
        let p = proc_macro2::Literal::u64_unsuffixed(p);
        quote!(const PAGE_SIZE: u64 = #p;)
    });
    let items = items_expr(l);
    let (consts, fns) = match &l.walk {
        WalkIr::Start { start, fast } => start_walk(start, fast.as_ref()),
        WalkIr::Offset { offset, limit, end } => {
            let offset = place(offset);
            let limit = limit_fn(limit.as_ref());
            let more = has_more(l, end);
            let fns = quote! {
                fn set_offset(&mut self, offset: u64) {
                    #offset = runtime::__private::page_param(offset);
                }
                #limit
                #more
            };
            (paging("Offset", end), fns)
        }
        WalkIr::Cursor {
            cursor,
            from,
            limit,
            end,
        } => {
            let cursor = place(cursor);
            let limit = limit_fn(limit.as_ref());
            let more = has_more(l, end);
            let from = field(quote!(item), from);
            let fns = quote! {
                fn set_cursor(&mut self, cursor: i64) {
                    #cursor = ::std::option::Option::Some(cursor);
                }
                fn cursor(item: &Self::Item) -> ::std::option::Option<i64> {
                    #from
                }
                #limit
                #more
            };
            (paging("Cursor", end), fns)
        }
    };
    quote! {
        impl runtime::ListMethod for #n {
            type Item = #item;
            #page_size
            #consts
            #fns
            fn items(result: Self::Result) -> ::std::vec::Vec<Self::Item> {
                #items
            }
        }
    }
}

/// The `start` walk's constants (the fast mode's) and accessors.
fn start_walk(start: &str, fast: Option<&crate::ir::FastListIr>) -> (TokenStream, TokenStream) {
    let start = ident(start);
    let set_start = quote! {
        fn set_start(&mut self, start: i64) {
            self.#start = ::std::option::Option::Some(start);
        }
    };
    match fast {
        None => (TokenStream::new(), set_start),
        Some(f) => {
            let filter = ident(&f.filter);
            let id = field(quote!(item), &f.id);
            let fns = quote! {
                #set_start
                fn set_after_id(&mut self, id: u64) {
                    runtime::__private::after_id(&mut self.#filter, id);
                }
                fn item_id(item: &Self::Item) -> ::std::option::Option<u64> {
                    runtime::__private::item_id(#id)
                }
            };
            (
                quote!(
                    const FAST: bool = true;
                ),
                fns,
            )
        }
    }
}

/// `const PAGING` of an offset or cursor walk.
fn paging(kind: &str, end: &EndIr) -> TokenStream {
    let kind = ident(kind);
    let end = ident(match end {
        EndIr::Short => "Short",
        EndIr::Total => "Total",
        EndIr::Flag(_) => "Flag",
    });
    quote!(const PAGING: runtime::Paging = runtime::Paging::#kind(runtime::ListEnd::#end);)
}

/// `set_limit`, when the method has a page-size param.
fn limit_fn(limit: Option<&ParamPathIr>) -> Option<TokenStream> {
    limit.map(|limit| {
        let limit = place(limit);
        quote! {
            fn set_limit(&mut self, limit: u64) {
                #limit = runtime::__private::page_param(limit);
            }
        }
    })
}

/// The place a walk sets a param: `self.offset`, or through object params,
/// `self.params.get_or_insert_with(ListParams::new).offset` (an object the caller left out is
/// made with every field unset; the caller's other fields are kept).
fn place(p: &ParamPathIr) -> TokenStream {
    let mut at = quote!(self);
    for o in &p.objects {
        let id = ident(&o.ident);
        at = match &o.make {
            Some(s) => {
                let s = ident(s);
                quote!(#at.#id.get_or_insert_with(#s::new))
            }
            None => quote!(#at.#id),
        };
    }
    let f = ident(&p.field);
    quote!(#at.#f)
}

/// `has_more`, reading the result's flag, for a flag end.
fn has_more(l: &ListIr, end: &EndIr) -> Option<TokenStream> {
    let EndIr::Flag(flag) = end else {
        return None;
    };
    let id = ident(&flag.ident);
    let read = match (l.result_optional, flag.optional) {
        (false, false) => quote!(::std::option::Option::Some(result.#id)),
        (false, true) => quote!(result.#id),
        (true, false) => quote!(result.as_ref().map(|r| r.#id)),
        (true, true) => quote!(result.as_ref().and_then(|r| r.#id)),
    };
    Some(quote! {
        fn has_more(result: &Self::Result) -> ::std::option::Option<bool> {
            #read
        }
    })
}

/// The items of a page's `result`: the list, or a map's values.
fn items_expr(l: &ListIr) -> TokenStream {
    let collection = collection_expr(l);
    if l.items_map {
        quote!(#collection.into_values().collect())
    } else {
        collection
    }
}

/// The collection of items in a page's `result`.
fn collection_expr(l: &ListIr) -> TokenStream {
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
