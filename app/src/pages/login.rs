//! The sign-in page: a plain form that works before hydration and without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::SignIn;
use leptos::server_fn::ServerFn;

/// `/login`.
#[component]
pub fn Login() -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.with_untracked(|q| q.get(k).unwrap_or_default());
    let next = get("next");
    let email = get("email");
    let error = get("error");
    let message = if error == "denied" {
        Some("The email or password is wrong. Check both and try again.".to_string())
    } else {
        error
            .strip_prefix("throttled:")
            .map(|wait| format!("Too many failed sign-ins. Wait {wait} seconds, then try again."))
    };
    view! {
        <section class="panel login">
            <h1>"Sign in to Switchyard"</h1>
            {message.map(|m| view! { <p class="error" role="alert" data-testid="login-error">{m}</p> })}
            <form method="post" action={<SignIn as ServerFn>::PATH} class="stack">
                <input type="hidden" name="next" value=next />
                <label for="email">"Email"</label>
                <input id="email" name="email" type="email" autocomplete="username" required value=email />
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required />
                <button type="submit">"Sign in"</button>
            </form>
            <p class="hint">
                "First start: the admin's password is printed once in the server log (or set with SWITCHYARD_ADMIN_PASSWORD). Locked out? Run "
                <code>"switchyard reset-password --email you@example.com"</code> "."
            </p>
        </section>
    }
}
