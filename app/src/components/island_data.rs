//! Data for an island without island props. Leptos hands an island its props as JSON, and
//! decoding JSON in the browser costs the bundle serde_json (and with it float formatting for its
//! error messages): tens of kilobytes for the studio. Instead the page embeds the data once as
//! postcard bytes in base64 in a `<script type="application/octet-stream">`, and the island
//! reads it: on the server from the context [`embed`] provides, in the browser from that element.
//! Only for types whose serde shape is plain (no `flatten`, no `skip_serializing_if`, no
//! untagged enums): postcard is not self-describing.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The data as the island sees it on the server.
#[derive(Clone)]
struct Embedded<T>(T);

/// Renders `value` for the island that [`read`]s it by the same `id`, and provides it to that
/// island while the server renders it. Returns the element to place before the island.
pub fn embed<T: Serialize + Clone + Send + Sync + 'static>(id: &'static str, value: T) -> impl IntoView {
    let packed = encode(&value);
    provide_context(Embedded(value));
    // A data block, never run; it carries the page's nonce all the same, so every <script> on a
    // page is one the Content-Security-Policy allows.
    view! { <script type="application/octet-stream" id=id nonce=leptos::nonce::use_nonce() inner_html=packed></script> }
}

/// The data [`embed`]ded under `id`; `None` when it is missing or does not decode (the page and
/// the bundle come from different builds).
pub fn read<T: DeserializeOwned + Clone + Send + Sync + 'static>(id: &str) -> Option<T> {
    if let Some(Embedded(v)) = use_context::<Embedded<T>>() {
        return Some(v);
    }
    #[cfg(feature = "ssr")]
    {
        let _ = id;
        None
    }
    #[cfg(not(feature = "ssr"))]
    {
        let text = document().get_element_by_id(id)?.text_content()?;
        decode(&text)
    }
}

/// The value as postcard bytes in base64 (empty if it cannot be serialized).
pub fn encode<T: Serialize>(value: &T) -> String {
    postcard::to_allocvec(value).map(|b| STANDARD_NO_PAD.encode(b)).unwrap_or_default()
}

/// Base64 text back to the value.
pub fn decode<T: DeserializeOwned>(text: &str) -> Option<T> {
    let bytes = STANDARD_NO_PAD.decode(text.trim()).ok()?;
    postcard::from_bytes(&bytes).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::model::{Me, Role, StudioData, StudioProfile, StudioStart, WhatIfFleet, WhatIfGroup};
    use domain::{Tier, Weights};

    /// The studio's data as the island reads it, with every optional field set and unset and
    /// non-ASCII text.
    #[test]
    fn the_studio_data_survives_the_embedding() {
        let model = domain::reference::reference().unwrap().model();
        let n = model.criteria.len();
        let profile = |id: i64, tier: Option<Tier>| StudioProfile {
            id,
            name: format!("Profil №{id} „Győr“"),
            description: String::new(),
            tier,
            weights: Weights(vec![111; n]),
            version: 3,
            meta: "Version 3 · last saved 2026-12-04 10:00:00 UTC by ada@example.com".into(),
        };
        let data = StudioData {
            model,
            profiles: vec![profile(1, None), profile(2, Some(Tier::Cell))],
            me: Me { email: "ada@example.com".into(), display_name: "Ada".into(), role: Role::Architect },
            start: StudioStart {
                profile: Some(2),
                weights: Weights(vec![0; n]),
                tier: None,
                name: "Zz ünïcode".into(),
                notice: None,
                conflict: Some("someone saved first".into()),
                ranges: Some(crate::model::StakeholderRanges { count: 3, lo: vec![0; n], hi: vec![1000; n] }),
            },
            fleet: WhatIfFleet {
                sites: vec!["Győr".into(), "Porto".into()],
                groups: vec![WhatIfGroup {
                    tier: Tier::Plant,
                    knocked_out: vec!["cilium".into()],
                    winner: None,
                    sites: vec![(0, 3), (1, 40_000)],
                }],
            },
        };
        let text = encode(&data);
        assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/'), "safe inside <script>");
        assert_eq!(decode::<StudioData>(&text), Some(data));
        assert_eq!(decode::<StudioData>("not base64!"), None);
        assert_eq!(decode::<StudioData>("AAAA"), None, "too short for the model");
    }
}
