//! Pre-send checks: the [`Checker`] that generated `Method::check` bodies report to.

use crate::error::Problem;

/// The kind of authorisation a client uses; pre-send checks depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// Incoming webhook.
    Webhook,
    /// OAuth access token.
    OAuth,
}

/// Collects the problems of a request before it is sent.
#[derive(Debug)]
pub struct Checker {
    auth: AuthKind,
    path: Vec<String>,
    problems: Vec<Problem>,
}

impl Checker {
    /// A checker for calls made with `auth`.
    pub fn new(auth: AuthKind) -> Self {
        Checker {
            auth,
            path: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// The problems found.
    pub fn into_problems(self) -> Vec<Problem> {
        self.problems
    }

    fn push(&mut self, name: &str, message: String) {
        let mut param = self.path.join(".");
        if !param.is_empty() && !name.starts_with('[') {
            param.push('.');
        }
        param.push_str(name);
        self.problems.push(Problem { param, message });
    }

    /// A param required only over webhooks.
    pub fn webhook_required(&mut self, name: &str, present: bool) {
        if self.auth == AuthKind::Webhook && !present {
            self.push(name, "is required when calling through a webhook".into());
        }
    }

    /// An integer within documented bounds.
    pub fn int_range<F: Field<i64>>(
        &mut self,
        name: &str,
        v: &F,
        min: Option<i64>,
        max: Option<i64>,
    ) {
        let Some(&v) = v.value() else { return };
        if let Some(lo) = min.filter(|lo| v < *lo) {
            self.push(name, format!("must be at least {lo}, got {v}"));
        }
        if let Some(hi) = max.filter(|hi| v > *hi) {
            self.push(name, format!("must be at most {hi}, got {v}"));
        }
    }

    /// A number within documented bounds.
    pub fn float_range<F: Field<f64>>(
        &mut self,
        name: &str,
        v: &F,
        min: Option<i64>,
        max: Option<i64>,
    ) {
        let Some(&v) = v.value() else { return };
        if let Some(lo) = min.filter(|lo| v < *lo as f64) {
            self.push(name, format!("must be at least {lo}, got {v}"));
        }
        if let Some(hi) = max.filter(|hi| v > *hi as f64) {
            self.push(name, format!("must be at most {hi}, got {v}"));
        }
    }

    /// A text within its documented length, in characters.
    pub fn max_length<T: AsRef<str>, F: Field<T>>(&mut self, name: &str, v: &F, max: u32) {
        let Some(v) = v.value().map(AsRef::as_ref) else {
            return;
        };
        let n = v.chars().count();
        if n > max as usize {
            self.push(name, format!("must be at most {max} characters, got {n}"));
        }
    }

    /// A param required when a sibling has a given value.
    pub fn required_if(
        &mut self,
        name: &str,
        present: bool,
        other: &str,
        value: &str,
        actual: Option<String>,
    ) {
        if !present && actual.as_deref() == Some(value) {
            self.push(name, format!("is required when {other} is {value}"));
        }
    }

    /// A collection within its documented number of items.
    pub fn max_items<C: Count, F: Field<C>>(&mut self, name: &str, v: &F, max: u32) {
        let Some(n) = v.value().map(Count::count) else {
            return;
        };
        if n > max as usize {
            self.push(name, format!("must have at most {max} items, got {n}"));
        }
    }

    /// At least one of a group of optional params must be given.
    pub fn one_of(&mut self, names: &[&str], present: &[bool]) {
        if !present.iter().any(|p| *p) {
            self.push(
                &names.join(", "),
                "at least one of these must be given".into(),
            );
        }
    }

    /// Checks a nested object under `name`, when it is given.
    pub fn nested<T: Check, F: Field<T>>(&mut self, name: &str, v: &F) {
        if let Some(v) = v.value() {
            self.path.push(name.to_string());
            v.check(self);
            self.path.pop();
        }
    }

    /// Checks every item of an array of objects under `name[i]`, when it is given.
    pub fn nested_each<T: Check, F: Field<Vec<T>>>(&mut self, name: &str, v: &F) {
        for (i, item) in v.value().into_iter().flatten().enumerate() {
            self.path.push(format!("{name}[{i}]"));
            item.check(self);
            self.path.pop();
        }
    }
}

/// Pre-send checks of a generated param object.
pub trait Check {
    /// Reports the object's problems to `c`.
    fn check(&self, c: &mut Checker);
}

/// A collection whose items can be counted (arrays and maps).
pub trait Count {
    /// The number of items.
    fn count(&self) -> usize;
}

impl<T> Count for Vec<T> {
    fn count(&self) -> usize {
        self.len()
    }
}

impl<K, V> Count for std::collections::BTreeMap<K, V> {
    fn count(&self) -> usize {
        self.len()
    }
}

/// A field's value whatever its presence: `T` (required), `Option<T>` (optional), or
/// `Option<Option<T>>` (nullable). The checks read fields through it, so generated code makes
/// one call per constraint whatever the field's shape.
pub trait Field<T> {
    /// The value, when one is given (`None` also for an explicit null).
    fn value(&self) -> Option<&T>;
}

impl<T> Field<T> for T {
    fn value(&self) -> Option<&T> {
        Some(self)
    }
}

impl<T> Field<T> for Option<T> {
    fn value(&self) -> Option<&T> {
        self.as_ref()
    }
}

impl<T> Field<T> for Option<Option<T>> {
    fn value(&self) -> Option<&T> {
        self.as_ref().and_then(Option::as_ref)
    }
}

/// The error a result reports in its `error` / `error_description` fields, if any.
pub fn result_error(code: Option<&str>, description: Option<&str>) -> Option<crate::ApiError> {
    let code = code.map(str::trim).filter(|c| !c.is_empty())?;
    Some(crate::ApiError {
        code: code.to_string(),
        description: description.unwrap_or("").to_string(),
        status: 200,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Item(i64);
    impl Check for Item {
        fn check(&self, c: &mut Checker) {
            c.int_range("ID", &self.0, None, Some(5));
        }
    }

    #[test]
    fn checker_paths_and_rules() {
        let mut c = Checker::new(AuthKind::Webhook);
        c.int_range("CHAT_ID", &0, Some(1), None);
        c.webhook_required("CLIENT_ID", false);
        c.max_length::<String, _>("fields.botToken", &Some("abcdef".to_string()), 3);
        c.nested_each("ITEMS", &Some(vec![Item(1), Item(2), Item(9)]));
        c.one_of(&["PROPERTIES.NAME", "LAST_NAME"], &[false, false]);
        c.one_of(&["A", "B"], &[false, true]);
        let p: Vec<String> = c.into_problems().into_iter().map(|p| p.param).collect();
        assert_eq!(
            p,
            [
                "CHAT_ID",
                "CLIENT_ID",
                "fields.botToken",
                "ITEMS[2].ID",
                "PROPERTIES.NAME, LAST_NAME"
            ]
        );
        let mut c = Checker::new(AuthKind::OAuth);
        c.webhook_required("CLIENT_ID", false);
        assert!(c.into_problems().is_empty());
    }

    #[test]
    fn fields_of_every_presence() {
        let mut c = Checker::new(AuthKind::OAuth);
        c.int_range("A", &Some(Some(0)), Some(1), None);
        c.int_range("B", &Some(None::<i64>), Some(1), None);
        c.int_range("C", &None::<i64>, Some(1), None);
        c.max_items::<Vec<i32>, _>("D", &Some(Some(vec![1, 2, 3])), 2);
        c.nested::<Item, _>("E", &Some(Item(7)));
        let p: Vec<String> = c.into_problems().into_iter().map(|p| p.param).collect();
        assert_eq!(p, ["A", "D", "E.ID"]);
    }
}
