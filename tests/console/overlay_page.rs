//! What the overlay browser test works with: the room prepared and fed by
//! the simulator, the URLs read off the console's toy screen, a browser
//! that keeps every frame its pages got, and the server's state in the
//! terms a page shows it.

use std::time::{Duration, Instant};

use cuedeck::client::RestClient;
use cuedeck::domain::ItemView;
use cuedeck::games::GameKind;
use cuedeck::menus::client::MenuClient;
use cuedeck::protocol::RoomSnapshot;
use cuedeck::sim::{self, Pace, SimOptions};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::pty::Console;
use crate::support::webdriver::Browser;
use crate::support::{ADMIN, ROOM, TestServer};

pub const WIDGETS: [&str; 6] = ["queue", "stage", "toy", "events", "wheel", "slot"];

/// The name a page may show for an item: the announced one, never an id.
pub fn shown_name(item: &ItemView) -> String {
    if item.private {
        "private request".into()
    } else if item.user_name.as_ref() == item.user_id.as_str() {
        "a viewer".into()
    } else {
        item.user_name.to_string()
    }
}

pub fn shown_title(item: &ItemView) -> String {
    if item.private {
        String::new()
    } else {
        item.action.title.to_string()
    }
}

/// The widgets' URLs as the console's toy screen prints them.
pub fn urls_on_screen(screen: &str) -> Vec<(String, String)> {
    screen
        .lines()
        .filter_map(|line| {
            let at = line.find("http://127.0.0.1:")?;
            let url: String = line[at..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '│')
                .collect();
            let widget = url
                .split("/overlay/")
                .nth(1)?
                .split('?')
                .next()?
                .to_string();
            Some((widget, url))
        })
        .collect()
}

pub fn wait_urls(console: &Console, not: &[(String, String)]) -> Vec<(String, String)> {
    let screen = tokio::task::block_in_place(|| {
        console.wait_until("the six overlay URLs", |s| {
            let urls = urls_on_screen(s);
            urls.len() == 6 && urls.iter().all(|u| !not.contains(u))
        })
    });
    urls_on_screen(&screen)
}

pub fn url_of<'a>(urls: &'a [(String, String)], widget: &str) -> &'a str {
    &urls
        .iter()
        .find(|(w, _)| w == widget)
        .expect("the widget's URL")
        .1
}

pub struct Watcher {
    pub browser: Browser,
    pub frames: Vec<String>,
}

impl Watcher {
    pub async fn collect(&mut self) {
        let frames = self.browser.frames().await;
        self.frames.extend(frames);
    }

    pub async fn open(&mut self, url: &str) {
        self.collect().await;
        self.browser.goto(url).await;
        self.browser
            .wait(
                "the page live",
                "return document.getElementById('root').dataset.state === 'live';",
            )
            .await;
    }

    pub async fn shoot(&self, widget: &str) {
        let png = self.browser.screenshot("#root").await;
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("overlay-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("overlay-{widget}.png"));
        std::fs::write(&path, &png).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG for {widget}");
        eprintln!("screenshot: {}", path.display());
    }
}

pub async fn snapshot(rest: &RestClient) -> RoomSnapshot {
    rest.snapshot(&ROOM.into()).await.unwrap()
}

/// Poll until the page's rows (from `script`) equal what `expected` makes
/// of the server's state now.
pub async fn wait_rows(
    w: &Watcher,
    rest: &RestClient,
    what: &str,
    script: &str,
    expected: impl Fn(&RoomSnapshot) -> Value,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let want = expected(&snapshot(rest).await);
        let got = w.browser.eval(script).await;
        if got == want {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: the page shows {got}, the server says {want}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub const QUEUE_ROWS: &str = "return [...document.querySelectorAll('.queue li[data-position]')].map(li => \
    [Number(li.dataset.position), li.querySelector('.name').textContent, li.querySelector('.title').textContent]);";

pub fn queue_rows(snap: &RoomSnapshot) -> Value {
    let first = 1 + usize::from(snap.in_progress.is_some());
    let rows: Vec<Value> = snap
        .waiting
        .iter()
        .take(5)
        .enumerate()
        .map(|(i, item)| json!([first + i, shown_name(item), shown_title(item)]))
        .collect();
    Value::Array(rows)
}

pub async fn prepare(server: &TestServer) {
    let admin = server.client(ADMIN);
    let menus = MenuClient::new(admin.clone());
    for template in cuedeck::menus::file::templates() {
        menus.create(&ROOM.into(), &template).await.unwrap();
    }
    for game in GameKind::ALL {
        sim::spins::ensure_game(&admin, ROOM, game).await.unwrap();
    }
    // The simulated audience buys a burst, then stops: the queue to show.
    let mut options = SimOptions::new(server.url(), ROOM, ADMIN);
    options.viewers = 6;
    options.rate_per_min = 40.0;
    options.seconds = Some(20.0);
    options.pace = Pace::Max;
    options.performer = false;
    let (_cancel, cancelled) = tokio::sync::watch::channel(false);
    let summary = sim::run(options, cancelled).await.unwrap();
    assert!(
        summary.intakes >= 3,
        "the simulator queued items: {summary:?}"
    );
}

pub async fn spin(server: &TestServer, game: &str, key: &str, name: &str) -> Value {
    let (status, body) = server
        .client(&server.tokens.viewer)
        .raw(
            Method::POST,
            &format!("/api/v1/rooms/{ROOM}/games/{game}/spin"),
            Some(key),
            Some(serde_json::to_vec(&json!({"tier": 1, "displayName": name})).unwrap()),
        )
        .await
        .unwrap();
    assert!(status.is_success(), "{game} spin: {status} {body}");
    body
}
