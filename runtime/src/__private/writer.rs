//! Serialisation of generated structs: one call per field instead of a `serde` derive, so the
//! generated `Serialize` impls stay small (no wrapper type per encoded field, no `?` per field).

use serde::ser::{Serialize, SerializeStruct, Serializer};

/// How a boolean param is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoolWire {
    /// `Y` / `N`.
    Yn,
    /// `1` / `0`.
    Int,
}

/// A boolean in its wire form.
struct Flag(bool, BoolWire);

impl Serialize for Flag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.1 {
            BoolWire::Yn => s.serialize_str(if self.0 { "Y" } else { "N" }),
            BoolWire::Int => s.serialize_u8(u8::from(self.0)),
        }
    }
}

/// Writes the fields of one struct; the first error is kept, later fields are not written, and
/// [`StructWriter::end`] returns it.
pub struct StructWriter<S: SerializeStruct> {
    inner: S,
    err: Option<S::Error>,
}

impl<S: SerializeStruct> StructWriter<S> {
    /// Writes `v` under `key`.
    pub fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) {
        if self.err.is_none() {
            if let Err(e) = self.inner.serialize_field(key, v) {
                self.err = Some(e);
            }
        }
    }

    /// Writes `v` under `key` when set; leaves the key out otherwise.
    pub fn opt<T: Serialize>(&mut self, key: &'static str, v: &Option<T>) {
        match v {
            Some(v) => self.field(key, v),
            None => self.skip(key),
        }
    }

    /// Writes a boolean in its wire form.
    pub fn flag(&mut self, key: &'static str, v: &bool, wire: BoolWire) {
        self.field(key, &Flag(*v, wire));
    }

    /// Writes an optional boolean in its wire form when set; leaves the key out otherwise.
    pub fn opt_flag(&mut self, key: &'static str, v: &Option<bool>, wire: BoolWire) {
        match v {
            Some(b) => self.flag(key, b, wire),
            None => self.skip(key),
        }
    }

    fn skip(&mut self, key: &'static str) {
        if self.err.is_none() {
            if let Err(e) = self.inner.skip_field(key) {
                self.err = Some(e);
            }
        }
    }

    /// Ends the struct, or returns the first error met.
    pub fn end(self) -> Result<S::Ok, S::Error> {
        match self.err {
            Some(e) => Err(e),
            None => self.inner.end(),
        }
    }
}

/// Starts writing a struct named `name` with `len` fields.
pub fn write_struct<S: Serializer>(
    s: S,
    name: &'static str,
    len: usize,
) -> Result<StructWriter<S::SerializeStruct>, S::Error> {
    Ok(StructWriter {
        inner: s.serialize_struct(name, len)?,
        err: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Sample {
        id: i64,
        name: Option<String>,
        clear: Option<Option<String>>,
        active: bool,
        hidden: Option<bool>,
    }

    impl Serialize for Sample {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut w = write_struct(s, "Sample", 5)?;
            w.field("ID", &self.id);
            w.opt("NAME", &self.name);
            w.opt("CLEAR", &self.clear);
            w.flag("ACTIVE", &self.active, BoolWire::Yn);
            w.opt_flag("HIDDEN", &self.hidden, BoolWire::Int);
            w.end()
        }
    }

    #[test]
    fn fields_in_order_unset_ones_left_out() {
        let s = Sample {
            id: 7,
            name: None,
            clear: Some(None),
            active: true,
            hidden: Some(false),
        };
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"ID":7,"CLEAR":null,"ACTIVE":"Y","HIDDEN":0}"#
        );
    }

    #[test]
    fn the_first_error_is_returned() {
        struct Bad;
        impl Serialize for Bad {
            fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("no"))
            }
        }
        struct Two;
        impl Serialize for Two {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut w = write_struct(s, "Two", 2)?;
                w.field("A", &Bad);
                w.field("B", &1);
                w.end()
            }
        }
        assert_eq!(serde_json::to_string(&Two).unwrap_err().to_string(), "no");
    }
}
