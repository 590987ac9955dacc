//! `cuedeck report` as a program against a real server after the scripted
//! show: the HTML page in headless Chromium (it renders, the chart has one
//! bar per non-zero figure, no script, no request leaves the page, a
//! screenshot), and the CSV and text on standard output.

use std::process::Command;

use crate::report::{end_show, scripted_show, server_at_t0};
use crate::support::webdriver::{Browser, browser_available};
use crate::support::*;

fn cuedeck_report(t: &TestServer, format: &str, out: Option<&std::path::Path>) -> String {
    let url = t.url().to_string();
    let mut args = vec![
        "report",
        "--server",
        url.as_str(),
        "--room",
        ROOM,
        "--token",
        t.tokens.performer.as_str(),
        "--format",
        format,
    ];
    let out_text;
    if let Some(path) = out {
        out_text = path.display().to_string();
        args.extend(["--out", out_text.as_str()]);
    }
    let output = Command::new(env!("CARGO_BIN_EXE_cuedeck"))
        .args(&args)
        .output()
        .expect("cuedeck runs");
    assert!(
        output.status.success(),
        "cuedeck report --format {format}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_report_command_writes_a_page_chromium_renders_with_its_chart_and_no_requests() {
    let (t, clock) = server_at_t0().await;
    scripted_show(&t, &clock).await;
    end_show(&t, &clock).await;

    let text = tokio::task::block_in_place(|| cuedeck_report(&t, "text", None));
    assert!(
        text.contains("145 earned, 200 refunded, 0 in escrow"),
        "{text}"
    );
    let csv = tokio::task::block_in_place(|| cuedeck_report(&t, "csv", None));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let earned = reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[0] == "totals" && &r[1] == "earned")
        .expect("an earned row");
    assert_eq!(&earned[4], "145");

    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    tokio::task::block_in_place(|| cuedeck_report(&t, "html", Some(&page)));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("<script"), "no script in the page");
    let outside = html.replace("http://www.w3.org/2000/svg", "");
    assert!(
        !outside.contains("http://") && !outside.contains("https://"),
        "no address in the page"
    );

    if !browser_available() {
        t.stop().await;
        return;
    }
    let browser = Browser::start().await;
    browser.goto(&format!("file://{}", page.display())).await;
    browser
        .wait(
            "the page loaded",
            "return document.readyState === 'complete';",
        )
        .await;
    let seen = browser
        .eval(
            "const bars = c => Array.from(document.querySelectorAll('#chart rect.bar.' + c));
             return {
               earned: bars('earned').map(r => Number(r.dataset.tokens)),
               refunded: bars('refunded').map(r => Number(r.dataset.tokens)),
               drawn: bars('earned').concat(bars('refunded')).every(r => r.getBBox().height > 0),
               totals: document.getElementById('totals').innerText,
               scripts: document.scripts.length,
               requests: performance.getEntriesByType('resource').map(e => e.name),
               width: document.getElementById('chart').getBoundingClientRect().width,
             };",
        )
        .await;
    assert_eq!(seen["earned"], serde_json::json!([115, 30]), "{seen}");
    assert_eq!(seen["refunded"], serde_json::json!([90, 60, 50]), "{seen}");
    assert_eq!(seen["drawn"], true, "{seen}");
    assert!(seen["totals"].as_str().unwrap().contains("145"), "{seen}");
    assert_eq!(seen["scripts"], 0);
    assert_eq!(seen["requests"], serde_json::json!([]), "nothing fetched");
    assert!(seen["width"].as_f64().unwrap() > 300.0, "{seen}");

    let png = browser.screenshot("body").await;
    assert!(png.starts_with(b"\x89PNG"));
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("report.png");
    std::fs::write(&shot, &png).unwrap();
    eprintln!("screenshot: {}", shot.display());
    browser.quit().await;
    t.stop().await;
}
