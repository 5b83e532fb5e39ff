//! Macros that generated code calls instead of repeating the same impls per type.

/// Serde, `Display`, `From<&str>` and lenient decoding for a [`WireEnum`].
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_enum {
    ($t:ty) => {
        impl ::serde::Serialize for $t {
            fn serialize<S: ::serde::Serializer>(
                &self,
                s: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str($crate::__private::WireEnum::as_wire(self))
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $t {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<Self, D::Error> {
                <Self as $crate::__private::Lenient>::lenient(d)
            }
        }
        impl $crate::__private::Lenient for $t {
            fn lenient<'de, D: ::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let s: ::std::string::String = $crate::__private::Lenient::lenient(d)?;
                Ok(<Self as $crate::__private::WireEnum>::from_wire(&s))
            }
        }
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::__private::WireEnum::as_wire(self))
            }
        }
        impl ::std::convert::From<&str> for $t {
            fn from(s: &str) -> Self {
                <Self as $crate::__private::WireEnum>::from_wire(s)
            }
        }
    };
}

/// `Display` and `std::error::Error` for a generated error enum.
#[doc(hidden)]
#[macro_export]
macro_rules! __method_error {
    ($t:ty) => {
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt($crate::MethodError::api_error(self), f)
            }
        }
        impl ::std::error::Error for $t {}
    };
}

/// Lenient decoding for a generated result struct (which has its own `Deserialize` visitor):
/// `[]` reads as an empty object, `null`/`false`/`""` as nothing.
#[doc(hidden)]
#[macro_export]
macro_rules! __lenient_struct {
    ($t:ty) => {
        impl $crate::__private::Lenient for $t {
            fn lenient<'de, D: ::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::__private::lenient_object(d)
            }
            fn lenient_opt<'de, D: ::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<::std::option::Option<Self>, D::Error> {
                $crate::__private::lenient_object_opt(d)
            }
        }
    };
}
