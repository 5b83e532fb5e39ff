//! The public entry point: [`Generator`], used by the `bitrix-tools` command (`generate`,
//! `check`), the tests' and the emulator's build scripts alike.

use crate::diag::Diagnostic;
use crate::ir::Api;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Checks a spec directory and writes the generated Rust into the workspace (where each file
/// goes: [`layout`](crate::layout)).
///
/// ```no_run
/// // What `bitrix-tools generate` does, from the workspace root:
/// let generator = bitrix_codegen::Generator::new("spec");
/// if let Err(diags) = generator.write(".".as_ref()) {
///     eprint!("{}", bitrix_codegen::diag::report(&diags));
///     std::process::exit(1);
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Generator {
    spec_dir: PathBuf,
}

impl Generator {
    /// A generator for the spec in `spec_dir`.
    pub fn new(spec_dir: impl Into<PathBuf>) -> Self {
        Generator {
            spec_dir: spec_dir.into(),
        }
    }

    /// The spec directory.
    pub fn spec_dir(&self) -> &Path {
        &self.spec_dir
    }

    /// Loads, validates and lowers the spec: the whole API with every Rust name decided, or
    /// every problem found (file, place, hint), sorted.
    pub fn check(&self) -> Result<Api, Vec<Diagnostic>> {
        Self::check_loaded(crate::load::load_dir(&self.spec_dir))
    }

    /// [`check`](Self::check) for a build script that reads the IR (a test registry, the
    /// emulator's table): asks cargo to rerun when the spec changes, and on problems prints
    /// them all and ends the build script (exit code 1), since a build script has no caller to
    /// hand them to.
    pub fn check_in_build_script(&self) -> Api {
        println!("cargo:rerun-if-changed={}", self.spec_dir.display());
        self.check().unwrap_or_else(|diags| {
            eprintln!(
                "error: the spec in {} has problems:\n{}",
                self.spec_dir.display(),
                crate::diag::report(&diags)
            );
            std::process::exit(1)
        })
    }

    /// [`check`](Self::check) on files given as text, without touching the disk: each
    /// `(path, text)` is one file at `path` inside the spec directory (`scopes.yaml`,
    /// `common/errors.yaml`, `methods/a.b.yaml`, …). Same limits, same checks; diagnostics
    /// name `spec_dir/path`. Used by the fuzz target and the no-panic tests.
    ///
    /// ```
    /// let g = bitrix_codegen::Generator::new("spec");
    /// let diags = g.check_sources([("scopes.yaml", "scopes: [")]).unwrap_err();
    /// assert!(diags.iter().any(|d| d.file.ends_with("scopes.yaml")));
    /// ```
    pub fn check_sources<I, P, T>(&self, sources: I) -> Result<Api, Vec<Diagnostic>>
    where
        I: IntoIterator<Item = (P, T)>,
        P: AsRef<Path>,
        T: Into<String>,
    {
        let files: BTreeMap<PathBuf, String> = sources
            .into_iter()
            .map(|(p, t)| (self.spec_dir.join(p), t.into()))
            .collect();
        Self::check_loaded(crate::load::load_from(
            crate::load::Source::Memory(&files),
            &self.spec_dir,
        ))
    }

    /// Loads files given as text (paths as for [`check_sources`](Self::check_sources)) over
    /// an already loaded set: each replaces the file the set held at its path. Returns the set
    /// and the problems of the files given; [`check_loaded`](Self::check_loaded) then checks
    /// it. A caller that checks many variants of one file loads the others once (the fuzz
    /// target does).
    ///
    /// ```
    /// let g = bitrix_codegen::Generator::new("spec");
    /// let base = bitrix_codegen::load::SpecSet::default();
    /// let (base, diags) = g.load_over(base, [("scopes.yaml", "scopes: {im: Chats}")]);
    /// assert!(diags.is_empty() && base.scopes.is_some());
    /// let (set, diags) = g.load_over(base.clone(), [("scopes.yaml", "scopes: [")]);
    /// assert!(set.scopes.is_none() && !diags.is_empty());
    /// ```
    pub fn load_over<I, P, T>(
        &self,
        mut set: crate::load::SpecSet,
        sources: I,
    ) -> (crate::load::SpecSet, Vec<Diagnostic>)
    where
        I: IntoIterator<Item = (P, T)>,
        P: AsRef<Path>,
        T: Into<String>,
    {
        set.root.clone_from(&self.spec_dir);
        let files: BTreeMap<PathBuf, String> = sources
            .into_iter()
            .map(|(p, t)| (self.spec_dir.join(p), t.into()))
            .collect();
        let mut diags = Vec::new();
        for path in files.keys() {
            crate::load::load_into(
                crate::load::Source::Memory(&files),
                &mut set,
                path,
                &mut diags,
            );
        }
        (set, diags)
    }

    /// Validates and lowers a loaded set and the problems met loading it: the checks of
    /// [`check`](Self::check) after the loading.
    pub fn check_loaded(
        (set, mut diags): (crate::load::SpecSet, Vec<Diagnostic>),
    ) -> Result<Api, Vec<Diagnostic>> {
        diags.extend(crate::validate::validate(&set));
        let (api, lower_diags) = crate::lower::lower(&set);
        diags.extend(lower_diags);
        Self::outcome(api, diags)
    }

    /// The API when nothing was found, else the problems, sorted, each once.
    pub(crate) fn outcome(api: Api, mut diags: Vec<Diagnostic>) -> Result<Api, Vec<Diagnostic>> {
        if diags.is_empty() {
            Ok(api)
        } else {
            diags.sort();
            diags.dedup();
            Err(diags)
        }
    }

    /// Checks the spec and renders every generated file in memory, by its path relative to
    /// the workspace root (`/`-separated; see [`layout`](crate::layout)).
    #[cfg(feature = "format")]
    pub fn render(&self) -> Result<BTreeMap<String, String>, Vec<Diagnostic>> {
        let api = self.check()?;
        crate::render::files(&api).map_err(|e| vec![Diagnostic::new(&self.spec_dir, "", e)])
    }

    /// Checks the spec, then writes the generated files under the workspace root `root`
    /// (folders created as needed), leaving files whose content is unchanged alone, and
    /// removes the generated files (those that start with the generator's header) it no
    /// longer produces, such as the crate of a namespace gone from the spec. Returns what
    /// changed.
    #[cfg(feature = "format")]
    pub fn write(&self, root: &Path) -> Result<Written, Vec<Diagnostic>> {
        let files = self.render()?;
        crate::render::write_dir(root, &files).map_err(|e| vec![Diagnostic::new(root, "", e)])
    }

    /// Compares the tree under `root` with what [`write`](Self::write) would leave there,
    /// without writing: every file that differs, is missing, or is a generated file no longer
    /// produced. Empty when the tree is current.
    #[cfg(feature = "format")]
    pub fn outdated(&self, root: &Path) -> Result<Vec<Outdated>, Vec<Diagnostic>> {
        let files = self.render()?;
        crate::render::compare_dir(root, &files).map_err(|e| vec![Diagnostic::new(root, "", e)])
    }
}

/// What [`Generator::write`] changed in the output directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// Files created or rewritten.
    pub written: Vec<PathBuf>,
    /// Generated files removed because the spec no longer produces them.
    pub removed: Vec<PathBuf>,
}

/// One file of the tree that is not what the spec generates ([`Generator::outdated`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outdated {
    /// The file, relative to the workspace root (`/`-separated).
    pub file: String,
    /// How it differs.
    pub state: FileState,
}

/// How a file differs from what the spec generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// The file holds other content.
    Differs,
    /// The spec generates it and the directory lacks it.
    Missing,
    /// A generated file the spec no longer produces.
    Extra,
}

impl std::fmt::Display for Outdated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.state {
            FileState::Differs => "differs from what the spec generates",
            FileState::Missing => "is missing",
            FileState::Extra => "is no longer generated",
        };
        write!(f, "{} {what}", self.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `write` brings a tree to what `outdated` compares it with: changed, missing and
    /// no-longer-generated files are found (a namespace crate gone from the spec goes with
    /// its folder), and files without the header are left alone.
    #[cfg(feature = "format")]
    #[test]
    fn write_and_outdated_agree() {
        use crate::layout;
        let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let root = std::env::temp_dir().join(format!("bitrix-gen-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let g = Generator::new(&spec);
        let first = g.write(&root).expect("writes");
        let expected = g.render().expect("renders");
        assert_eq!(first.written.len(), expected.len());
        assert!(expected.contains_key(&layout::namespace_lib("imopenlines")));
        assert!(expected.contains_key(&layout::namespace_code("imopenlines")));
        assert!(expected.contains_key(&layout::namespace_manifest("imopenlines")));
        assert!(g.outdated(&root).expect("compares").is_empty());
        assert_eq!(g.write(&root).expect("writes"), Written::default());

        std::fs::write(root.join(layout::COMMON), "// @generated by hand\n").unwrap();
        std::fs::remove_file(root.join(layout::FACADE)).unwrap();
        let gone = root.join(layout::NAMESPACES).join("gone");
        std::fs::create_dir_all(gone.join("src")).unwrap();
        let old_lib = format!("{}fn old() {{}}\n", crate::render::HEADER);
        std::fs::write(gone.join("src/lib.rs"), &old_lib).unwrap();
        let old_manifest = format!("{}[package]\n", layout::TOML_HEADER);
        std::fs::write(gone.join("Cargo.toml"), &old_manifest).unwrap();
        let mine = root.join("runtime/src/generated/mine.rs");
        std::fs::write(&mine, "fn mine() {}\n").unwrap();
        let states: Vec<(String, FileState)> = g
            .outdated(&root)
            .expect("compares")
            .into_iter()
            .map(|o| (o.file, o.state))
            .collect();
        assert_eq!(
            states,
            [
                (layout::FACADE.to_string(), FileState::Missing),
                (layout::COMMON.to_string(), FileState::Differs),
                ("namespaces/gone/Cargo.toml".to_string(), FileState::Extra),
                ("namespaces/gone/src/lib.rs".to_string(), FileState::Extra),
            ]
        );
        let fixed = g.write(&root).expect("writes");
        assert_eq!(fixed.written.len(), 2);
        assert_eq!(fixed.removed.len(), 2);
        assert!(!gone.exists(), "the emptied crate folder is removed");
        assert!(g.outdated(&root).expect("compares").is_empty());
        assert!(mine.exists(), "a file without the header stays");
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// The in-memory check sees exactly what the disk check sees.
    #[test]
    fn sources_check_like_the_disk() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let mut files = Vec::new();
        for dir in ["", "common", "types", "methods", "events"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = e.unwrap().path();
                if path.extension().is_some_and(|x| x == "yaml") {
                    let rel = path.strip_prefix(&root).unwrap().to_path_buf();
                    files.push((rel, std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        let g = Generator::new(&root);
        let from_disk = g.check().expect("the real spec is valid");
        let from_memory = g.check_sources(files.clone()).expect("the same in memory");
        assert_eq!(format!("{from_disk:?}"), format!("{from_memory:?}"));
        // Loading over a base gives the same: all at once, or one file replaced.
        let (base, diags) = g.load_over(crate::load::SpecSet::default(), files.clone());
        assert!(diags.is_empty(), "{diags:?}");
        let over = Generator::check_loaded((base.clone(), diags)).expect("valid over a base");
        assert_eq!(format!("{from_disk:?}"), format!("{over:?}"));
        let (i, text) = files
            .iter()
            .enumerate()
            .find(|(_, (p, _))| p.ends_with("methods/imopenlines.dialog.get.yaml"))
            .map(|(i, (_, t))| (i, t.replace("summary:", "summary: Changed.")))
            .expect("the method file is there");
        let mut changed = files.clone();
        changed[i].1.clone_from(&text);
        let replaced = Generator::check_loaded(
            g.load_over(base, [("methods/imopenlines.dialog.get.yaml", text)]),
        );
        assert_eq!(
            format!("{:?}", g.check_sources(changed)),
            format!("{replaced:?}")
        );
        files.retain(|(p, _)| !p.ends_with("scopes.yaml"));
        let diags = g.check_sources(files).unwrap_err();
        assert!(
            diags
                .iter()
                .any(|d| d.file.ends_with("scopes.yaml") && d.message.contains("no such file")),
            "{} diagnostics, none about scopes.yaml",
            diags.len()
        );
    }
}
