//! The API reference page (`/api/docs`): the OpenAPI document as one readable, keyboard-friendly
//! HTML page — operations by tag with their parameters, bodies and answers, then every schema.
//! Rendered by Leptos on the server (so every text is escaped) from the document's JSON form,
//! with no script and nothing fetched from elsewhere.

use leptos::prelude::*;
use serde_json::{Map, Value};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The page's HTML for `doc`, styled by the site's stylesheet at `css`.
pub fn render(doc: &utoipa::openapi::OpenApi, css: &str) -> String {
    let doc = serde_json::to_value(doc).unwrap_or_default();
    let title = doc["info"]["title"].as_str().unwrap_or("API").to_string();
    let version = doc["info"]["version"].as_str().unwrap_or_default().to_string();
    let intro = doc["info"]["description"].as_str().unwrap_or_default().to_string();
    let tags: Vec<(String, String)> = doc["tags"]
        .as_array()
        .map(|t| {
            t.iter()
                .map(|t| {
                    (
                        t["name"].as_str().unwrap_or_default().to_string(),
                        t["description"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let ops = operations(&doc);
    let schemas: Vec<(String, Value)> = doc["components"]["schemas"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let sections = tags
        .into_iter()
        .map(|(tag, about)| {
            let mine: Vec<Op> = ops.iter().filter(|o| o.tag == tag).cloned().collect();
            view! {
                <section aria-labelledby=format!("tag-{tag}")>
                    <h2 id=format!("tag-{tag}")>{tag.clone()}</h2>
                    <p>{about}</p>
                    {mine.into_iter().map(op_view).collect_view()}
                </section>
            }
        })
        .collect_view();
    let schema_list = schemas.into_iter().map(|(name, s)| schema_view(name, &s)).collect_view();
    let page = view! {
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <title>{format!("{title} reference")}</title>
                <link rel="stylesheet" href=css.to_string() />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
            </head>
            <body class="api-docs">
                <header class="site-header"><a class="brand" href="/">"Switchyard"</a></header>
                <main id="main">
                    <h1>{title} " " <small>{version}</small></h1>
                    <p>{intro}</p>
                    <p>
                        "Machine-readable: " <a href="/api/v1/openapi.json">"/api/v1/openapi.json"</a>
                        " (OpenAPI 3.1). Authenticate with an API token as "
                        <code>"Authorization: Bearer sy_…"</code>
                        " or with the session cookie of a sign-in. Every error answers "
                        <a href="#schema-ErrorBody"><code>"ErrorBody"</code></a> "."
                    </p>
                    {sections}
                    <section aria-labelledby="schemas">
                        <h2 id="schemas">"Schemas"</h2>
                        {schema_list}
                    </section>
                </main>
            </body>
        </html>
    };
    format!("<!DOCTYPE html>{}", page.to_html())
}

#[derive(Clone)]
struct Op {
    tag: String,
    method: String,
    path: String,
    summary: String,
    params: Vec<Value>,
    body: Option<Value>,
    responses: Vec<(String, Value)>,
}

fn operations(doc: &Value) -> Vec<Op> {
    let mut out = Vec::new();
    let Some(paths) = doc["paths"].as_object() else { return out };
    for (path, item) in paths {
        for m in METHODS {
            let Some(op) = item.get(m) else { continue };
            out.push(Op {
                tag: op["tags"][0].as_str().unwrap_or_default().to_string(),
                method: m.to_uppercase(),
                path: path.clone(),
                summary: op["summary"].as_str().unwrap_or_default().to_string(),
                params: op["parameters"].as_array().cloned().unwrap_or_default(),
                body: op.get("requestBody").cloned(),
                responses: op["responses"]
                    .as_object()
                    .map(|r| r.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
            });
        }
    }
    out
}

fn op_view(op: Op) -> impl IntoView {
    let id = format!("op-{}-{}", op.method.to_lowercase(), op.path.replace(['/', '{', '}', '.'], "-"));
    let params = (!op.params.is_empty()).then(|| {
        let rows = op
            .params
            .iter()
            .map(|p| {
                let required = p["required"].as_bool().unwrap_or(false);
                view! {
                    <tr>
                        <td><code>{p["name"].as_str().unwrap_or_default().to_string()}</code></td>
                        <td>{p["in"].as_str().unwrap_or_default().to_string()}</td>
                        <td>{type_view(&p["schema"])}</td>
                        <td>{if required { "required" } else { "optional" }}</td>
                        <td>{p["description"].as_str().unwrap_or_default().to_string()}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table>
                <caption>"Parameters"</caption>
                <thead><tr><th scope="col">"Name"</th><th scope="col">"In"</th><th scope="col">"Type"</th><th scope="col">"Required"</th><th scope="col">"About"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
    });
    let body = op.body.map(|b| {
        let content = content_view(&b["content"]);
        view! { <p>"Body: " {b["description"].as_str().unwrap_or_default().to_string()} " " {content}</p> }
    });
    let responses = op
        .responses
        .into_iter()
        .map(|(code, r)| {
            view! {
                <li>
                    <strong>{code}</strong> " " {r["description"].as_str().unwrap_or_default().to_string()} " "
                    {content_view(&r["content"])}
                </li>
            }
        })
        .collect_view();
    view! {
        <article id=id.clone() class="api-op" aria-labelledby=format!("{id}-h")>
            <h3 id=format!("{id}-h")><code>{format!("{} {}", op.method, op.path)}</code></h3>
            <p>{op.summary}</p>
            {params}
            {body}
            <details>
                <summary>"Answers"</summary>
                <ul>{responses}</ul>
            </details>
        </article>
    }
}

/// "application/json: Profile" for a content map.
fn content_view(content: &Value) -> AnyView {
    let items: Vec<(String, Value)> = content
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v["schema"].clone())).collect())
        .unwrap_or_default();
    items
        .into_iter()
        .map(|(ct, schema)| view! { <span class="api-content"><code>{ct}</code> " " {type_view(&schema)}</span> })
        .collect_view()
        .into_any()
}

/// A schema's type in a few words, linking named schemas.
fn type_view(schema: &Value) -> AnyView {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or_default().to_string();
        return view! { <a href=format!("#schema-{name}")><code>{name.clone()}</code></a> }.into_any();
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(items) = schema[key].as_array() {
            let word = if key == "allOf" { " and " } else { " or " };
            let parts: Vec<AnyView> = items.iter().map(type_view).collect();
            let n = parts.len();
            return parts
                .into_iter()
                .enumerate()
                .map(|(i, p)| view! { {p} {(i + 1 < n).then_some(word)} })
                .collect_view()
                .into_any();
        }
    }
    let ty = match &schema["type"] {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | "),
        _ => String::new(),
    };
    if ty.starts_with("array") {
        return view! { "array of " {type_view(&schema["items"])} }.into_any();
    }
    let detail = schema["format"]
        .as_str()
        .map(|f| format!(" ({f})"))
        .or_else(|| {
            schema["enum"]
                .as_array()
                .map(|e| format!(": {}", e.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")))
        })
        .unwrap_or_default();
    let ty = if ty.is_empty() { "any".to_string() } else { ty };
    view! { <code>{ty}</code> {detail} }.into_any()
}

fn schema_view(name: String, s: &Value) -> AnyView {
    let empty = Map::new();
    let props = s["properties"].as_object().unwrap_or(&empty);
    let required: Vec<&str> =
        s["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let rows = props
        .iter()
        .map(|(p, v)| {
            let req = required.contains(&p.as_str());
            view! {
                <tr>
                    <td><code>{p.clone()}</code></td>
                    <td>{type_view(v)}</td>
                    <td>{if req { "required" } else { "optional" }}</td>
                    <td>{v["description"].as_str().unwrap_or_default().to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    let shape = (props.is_empty()).then(|| view! { <p>"Shape: " {type_view(s)}</p> });
    view! {
        <article id=format!("schema-{name}") class="api-schema">
            <h3><code>{name.clone()}</code></h3>
            <p>{s["description"].as_str().unwrap_or_default().to_string()}</p>
            {shape}
            {(!props.is_empty()).then(|| view! {
                <table>
                    <thead><tr><th scope="col">"Field"</th><th scope="col">"Type"</th><th scope="col">"Required"</th><th scope="col">"About"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            })}
        </article>
    }
    .into_any()
}
