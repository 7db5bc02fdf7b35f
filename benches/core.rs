//! Native benchmarks of the core's hot paths (issue 5): what the extension runs on every
//! keystroke, every settings change and every pasted tenant ID.
//!
//! The tenant list is the same synthetic 10,000-tenant list the browser benchmarks store
//! (`benches/browser/tenants.mjs` implements the same generator), so the native figures and the
//! popup figures describe the same data. Run with `cargo bench --bench core`; `scripts/bench.sh`
//! reads the medians criterion writes under `target/criterion/`.

use std::hint::black_box;
use std::process::exit;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use serde_json::{json, Value};
use tenant_switch::portal::with_tenant;
use tenant_switch::search::{TenantIndex, TenantPicker};
use tenant_switch::session::{Event, Session, StartInput};
use tenant_switch::settings::Settings;
use tenant_switch::tenant::Tenant;
use tenant_switch::tenant_id::TenantId;

const COMPANIES: [&str; 20] = [
    "Contoso",
    "Fabrikam",
    "Northwind",
    "Adventure Works",
    "Tailspin",
    "Wingtip",
    "Litware",
    "Proseware",
    "Woodgrove",
    "Alpine Ski",
    "Blue Yonder",
    "Coho Vineyard",
    "Humongous",
    "Lucerne",
    "Margie's Travel",
    "Trey Research",
    "Wide World",
    "Graphic Design",
    "A. Datum",
    "Relecloud",
];
const TRADES: [&str; 16] = [
    "Bank",
    "Health",
    "Traders",
    "Works",
    "Airlines",
    "Toys",
    "Insurance",
    "Energy",
    "Logistics",
    "Foods",
    "Media",
    "Labs",
    "Retail",
    "Pharma",
    "Motors",
    "Capital",
];
const REGIONS: [&str; 8] = ["EU", "US", "APAC", "UK", "DE", "NL", "FR", "JP"];

/// A 32-bit integer hash (the "lowbias32" finaliser): spreads tenant numbers into ID digits.
fn mix(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^= x >> 16;
    x
}

fn pick<'a>(words: &[&'a str], n: usize) -> &'a str {
    words.get(n % words.len()).copied().unwrap_or_default()
}

/// Tenant number `i` of the synthetic list: `{name, id, domain}` as stored.
fn synthetic_tenant(i: u32) -> Value {
    let n = i as usize;
    let company = pick(&COMPANIES, n);
    let trade = pick(&TRADES, n / COMPANIES.len());
    let region = pick(&REGIONS, n / (COMPANIES.len() * TRADES.len()));
    let name = format!("{company} {trade} {region} {i}");
    let words: Vec<u32> = (0..4)
        .map(|k| mix(i.wrapping_mul(4).wrapping_add(k + 1)))
        .collect();
    let [a, b, c, d] = [0, 1, 2, 3].map(|k| words.get(k).copied().unwrap_or_default());
    // Version 4, variant 10xx: what Entra ID's tenant IDs look like.
    let id = format!(
        "{a:08x}-{:04x}-{:04x}-{:04x}-{:04x}{d:08x}",
        b >> 16,
        (b & 0x0fff) | 0x4000,
        ((c >> 16) & 0x3fff) | 0x8000,
        c & 0xffff,
    );
    let slug: String = format!("{company}{trade}{i}")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|ch| ch.to_ascii_lowercase())
        .collect();
    json!({ "name": name, "id": id, "domain": format!("{slug}.onmicrosoft.com") })
}

/// Stored settings (schema 2) with `count` synthetic tenants, the first one for new tabs.
fn synthetic_settings(count: u32) -> Value {
    let tenants: Vec<Value> = (0..count).map(synthetic_tenant).collect();
    let active = tenants.first().map(|tenant| tenant["id"].clone());
    let recent: Vec<Value> = tenants
        .iter()
        .take(5)
        .map(|tenant| tenant["id"].clone())
        .collect();
    json!({
        "schemaVersion": 2,
        "tenants": tenants,
        "defaultTenant": active,
        "automaticRewrite": true,
        "recentTenants": recent,
    })
}

/// Ends the run with a message when the benchmark's own input is wrong: nothing to measure then.
fn or_exit<T, E: std::fmt::Display>(result: Result<T, E>, what: &str) -> T {
    match result {
        Ok(value) => value,
        Err(error) => {
            eprintln!("benches/core.rs: {what}: {error}");
            exit(1)
        }
    }
}

const CANONICAL_ID: &str = "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6b";

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("tenant_id_parse");
    let inputs = [
        ("canonical", CANONICAL_ID.to_owned()),
        (
            "upper_braced",
            format!(" {{{}}}\t", CANONICAL_ID.to_uppercase()),
        ),
        (
            "portal_url",
            format!("https://security.microsoft.com/alerts?tid={CANONICAL_ID}&x=1"),
        ),
        ("invalid", "6f1c2b6a-0c6e-4b8e-9e0a-2c1d3e4f5a6x".to_owned()),
    ];
    for (label, input) in &inputs {
        group.bench_with_input(BenchmarkId::from_parameter(label), input, |b, input| {
            b.iter(|| TenantId::parse(black_box(input)))
        });
    }
    group.finish();
}

fn bench_with_tenant(c: &mut Criterion) {
    let tenant = or_exit(TenantId::parse(CANONICAL_ID), "the benchmark tenant ID");
    let mut group = c.benchmark_group("with_tenant");
    let inputs = [
        ("home", "https://security.microsoft.com/"),
        (
            "deep_link",
            "https://security.microsoft.com/alerts/da637?view=timeline&range=7d#details",
        ),
        (
            "explicit_tid",
            "https://security.microsoft.com/x?tid=0b8f4e2a-1d3c-4f5e-8a7b-9c0d1e2f3a4b",
        ),
    ];
    for (label, input) in inputs {
        group.bench_with_input(BenchmarkId::from_parameter(label), input, |b, input| {
            b.iter(|| with_tenant(black_box(input), black_box(&tenant)))
        });
    }
    group.finish();
}

/// What a worker start reads, with `count` tenants and the rules already in place.
fn start_input(count: u32) -> StartInput {
    let settings = synthetic_settings(count);
    let default = settings["defaultTenant"]
        .as_str()
        .and_then(|id| TenantId::parse(id).ok());
    let rules =
        tenant_switch::rules::default_rules(default, &tenant_switch::portal::Scope::defender());
    or_exit(
        serde_json::from_value(json!({
            "now": 1_767_225_600_000u64,
            "local": {"settings": settings, "lastPolicy": {"seenAt": 1, "managed": null}},
            "dynamicRules": rules,
            "tabs": [{"id": 1, "url": "https://security.microsoft.com/?tid=00000000-0000-4000-8000-000000000001"}],
        })),
        "the start input",
    )
}

fn event(value: Value) -> Event {
    or_exit(serde_json::from_value(value), "the event")
}

fn bench_session(c: &mut Criterion) {
    let mut group = c.benchmark_group("session");
    group.sample_size(20);
    for count in [1, 10_000] {
        let input = start_input(count);
        group.bench_with_input(BenchmarkId::new("start", count), &input, |b, input| {
            b.iter(|| Session::start(black_box(input.clone())))
        });
        let (mut session, _) = Session::start(input.clone());
        let mut n = 0u64;
        group.bench_function(BenchmarkId::new("add_tenant", count), |b| {
            b.iter(|| {
                n += 1;
                let added = session.handle(event(json!({
                    "type": "message", "id": n, "now": 1_767_225_600_000u64 + n,
                    "message": {"what": "applyOperation", "operation": {"op": "addTenant",
                        "tenant": {"name": format!("Added {n}"), "id": format!("20000000-0000-4000-8000-{n:012x}")}}}
                })));
                // The store succeeded: the next event is not a failure report.
                black_box(added)
            })
        });
        let (mut session, _) = Session::start(input);
        group.bench_function(BenchmarkId::new("tab_event", count), |b| {
            b.iter(|| {
                n += 1;
                black_box(session.handle(event(json!({
                    "type": "tabUpdated", "tabId": 1, "now": 1_767_225_600_000u64 + n,
                    "url": format!("https://security.microsoft.com/incidents/{n}?tid=00000000-0000-4000-8000-000000000001")
                }))))
            })
        });
    }
    // The core's share of one keystroke in the popup: the `picker` message for a query.
    for count in [10_000, 50_000] {
        let (mut session, _) = Session::start(start_input(count));
        let mut n = 0u64;
        group.bench_function(BenchmarkId::new("picker_message", count), |b| {
            b.iter(|| {
                n += 1;
                black_box(session.handle(event(json!({
                    "type": "message", "id": n, "now": 1_767_225_600_000u64 + n,
                    "message": {"what": "picker", "query": "contoso b",
                        "tab": {"id": 1, "url": "https://security.microsoft.com/?tid=00000000-0000-4000-8000-000000000001"}}
                }))))
            })
        });
    }
    group.finish();
}

fn bench_search(c: &mut Criterion) {
    const TENANTS: u32 = 10_000;
    // The popup asks for one more row than it draws (popup.js LIMIT + 1).
    const LIMIT: usize = 51;
    let stored = synthetic_settings(TENANTS);
    let settings = or_exit(Settings::load(Some(&stored)), "the synthetic settings");
    let tenants: Vec<Tenant> = settings.tenants().to_vec();
    let picker = TenantPicker::new(&settings, "No tenant");
    let index = TenantIndex::new(&tenants);
    let id_prefix = stored["tenants"][5000]["id"]
        .as_str()
        .and_then(|id| id.get(..8))
        .unwrap_or("00000000")
        .to_owned();

    let mut group = c.benchmark_group("search_10000");
    group.throughput(Throughput::Elements(u64::from(TENANTS)));
    let queries = [
        ("empty", String::new()),
        ("one_letter", "c".to_owned()),
        ("name_prefix", "contoso".to_owned()),
        ("later_word", "traders".to_owned()),
        ("substring", "oyonde".to_owned()),
        ("domain", "wingtipbank".to_owned()),
        ("id_prefix", id_prefix),
        ("no_match", "zzzz".to_owned()),
    ];
    for (label, query) in &queries {
        group.bench_with_input(BenchmarkId::new("picker", label), query, |b, query| {
            b.iter(|| picker.search(black_box(query), LIMIT))
        });
    }
    group.bench_function("index_search/name_prefix", |b| {
        b.iter(|| index.search(black_box("contoso"), LIMIT))
    });
    group.finish();

    // What the popup pays once when it opens, before the first keystroke.
    let mut group = c.benchmark_group("open_10000");
    group.sample_size(20);
    group.bench_function("settings_load", |b| {
        b.iter(|| Settings::load(Some(black_box(&stored))))
    });
    group.bench_function("picker_new", |b| {
        b.iter(|| TenantPicker::new(black_box(&settings), "No tenant"))
    });
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    bench_parse(&mut criterion);
    bench_with_tenant(&mut criterion);
    bench_session(&mut criterion);
    bench_search(&mut criterion);
    criterion.final_summary();
}
