//! The fetcher against the simulator's feed server on loopback, and a feed's life in a
//! real store: added, fetched again, failing, emptied, removed.

use std::time::Duration;

use chrono_tz::Tz;
use doorpost_core::i18n::Language;
use doorpost_core::ipc::{FeedEntries, FeedProblem, NewFeed, SecretFeedUrl};
use doorpost_core::time::Millis;
use doorpost_sim::feeds::{FeedFormat, FeedSwitch, SimFeed};
use doorpost_sim::{FakeConfig, FakeParakey};

use super::book::{self, FeedBook, Reading};
use super::*;
use crate::store::Store;

fn sim(format: FeedFormat) -> SimFeed {
    SimFeed {
        format,
        switch: FeedSwitch::Normal,
    }
}

async fn server() -> FakeParakey {
    let fake = FakeParakey::start(FakeConfig::default()).await.unwrap();
    for (name, format) in [
        ("airbnb", FeedFormat::Airbnb),
        ("booking", FeedFormat::BookingCom),
        ("vrbo", FeedFormat::Vrbo),
        ("pms", FeedFormat::Pms),
    ] {
        fake.set_feed(name, sim(format));
    }
    fake
}

fn link(fake: &FakeParakey, name: &str) -> FeedLink {
    FeedLink::parse(&format!("{}/feeds/{name}.ics", fake.base_url())).unwrap()
}

async fn read(fake: &FakeParakey, name: &str, v: &Validators) -> Result<Reading, FetchError> {
    let source = HttpFeeds::new().unwrap();
    let options = book::options(name, FeedEntries::Bookings, false);
    book::read(&source, &link(fake, name), v, &options, Tz::UTC).await
}

#[tokio::test]
async fn every_format_reads_and_a_second_fetch_is_a_304() {
    let fake = server().await;
    for name in ["airbnb", "booking", "vrbo", "pms"] {
        let Ok(Reading::Calendar {
            etag,
            last_modified,
            stays,
            ..
        }) = read(&fake, name, &Validators::default()).await
        else {
            panic!("{name} did not read");
        };
        assert!(!stays.is_empty(), "{name}");
        let v = Validators {
            etag,
            last_modified,
        };
        assert!(v.etag.is_some() && v.last_modified.is_some());
        let again = read(&fake, name, &v).await;
        assert!(
            matches!(again, Ok(Reading::NotModified)),
            "{name}: {again:?}"
        );
        assert_eq!(fake.feed_requests(name), (2, 1));
    }
}

#[tokio::test]
async fn each_switch_is_its_problem() {
    let fake = server().await;
    let cases = [
        (FeedSwitch::LoginPage, FeedProblem::Html, None),
        (FeedSwitch::Unauthorized, FeedProblem::Unauthorized, None),
        (FeedSwitch::NotFound, FeedProblem::NotFound, None),
        (FeedSwitch::ServerError, FeedProblem::Status, Some(500)),
        (FeedSwitch::Huge, FeedProblem::TooLarge, None),
        (FeedSwitch::Malformed, FeedProblem::Malformed, None),
        (FeedSwitch::NotCalendar, FeedProblem::NotCalendar, None),
    ];
    for (switch, problem, status) in cases {
        fake.set_feed_switch("airbnb", switch);
        let e = read(&fake, "airbnb", &Validators::default())
            .await
            .unwrap_err();
        assert_eq!((e.problem, e.http_status), (problem, status), "{switch:?}");
    }
}

#[tokio::test]
async fn a_feed_that_never_answers_times_out_and_a_closed_port_is_the_network() {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    let hold = tokio::spawn(async move {
        let mut kept = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            kept.push(s);
        }
    });
    let source = HttpFeeds::bounded(Duration::from_millis(300), MAX_BYTES).unwrap();
    let link = FeedLink::parse(&format!("http://{addr}/cal.ics")).unwrap();
    let e = source
        .fetch(&link, &Validators::default())
        .await
        .unwrap_err();
    assert_eq!(e.problem, FeedProblem::Timeout);
    hold.abort();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let link = FeedLink::parse(&format!("http://{closed}/cal.ics")).unwrap();
    let e = source
        .fetch(&link, &Validators::default())
        .await
        .unwrap_err();
    assert_eq!(e.problem, FeedProblem::Network);
}

fn memory_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.sqlite3")).unwrap();
    (dir, store)
}

async fn check(store: &mut Store, book: &FeedBook<'_>, label: &str) -> crate::store::FeedRow {
    let row = book.find(store, "p1", label).unwrap();
    book.check(store, &row, Tz::UTC, now()).await.unwrap().0
}

fn live_stays(store: &Store) -> Vec<crate::store::StayRow> {
    let mut rows = store.stays_since(Some("p1"), Millis(0)).unwrap();
    rows.retain(|r| r.dropped_at.is_none());
    rows
}

fn now() -> Millis {
    crate::http::wall_now()
}

fn new_feed(fake: &FakeParakey, name: &str, label: &str) -> NewFeed {
    NewFeed {
        place_id: "p1".into(),
        label: label.into(),
        url: SecretFeedUrl::new(link(fake, name).expose()),
        entries: FeedEntries::Bookings,
        blocks_vacant: false,
    }
}

#[tokio::test]
async fn a_feed_is_added_only_when_it_reads_and_its_stays_merge_once() {
    let fake = server().await;
    let (_dir, mut store) = memory_store();
    let links = MemoryLinks::default();
    let source = HttpFeeds::new().unwrap();
    fake.set_feed_switch("vrbo", FeedSwitch::LoginPage);
    let book = FeedBook {
        links: &links,
        source: &source,
        lang: Language::En,
    };
    let e = book
        .add(&mut store, &new_feed(&fake, "vrbo", "VRBO"), Tz::UTC, now())
        .await
        .unwrap_err();
    assert!(e.message.contains("web page"), "{e:?}");
    assert!(links.get("p1", "VRBO").unwrap().is_none(), "no link kept");
    assert!(store.feeds(None).unwrap().is_empty());
    let insecure = NewFeed {
        url: SecretFeedUrl::new("http://example.com/cal.ics"),
        ..new_feed(&fake, "vrbo", "VRBO")
    };
    let e = book
        .add(&mut store, &insecure, Tz::UTC, now())
        .await
        .unwrap_err();
    assert!(e.message.contains("https://"), "{e:?}");
    let long = new_feed(&fake, "airbnb", &"x".repeat(MAX_LABEL + 1));
    assert!(book.add(&mut store, &long, Tz::UTC, now()).await.is_err());

    let row = book
        .add(
            &mut store,
            &new_feed(&fake, "airbnb", "Airbnb"),
            Tz::UTC,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(row.stays_found, 3);
    let dup = book
        .add(
            &mut store,
            &new_feed(&fake, "booking", "airbnb"),
            Tz::UTC,
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(dup.fields[0].field, "label");
    book.add(
        &mut store,
        &new_feed(&fake, "booking", "Booking"),
        Tz::UTC,
        now(),
    )
    .await
    .unwrap();
    let stays = live_stays(&store);
    let today: Vec<_> = stays.iter().filter(|s| s.sources.len() == 2).collect();
    assert_eq!(
        today.len(),
        1,
        "the stay arriving today in both feeds: {stays:?}"
    );
    assert_eq!(today[0].reservation_code.as_deref(), Some("HMXK4T9Q2B"));
}

#[tokio::test]
async fn failures_keep_the_last_good_calendar_and_empty_is_believed_at_the_second() {
    let fake = server().await;
    let (_dir, mut store) = memory_store();
    let links = MemoryLinks::default();
    let source = HttpFeeds::new().unwrap();
    let book = FeedBook {
        links: &links,
        source: &source,
        lang: Language::En,
    };
    book.add(
        &mut store,
        &new_feed(&fake, "airbnb", "Airbnb"),
        Tz::UTC,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(live_stays(&store).len(), 3);
    assert_eq!(
        check(&mut store, &book, "Airbnb").await.problem,
        None,
        "a 304"
    );
    assert_eq!(fake.feed_requests("airbnb").1, 1);

    fake.set_feed_switch("airbnb", FeedSwitch::NotFound);
    let row = check(&mut store, &book, "Airbnb").await;
    assert_eq!(row.problem, Some(FeedProblem::NotFound));
    assert_eq!(
        live_stays(&store).len(),
        3,
        "the last good calendar is kept"
    );

    fake.set_feed_switch("airbnb", FeedSwitch::Empty);
    let row = check(&mut store, &book, "Airbnb").await;
    assert_eq!((row.problem, row.empty_answers), (None, 1));
    assert_eq!(
        live_stays(&store).len(),
        3,
        "one empty answer is not believed"
    );
    let row = check(&mut store, &book, "Airbnb").await;
    assert_eq!((row.stays_found, row.empty_answers), (0, 0));
    assert!(live_stays(&store).is_empty(), "the second is");

    fake.set_feed_switch("airbnb", FeedSwitch::Extended);
    check(&mut store, &book, "Airbnb").await;
    assert_eq!(live_stays(&store).len(), 3, "listed again");
    fake.set_feed_switch("airbnb", FeedSwitch::Cancelled);
    check(&mut store, &book, "Airbnb").await;
    let all = store.stays_since(Some("p1"), Millis(0)).unwrap();
    let first = all.iter().find(|s| s.uid == "a1@airbnb.com").unwrap();
    assert!(first.dropped_at.is_some(), "cancelled, kept as dropped");
    assert_eq!(live_stays(&store).len(), 2);

    let row = book.find(&store, "p1", "airbnb").unwrap();
    book.remove(&mut store, &row, Tz::UTC, now()).unwrap();
    assert!(links.get("p1", "Airbnb").unwrap().is_none());
    assert!(store.feeds(None).unwrap().is_empty());
}
