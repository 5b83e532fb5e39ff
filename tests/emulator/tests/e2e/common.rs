//! Helpers shared by the end-to-end tests.

use bitrix_emulator::{Config, Emulator};
use serde_json::Value;

/// An HTTP answer: status, content type and body text, with the body parsed
/// as JSON when it parses.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub text: String,
    pub json: Value,
}

impl Reply {
    /// The `error` code of an error answer.
    pub fn error(&self) -> &str {
        self.json["error"].as_str().unwrap_or("")
    }

    /// Asserts an error answer with this status, code and description.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str, description: &str) {
        assert_eq!(self.status, status, "status of {}", self.text);
        assert_eq!(self.json["error"], code, "code in {}", self.text);
        assert_eq!(
            self.json["error_description"], description,
            "description in {}",
            self.text
        );
        assert_eq!(self.content_type, "application/json; charset=utf-8");
    }

    /// Asserts a success answer and gives its `result`.
    #[track_caller]
    pub fn result(&self) -> &Value {
        assert_eq!(self.status, 200, "status of {}", self.text);
        assert_eq!(self.content_type, "application/json; charset=utf-8");
        assert!(self.json["time"].is_object(), "no time in {}", self.text);
        &self.json["result"]
    }
}

/// Starts an emulator with default settings.
pub async fn start() -> Emulator {
    start_with(Config::default()).await
}

/// Starts an emulator with the given settings.
pub async fn start_with(config: Config) -> Emulator {
    Emulator::start(config).await.expect("emulator starts")
}

/// A plain-HTTP client (no root certificates: loading the system's takes ~0.1 s per client in
/// a debug build, which the timing tests would count).
fn client() -> reqwest::Client {
    bitrix_emulator::http_client()
        .no_proxy()
        .build()
        .expect("http client")
}

async fn reply(resp: reqwest::Response) -> Reply {
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = resp.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        content_type,
        text,
        json,
    }
}

/// POSTs a JSON body.
pub async fn post_json(url: &str, body: &Value) -> Reply {
    let resp = client()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("request");
    reply(resp).await
}

/// POSTs a raw body with a content type.
pub async fn post_raw(url: &str, content_type: &str, body: &str) -> Reply {
    let resp = client()
        .post(url)
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .expect("request");
    reply(resp).await
}

/// GETs a URL.
pub async fn get(url: &str) -> Reply {
    reply(client().get(url).send().await.expect("request")).await
}

/// Calls a method over the webhook with JSON params.
pub async fn hook(emu: &Emulator, method: &str, params: &Value) -> Reply {
    post_json(&format!("{}{method}", emu.webhook_url()), params).await
}

/// Calls a method over OAuth with JSON params and the given access token.
pub async fn oauth(emu: &Emulator, token: &str, method: &str, params: &Value) -> Reply {
    let mut body = params.clone();
    body["auth"] = Value::String(token.to_owned());
    post_json(&format!("{}{method}", emu.rest_url()), &body).await
}

/// Calls a method with browser-session authorization (`sessid`).
pub async fn session(emu: &Emulator, method: &str, params: &Value) -> Reply {
    let mut body = params.clone();
    body["sessid"] = Value::String("0123456789abcdef0123456789abcdef".to_owned());
    post_json(&format!("{}{method}", emu.rest_url()), &body).await
}

/// Method name used by most tests.
pub const DIALOG_GET: &str = "imopenlines.dialog.get";

/// HTTP status of `imopenlines.dialog.get` for seeded chat 101 over the webhook.
pub async fn dialog_status(emu: &Emulator) -> u16 {
    hook(emu, DIALOG_GET, &serde_json::json!({"CHAT_ID": 101}))
        .await
        .status
}
