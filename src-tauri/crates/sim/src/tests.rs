//! The fake's switches and faults, seen by a plain HTTP client on loopback.

use std::time::{Duration, Instant};

use doorpost_core::Millis;
use doorpost_core::event::{PageError, parse_page};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use serde_json::{Value, json};

use super::*;

const T0: &str = "2026-05-02T08:00:00Z";

fn t0() -> Millis {
    Millis::parse_rfc3339(T0).unwrap()
}

/// A fake on a manual clock at `T0` with `change` applied.
async fn fake_with(change: impl FnOnce(&mut FakeConfig)) -> FakeParakey {
    let mut config = FakeConfig {
        clock: Clock::Manual { now: t0() },
        ..FakeConfig::default()
    };
    change(&mut config);
    FakeParakey::start(config).await.unwrap()
}

fn client_builder() -> reqwest::ClientBuilder {
    // reqwest is built without a TLS provider; plain loopback HTTP needs none, but
    // building a client may still ask for one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
}

fn client() -> reqwest::Client {
    client_builder().build().unwrap()
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
    fn ids(&self) -> Vec<String> {
        parse_page(&self.body)
            .unwrap()
            .events
            .into_iter()
            .map(|e| e.id)
            .collect()
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

fn post_json(http: &reqwest::Client, url: String, body: &Value) -> reqwest::RequestBuilder {
    http.post(url)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.to_string())
}

async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.unwrap();
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.bytes().await.unwrap().to_vec(),
    }
}

/// `GET path` with the default token form.
async fn get(fake: &FakeParakey, path: &str) -> Reply {
    send(
        client()
            .get(format!("{}{path}", fake.base_url()))
            .header("access-token", fake.config().token),
    )
    .await
}

fn enc(t: Millis) -> String {
    url::form_urlencoded::byte_serialize(t.to_rfc3339().as_bytes()).collect()
}

/// `n` events one minute apart from `T0 + 1 min`, returned oldest first.
fn inject_minutes(fake: &FakeParakey, n: i64) -> Vec<String> {
    fake.inject_many((1..=n).map(|i| EventSpec::at(t0().plus(i * Millis::MINUTE))))
}

#[tokio::test]
async fn limit_is_capped_silently_and_skip_and_offset_page_through() {
    let fake = fake_with(|_| {}).await;
    fake.advance(Millis::DAY);
    let mut ids = inject_minutes(&fake, 250);
    ids.reverse(); // newest first, the default order

    let first = get(&fake, "/eventLogs?limit=500").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.ids(), ids[..100], "capped at 100, newest first");
    let second = get(&fake, "/eventLogs?limit=500&skip=100").await;
    assert_eq!(second.ids(), ids[100..200]);
    let third = get(&fake, "/eventLogs?limit=500&offset=200").await;
    assert_eq!(third.ids(), ids[200..], "offset is skip's synonym");
    assert!(get(&fake, "/eventLogs?skip=250").await.ids().is_empty());
    assert_eq!(
        get(&fake, "/eventLogs").await.ids(),
        ids[..50],
        "default 50"
    );

    fake.configure(|c| c.max_limit = None);
    assert_eq!(get(&fake, "/eventLogs?limit=500").await.ids(), ids);
}

#[tokio::test]
async fn skip_ignored_serves_the_first_page_again() {
    let fake = fake_with(|c| c.skip_supported = false).await;
    fake.advance(Millis::DAY);
    inject_minutes(&fake, 30);
    let first = get(&fake, "/eventLogs?limit=10").await;
    assert_eq!(
        get(&fake, "/eventLogs?limit=10&skip=10").await.ids(),
        first.ids()
    );
    assert_eq!(
        get(&fake, "/eventLogs?limit=10&offset=10").await.ids(),
        first.ids()
    );
}

#[tokio::test]
async fn default_order_and_order_by() {
    let fake = fake_with(|_| {}).await;
    fake.advance(Millis::DAY);
    // Inserted out of order in both fields: b arrived last but happened first.
    let a = fake.inject(EventSpec::at(t0().plus(2 * Millis::MINUTE)).id("a"));
    let b = fake.inject(
        EventSpec::at(t0().plus(3 * Millis::MINUTE))
            .id("b")
            .late_by(Millis::HOUR),
    );
    let c = fake.inject(EventSpec::at(t0().plus(Millis::MINUTE)).id("c"));

    let order = |ids: &[&String]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(get(&fake, "/eventLogs").await.ids(), order(&[&b, &a, &c]));
    fake.configure(|c| c.default_order = DefaultOrder::TimestampDesc);
    assert_eq!(get(&fake, "/eventLogs").await.ids(), order(&[&a, &c, &b]));
    fake.configure(|c| c.default_order = DefaultOrder::Insertion);
    assert_eq!(get(&fake, "/eventLogs").await.ids(), order(&[&a, &b, &c]));

    for (order_by, expected) in [
        ("createdAt:DESC", [&b, &a, &c]),
        ("createdAt:ASC", [&c, &a, &b]),
        ("timestamp:DESC", [&a, &c, &b]),
        ("timestamp:ASC", [&b, &c, &a]),
    ] {
        let reply = get(&fake, &format!("/eventLogs?orderBy={order_by}")).await;
        assert_eq!(reply.ids(), order(&expected), "{order_by}");
    }
    assert_eq!(
        get(&fake, "/eventLogs?orderBy=name:ASC").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn start_date_filters_created_at_or_timestamp() {
    let fake = fake_with(|_| {}).await;
    fake.advance(Millis::DAY);
    // Happened an hour before T0, uploaded 10 minutes after it.
    let late =
        fake.inject(EventSpec::at(t0().plus(10 * Millis::MINUTE)).late_by(70 * Millis::MINUTE));
    let path = format!("/eventLogs?startDate={}&orderBy=createdAt:DESC", enc(t0()));

    assert_eq!(get(&fake, &path).await.ids(), std::slice::from_ref(&late));
    fake.configure(|c| c.date_field = DateField::Timestamp);
    assert!(
        get(&fake, &path).await.ids().is_empty(),
        "a server filtering on timestamp never shows this late upload"
    );
    let earlier = format!("/eventLogs?startDate={}", enc(t0().minus(2 * Millis::HOUR)));
    assert_eq!(get(&fake, &earlier).await.ids(), [late]);
}

#[tokio::test]
async fn start_and_end_dates_are_inclusive_or_exclusive() {
    for field in [DateField::CreatedAt, DateField::Timestamp] {
        let fake = fake_with(|c| c.date_field = field).await;
        fake.advance(Millis::DAY);
        let ids = inject_minutes(&fake, 5); // at +1..=+5 min
        let path = format!(
            "/eventLogs?orderBy=createdAt:ASC&startDate={}&endDate={}",
            enc(t0().plus(2 * Millis::MINUTE)),
            enc(t0().plus(4 * Millis::MINUTE))
        );
        assert_eq!(
            get(&fake, &path).await.ids(),
            ids[1..4],
            "{field:?} inclusive"
        );
        fake.configure(|c| {
            c.start_inclusive = false;
            c.end_inclusive = false;
        });
        assert_eq!(
            get(&fake, &path).await.ids(),
            ids[2..3],
            "{field:?} exclusive"
        );
        fake.configure(|c| c.end_date_supported = false);
        assert_eq!(
            get(&fake, &path).await.ids(),
            ids[2..],
            "{field:?} endDate ignored"
        );
    }
}

#[tokio::test]
async fn etag_answers_304_byte_for_byte_in_every_mode() {
    for mode in [EtagMode::Strong, EtagMode::Weak, EtagMode::Absent] {
        let fake = fake_with(|c| c.etag = mode).await;
        inject_minutes(&fake, 3);
        fake.advance(Millis::HOUR);
        let first = get(&fake, "/eventLogs?limit=1").await;
        let Some(etag) = first.header("etag").map(String::from) else {
            assert_eq!(mode, EtagMode::Absent);
            continue;
        };
        assert_eq!(etag.starts_with("W/\""), mode == EtagMode::Weak, "{etag}");
        assert!(etag.ends_with('"'));

        let conditional = |tag: &str| {
            client()
                .get(format!("{}/eventLogs?limit=1", fake.base_url()))
                .header("access-token", "fake-token")
                .header(header::IF_NONE_MATCH, tag)
        };
        let unchanged = send(conditional(&etag)).await;
        assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
        assert!(unchanged.body.is_empty());
        assert_eq!(unchanged.header("etag"), Some(etag.as_str()));
        assert!(unchanged.header("date").is_some());
        assert_eq!(
            fake.stats().last_header("if-none-match"),
            Some(etag.as_str())
        );

        // Not byte for byte: `W/` dropped or added.
        let altered = match etag.strip_prefix("W/") {
            Some(strong) => strong.to_string(),
            None => format!("W/{etag}"),
        };
        assert_eq!(send(conditional(&altered)).await.status, StatusCode::OK);

        // Another URL has another body, so another tag.
        assert_ne!(
            get(&fake, "/eventLogs?limit=2").await.header("etag"),
            Some(etag.as_str())
        );
        fake.inject(EventSpec::default());
        let changed = send(conditional(&etag)).await;
        assert_eq!(changed.status, StatusCode::OK);
        assert_ne!(changed.header("etag"), Some(etag.as_str()));
    }
}

#[tokio::test]
async fn token_is_checked_in_the_configured_header_form() {
    let fake = fake_with(|c| c.token = "s3cret".into()).await;
    let url = format!("{}/eventLogs", fake.base_url());
    let access = || client().get(&url).header("access-token", "s3cret");
    let bearer = || client().get(&url).bearer_auth("s3cret");

    assert_eq!(send(access()).await.status, StatusCode::OK);
    assert_eq!(fake.stats().last_header("access-token"), Some("s3cret"));
    assert_eq!(send(bearer()).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        fake.stats().last_header("authorization"),
        Some("Bearer s3cret")
    );
    let wrong = client().get(&url).header("access-token", "guess");
    assert_eq!(send(wrong).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        send(client().get(&url)).await.status,
        StatusCode::UNAUTHORIZED
    );

    fake.configure(|c| c.auth_form = AuthForm::Bearer);
    assert_eq!(send(bearer()).await.status, StatusCode::OK);
    assert_eq!(send(access()).await.status, StatusCode::UNAUTHORIZED);

    fake.configure(|c| c.auth_form = AuthForm::Either);
    assert_eq!(send(bearer()).await.status, StatusCode::OK);
    assert_eq!(send(access()).await.status, StatusCode::OK);

    fake.configure(|c| {
        c.auth_form = AuthForm::AccessToken;
        c.auth_reject_status = 403;
    });
    assert_eq!(send(bearer()).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn envelope_wraps_the_list_under_its_key_with_a_total() {
    for key in ["data", "results", "items", "eventLogs"] {
        let fake = fake_with(|c| c.body_shape = BodyShape::envelope(key)).await;
        fake.advance(Millis::DAY);
        let ids = inject_minutes(&fake, 7);
        let reply = get(&fake, "/eventLogs?limit=3&orderBy=createdAt:ASC").await;
        let body = reply.json();
        assert_eq!(body["total"], 7, "{key}");
        assert_eq!(body[key].as_array().unwrap().len(), 3);
        assert_eq!(
            reply.ids(),
            ids[..3],
            "the core reader finds the {key} envelope"
        );
    }
}

#[tokio::test]
async fn the_server_clock_drives_date_created_at_and_visibility() {
    let fake = fake_with(|c| c.visibility_delay_ms = 5_000).await;
    let id = fake.inject(EventSpec::default());
    let reply = get(&fake, "/eventLogs").await;
    assert!(reply.ids().is_empty(), "in flight for 5 s");
    assert_eq!(reply.header("date"), Some("Sat, 02 May 2026 08:00:00 GMT"));
    assert_eq!(
        get(&fake, &format!("/eventLogs/{id}")).await.status,
        StatusCode::NOT_FOUND
    );

    fake.advance(5_000);
    let page = parse_page(&get(&fake, "/eventLogs").await.body).unwrap();
    assert_eq!(page.events[0].id, id);
    assert_eq!(
        page.events[0].created_at,
        t0(),
        "createdAt is the server's now"
    );

    fake.set_clock(Clock::Real {
        skew_ms: -Millis::DAY,
    });
    let date = get(&fake, "/eventLogs")
        .await
        .header("date")
        .unwrap()
        .to_string();
    let served = httpdate::parse_http_date(&date).unwrap();
    let behind = std::time::SystemTime::now().duration_since(served).unwrap();
    assert!(
        behind > Duration::from_secs(86_000),
        "skewed a day behind: {date}"
    );
}

#[tokio::test]
async fn visibility_applies_when_sorting_by_timestamp_too() {
    let fake = fake_with(|c| {
        c.visibility_delay_ms = 60_000;
        c.default_order = DefaultOrder::TimestampDesc;
    })
    .await;
    fake.inject(EventSpec::at(t0().minus(Millis::HOUR)).id("old"));
    fake.inject(EventSpec::default().id("fresh"));
    assert_eq!(get(&fake, "/eventLogs").await.ids(), ["old"]);
    fake.advance(60_000);
    assert_eq!(get(&fake, "/eventLogs").await.ids(), ["fresh", "old"]);
}

#[tokio::test]
async fn item_endpoint_serves_one_event_like_the_webhook_body() {
    let fake = fake_with(|_| {}).await;
    let id = fake.inject(EventSpec::default().late_by(90_000));
    assert_eq!(id.len(), 10);
    assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
    let reply = get(&fake, &format!("/eventLogs/{id}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.header("etag").is_some());
    let body = reply.json();
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["createdAt"], "2026-05-02T08:00:00.000Z");
    assert_eq!(body["timestamp"], "2026-05-02T07:58:30.000Z");
    assert_eq!(
        body["domain"],
        json!({"id": "Dm0000001a", "name": "Harbour Loft"})
    );
    assert_eq!(
        body["device"],
        json!({"id": "Dv0000001a", "name": "Front door"})
    );
    assert_eq!(body["user"]["firstName"], "Ann");
    assert_eq!(body["type"], "unlock");
    assert_eq!(parse_page(&reply.body).unwrap().events[0].id, id);
    assert_eq!(
        get(&fake, "/eventLogs/nope").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn scrubs_renames_and_deletions_change_rows_already_served() {
    let fake = fake_with(|_| {}).await;
    let old = fake.inject(EventSpec::at(t0().minus(100 * Millis::DAY)));
    let recent = fake.inject(EventSpec::at(t0().minus(Millis::DAY)));
    let gym = fake.inject(EventSpec::default().door("Dv0000003c", "Gym"));
    let event = |reply: &Reply, id: &str| {
        reply
            .json()
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .cloned()
            .unwrap()
    };

    assert_eq!(fake.scrub_all_before(t0().minus(90 * Millis::DAY)), 1);
    assert!(fake.scrub_user(&recent));
    assert!(!fake.scrub_user("missing"));
    let reply = get(&fake, "/eventLogs").await;
    assert_eq!(event(&reply, &old)["user"], Value::Null);
    assert_eq!(event(&reply, &recent)["user"], Value::Null);
    assert!(event(&reply, &gym)["user"].is_object());

    fake.configure(|c| c.scrubbed_user = ScrubbedUser::Missing);
    assert!(
        event(&get(&fake, "/eventLogs").await, &old)
            .get("user")
            .is_none()
    );

    assert!(fake.rename_door("Dv0000003c", "Fitness room"));
    let reply = get(&fake, "/eventLogs").await;
    assert_eq!(event(&reply, &gym)["device"]["name"], "Fitness room");
    assert!(fake.delete_door("Dv0000001a"));
    let reply = get(&fake, "/eventLogs").await;
    assert_eq!(event(&reply, &old)["device"], json!({"id": "Dv0000001a"}));
    // A new event for a known door keeps the stored name.
    let again = fake.inject(EventSpec::default().door("Dv0000003c", "Gym"));
    assert_eq!(
        event(&get(&fake, "/eventLogs").await, &again)["device"]["name"],
        "Fitness room"
    );
}

#[tokio::test]
async fn raw_records_reach_the_client_for_quarantine() {
    let fake = fake_with(|_| {}).await;
    fake.inject(EventSpec::at(t0().minus(3)));
    fake.insert_raw(json!({"createdAt": "2026-05-02T07:59:00Z"}));
    fake.insert_raw(json!({"id": "bad-date", "createdAt": "last tuesday"}));
    fake.insert_raw(json!(42));
    let page = parse_page(&get(&fake, "/eventLogs").await.body).unwrap();
    assert_eq!(page.events.len(), 1);
    assert_eq!(page.quarantined.len(), 3);
}

#[tokio::test]
async fn bursts_share_one_created_at() {
    let fake = fake_with(|_| {}).await;
    let ids = fake.inject_burst(5, t0().minus(1_000));
    let page = parse_page(&get(&fake, "/eventLogs").await.body).unwrap();
    assert_eq!(page.events.len(), 5);
    assert!(
        page.events
            .iter()
            .all(|e| e.created_at == t0().minus(1_000))
    );
    let mut served: Vec<_> = page.events.into_iter().map(|e| e.id).collect();
    served.sort();
    let mut ids = ids;
    ids.sort();
    assert_eq!(served, ids);
}

#[tokio::test]
async fn gzip_is_used_when_the_client_asks() {
    let fake = fake_with(|_| {}).await;
    inject_minutes(&fake, 50);
    fake.advance(Millis::DAY);
    let url = format!("{}/eventLogs", fake.base_url());
    let plain = client_builder().no_gzip().build().unwrap();
    let reply = send(plain.get(&url).header("access-token", "fake-token")).await;
    assert_eq!(reply.header("content-encoding"), None);
    let plain_bytes = fake.stats().body_bytes;
    assert_eq!(plain_bytes, reply.body.len() as u64);

    fake.reset_stats();
    let zipped = send(client().get(&url).header("access-token", "fake-token")).await;
    assert_eq!(zipped.body, reply.body, "same JSON after decompression");
    let stats = fake.stats();
    assert_eq!(stats.last_header("accept-encoding"), Some("gzip"));
    assert!(
        stats.body_bytes * 3 < plain_bytes,
        "{} gzipped vs {plain_bytes}",
        stats.body_bytes
    );
    assert!(stats.header_bytes > 0);
}

#[tokio::test]
async fn status_and_rate_limit_faults() {
    let fake = fake_with(|_| {}).await;
    fake.push_faults([
        Fault::Status(500),
        Fault::Status(503),
        Fault::Status(403),
        Fault::TooManyRequests {
            retry_after: RetryAfter::Seconds(120),
        },
        Fault::TooManyRequests {
            retry_after: RetryAfter::HttpDate(60),
        },
        Fault::TooManyRequests {
            retry_after: RetryAfter::Absent,
        },
    ]);
    assert_eq!(
        get(&fake, "/eventLogs").await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        get(&fake, "/eventLogs").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(get(&fake, "/eventLogs").await.status, StatusCode::FORBIDDEN);
    let seconds = get(&fake, "/eventLogs").await;
    assert_eq!(seconds.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(seconds.header("retry-after"), Some("120"));
    let date = get(&fake, "/eventLogs").await;
    assert_eq!(
        date.header("retry-after"),
        Some("Sat, 02 May 2026 08:01:00 GMT")
    );
    let absent = get(&fake, "/eventLogs/anything").await;
    assert_eq!(
        absent.status,
        StatusCode::TOO_MANY_REQUESTS,
        "item requests take faults too"
    );
    assert_eq!(absent.header("retry-after"), None);
    assert_eq!(
        get(&fake, "/eventLogs").await.status,
        StatusCode::OK,
        "queue drained"
    );

    let stats = fake.stats();
    assert_eq!(stats.requests, 7);
    assert_eq!(stats.faults_served, 6);
    assert_eq!(stats.by_status[&429], 3);
    assert_eq!(fake.requests_since_reset(), 7);
    fake.reset_stats();
    assert_eq!(fake.requests_since_reset(), 0);
}

#[tokio::test]
async fn slow_and_stalled_responses() {
    let fake = fake_with(|_| {}).await;
    fake.push_fault(Fault::Slow(300));
    let started = Instant::now();
    assert_eq!(get(&fake, "/eventLogs").await.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    fake.push_fault(Fault::Stall);
    let impatient = client_builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = impatient
        .get(format!("{}/eventLogs", fake.base_url()))
        .header("access-token", "fake-token")
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");
    assert_eq!(
        get(&fake, "/eventLogs").await.status,
        StatusCode::OK,
        "others still served"
    );
}

#[tokio::test]
async fn dropped_connection_is_a_transport_error() {
    let fake = fake_with(|_| {}).await;
    fake.push_fault(Fault::DropConnection);
    let error = client()
        .get(format!("{}/eventLogs", fake.base_url()))
        .header("access-token", "fake-token")
        .send()
        .await
        .unwrap_err();
    assert!(!error.is_timeout() && !error.is_status(), "{error}");
    assert_eq!(fake.stats().dropped_connections, 1);
    assert_eq!(get(&fake, "/eventLogs").await.status, StatusCode::OK);

    // Seen from a raw socket: not a single byte of response.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    fake.push_fault(Fault::DropConnection);
    let mut socket = tokio::net::TcpStream::connect(fake.addr()).await.unwrap();
    socket
        .write_all(b"GET /eventLogs HTTP/1.1\r\nhost: x\r\naccess-token: fake-token\r\n\r\n")
        .await
        .unwrap();
    let mut received = Vec::new();
    let _ = socket.read_to_end(&mut received).await;
    assert!(
        received.is_empty(),
        "{}",
        String::from_utf8_lossy(&received)
    );
}

#[tokio::test]
async fn truncated_and_malformed_bodies_do_not_parse() {
    let fake = fake_with(|_| {}).await;
    inject_minutes(&fake, 5);
    fake.advance(Millis::DAY);
    let whole = get(&fake, "/eventLogs").await;
    fake.push_faults([Fault::Truncate, Fault::Malformed]);
    let truncated = get(&fake, "/eventLogs").await;
    assert_eq!(truncated.status, StatusCode::OK);
    assert_eq!(truncated.body, whole.body[..whole.body.len() / 2]);
    assert_eq!(
        truncated.header("etag"),
        whole.header("etag"),
        "headers went out whole"
    );
    assert!(matches!(
        parse_page(&truncated.body),
        Err(PageError::NotJson(_))
    ));
    let malformed = get(&fake, "/eventLogs").await;
    assert_eq!(malformed.status, StatusCode::OK);
    assert!(matches!(
        parse_page(&malformed.body),
        Err(PageError::NotJson(_))
    ));
}

#[tokio::test]
async fn redirects_point_at_another_host() {
    let fake = fake_with(|_| {}).await;
    fake.push_faults([
        Fault::redirect_elsewhere(),
        Fault::Redirect {
            status: 307,
            location: "http://127.0.0.2:9/steal".into(),
        },
    ]);
    let found = get(&fake, "/eventLogs").await;
    assert_eq!(found.status, StatusCode::FOUND);
    assert_eq!(found.header("location"), Some("http://127.0.0.2:9/steal"));
    let temporary = get(&fake, "/eventLogs").await;
    assert_eq!(temporary.status, StatusCode::TEMPORARY_REDIRECT);
}

#[tokio::test]
async fn random_faults_replay_with_the_seed() {
    let run = || async {
        let fake = fake_with(|c| c.random_fault_rate = 0.5).await;
        let mut statuses = Vec::new();
        for _ in 0..20 {
            statuses.push(get(&fake, "/eventLogs").await.status.as_u16());
        }
        statuses
    };
    let first = run().await;
    assert_eq!(first, run().await);
    assert!(
        first.contains(&200) && first.iter().any(|&s| s != 200),
        "{first:?}"
    );
}

#[tokio::test]
async fn bad_parameters_are_refused() {
    let fake = fake_with(|_| {}).await;
    for query in [
        "limit=ten",
        "skip=-1",
        "startDate=yesterday",
        "orderBy=createdAt:UP",
    ] {
        let reply = get(&fake, &format!("/eventLogs?{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
    }
}

#[tokio::test]
async fn control_api_needs_no_token_and_takes_no_faults() {
    let fake = fake_with(|_| {}).await;
    let http = client();
    let url = |path: &str| format!("{}/_fake/{path}", fake.base_url());
    fake.push_fault(Fault::Status(500));

    let injected = send(post_json(&http, url("inject"), &json!([
        {"id": "Ctl0000001", "createdAt": "2026-05-02T07:00:00Z", "lateByMs": 60000},
        {"door": {"id": "Dv0000003c", "name": "Gym"}, "user": null, "createdAt": 1_777_705_260_000_i64}
    ])))
    .await;
    assert_eq!(injected.status, StatusCode::OK);
    assert_eq!(injected.json()["ids"][0], "Ctl0000001");
    let raw = send(post_json(&http, url("raw"), &json!({"id": "no-date"}))).await;
    assert_eq!(raw.status, StatusCode::OK);

    let clock = send(post_json(&http, url("clock"), &json!({"advanceMs": 60000}))).await;
    assert_eq!(clock.json()["now"], "2026-05-02T08:01:00.000Z");
    let clock = send(post_json(
        &http,
        url("clock"),
        &json!({"set": "2026-06-01T00:00:00Z"}),
    ))
    .await;
    assert_eq!(
        clock.json()["nowMs"],
        Millis::parse_rfc3339("2026-06-01T00:00:00Z").unwrap().0
    );

    let config = send(post_json(
        &http,
        url("config"),
        &json!({"etag": "strong", "maxLimit": 2}),
    ))
    .await;
    assert_eq!(
        config.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&config.body)
    );
    assert_eq!(fake.config().etag, EtagMode::Strong);
    assert_eq!(fake.config().max_limit, Some(2));

    let faults = send(post_json(
        &http,
        url("faults"),
        &json!([
            "stall", {"slow": 10}, {"tooManyRequests": {"retryAfter": {"httpDate": 5}}},
            {"redirect": {"status": 302, "location": "http://127.0.0.2:9/steal"}}
        ]),
    ))
    .await;
    assert_eq!(faults.json()["pending"], 5);
    assert_eq!(
        send(http.delete(url("faults"))).await.status,
        StatusCode::OK
    );
    assert_eq!(fake.pending_faults(), 0);

    let scrub = send(post_json(
        &http,
        url("scrub"),
        &json!({"eventId": "Ctl0000001"}),
    ))
    .await;
    assert_eq!(scrub.json()["scrubbed"], 1);
    let rename = send(post_json(
        &http,
        url("doors/Dv0000003c"),
        &json!({"name": "Spa"}),
    ))
    .await;
    assert_eq!(rename.status, StatusCode::OK);
    assert_eq!(
        send(http.delete(url("doors/nope"))).await.status,
        StatusCode::NOT_FOUND
    );

    let page = get(&fake, "/eventLogs?orderBy=createdAt:ASC").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = page.json();
    assert_eq!(body[0]["id"], "Ctl0000001");
    assert_eq!(body[0]["user"], Value::Null);
    assert_eq!(body[0]["timestamp"], "2026-05-02T06:59:00.000Z");
    assert_eq!(body[1]["device"]["name"], "Spa");
    assert!(page.header("etag").unwrap().starts_with('"'));

    let stats = send(http.get(url("stats"))).await.json();
    assert_eq!(stats["requests"], 1, "control requests are not counted");
    assert_eq!(stats["byStatus"]["200"], 1);
    assert_eq!(stats["lastRequestHeaders"]["access-token"], "fake-token");
    send(http.delete(url("stats"))).await;
    assert_eq!(fake.requests_since_reset(), 0);
}

#[tokio::test]
async fn shutdown_closes_the_port() {
    let fake = fake_with(|_| {}).await;
    let control = fake.control();
    let addr = fake.addr();
    drop(fake);
    control.stopped().await;
    assert!(!control.is_running());
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn shutdown_ends_a_stalled_request() {
    let fake = fake_with(|_| {}).await;
    fake.push_fault(Fault::Stall);
    let request = client()
        .get(format!("{}/eventLogs", fake.base_url()))
        .header("access-token", "fake-token")
        .send();
    let pending = tokio::spawn(request);
    tokio::time::sleep(Duration::from_millis(100)).await;
    fake.shutdown();
    let outcome = tokio::time::timeout(Duration::from_secs(5), pending).await;
    assert!(
        outcome.unwrap().unwrap().is_err(),
        "the stalled request failed"
    );
}

#[tokio::test]
async fn a_hundred_thousand_rows_page_through() {
    let fake = fake_with(|_| {}).await;
    let started = Instant::now();
    fake.inject_many(
        (0..100_000).map(|i| EventSpec::at(t0().minus(i * 1_000)).late_by((i % 7) * 60_000)),
    );
    let injected = started.elapsed();
    let http = client();
    let started = Instant::now();
    let mut seen = 0;
    for page in 0.. {
        let url = format!(
            "{}/eventLogs?orderBy=createdAt:DESC&limit=100&skip={}&startDate={}",
            fake.base_url(),
            page * 100,
            enc(t0().minus(Millis::DAY * 2))
        );
        let reply = send(http.get(url).header("access-token", "fake-token")).await;
        let n = parse_page(&reply.body).unwrap().events.len();
        if n == 0 {
            break;
        }
        seen += n;
    }
    assert_eq!(seen, 100_000);
    let paged = started.elapsed();
    // Timings are reported, never asserted (the sync bench measures them).
    eprintln!("100k rows: injected in {injected:?}, paged in {paged:?}");
}

// --- behaviours no document rules out ---

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after_until_the_window_moves() {
    let fake = fake_with(|c| c.rate_limit = Some(RateLimit::per_minute(2))).await;
    assert_eq!(get(&fake, "/eventLogs").await.status, StatusCode::OK);
    assert_eq!(get(&fake, "/eventLogs").await.status, StatusCode::OK);
    let limited = get(&fake, "/eventLogs").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.header("retry-after"), Some("60"));
    fake.advance(30_000);
    assert_eq!(
        get(&fake, "/eventLogs").await.header("retry-after"),
        Some("30"),
        "measured from the oldest request in the window"
    );
    fake.advance(30_000);
    assert_eq!(get(&fake, "/eventLogs").await.status, StatusCode::OK);
    fake.configure(|c| {
        c.rate_limit = Some(RateLimit {
            retry_after: false,
            ..RateLimit::per_minute(1)
        })
    });
    let limited = get(&fake, "/eventLogs").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.header("retry-after"), None);
}

#[tokio::test]
async fn strict_parameters_refuse_anything_undocumented() {
    let fake = fake_with(|c| c.strict_params = true).await;
    let ok = "/eventLogs?limit=5&orderBy=createdAt%3AASC&startDate=2026-05-01T00%3A00%3A00.000Z";
    assert_eq!(get(&fake, ok).await.status, StatusCode::OK);
    for extra in [
        "skip=5",
        "offset=5",
        "endDate=2026-05-01T00%3A00%3A00Z",
        "page=2",
    ] {
        let reply = get(&fake, &format!("/eventLogs?limit=5&{extra}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{extra}");
    }
}

#[tokio::test]
async fn no_date_header_when_switched_off() {
    let fake = fake_with(|c| c.date_header = false).await;
    assert_eq!(get(&fake, "/eventLogs").await.header("date"), None);
    fake.configure(|c| c.date_header = true);
    assert!(get(&fake, "/eventLogs").await.header("date").is_some());
}

#[tokio::test]
async fn the_page_cap_can_change_on_every_request() {
    let fake = fake_with(|c| c.max_limit_cycle = vec![3, 1, 5]).await;
    fake.inject_burst(10, t0());
    let mut sizes = Vec::new();
    for _ in 0..4 {
        sizes.push(get(&fake, "/eventLogs?limit=100").await.ids().len());
    }
    assert_eq!(sizes, [3, 1, 5, 3]);
}

#[tokio::test]
async fn ignore_limit_serves_more_rows_than_asked() {
    let fake = fake_with(|c| {
        c.ignore_limit = true;
        c.max_limit = None;
    })
    .await;
    fake.inject_burst(30, t0());
    assert_eq!(get(&fake, "/eventLogs?limit=2").await.ids().len(), 9);
}

#[tokio::test]
async fn unstable_ties_come_back_in_a_new_order_but_the_same_set() {
    let fake = fake_with(|c| c.unstable_ties = true).await;
    fake.inject_burst(12, t0());
    fake.inject(EventSpec::at(t0().plus(1)));
    fake.advance(1_000);
    let first = get(&fake, "/eventLogs?limit=20&orderBy=createdAt%3ADESC")
        .await
        .ids();
    let mut orders = std::collections::HashSet::new();
    for _ in 0..5 {
        let ids = get(&fake, "/eventLogs?limit=20&orderBy=createdAt%3ADESC")
            .await
            .ids();
        assert_eq!(
            ids[0], first[0],
            "the newest row is not tied: it stays first"
        );
        let mut sorted = ids.clone();
        sorted.sort();
        let mut expected = first.clone();
        expected.sort();
        assert_eq!(sorted, expected);
        orders.insert(ids);
    }
    assert!(orders.len() > 1, "the tie moves between requests");
}

#[tokio::test]
async fn raw_records_with_future_or_absurd_dates_are_listed_at_once() {
    let fake = fake_with(|_| {}).await;
    fake.insert_raw(json!({"id": "future", "createdAt": "2099-01-01T00:00:00Z"}));
    fake.insert_raw(json!({"id": "nanos", "createdAt": 1_780_000_000_000_000_000_i64}));
    let reply = get(&fake, "/eventLogs?limit=5&orderBy=createdAt%3ADESC").await;
    let page = parse_page(&reply.body).unwrap();
    assert_eq!(page.events.len() + page.quarantined.len(), 2);
}

#[tokio::test]
async fn a_moved_api_answers_308_to_the_same_path_under_the_prefix() {
    let fake = fake_with(|c| c.moved_same_origin = true).await;
    inject_minutes(&fake, 2);
    fake.advance(3 * Millis::MINUTE);
    let moved = get(&fake, "/eventLogs?limit=5&orderBy=createdAt:DESC").await;
    assert_eq!(moved.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        moved.header("location"),
        Some("/v2/eventLogs?limit=5&orderBy=createdAt:DESC")
    );
    let served = get(&fake, "/v2/eventLogs?limit=5&orderBy=createdAt:DESC").await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.ids().len(), 2);
    fake.configure(|c| c.moved_same_origin = false);
    assert_eq!(
        get(&fake, "/v2/eventLogs").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(&fake, "/eventLogs").await.status, StatusCode::OK);
}

#[tokio::test]
async fn body_quirks_wrap_the_json_or_replace_it() {
    let fake = fake_with(|_| {}).await;
    inject_minutes(&fake, 1);
    let plain = get(&fake, "/eventLogs").await.body;
    for (quirk, expected) in [
        (BodyQuirk::Bom, [&b"\xEF\xBB\xBF"[..], &plain].concat()),
        (
            BodyQuirk::Whitespace,
            [&b"\r\n  "[..], &plain, b" \n\n"].concat(),
        ),
        (BodyQuirk::Empty, Vec::new()),
        (BodyQuirk::Null, b"null".to_vec()),
    ] {
        fake.configure(|c| c.body_quirk = quirk);
        let reply = get(&fake, "/eventLogs").await;
        assert_eq!(reply.status, StatusCode::OK, "{quirk:?}");
        assert_eq!(reply.body, expected, "{quirk:?}");
    }
}

#[tokio::test]
async fn duplicate_uploads_serve_each_unlock_again_under_a_new_id() {
    let fake = fake_with(|c| c.duplicate_uploads = Some(90_000)).await;
    let first = fake.inject(EventSpec::at(t0().minus(Millis::MINUTE)).late_by(5_000));
    assert_eq!(fake.event_count(), 2);
    // The second upload reaches the server 90 s after the first: not listed before then.
    assert_eq!(
        get(&fake, "/eventLogs").await.ids(),
        std::slice::from_ref(&first)
    );
    fake.advance(60_000);
    let page = parse_page(&get(&fake, "/eventLogs").await.body).unwrap();
    assert_eq!(page.events.len(), 2);
    let (again, once) = (&page.events[0], &page.events[1]);
    assert_eq!(once.id, first);
    assert_ne!(again.id, first);
    assert_eq!(again.timestamp, once.timestamp);
    assert_eq!(again.door, once.door);
    assert_eq!(again.user, once.user);
    assert_eq!(again.created_at, once.created_at.plus(90_000));
}

/// The caching layer's kept answer: `Age` counts how long it was kept (unless switched
/// off), and its `Date` is the present or, switched on, that of the answer it keeps.
#[tokio::test]
async fn a_caching_layer_says_its_age_and_which_date_it_sends() {
    for (keeps_date, without_age) in [(false, false), (true, false), (false, true)] {
        let fake = fake_with(|c| {
            c.stale_for_ms = Some(7 * Millis::MINUTE);
            c.stale_keeps_date = keeps_date;
            c.stale_without_age = without_age;
        })
        .await;
        let first = get(&fake, "/eventLogs?limit=5").await;
        fake.advance(2 * Millis::MINUTE);
        let kept = get(&fake, "/eventLogs?limit=5").await;
        let age = if without_age { None } else { Some("120") };
        assert_eq!(kept.header("age"), age, "{keeps_date} {without_age}");
        let same_date = kept.header("date") == first.header("date");
        assert_eq!(same_date, keeps_date, "{keeps_date} {without_age}");
    }
}
