//! The built front end over HTTP: content-hashed names cached for good,
//! plain names revalidated, and brotli or gzip as the request allows. Needs
//! the site `cargo xtask build` lays out (`cargo xtask test` builds it).

mod common;

use common::{TestApp, TestDb, built_site, hashed};
use reqwest::StatusCode;
use std::io::Read;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.client.get(format!("{}{path}", app.base));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.send().await.unwrap()
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    res.headers().get(name).map(|v| v.to_str().unwrap())
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut &bytes[..], &mut out).unwrap();
    out
}

fn ungzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

#[tokio::test]
async fn files_come_compressed_as_the_browser_asks() {
    let site = built_site();
    let app = TestApp::builder().db(TestDb::sqlite()).site(&site).spawn().await;
    for plain in [
        "/pkg/berth_bg.wasm",
        "/pkg/berth.js",
        "/assets/berth.css",
        "/vendor/xterm.mjs",
    ] {
        let url = hashed(&site, plain);
        let file = std::fs::read(site.join(url.trim_start_matches('/'))).unwrap();

        let br = get(&app, &url, &[("accept-encoding", "gzip, deflate, br, zstd")]).await;
        assert_eq!(br.status(), StatusCode::OK);
        assert_eq!(header(&br, "content-encoding"), Some("br"), "{url}");
        assert_eq!(header(&br, "vary"), Some("accept-encoding"));
        let content_type = header(&br, "content-type").unwrap().to_string();
        let body = br.bytes().await.unwrap();
        assert!(
            body.len() < file.len() / 2,
            "{url}: {} bytes of brotli for {}",
            body.len(),
            file.len()
        );
        assert_eq!(unbrotli(&body), file, "{url}");

        let gzip = get(&app, &url, &[("accept-encoding", "gzip")]).await;
        assert_eq!(header(&gzip, "content-encoding"), Some("gzip"));
        assert_eq!(header(&gzip, "content-type"), Some(content_type.as_str()));
        assert_eq!(ungzip(&gzip.bytes().await.unwrap()), file, "{url}");

        // Brotli refused: gzip. Nothing accepted: the file as it is.
        let no_br = get(&app, &url, &[("accept-encoding", "br;q=0, gzip;q=0.5")]).await;
        assert_eq!(header(&no_br, "content-encoding"), Some("gzip"));
        let plain_bytes = get(&app, &url, &[]).await;
        assert_eq!(header(&plain_bytes, "content-encoding"), None);
        assert_eq!(header(&plain_bytes, "vary"), Some("accept-encoding"));
        assert_eq!(plain_bytes.bytes().await.unwrap(), file, "{url}");
    }
    let wasm = get(&app, &hashed(&site, "/pkg/berth_bg.wasm"), &[]).await;
    assert_eq!(header(&wasm, "content-type"), Some("application/wasm"));
}

#[tokio::test]
async fn hashed_names_are_cached_for_good_and_plain_names_revalidate() {
    let site = built_site();
    let app = TestApp::builder().db(TestDb::sqlite()).site(&site).spawn().await;
    let url = hashed(&site, "/assets/berth.css");
    assert_ne!(url, "/assets/berth.css");
    let res = get(&app, &url, &[("accept-encoding", "br")]).await;
    assert_eq!(header(&res, "cache-control"), Some(IMMUTABLE));
    let etag = header(&res, "etag").unwrap().to_string();

    // A wrong or stale hash is not some other version of the file.
    let wrong = url.replace(url.split('.').nth(1).unwrap(), "0123456789abcdef");
    assert_eq!(get(&app, &wrong, &[]).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        get(&app, &format!("{url}.br"), &[]).await.status(),
        StatusCode::NOT_FOUND,
        "variants are reached through Accept-Encoding only"
    );

    // The plain name serves the same file, revalidated; each encoding has
    // its own entity tag, and a matching one gets a 304 without a body.
    let plain = get(&app, "/assets/berth.css", &[("accept-encoding", "br")]).await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(header(&plain, "cache-control"), Some("no-cache"));
    assert_eq!(header(&plain, "etag"), Some(etag.as_str()));
    let gzip = get(&app, "/assets/berth.css", &[("accept-encoding", "gzip")]).await;
    let gzip_etag = header(&gzip, "etag").unwrap().to_string();
    assert_ne!(gzip_etag, etag);
    let again = get(
        &app,
        "/assets/berth.css",
        &[("accept-encoding", "br"), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&again, "content-encoding"), Some("br"));
    assert!(again.bytes().await.unwrap().is_empty());
    let other = get(
        &app,
        "/assets/berth.css",
        &[("accept-encoding", "br"), ("if-none-match", &gzip_etag)],
    )
    .await;
    assert_eq!(other.status(), StatusCode::OK, "a gzip tag does not validate brotli");
}

#[tokio::test]
async fn pages_and_scripts_name_the_hashed_files() {
    let site = built_site();
    let app = TestApp::builder().db(TestDb::sqlite()).site(&site).spawn().await;
    let (status, html) = app.page("/modules/containers/a-process-with-walls").await;
    assert_eq!(status, StatusCode::OK);
    let glue = hashed(&site, "/pkg/berth.js");
    let wasm = hashed(&site, "/pkg/berth_bg.wasm");
    for plain in ["/assets/berth.css", "/assets/favicon.svg", "/assets/terminal.js"] {
        let url = hashed(&site, plain);
        assert!(html.contains(&format!("\"{url}\"")), "the page links {url}");
        assert!(!html.contains(&format!("\"{plain}\"")), "the page links {plain}");
    }
    // Leptos's hydration scripts: preloads and the import itself.
    let bundle = glue.trim_start_matches("/pkg/").trim_end_matches(".js");
    assert!(
        html.contains(&format!(r#"<link rel="modulepreload" href="{glue}""#)),
        "{html}"
    );
    assert!(
        html.contains(&format!(r#"<link rel="preload" href="{wasm}""#)),
        "{html}"
    );
    assert!(html.contains(&format!(r#""{bundle}", "{bundle}_bg""#)), "{html}");
    // The glue fetches only the wasm it is given: it has no default of its
    // own (wasm-bindgen's would be `new URL('berth_bg.wasm', import.meta.url)`).
    let glue_text = get(&app, &glue, &[]).await.text().await.unwrap();
    assert!(!glue_text.contains("_bg.wasm") && !glue_text.contains("import.meta.url"));
    for url in [&glue, &wasm] {
        let res = get(&app, url, &[]).await;
        assert_eq!(res.status(), StatusCode::OK, "{url}");
        assert_eq!(header(&res, "cache-control"), Some(IMMUTABLE));
    }

    // What loads later is named by hash too: xterm from the terminal
    // script, mermaid from the wasm.
    let terminal = get(&app, &hashed(&site, "/assets/terminal.js"), &[])
        .await
        .text()
        .await
        .unwrap();
    for plain in ["/vendor/xterm.mjs", "/vendor/addon-fit.mjs", "/vendor/xterm.css"] {
        assert!(
            terminal.contains(&format!("\"{}\"", hashed(&site, plain))),
            "{terminal}"
        );
        assert!(!terminal.contains(plain), "{terminal}");
    }
    let wasm = get(&app, &wasm, &[]).await.bytes().await.unwrap();
    let mermaid = hashed(&site, "/vendor/mermaid.min.js");
    assert!(wasm.windows(mermaid.len()).any(|w| w == mermaid.as_bytes()));
}
