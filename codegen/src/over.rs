//! Checking method and event files over a base that is already checked: the shared files and
//! the module types are validated and lowered once ([`CheckedBase`]), and each check of a few
//! members ([`Generator::check_over`]) runs only the members' part of validation and lowering.
//! The fuzz target checks one method file at a time this way.

use crate::diag::Diagnostic;
use crate::ir::Api;
use crate::load::SpecSet;
use crate::lower::{lower_base, lower_members, LoweredBase};
use crate::validate::{validate_base, validate_members, Validator};
use crate::Generator;
use std::path::{Component, Path, PathBuf};

/// A loaded spec set with everything but its methods and events (scopes, system errors,
/// common types, module types) validated and lowered, kept to check method and event files
/// over it with [`Generator::check_over`].
///
/// ```
/// let g = bitrix_codegen::Generator::new("spec");
/// let (set, _) = g.load_over(
///     bitrix_codegen::load::SpecSet::default(),
///     [
///         ("scopes.yaml", "scopes: {imbot: Chat bots}\n"),
///         ("common/errors.yaml", "docs: e.md\nerrors: []\n"),
///         ("common/types.yaml", "types: {}\n"),
///     ],
/// );
/// let base = bitrix_codegen::CheckedBase::new(set);
/// let method = "method: a.b\nsummary: S.\nscopes: [imbot]\ndocs: a.md\nresult: {type: boolean}\n";
/// let api = g.check_over(&base, [("methods/a.b.yaml", method)]).unwrap();
/// assert_eq!(api.namespaces["a"].methods[0].struct_name, "B");
/// ```
#[derive(Debug, Clone)]
pub struct CheckedBase {
    /// The set as given.
    set: SpecSet,
    /// The validator after the base's checks, with their diagnostics.
    validated: Validator,
    /// The base's lowering, with its diagnostics.
    lowered: LoweredBase,
}

impl CheckedBase {
    /// Validates and lowers everything in `set` but its methods and events. Methods and
    /// events it holds are checked with each [`Generator::check_over`], beside the files
    /// given there.
    pub fn new(set: SpecSet) -> Self {
        CheckedBase {
            validated: validate_base(&set),
            lowered: lower_base(&set),
            set,
        }
    }

    /// The loaded set the base was built from.
    pub fn set(&self) -> &SpecSet {
        &self.set
    }
}

/// Whether `path` (inside the spec directory) is a method or event file: `methods/<file>` or
/// `events/<file>`, nothing else.
fn is_member_path(path: &Path) -> bool {
    let parts: Vec<Component<'_>> = path.components().collect();
    matches!(
        parts.as_slice(),
        [Component::Normal(dir), Component::Normal(_)] if *dir == "methods" || *dir == "events"
    )
}

impl Generator {
    /// Loads method and event files given as text (paths as for
    /// [`load_over`](Self::load_over)) over `base`'s set and checks the result, running only
    /// the checks that depend on methods and events: the answer is the same as
    /// `check_loaded(load_over(base.set().clone(), sources))`, in less time. A path outside
    /// `methods/` and `events/` changes the base, so the whole set is checked then.
    pub fn check_over<I, P, T>(
        &self,
        base: &CheckedBase,
        sources: I,
    ) -> Result<Api, Vec<Diagnostic>>
    where
        I: IntoIterator<Item = (P, T)>,
        P: AsRef<Path>,
        T: Into<String>,
    {
        let files: Vec<(PathBuf, String)> = sources
            .into_iter()
            .map(|(p, t)| (p.as_ref().to_path_buf(), t.into()))
            .collect();
        let members_only = files.iter().all(|(p, _)| is_member_path(p));
        let loaded = self.load_over(base.set.clone(), files);
        if !members_only {
            return Self::check_loaded(loaded);
        }
        let (set, mut diags) = loaded;
        let mut validator = base.validated.clone();
        validate_members(&mut validator, &set);
        diags.append(&mut validator.diags);
        let (api, lower_diags) = lower_members(base.lowered.clone(), &set);
        diags.extend(lower_diags);
        Self::outcome(api, diags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The real spec directory.
    fn spec_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
    }

    /// A file given to the check: its path inside the spec directory and its text.
    struct Input {
        path: PathBuf,
        text: String,
    }

    /// The `.yaml` files of `dir` inside the real spec, as inputs.
    fn spec_files(dir: &str) -> Vec<Input> {
        let root = spec_root();
        let mut files: Vec<Input> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .map(|p| Input {
                path: p.strip_prefix(&root).unwrap().to_path_buf(),
                text: std::fs::read_to_string(&p).unwrap(),
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    /// A saved fuzz input as the `spec_file` harness reads it: a first line `#@ <path>`
    /// names the file, otherwise it is the method file of its `method:` line.
    fn fuzz_input(text: String) -> Input {
        if let Some(rest) = text.strip_prefix("#@ ") {
            let (first, body) = rest.split_once('\n').unwrap_or((rest, ""));
            return Input {
                path: PathBuf::from(first.trim()),
                text: body.to_string(),
            };
        }
        let method = text
            .lines()
            .find_map(|l| l.strip_prefix("method:"))
            .map(|m| m.trim().trim_matches(|c| c == '"' || c == '\''))
            .filter(|m| !m.is_empty() && !m.contains(['/', '\\']) && m.len() < 200)
            .unwrap_or("x")
            .to_string();
        Input {
            path: PathBuf::from(format!("methods/{method}.yaml")),
            text,
        }
    }

    /// Checks `inputs` over `base` both ways and tells how they differ, if they do.
    fn difference(g: &Generator, base: &CheckedBase, inputs: &[&Input]) -> Option<String> {
        let sources = || inputs.iter().map(|i| (i.path.as_path(), i.text.as_str()));
        let over = g.check_over(base, sources());
        let full = Generator::check_loaded(g.load_over(base.set().clone(), sources()));
        match (over, full) {
            (Ok(a), Ok(b)) if a == b => None,
            (Err(a), Err(b)) if a == b => None,
            (Ok(a), Ok(b)) => {
                let ns: Vec<_> = a
                    .namespaces
                    .iter()
                    .filter(|(k, v)| b.namespaces.get(*k) != Some(v))
                    .map(|(k, _)| k)
                    .collect();
                Some(format!("the APIs differ (namespaces {ns:?})"))
            }
            (Err(a), Err(b)) => {
                let only_over: Vec<_> = a.iter().filter(|d| !b.contains(d)).collect();
                let only_full: Vec<_> = b.iter().filter(|d| !a.contains(d)).collect();
                Some(format!(
                    "the diagnostics differ: only over the base {only_over:?}, only in the full check {only_full:?}"
                ))
            }
            (over, full) => Some(format!(
                "over the base: {}, full check: {}",
                if over.is_ok() { "Ok" } else { "Err" },
                if full.is_ok() { "Ok" } else { "Err" },
            )),
        }
    }

    /// For every saved fuzz input and every real method and event file, checking over a
    /// checked base gives what the full check gives: over the shared files alone, over them
    /// and the types of the method's module (as the fuzz target checks), and, for a sample
    /// (a check of the whole spec takes a quarter of a second in debug), over them and every
    /// module's types, and over the whole real spec, the file replacing its own.
    #[test]
    fn checking_over_a_base_is_the_full_check() {
        let root = spec_root();
        let g = Generator::new(&root);
        let shared: Vec<Input> = ["scopes.yaml", "common/errors.yaml", "common/types.yaml"]
            .iter()
            .map(|p| Input {
                path: PathBuf::from(p),
                text: std::fs::read_to_string(root.join(p)).unwrap(),
            })
            .collect();
        let types = spec_files("types");
        let methods = spec_files("methods");
        let events = spec_files("events");
        let load = |inputs: &[&[Input]]| {
            let all = inputs.iter().flat_map(|v| v.iter());
            let (set, diags) = g.load_over(
                SpecSet::default(),
                all.map(|i| (i.path.as_path(), i.text.as_str())),
            );
            assert_eq!(diags, vec![], "the real files load");
            CheckedBase::new(set)
        };
        let shared_base = load(&[&shared]);
        let module_bases: BTreeMap<String, CheckedBase> = types
            .iter()
            .map(|t| {
                let module = t.path.file_stem().unwrap().to_string_lossy().into_owned();
                (module, load(&[&shared, std::slice::from_ref(t)]))
            })
            .collect();
        let types_base = load(&[&shared, &types]);
        let whole_base = load(&[&shared, &types, &methods, &events]);

        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/spec_file");
        let mut fuzzed: Vec<Input> = std::fs::read_dir(&corpus)
            .unwrap()
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .map(|data| fuzz_input(String::from_utf8_lossy(&data).into_owned()))
            .collect();
        fuzzed.sort_by(|a, b| a.path.cmp(&b.path).then(a.text.cmp(&b.text)));
        assert!(fuzzed.len() > 100, "{} saved fuzz inputs", fuzzed.len());

        let mut failures = Vec::new();
        let mut compare = |name: &str, base: &CheckedBase, inputs: &[&Input]| {
            if let Some(d) = difference(&g, base, inputs) {
                let files: Vec<_> = inputs.iter().map(|i| i.path.display()).collect();
                failures.push(format!("over {name}, {files:?}: {d}"));
            }
        };
        // Nothing given: the base's own members, or none.
        for (name, base) in [
            ("the shared files", &shared_base),
            ("all types", &types_base),
            ("the whole spec", &whole_base),
        ] {
            compare(name, base, &[]);
        }
        let inputs = fuzzed.iter().chain(&methods).chain(&events);
        for (i, input) in inputs.enumerate() {
            compare("the shared files", &shared_base, &[input]);
            let module = input
                .path
                .strip_prefix("methods")
                .ok()
                .and_then(|p| p.file_stem()?.to_str())
                .map(|m| crate::names::namespace(m).0);
            if let Some(base) = module.and_then(|m| module_bases.get(&m)) {
                compare("its module's types", base, &[input]);
            }
            if i % 4 == 0 {
                compare("all types", &types_base, &[input]);
            }
            if i % 16 == 0 {
                compare("the whole spec", &whole_base, &[input]);
            }
        }
        // Two members at once, one of them in a module with types.
        compare("all types", &types_base, &[&methods[0], &events[0]]);
        assert!(
            failures.is_empty(),
            "{} differences:\n{}",
            failures.len(),
            failures.join("\n")
        );
        // The whole spec over its checked base is the spec as `check` sees it.
        let whole = g.check_over(&whole_base, Vec::<(PathBuf, String)>::new());
        assert_eq!(whole, g.check(), "the whole spec");
        // A namespace made by the base (a module's types) gets its prefix from the methods.
        let bot = methods
            .iter()
            .find(|i| i.path.ends_with("imbot.v2.Bot.register.yaml"))
            .expect("the method file is there");
        let api = g
            .check_over(&module_bases["imbot_v2"], [(&bot.path, &bot.text)])
            .expect("a real method over its module's types");
        assert_eq!(api.namespaces["imbot_v2"].prefix, "imbot.v2");
    }

    #[test]
    fn only_method_and_event_files_skip_the_base_checks() {
        assert!(is_member_path(Path::new("methods/a.b.yaml")));
        assert!(is_member_path(Path::new("events/ONX.yaml")));
        for other in [
            "scopes.yaml",
            "common/types.yaml",
            "types/imbot.yaml",
            "methods/../scopes.yaml",
            "methods/x/a.yaml",
            "/methods/a.yaml",
            "./methods/a.yaml",
        ] {
            assert!(!is_member_path(Path::new(other)), "{other}");
        }
    }
}
