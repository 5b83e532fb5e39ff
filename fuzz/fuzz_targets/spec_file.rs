#![no_main]
//! Fuzz target `spec_file`: see `bitrix_tests::fuzz::spec_file`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| bitrix_tests::fuzz::spec_file(data));
