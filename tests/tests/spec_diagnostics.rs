//! Diagnostics of invalid spec fixtures (`tests/fixtures/invalid/<case>/`), as snapshots.
//!
//! Each case holds method files only; the test lays them out beside the shared
//! `base/` files in a temporary spec directory, runs the checker, and snapshots the report
//! with the temporary path replaced by `spec`.

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
    copy_dir(&fixtures().join(case), &dir.join("methods"));
    dir
}

fn report(case: &str) -> String {
    let dir = spec_for(case);
    let out = match bitrix_codegen::Generator::new(&dir).check() {
        Ok(_) => "no problems\n".to_string(),
        Err(diags) => bitrix_codegen::diag::report(&diags),
    };
    let _ = std::fs::remove_dir_all(&dir);
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
