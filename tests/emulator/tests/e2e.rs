//! End-to-end tests of the emulator over real HTTP on loopback.

mod e2e {
    pub mod common;

    mod auth;
    mod batch;
    mod bot_session;
    mod control;
    mod dialog;
    mod events;
    mod faults;
    mod generic;
    mod list;
    mod operating;
    mod rate;
    mod wire;
}
