//! Several OS processes refreshing one portal at once, and a process killed in the middle of a
//! refresh. The processes are this test binary again, running only [`child_process`].

mod common;

use bitrix_api::imopenlines::DialogGet;
use bitrix_app::{AppCredentials, Portals, Status};
use common::{backends, digest, emulator, installation, read_until, unique, Backend};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What a child is told, through its environment.
const CHILD: &str = "BITRIX_APP_CHILD";

/// How many processes refresh at once.
const PROCESSES: usize = 4;

/// Starts this binary as a child that refreshes `member` through `backend`.
fn spawn_child(
    backend: &Backend,
    member: &str,
    app: &AppCredentials,
    chat: i64,
    go: &Path,
) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "child_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, backend.spec())
        .env("BITRIX_APP_CHILD_MEMBER", member)
        .env("BITRIX_APP_CHILD_CLIENT_ID", &app.client_id)
        .env("BITRIX_APP_CHILD_CLIENT_SECRET", app.client_secret.expose())
        .env("BITRIX_APP_CHILD_TOKEN_URL", &app.token_url)
        .env("BITRIX_APP_CHILD_CHAT", chat.to_string())
        .env("BITRIX_APP_CHILD_GO", go)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the child starts")
}

fn go_file(name: &str) -> PathBuf {
    std::env::temp_dir()
        .join("bitrix-app-tests")
        .join(unique(name))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_processes_refresh_a_portal_once() {
    let emu = emulator().await;
    let chat = emu.bot_chat_ids()[0];
    for backend in backends("processes") {
        let reg = common::portals(&backend, &emu).await;
        let member = unique("processes");
        let installed = installation(&emu, &member);
        reg.install(&installed).await.unwrap();
        emu.expire_access_tokens();
        let before = emu.refresh_count();

        let go = go_file("go");
        let app = common::credentials(&emu);
        let mut children: Vec<_> = (0..PROCESSES)
            .map(|_| {
                let mut c = spawn_child(&backend, &member, &app, chat, &go);
                let out = BufReader::new(c.stdout.take().unwrap()).lines();
                (c, out)
            })
            .collect();
        let outcomes = tokio::task::spawn_blocking(move || {
            for (_, out) in &mut children {
                read_until(out, "ready");
            }
            std::fs::write(&go, b"go").unwrap(); // all at once
            let outcomes: Vec<String> = children
                .iter_mut()
                .map(|(_, out)| read_until(out, "outcome"))
                .collect();
            for (c, _) in &mut children {
                assert!(c.wait().unwrap().success(), "a child failed");
            }
            outcomes
        })
        .await
        .unwrap();

        assert_eq!(
            emu.refresh_count(),
            before + 1,
            "exactly one refresh: {backend:?}"
        );
        let stored = reg.get(&member).await.unwrap().unwrap().installation.tokens;
        assert_ne!(stored, installed.tokens);
        let want = format!("ok {}", digest(&stored));
        assert_eq!(
            outcomes,
            vec![want; PROCESSES],
            "every process has the new pair"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_mid_refresh_leaves_the_record_consistent() {
    let emu = emulator().await;
    let chat = emu.bot_chat_ids()[0];
    // A token endpoint that takes the request and never answers.
    let stall = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let stall_url = format!("http://{}/oauth/token/", stall.local_addr().unwrap());
    for backend in backends("killed") {
        let reg = common::portals(&backend, &emu).await;
        let (member, bystander) = (unique("killed"), unique("bystander"));
        let installed = installation(&emu, &member);
        reg.install(&installed).await.unwrap();
        let other = installation(&emu, &bystander);
        reg.install(&other).await.unwrap();
        emu.expire_access_tokens();

        let go = go_file("go-killed");
        std::fs::write(&go, b"go").unwrap();
        let app = common::credentials(&emu).token_url(stall_url.clone());
        let mut child = spawn_child(&backend, &member, &app, chat, &go);
        // The child asks the token endpoint only while it holds the portal's lock.
        let (held, _) = tokio::time::timeout(Duration::from_secs(60), stall.accept())
            .await
            .expect("the child reaches the token endpoint")
            .unwrap();
        child.kill().unwrap(); // SIGKILL on unix
        child.wait().unwrap();
        drop(held);

        let p = reg.get(&member).await.unwrap().unwrap();
        assert_eq!(p.status, Status::Active, "{backend:?}");
        assert_eq!(
            p.installation.tokens, installed.tokens,
            "the record is unchanged"
        );
        let b = reg.get(&bystander).await.unwrap().unwrap();
        assert_eq!(
            (b.installation.tokens, b.status),
            (other.tokens, Status::Active)
        );

        // The lock is released: the next process (here, this one) refreshes at once, well
        // within the store's lock timeout.
        let before = emu.refresh_count();
        let started = Instant::now();
        let client = reg.client(&member).await.unwrap();
        client.call(DialogGet::new().chat_id(chat)).await.unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(emu.refresh_count(), before + 1);
        let stored = reg.get(&member).await.unwrap().unwrap().installation.tokens;
        assert_eq!(client.tokens().unwrap(), stored);
    }
}

/// The child process of the tests above: waits for the go file, then makes one call with an
/// expired token and prints `@@outcome ok DIGEST` (or `@@outcome error …`).
#[tokio::test]
#[ignore = "run as a child process by the tests of this file"]
async fn child_process() {
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    let backend = Backend::parse(&var(CHILD));
    let app = AppCredentials::new(
        var("BITRIX_APP_CHILD_CLIENT_ID"),
        var("BITRIX_APP_CHILD_CLIENT_SECRET"),
    )
    .token_url(var("BITRIX_APP_CHILD_TOKEN_URL"));
    let chat: i64 = var("BITRIX_APP_CHILD_CHAT").parse().unwrap();
    let go = PathBuf::from(var("BITRIX_APP_CHILD_GO"));
    let reg = Portals::shared(backend.open(Duration::from_secs(30)).await, app);
    let client = reg.client(&var("BITRIX_APP_CHILD_MEMBER")).await.unwrap();
    println!("@@ready");
    // Bounded, so that a child whose parent died does not wait forever.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !go.exists() {
        assert!(Instant::now() < deadline, "no go file within 60 s");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    match client.call(DialogGet::new().chat_id(chat)).await {
        Ok(_) => println!("@@outcome ok {}", digest(&client.tokens().unwrap())),
        Err(e) => println!("@@outcome error {e}: {e:?}"),
    }
}
