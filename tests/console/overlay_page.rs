//! What the overlay browser test works with: the room prepared and fed by
//! the simulator, the URLs read off the console's toy screen, a browser
//! that keeps every frame its pages got, and the server's state in the
//! terms a page shows it.

use std::time::{Duration, Instant};

use cuedeck::client::RestClient;
use cuedeck::domain::tips::TipLevels;
use cuedeck::domain::{ItemView, Reply, UserId};
use cuedeck::games::GameKind;
use cuedeck::menus::client::MenuClient;
use cuedeck::protocol::{RoomSnapshot, TipBody};
use cuedeck::sim::{self, Pace, SimOptions};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::pty::Console;
use crate::support::webdriver::Browser;
use crate::support::{ADMIN, ROOM, TestServer};

pub const WIDGETS: [&str; 8] = [
    "queue", "stage", "toy", "events", "wheel", "slot", "lane", "levels",
];

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
        console.wait_until("the eight overlay URLs", |s| {
            let urls = urls_on_screen(s);
            urls.len() == WIDGETS.len() && urls.iter().all(|u| !not.contains(u))
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
    let expected = &expected;
    wait_shown(w, what, script, || async move {
        expected(&snapshot(rest).await)
    })
    .await
}

/// Poll until the page's value (from `script`) equals what `want` reads
/// from the server now.
pub async fn wait_shown<F, Fut>(w: &Watcher, what: &str, script: &str, want: F) -> Value
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let want = want().await;
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
    // The ladder with presets: the levels board's first version.
    admin
        .tip_levels_from_template(&ROOM.into(), "presets", 0)
        .await
        .unwrap();
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

/// A tip through the API, with the tipper's announced name; `user` when an
/// integration tips on a viewer's behalf.
pub async fn tip(rest: &RestClient, amount: u64, name: &str, user: Option<&str>, key: &str) {
    let body = TipBody {
        amount,
        display_name: Some(name.to_string()),
        user: user.map(UserId::new),
        source_event_id: None,
    };
    let reply = rest.tip_with(&ROOM.into(), &body, key).await.unwrap();
    assert!(
        matches!(reply, Reply::TipQueued { .. }),
        "a toy tip: {reply:?}"
    );
}

/// The lane's running tip as a page shows it: name, level word, the next.
pub const LANE_SHOWN: &str = "const p = document.querySelector('.lane .panel'); \
    const now = p && p.querySelector('.now'); return now ? [now.querySelector('.name').textContent, \
    now.querySelector('.label').textContent, [...p.querySelectorAll('li[data-position]')].map(li => \
    [Number(li.dataset.position), li.querySelector('.name').textContent, li.querySelector('.label').textContent])] : null;";

pub fn lane_shown(snap: &RoomSnapshot) -> Value {
    let label = |item: &ItemView| item.tip.as_ref().map(|t| t.label.to_string());
    match &snap.lane.running {
        Some(running) => {
            let next: Vec<Value> = snap
                .lane
                .waiting
                .iter()
                .take(5)
                .enumerate()
                .map(|(i, t)| json!([2 + i, shown_name(&t.item), label(&t.item)]))
                .collect();
            json!([shown_name(&running.item), label(&running.item), next])
        }
        None => Value::Null,
    }
}

/// The board's rows as a page shows them: range, word, duration.
pub const BOARD_SHOWN: &str = "return [[...document.querySelectorAll('.levels .ladder tr')].map(tr => \
    [tr.querySelector('.range').textContent, tr.querySelector('.word').textContent, tr.querySelector('.secs').textContent]), \
    [...document.querySelectorAll('.levels .specials tr')].map(tr => [Number(tr.dataset.amount), tr.querySelector('.word').textContent])];";

pub fn board_shown(levels: &TipLevels) -> Value {
    let mut ladder: Vec<_> = levels.levels.iter().collect();
    ladder.sort_by_key(|l| l.min);
    let rows: Vec<Value> = ladder
        .iter()
        .map(|l| {
            let range = match l.max {
                Some(max) => format!("{}-{max}", l.min),
                None => format!("{}+", l.min),
            };
            let secs = match &l.pattern {
                Some(p) => format!("{} s \u{b7} {}", l.duration_s, p.name()),
                None => format!("{} s", l.duration_s),
            };
            json!([range, l.label.to_string(), secs])
        })
        .collect();
    let mut specials: Vec<_> = levels.specials.iter().collect();
    specials.sort_by_key(|s| s.amount);
    let specials: Vec<Value> = specials
        .iter()
        .map(|s| json!([s.amount, s.label.to_string()]))
        .collect();
    json!([rows, specials])
}

/// Poll until the board shows the levels the server holds now (the
/// overlays fetch them every 10 s).
pub async fn wait_board(w: &Watcher, rest: &RestClient, what: &str) -> Value {
    wait_shown(w, what, BOARD_SHOWN, || async {
        board_shown(&rest.tip_levels(&ROOM.into()).await.unwrap().levels)
    })
    .await
}
