//! Admin pages: users (create, role, disable, password) and API tokens.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::AppError;
use crate::api::{add_token, add_user, change_user, list_tokens, list_users, revoke_token};
use crate::components::Loaded;
use crate::model::{Role, Scope, Token, User, UserPatch};

fn role_from(s: &str) -> Role {
    s.parse().unwrap_or(Role::Viewer)
}

fn describe(e: &AppError) -> String {
    match e {
        AppError::Validation { fields, .. } if !fields.is_empty() => {
            fields.values().cloned().collect::<Vec<_>>().join(" · ")
        }
        other => other.to_string(),
    }
}

/// `/admin/users`.
#[component]
pub fn Users() -> impl IntoView {
    view! { <UsersPanel /> }
}

/// The users list and forms: an island (the page around it is static).
#[cfg_attr(any(feature = "ssr", feature = "bundle-admin"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "bundle-admin")), component)]
fn UsersPanel() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let users = Resource::new(move || reload.get(), |_| list_users());
    let status = RwSignal::new(None::<String>);
    let (email, name, role, password) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new("viewer".to_string()),
        RwSignal::new(String::new()),
    );
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (e, n, r, p) =
            (email.get_untracked(), name.get_untracked(), role_from(&role.get_untracked()), password.get_untracked());
        spawn_local(async move {
            match add_user(e, n, r, p).await {
                Ok(u) => {
                    status.set(Some(format!("Created {} ({}).", u.email, u.role.as_str())));
                    email.set(String::new());
                    name.set(String::new());
                    password.set(String::new());
                    reload.update(|x| *x += 1);
                }
                Err(e) => status.set(Some(format!("Not created: {}", describe(&e)))),
            }
        });
    };
    let patch = move |id: i64, patch: UserPatch, what: &'static str| {
        spawn_local(async move {
            match change_user(id, patch).await {
                Ok(u) => {
                    status.set(Some(format!("{what} for {}.", u.email)));
                    reload.update(|x| *x += 1);
                }
                Err(e) => status.set(Some(format!("Not changed: {}", describe(&e)))),
            }
        });
    };
    view! {
        <section class="panel">
            <h1>"Users"</h1>
            <p class="lede">"Viewers read everything; architects also edit profiles, scores, clusters and decisions; admins also manage users, tokens and reference data."</p>
            <p data-testid="status" role="status" class="status">{move || status.get()}</p>
            <Loaded resource=users render={move |list: Vec<User>| view! {
                            <table class="data">
                                <thead><tr><th>"Email"</th><th>"Name"</th><th>"Role"</th><th>"Status"</th><th>"New password"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|u| {
                                        let id = u.id;
                                        let pw = RwSignal::new(String::new());
                                        let label = format!("Role of {}", u.email);
                                        view! {
                                            <tr>
                                                <td>{u.email.clone()}</td>
                                                <td>{u.display_name.clone()}</td>
                                                <td>
                                                    <select aria-label=label on:change=move |ev| patch(id, UserPatch { role: Some(role_from(&event_target_value(&ev))), ..Default::default() }, "Role changed")>
                                                        {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=r == u.role>{r.as_str()}</option> }).collect_view()}
                                                    </select>
                                                </td>
                                                <td>
                                                    {if u.disabled { "disabled" } else { "active" }} " "
                                                    <button type="button" on:click=move |_| patch(id, UserPatch { disabled: Some(!u.disabled), ..Default::default() }, if u.disabled { "Enabled" } else { "Disabled" })>
                                                        {if u.disabled { "Enable" } else { "Disable" }}
                                                    </button>
                                                </td>
                                                <td>
                                                    <input type="password" aria-label=format!("New password for {}", u.email) autocomplete="new-password" prop:value=move || pw.get() on:input=move |ev| pw.set(event_target_value(&ev)) />
                                                    <button type="button" on:click=move |_| patch(id, UserPatch { password: Some(pw.get_untracked()), ..Default::default() }, "Password reset; sessions ended")>"Set"</button>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
            }} />
            <h2>"Add a user"</h2>
            <form on:submit=create class="stack narrow">
                <label for="u-email">"Email"</label>
                <input id="u-email" type="email" required prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                <label for="u-name">"Display name"</label>
                <input id="u-name" type="text" required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <label for="u-role">"Role"</label>
                <select id="u-role" on:change=move |ev| role.set(event_target_value(&ev))>
                    {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.as_str()}</option> }).collect_view()}
                </select>
                <label for="u-password">"Initial password (12+ characters)"</label>
                <input id="u-password" type="password" autocomplete="new-password" required prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                <button type="submit">"Add user"</button>
            </form>
        </section>
    }
}

/// `/tokens`: API tokens for pipelines.
#[component]
pub fn Tokens() -> impl IntoView {
    view! { <TokensPanel /> }
}

/// The token list and form: an island.
#[cfg_attr(any(feature = "ssr", feature = "bundle-admin"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "bundle-admin")), component)]
fn TokensPanel() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let tokens = Resource::new(move || reload.get(), |_| list_tokens());
    let status = RwSignal::new(None::<String>);
    let secret = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new(Scope::Read);
    let days = RwSignal::new(String::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (n, s) = (name.get_untracked(), scope.get_untracked());
        let d = days.get_untracked();
        let expires = match d.trim() {
            "" => None,
            text => match text.parse::<u32>() {
                Ok(v) => Some(v),
                Err(_) => {
                    status.set(Some(format!("Not created: '{text}' is not a number of days")));
                    return;
                }
            },
        };
        spawn_local(async move {
            match add_token(n, s, expires).await {
                Ok(t) => {
                    secret.set(Some(t));
                    status.set(Some("Token created. Copy it now: it is shown only this once.".into()));
                    name.set(String::new());
                    reload.update(|x| *x += 1);
                }
                Err(e) => status.set(Some(format!("Not created: {}", describe(&e)))),
            }
        });
    };
    let revoke = move |id: i64| {
        spawn_local(async move {
            match revoke_token(id).await {
                Ok(()) => {
                    status.set(Some("Token revoked.".into()));
                    reload.update(|x| *x += 1);
                }
                Err(e) => status.set(Some(format!("Not revoked: {}", describe(&e)))),
            }
        });
    };
    view! {
        <section class="panel">
            <h1>"API tokens"</h1>
            <p class="lede">"For GitOps and CI: send " <code>"Authorization: Bearer <token>"</code> ". Read tokens only read; write tokens act with their owner's role. Tokens are stored hashed."</p>
            <p data-testid="status" role="status" class="status">{move || status.get()}</p>
            {move || secret.get().map(|s| view! { <p class="secret">"New token: " <code data-testid="new-token">{s}</code></p> })}
            <form on:submit=create class="inline">
                <label for="t-name">"Name"</label>
                <input id="t-name" type="text" required placeholder="argo-cd plant 7" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <label for="t-scope">"Scope"</label>
                <select id="t-scope" on:change=move |ev| scope.set(if event_target_value(&ev) == "write" { Scope::Write } else { Scope::Read })>
                    <option value="read">"read"</option>
                    <option value="write">"write"</option>
                </select>
                <label for="t-days">"Expires after (days, empty: never)"</label>
                <input id="t-days" type="text" inputmode="numeric" size="5" prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev)) />
                <button type="submit">"Create token"</button>
            </form>
            <Loaded resource=tokens render={move |list: Vec<Token>| view! {
                            <table class="data">
                                <thead><tr><th>"Name"</th><th>"Scope"</th><th>"Owner"</th><th>"Created"</th><th>"Last used"</th><th>"Expires"</th><th>"State"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|t| {
                                        let id = t.id;
                                        let active = t.revoked_at.is_none();
                                        view! {
                                            <tr>
                                                <td>{t.name}</td>
                                                <td>{if t.scope == Scope::Write { "write" } else { "read" }}</td>
                                                <td>{t.owner}</td>
                                                <td>{t.created_at}</td>
                                                <td>{t.last_used_at.unwrap_or_else(|| "never".into())}</td>
                                                <td>{t.expires_at.unwrap_or_else(|| "never".into())}</td>
                                                <td>
                                                    {if active { view! { <button type="button" on:click=move |_| revoke(id)>"Revoke"</button> }.into_any() } else { view! { <span>"revoked"</span> }.into_any() }}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
            }} />
        </section>
    }
}
