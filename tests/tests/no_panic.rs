//! Bad input gets an error, never a panic: spec files with any one line removed or mangled go
//! through the checker, and every prefix of a real answer goes through the decoder.

use bitrix_api::imopenlines::{CrmChatGet, DialogGet};
use std::path::{Path, PathBuf};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// A spec directory holding the shared files and one method file with the given text.
struct OneMethod {
    dir: PathBuf,
    file: PathBuf,
}

impl OneMethod {
    fn new(tag: &str) -> Self {
        let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let dir =
            std::env::temp_dir().join(format!("bitrix-no-panic-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("methods")).unwrap();
        std::fs::copy(spec.join("scopes.yaml"), dir.join("scopes.yaml")).unwrap();
        copy_dir(&spec.join("common"), &dir.join("common"));
        let file = dir.join("methods/x.yaml");
        OneMethod { dir, file }
    }

    fn check(&self, text: &str) -> Result<(), String> {
        std::fs::write(&self.file, text).unwrap();
        match std::panic::catch_unwind(|| {
            bitrix_codegen::Generator::new(&self.dir)
                .check()
                .map(|_| ())
        }) {
            Ok(_) => Ok(()),
            Err(_) => Err(text.to_string()),
        }
    }
}

impl Drop for OneMethod {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn the_checker_never_panics_on_mangled_spec_files() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/methods");
    let one = OneMethod::new("spec");
    let mut runs = 0;
    for name in [
        "imopenlines.bot.session.transfer.yaml",
        "imopenlines.dialog.get.yaml",
        "imbot.register.yaml",
    ] {
        let text = std::fs::read_to_string(spec.join(name)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for i in 0..lines.len() {
            let mut dropped = lines.clone();
            dropped.remove(i);
            let mut mangled = lines.clone();
            let bad = format!("{}: [", lines[i]);
            mangled[i] = &bad;
            let mut retyped = lines.clone();
            let other = lines[i]
                .replace("integer", "object")
                .replace("string", "array");
            retyped[i] = &other;
            for variant in [dropped, mangled, retyped] {
                runs += 1;
                if let Err(t) = one.check(&variant.join("\n")) {
                    panic!(
                        "the checker panicked on {name} with line {} changed:\n{t}",
                        i + 1
                    );
                }
            }
        }
    }
    assert!(runs > 300, "{runs} variants");
}

#[test]
fn the_decoder_never_panics_on_cut_or_damaged_answers() {
    let answer = br#"{"result":{"id":"1777","name":"Guest","restrictions":[],"readed_list":{"0":{"user_id":"599","date":null}},"manager_list":["27"],"extranet":"N","entity_link":{"type":"LINES"}},"time":{"start":1.5,"operating":"0"}}"#;
    let full =
        bitrix_api::decode_answer::<DialogGet>(200, answer).expect("the whole answer decodes");
    assert_eq!(full.result.id, Some(1777));
    assert_eq!(full.result.extranet, Some(false));
    for cut in 0..answer.len() {
        let r = std::panic::catch_unwind(|| {
            bitrix_api::decode_answer::<DialogGet>(200, &answer[..cut]).is_err()
        });
        assert_eq!(
            r.ok(),
            Some(true),
            "a prefix of {cut} bytes must be an error, not a panic or a value"
        );
    }
    for i in 0..answer.len() {
        for b in [b'"', b'{', b']', b'0', 0xff] {
            let mut damaged = answer.to_vec();
            damaged[i] = b;
            let r = std::panic::catch_unwind(|| {
                let _ = bitrix_api::decode_answer::<DialogGet>(200, &damaged);
                let _ = bitrix_api::decode_answer::<CrmChatGet>(400, &damaged);
            });
            assert!(r.is_ok(), "panic with byte {i} set to {b}");
        }
    }
}
