//! Bad input gets an error, never a panic: spec files with any one line removed or mangled go
//! through the checker (in memory, as the fuzz target does), and every prefix of a real answer
//! goes through the decoder.

use bitrix_api::imopenlines::{CrmChatGet, DialogGet};
use std::path::Path;

/// Checks one spec file, in memory, through the same harness as the `spec_file` fuzz target
/// ([`bitrix_codegen::Generator::check_sources`], then rendering what passes); the text back
/// when it panics.
fn check(text: &str) -> Result<(), String> {
    std::panic::catch_unwind(|| bitrix_tests::fuzz::spec_file(text.as_bytes()))
        .map_err(|_| text.to_string())
}

#[test]
fn the_checker_never_panics_on_mangled_spec_files() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/methods");
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
                if let Err(t) = check(&variant.join("\n")) {
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
