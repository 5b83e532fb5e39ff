//! Diagnostics: problems found in the spec, each with the file and the place inside it.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in a spec file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file, as given to the loader (relative to the working directory when it was).
    pub file: PathBuf,
    /// Where inside the file: `line 3, column 5`, or a key path such as `params[1] CLIENT_ID`.
    pub place: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A new diagnostic without a hint.
    pub fn new(file: &Path, place: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            place: place.into(),
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a hint unless one is already there.
    pub fn hint_if_none(self, hint: impl Into<String>) -> Self {
        if self.hint.is_some() {
            self
        } else {
            self.hint(hint)
        }
    }

    /// Adds a "did you mean" hint when one of `known` is close to `got`.
    pub fn suggest<'a>(self, got: &str, known: impl IntoIterator<Item = &'a str>) -> Self {
        match closest(got, known) {
            Some(best) => self.hint(format!("did you mean \"{best}\"?")),
            None => self,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if !self.place.is_empty() {
            write!(f, ": {}", self.place)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

/// Renders diagnostics one per line, sorted, for the terminal and for snapshots.
pub fn report(diags: &[Diagnostic]) -> String {
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut out = String::new();
    for d in sorted {
        out.push_str(&d.to_string());
        out.push('\n');
    }
    out
}

/// Names longer than this get no "did you mean" (the edit distance is quadratic in length).
const MAX_SUGGEST_LEN: usize = 100;

/// The entry of `known` closest to `got` by edit distance, if close enough to be a typo.
pub fn closest<'a>(got: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if got.len() > MAX_SUGGEST_LEN {
        return None;
    }
    let got_l = got.to_ascii_lowercase();
    known
        .into_iter()
        .filter(|k| k.len() <= MAX_SUGGEST_LEN)
        .map(|k| (levenshtein(&got_l, &k.to_ascii_lowercase()), k))
        .filter(|(d, k)| *d <= (k.len().max(got.len()) / 3).max(1))
        .min()
        .map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(closest("strng", ["string", "integer"]), Some("string"));
        assert_eq!(closest("intger", ["string", "integer"]), Some("integer"));
        assert_eq!(closest("qwerty", ["string", "integer"]), None);
    }

    /// A megabyte-long name gets no suggestion, at once (the distance is quadratic).
    #[test]
    fn long_names_are_not_compared() {
        let long = "s".repeat(1 << 20);
        let t = std::time::Instant::now();
        assert_eq!(closest(&long, ["string", long.as_str()]), None);
        assert!(t.elapsed() < std::time::Duration::from_millis(100));
    }

    #[test]
    fn display_has_file_place_message_hint() {
        let d = Diagnostic::new(Path::new("spec/x.yaml"), "params[0] A", "bad").hint("fix it");
        assert_eq!(d.to_string(), "spec/x.yaml: params[0] A: bad (fix it)");
    }
}
