//! The site's assets are compressed once and served precompressed, revalidated by browsers.

use sqlx::PgPool;
use switchyard::{AppState, AuthConfig, leptos_options};

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn assets_are_served_precompressed_as_the_browser_accepts(pool: PgPool) {
    switchyard::prepare(&pool).await.unwrap();
    let root = std::env::temp_dir().join(format!("switchyard-site-{}", std::process::id()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let wasm: Vec<u8> = (0..200_000u32).map(|i| (i % 7) as u8).collect();
    std::fs::write(pkg.join("switchyard.wasm"), &wasm).unwrap();
    assert_eq!(switchyard::assets::precompress(&pkg).unwrap(), 1);
    assert_eq!(switchyard::assets::precompress(&pkg).unwrap(), 0, "fresh files are not compressed again");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(pool, leptos_options(root.to_str().unwrap(), addr), AuthConfig::for_addr(addr));
    tokio::spawn(async move { switchyard::serve(listener, state).await });
    let client = reqwest::Client::builder().no_gzip().no_brotli().build().unwrap();
    let get = |enc: &'static str| {
        let (client, url) = (client.clone(), format!("http://{addr}/pkg/switchyard.wasm"));
        async move { client.get(url).header("accept-encoding", enc).send().await.unwrap() }
    };
    let br = get("gzip, br").await;
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["cache-control"], "no-cache");
    let br_len = br.bytes().await.unwrap().len();
    let gz = get("gzip").await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let plain = get("identity").await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap().len(), wasm.len());
    assert!(br_len < wasm.len() / 10, "{br_len}");
    std::fs::remove_dir_all(&root).unwrap();
}
