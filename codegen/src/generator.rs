//! The public entry point: [`Generator`], used by the `bitrix-tools` command (`generate`,
//! `check`), the tests' and the emulator's build scripts alike.

use crate::diag::Diagnostic;
use crate::ir::Api;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Which namespaces get their code written.
#[derive(Debug, Clone)]
#[cfg_attr(not(feature = "format"), allow(dead_code))]
enum Selection {
    All,
    Only(BTreeSet<String>),
}

/// Checks a spec directory and writes the generated Rust into a directory.
///
/// The whole spec is always checked, whatever is selected for writing, so a broken file in a
/// namespace that is switched off still fails the build.
///
/// ```no_run
/// // What `bitrix-tools generate` does for `bitrix-api/src/generated`:
/// let generator = bitrix_codegen::Generator::new("spec");
/// if let Err(diags) = generator.write("bitrix-api/src/generated".as_ref()) {
///     eprint!("{}", bitrix_codegen::diag::report(&diags));
///     std::process::exit(1);
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Generator {
    spec_dir: PathBuf,
    selection: Selection,
}

impl Generator {
    /// A generator for the spec in `spec_dir`; every namespace is written.
    pub fn new(spec_dir: impl Into<PathBuf>) -> Self {
        Generator {
            spec_dir: spec_dir.into(),
            selection: Selection::All,
        }
    }

    /// Writes only these namespace modules (`imopenlines`, `imbot_v2`, …).
    pub fn only<I, S>(mut self, modules: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.selection = Selection::Only(modules.into_iter().map(Into::into).collect());
        self
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

    /// Whether the code of namespace `module` is written.
    #[cfg(feature = "format")]
    fn selected(&self, module: &str) -> bool {
        match &self.selection {
            Selection::All => true,
            Selection::Only(set) => set.contains(module),
        }
    }

    /// Checks the spec and renders every generated file in memory: `common.rs`,
    /// `namespaces.rs` and one file per selected namespace, by file name.
    #[cfg(feature = "format")]
    pub fn render(&self) -> Result<BTreeMap<String, String>, Vec<Diagnostic>> {
        let api = self.check()?;
        crate::render::files(&api, |module| self.selected(module))
            .map_err(|e| vec![Diagnostic::new(&self.spec_dir, "", e)])
    }

    /// Checks the spec, then writes the generated files into `out_dir` (created if missing),
    /// leaving files whose content is unchanged alone, and removes the generated files (those
    /// that start with [`render::HEADER`](crate::render::HEADER)) it no longer produces (a
    /// namespace gone from the spec, or not selected by [`only`](Self::only)). Returns what
    /// changed.
    #[cfg(feature = "format")]
    pub fn write(&self, out_dir: &Path) -> Result<Written, Vec<Diagnostic>> {
        let files = self.render()?;
        crate::render::write_dir(out_dir, &files).map_err(|e| vec![Diagnostic::new(out_dir, "", e)])
    }

    /// Compares `out_dir` with what [`write`](Self::write) would leave there, without writing:
    /// every file that differs, is missing, or is a generated file no longer produced. Empty
    /// when the directory is current.
    #[cfg(feature = "format")]
    pub fn outdated(&self, out_dir: &Path) -> Result<Vec<Outdated>, Vec<Diagnostic>> {
        let files = self.render()?;
        crate::render::compare_dir(out_dir, &files)
            .map_err(|e| vec![Diagnostic::new(out_dir, "", e)])
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

/// One file of an output directory that is not what the spec generates
/// ([`Generator::outdated`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outdated {
    /// The file.
    pub path: PathBuf,
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
        write!(f, "{} {what}", self.path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "format")]
    #[test]
    fn selection_by_name() {
        let g = Generator::new("spec").only(["imopenlines"]);
        assert!(g.selected("imopenlines"));
        assert!(!g.selected("imbot"));
        assert!(Generator::new("spec").selected("imbot"));
    }

    /// `write` brings a directory to what `outdated` compares it with: changed, missing and
    /// no-longer-generated files are found, and files without the header are left alone.
    #[cfg(feature = "format")]
    #[test]
    fn write_and_outdated_agree() {
        let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let dir = std::env::temp_dir().join(format!("bitrix-gen-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let g = Generator::new(&spec).only(["imopenlines"]);
        let first = g.write(&dir).expect("writes");
        let names = |paths: &[PathBuf]| -> Vec<String> {
            paths
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(
            names(&first.written),
            ["common.rs", "imopenlines.rs", "namespaces.rs"]
        );
        assert!(g.outdated(&dir).expect("compares").is_empty());
        assert_eq!(g.write(&dir).expect("writes"), Written::default());

        std::fs::write(dir.join("common.rs"), "// @generated by hand\n").unwrap();
        std::fs::remove_file(dir.join("namespaces.rs")).unwrap();
        let stale = format!("{}fn old() {{}}\n", crate::render::HEADER);
        std::fs::write(dir.join("imbot.rs"), &stale).unwrap();
        std::fs::write(dir.join("mine.rs"), "fn mine() {}\n").unwrap();
        let states: Vec<(String, FileState)> = g
            .outdated(&dir)
            .expect("compares")
            .into_iter()
            .map(|o| (names(&[o.path]).remove(0), o.state))
            .collect();
        assert_eq!(
            states,
            [
                ("common.rs".to_string(), FileState::Differs),
                ("namespaces.rs".to_string(), FileState::Missing),
                ("imbot.rs".to_string(), FileState::Extra),
            ]
        );
        let fixed = g.write(&dir).expect("writes");
        assert_eq!(names(&fixed.written), ["common.rs", "namespaces.rs"]);
        assert_eq!(names(&fixed.removed), ["imbot.rs"]);
        assert!(g.outdated(&dir).expect("compares").is_empty());
        assert!(
            dir.join("mine.rs").exists(),
            "a file without the header stays"
        );
        std::fs::remove_dir_all(&dir).unwrap();
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
