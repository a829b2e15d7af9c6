//! The audit log: every change, who made it and when, with filters and CSV export.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::list_audit;
use crate::components::{FilterSelect, Loaded, same_pairs};
use crate::model::{AUDIT_ENTITIES, AuditEntry, AuditFilter, AuditPage};

/// `/audit`.
#[component]
pub fn Audit() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        query.with(|q| {
            let get = |k: &str| q.get(k).filter(|v| !v.trim().is_empty());
            AuditFilter {
                entity: get("entity"),
                actor: get("actor"),
                since: get("since"),
                until: get("until"),
                cursor: get("cursor").and_then(|c| c.parse().ok()),
                limit: None,
            }
        })
    };
    let entries = Resource::new(filter, list_audit);
    let csv_href = move || {
        let f = filter();
        let pairs = [("entity", f.entity), ("actor", f.actor), ("since", f.since), ("until", f.until)];
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            if let Some(v) = v {
                q.append_pair(k, &v);
            }
        }
        format!("/api/v1/audit.csv?{}", q.finish())
    };
    let value = move |k: &'static str| query.with(|q| q.get(k).unwrap_or_default());
    view! {
        <section class="panel">
            <h1>"Audit log"</h1>
            <p class="lede">"Every change, written in the same transaction as the change itself. The database refuses to alter or delete entries."</p>
            <form method="get" class="filters">
                <FilterSelect id="f-entity" name="entity" label="Entity" options=same_pairs(AUDIT_ENTITIES) current=Signal::derive(move || value("entity")) />
                <label for="f-actor">"Who"</label>
                <input id="f-actor" name="actor" type="text" value=move || value("actor") placeholder="email contains…" />
                <label for="f-since">"From"</label>
                <input id="f-since" name="since" type="date" value=move || value("since") />
                <label for="f-until">"Before"</label>
                <input id="f-until" name="until" type="date" value=move || value("until") />
                <button type="submit">"Filter"</button>
                <a href=csv_href download="switchyard-audit.csv">"Export CSV"</a>
            </form>
            <Loaded resource=entries render={move |page: AuditPage| {
                let older = page.next_cursor.map(|c| {
                    let f = filter();
                    let mut q = form_urlencoded::Serializer::new(String::new());
                    for (k, v) in [("entity", f.entity), ("actor", f.actor), ("since", f.since), ("until", f.until)] {
                        if let Some(v) = v {
                            q.append_pair(k, &v);
                        }
                    }
                    q.append_pair("cursor", &c.to_string());
                    format!("/audit?{}", q.finish())
                });
                view! {
                    {audit_table(page.entries)}
                    {older.map(|href| view! { <p><a href=href data-testid="audit-older">"Older entries →"</a></p> })}
                }
            }} />
        </section>
    }
}

fn audit_table(list: Vec<AuditEntry>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p>"No entries match."</p> }.into_any();
    }
    view! {
        <table class="data" data-testid="audit-table">
            <thead><tr><th>"When (UTC)"</th><th>"Who"</th><th>"What"</th><th>"Action"</th><th>"Change"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|e| view! {
                    <tr>
                        <td class="num">{e.at.replace('T', " ").replace('Z', "")}</td>
                        <td>{e.actor}</td>
                        <td>{format!("{} #{}", e.entity, e.entity_id)}</td>
                        <td>{e.action}</td>
                        <td>
                            <details>
                                <summary>"before / after"</summary>
                                <pre>{e.before.map(|v| v.to_string()).unwrap_or_else(|| "—".into())}</pre>
                                <pre>{e.after.map(|v| v.to_string()).unwrap_or_else(|| "—".into())}</pre>
                            </details>
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
