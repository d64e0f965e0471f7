//! Online tile sources against a local server: every request is in the ledger, and a
//! dead server fails the tile within the timeout instead of hanging it.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used)]

mod util;

use std::sync::Arc;
use std::time::{Duration, Instant};

use geoproof::ui::basemap::{HttpTileSource, OnlineSource, Timeouts};
use geoproof::ui::ledger::{NetworkLedger, Outcome};
use util::{ServerMode, TileServer};
use walkers::{TileId, Tiles};

const TILE: TileId = TileId {
    x: 4,
    y: 2,
    zoom: 3,
};

/// Advances egui by one (empty) frame; there is no renderer to take the textures.
fn next_frame(ctx: &egui::Context) {
    let mut output = ctx.run_ui(Default::default(), |_| {});
    output.textures_delta.clear();
}

/// Asks for `TILE` frame after frame until the ledger's first entry is settled.
fn settle(source: &mut HttpTileSource, ctx: &egui::Context, ledger: &NetworkLedger) -> Outcome {
    let started = Instant::now();
    loop {
        next_frame(ctx);
        let _ = source.at(TILE);
        if let Some(entry) = ledger.snapshot().first()
            && entry.outcome != Outcome::InFlight
        {
            return entry.outcome.clone();
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no answer");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn open(template: &str, timeouts: Timeouts) -> (HttpTileSource, egui::Context, Arc<NetworkLedger>) {
    let ctx = egui::Context::default();
    let ledger = Arc::new(NetworkLedger::default());
    let source = HttpTileSource::new(
        OnlineSource::custom(template).unwrap(),
        ledger.clone(),
        timeouts,
        &ctx,
    )
    .unwrap();
    (source, ctx, ledger)
}

#[test]
fn every_request_is_in_the_ledger_and_the_tile_is_shown() {
    let server = TileServer::start(ServerMode::Tiles);
    let (mut source, ctx, ledger) = open(&server.template(), Timeouts::default());
    assert_eq!(server.connections(), 0, "opening a source sends nothing");
    assert!(matches!(
        settle(&mut source, &ctx, &ledger),
        Outcome::Ok { bytes, .. } if bytes > 100
    ));
    let entry = &ledger.snapshot()[0];
    assert_eq!(entry.host, format!("127.0.0.1:{}", server.port));
    assert_eq!(
        entry.url,
        format!("http://127.0.0.1:{}/3/4/2.png", server.port)
    );
    assert_eq!((entry.tile.zoom, entry.tile.x, entry.tile.y), (3, 4, 2));
    // The next frame draws it, from memory: no second request.
    next_frame(&ctx);
    assert!(source.at(TILE).is_some());
    assert_eq!(ledger.len(), 1);
    // A deeper tile it has not fetched yet is drawn from the loaded ancestor meanwhile.
    let child = source.at(TileId {
        x: 9,
        y: 5,
        zoom: 4,
    });
    assert_eq!(child.unwrap().uv.min, egui::pos2(0.5, 0.5));
}

#[test]
fn a_server_that_never_answers_fails_the_tile_within_the_timeout() {
    let server = TileServer::start(ServerMode::Hang);
    let timeouts = Timeouts {
        connect: Duration::from_millis(500),
        request: Duration::from_millis(800),
    };
    let (mut source, ctx, ledger) = open(&server.template(), timeouts);
    let started = Instant::now();
    assert_eq!(
        settle(&mut source, &ctx, &ledger),
        Outcome::Failed("timed out".into())
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(ledger.failed(), 1);
    assert!(source.at(TILE).is_none());
}

#[test]
fn a_closed_port_is_reported_as_a_connection_failure() {
    // Bind and drop: nothing listens on the port afterwards.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let template = format!("http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png");
    let (mut source, ctx, ledger) = open(&template, Timeouts::default());
    match settle(&mut source, &ctx, &ledger) {
        Outcome::Failed(e) => assert!(e.starts_with("could not connect"), "{e}"),
        other => panic!("{other:?}"),
    }
    // A failed tile is not asked for again at once (a dead server is not hammered).
    for _ in 0..5 {
        next_frame(&ctx);
        assert!(source.at(TILE).is_none());
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(ledger.len(), 1);
}

#[test]
fn a_page_instead_of_an_image_is_a_failure_not_a_tile() {
    let server = TileServer::start(ServerMode::Html);
    let (mut source, ctx, ledger) = open(&server.template(), Timeouts::default());
    match settle(&mut source, &ctx, &ledger) {
        Outcome::Failed(e) => assert!(e.contains("not an image") && e.contains("<html>"), "{e}"),
        other => panic!("{other:?}"),
    }
}
