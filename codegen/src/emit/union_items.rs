//! Emitter for a union of items (`items: [integer, DialogUser]`): an untagged enum whose
//! decoding buffers the value once and tries each member's lenient decoding in spec order.
//! Named-type members are boxed, so that a list of bare ids does not take the size of a
//! record per item.

use super::{ident, rustdoc, ty};
use crate::ir::{RustTy, UnionIr};
use proc_macro2::TokenStream;
use quote::quote;

/// The enum, its `From` impls, and `Deserialize` / `Lenient` trying the members in order.
pub fn ordered_union(u: &UnionIr) -> TokenStream {
    let n = ident(&u.name);
    let doc = rustdoc::attrs(&rustdoc::escape(&u.doc));
    let variants = u.variants.iter().map(|v| {
        let id = ident(&v.variant);
        let t = stored(&v.ty);
        let doc = rustdoc::attrs(&format!("An item that decodes as {}.", v.variant));
        quote!(#doc #id(#t),)
    });
    let froms = u.variants.iter().filter(|v| v.ty != RustTy::Json).map(|v| {
        let id = ident(&v.variant);
        let t = ty(&v.ty);
        let value = boxed(&v.ty, quote!(v));
        quote! {
            impl ::std::convert::From<#t> for #n {
                fn from(v: #t) -> Self { Self::#id(#value) }
            }
        }
    });
    let attempts = u.variants.iter().map(|v| {
        let id = ident(&v.variant);
        let t = ty(&v.ty);
        let value = boxed(&v.ty, quote!(x));
        quote! {
            if let ::std::result::Result::Ok(x) = <#t as runtime::__private::Lenient>::lenient(&v) {
                return ::std::result::Result::Ok(Self::#id(#value));
            }
        }
    });
    let expected = format!(
        "an item of {}: none of {} fits",
        u.name,
        u.variants
            .iter()
            .map(|v| v.variant.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
        #[serde(untagged)]
        pub enum #n { #(#variants)* }
        #(#froms)*
        impl<'de> ::serde::Deserialize<'de> for #n {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                <Self as runtime::__private::Lenient>::lenient(d)
            }
        }
        impl runtime::__private::Lenient for #n {
            fn lenient<'de, D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let v: ::serde_json::Value = ::serde::Deserialize::deserialize(d)?;
                #(#attempts)*
                ::std::result::Result::Err(<D::Error as ::serde::de::Error>::custom(#expected))
            }
        }
    }
}

/// The type a variant holds: a named type boxed, anything else as it is.
fn stored(t: &RustTy) -> TokenStream {
    let inner = ty(t);
    match t {
        RustTy::Named(_) => quote!(::std::boxed::Box<#inner>),
        _ => inner,
    }
}

/// A member's value `v` as the variant holds it: boxed for a named type.
fn boxed(t: &RustTy, v: TokenStream) -> TokenStream {
    match t {
        RustTy::Named(_) => quote!(::std::boxed::Box::new(#v)),
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Role, UnionVariantIr};

    #[test]
    fn members_are_tried_in_spec_order_on_one_buffered_value() {
        let u = UnionIr {
            name: "ListResultItem".into(),
            doc: "An item.".into(),
            variants: vec![
                UnionVariantIr {
                    variant: "Integer".into(),
                    ty: RustTy::Int,
                },
                UnionVariantIr {
                    variant: "DialogUser".into(),
                    ty: RustTy::Named("crate::DialogUser".into()),
                },
            ],
            role: Role::Result,
            ordered: true,
        };
        let code = ordered_union(&u).to_string();
        let int = code
            .find("< i64 as runtime :: __private :: Lenient >")
            .expect("int");
        let user = code
            .find("< crate :: DialogUser as runtime :: __private :: Lenient >")
            .expect("user");
        assert!(int < user, "{code}");
        assert_eq!(code.matches("serde_json :: Value = ").count(), 1, "{code}");
        assert!(code.contains("none of Integer, DialogUser fits"), "{code}");
        assert!(
            code.contains("DialogUser (:: std :: boxed :: Box < crate :: DialogUser >)"),
            "a record is boxed: {code}"
        );
        assert!(
            code.contains("Self :: Integer (x)"),
            "no parentheses around x: {code}"
        );
        assert!(syn::parse2::<syn::File>(ordered_union(&u)).is_ok());
    }
}
