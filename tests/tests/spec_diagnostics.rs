//! Diagnostics of invalid spec fixtures (`tests/fixtures/invalid/<case>/`), as snapshots.
//!
//! A case holds method files only, laid out beside the shared `base/` files; or, when it has
//! a `methods/` folder, a spec directory laid over `base/` (to replace `scopes.yaml`,
//! `common/` or add `types/`). The test builds the spec in a temporary directory, runs the
//! checker, and snapshots the report with the temporary path replaced by `spec`.
//!
//! Files that cannot live in git (a FIFO, a link to `/dev/zero`, an oversized file, a
//! 200 KB bracket bomb) are made at run time by the tests at the end.

use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/invalid")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A spec directory made of `base/` and the case's method files.
fn spec_for(case: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("bitrix-spec-fixture-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&fixtures().join("base"), &dir);
    let case_dir = fixtures().join(case);
    if case_dir.join("methods").is_dir() {
        copy_dir(&case_dir, &dir);
    } else {
        copy_dir(&case_dir, &dir.join("methods"));
    }
    dir
}

fn report(case: &str) -> String {
    let dir = spec_for(case);
    report_dir(&dir)
}

/// Checks `dir` on another thread (so that a hang fails the test instead of stalling it),
/// removes it, and returns the report with the directory written `spec`.
fn report_dir(dir: &Path) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    let d = dir.to_path_buf();
    std::thread::spawn(move || {
        let out = match bitrix_codegen::Generator::new(&d).check() {
            Ok(_) => "no problems\n".to_string(),
            Err(diags) => bitrix_codegen::diag::report(&diags),
        };
        let _ = tx.send(out);
    });
    let out = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the checker must answer (no hang, no panic)");
    let _ = std::fs::remove_dir_all(dir);
    out.replace(&dir.display().to_string(), "spec")
}

macro_rules! case {
    ($name:ident) => {
        #[test]
        fn $name() {
            let r = report(stringify!($name));
            assert_ne!(r, "no problems\n", "the fixture must be rejected");
            insta::assert_snapshot!(r);
        }
    };
}

case!(broken_yaml);
case!(unknown_key);
case!(unknown_type);
case!(missing_key);
case!(duplicate_method);
case!(duplicate_error);
case!(colliding_names);
case!(unknown_scope);
case!(impossible_status);
case!(misplaced_keys);
case!(error_field_no_type);
case!(keyword_module);
case!(prelude_struct);
case!(keyword_variants);
case!(setter_new);
case!(deep_nesting);
case!(wrong_example);
case!(list_misfit);
case!(paging_misfit);
case!(paging_path);

/// Problems in several files are all reported in one run: a parse error does not hide the others.
#[test]
fn three_files() {
    let r = report("three_files");
    for file in ["a.broken.yaml", "a.key.yaml", "a.type.yaml"] {
        assert!(r.contains(file), "{file} missing from:\n{r}");
    }
    insta::assert_snapshot!(r);
}

/// Rust keywords as wire names are fine: raw identifiers, or a trailing `_` where raw cannot be.
#[test]
fn keyword_param() {
    let dir = spec_for("keyword_param");
    let api = bitrix_codegen::Generator::new(&dir)
        .check()
        .expect("keywords must be accepted");
    let code = bitrix_codegen::render::method(&api, "a.b")
        .unwrap()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(code.contains("pub r#type: ::std::string::String"), "{code}");
    assert!(
        code.contains("pub self_: ::std::option::Option<i64>"),
        "{code}"
    );
    insta::assert_snapshot!(code);
}

/// A spec directory of `base/` with a method file `a.b.yaml` made by `make`.
fn spec_with(tag: &str, make: impl FnOnce(&Path)) -> PathBuf {
    let dir = spec_for("keyword_param");
    let _ = std::fs::remove_file(dir.join("methods/a.b.yaml"));
    let dir2 = dir.with_file_name(format!(
        "{}-{tag}",
        dir.file_name().unwrap().to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&dir2);
    std::fs::rename(&dir, &dir2).unwrap();
    make(&dir2.join("methods/a.b.yaml"));
    dir2
}

/// A FIFO as a spec file is refused without opening it (opening would wait for a writer).
#[cfg(unix)]
#[test]
fn fifo_file() {
    let dir = spec_with("fifo", |file| {
        let ok = std::process::Command::new("mkfifo")
            .arg(file)
            .status()
            .unwrap()
            .success();
        assert!(ok, "mkfifo failed");
    });
    insta::assert_snapshot!(report_dir(&dir));
}

/// A link to `/dev/zero` is refused before anything is read from it.
#[cfg(unix)]
#[test]
fn dev_zero_link() {
    let dir = spec_with("zero", |file| {
        std::os::unix::fs::symlink("/dev/zero", file).unwrap();
    });
    insta::assert_snapshot!(report_dir(&dir));
}

/// A file over the size limit is refused, and the diagnostic names the limit.
#[test]
fn oversized_file() {
    let dir = spec_with("big", |file| {
        std::fs::write(file, "# padding\n".repeat(110_000)).unwrap();
    });
    let r = report_dir(&dir);
    assert!(r.contains("1048576"), "{r}");
    insta::assert_snapshot!(r);
}

/// 200 KB of nested `[` is refused by the pre-scan in milliseconds, with file and line.
#[test]
fn bracket_bomb() {
    let dir = spec_with("bomb", |file| {
        std::fs::write(
            file,
            format!("method: a.b\nsummary: {}", "[".repeat(200_000)),
        )
        .unwrap();
    });
    let t = std::time::Instant::now();
    let r = report_dir(&dir);
    let took = t.elapsed();
    assert!(took < std::time::Duration::from_secs(2), "took {took:?}");
    insta::assert_snapshot!(r);
}

/// The list methods of the fixture spec `tests/fixtures/lists` (no method of `spec/` pages by
/// `start` yet) pass the check; their generated code, `impl ListMethod` included, is reviewed
/// here and compiled and run by `tests/list_generated.rs`.
#[test]
fn list_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lists");
    let api = match bitrix_codegen::Generator::new(&dir).check() {
        Ok(api) => api,
        Err(d) => panic!("{}", bitrix_codegen::diag::report(&d)),
    };
    for wire in ["user.get", "a.pages", "a.keyed"] {
        let code = bitrix_codegen::render::method(&api, wire).unwrap().unwrap();
        assert!(code.contains("impl runtime::ListMethod for"), "{code}");
        insta::assert_snapshot!(format!("list_fixture.{wire}"), code);
    }
}
