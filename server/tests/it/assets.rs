//! The site's assets are compressed once and served precompressed; hashed names are cached for good.

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
    std::fs::write(pkg.join("switchyard.0123456789abcdef.js"), "export default 1;".repeat(100)).unwrap();
    assert_eq!(switchyard::assets::precompress(&pkg).unwrap(), 2);
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
    // A name with a content hash never changes its content: cached for good.
    let hashed = client.get(format!("http://{addr}/pkg/switchyard.0123456789abcdef.js")).send().await.unwrap();
    assert_eq!(hashed.status(), 200);
    assert_eq!(hashed.headers()["cache-control"], "public, max-age=31536000, immutable");
    let missing = client.get(format!("http://{addr}/pkg/switchyard.fedcba9876543210.js")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.headers().get("cache-control").is_none_or(|v| v != "public, max-age=31536000, immutable"));
    std::fs::remove_dir_all(&root).unwrap();
}
