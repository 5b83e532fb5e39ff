#![no_main]
//! Fuzz target `event_body`: see `bitrix_tests::fuzz::event_body`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| bitrix_tests::fuzz::event_body(data));
