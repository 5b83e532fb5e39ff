#![no_main]
//! Fuzz target `answer`: see `bitrix_tests::fuzz::answer`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| bitrix_tests::fuzz::answer(data));
