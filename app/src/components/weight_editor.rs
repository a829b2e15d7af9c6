//! One slider, number input and lock per criterion.

use leptos::prelude::*;

use crate::pages::studio::StudioState;
use domain::weights::{format_tenths, parse_percent_tenths};

/// The weight editor.
#[component]
pub fn WeightEditor(state: StudioState) -> impl IntoView {
    let criteria = state.model.with_value(|m| m.criteria.clone());
    let set_weight = move |i: usize, text: String| match parse_percent_tenths(&text) {
        Err(msg) => state.input_errors.update(|e| {
            e.insert(i, msg);
        }),
        Ok(tenths) => {
            let result = state.locked.with_untracked(|l| state.weights.with_untracked(|w| w.rebalance(l, i, tenths)));
            match result {
                Ok(w) => {
                    state.weights.set(w);
                    state.input_errors.update(|e| {
                        e.remove(&i);
                    });
                }
                Err(e) => state.input_errors.update(|errs| {
                    errs.insert(i, e.to_string().trim_start_matches("weights: ").to_string());
                }),
            }
        }
    };
    let sum = move || state.weights.with(|w| format_tenths(u64::from(w.sum())));
    view! {
        <fieldset class="weights">
            <legend>"Weights (sum " <span data-testid="weight-sum">{sum}</span> " %)"</legend>
            {criteria
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    let key = c.key.clone();
                    let value = move || state.weights.with(|w| format_tenths(u64::from(w.0.get(i).copied().unwrap_or(0))));
                    let locked = move || state.locked.with(|l| l.get(i).copied().unwrap_or(false));
                    let error = move || state.input_errors.with(|e| e.get(&i).cloned());
                    let testid = format!("weight-error-{key}");
                    view! {
                        <div class="weight-row">
                            <label for=format!("w-{key}") class="criterion-name" title=c.why.clone()>
                                <span class="num">{i + 1}". "</span>
                                {c.name.clone()}
                            </label>
                            <input
                                type="range"
                                id=format!("w-{key}-range")
                                min="0"
                                max="100"
                                step="0.1"
                                aria-label=format!("{} weight", c.name)
                                value=value
                                prop:value=value
                                disabled=locked
                                on:input=move |ev| set_weight(i, event_target_value(&ev))
                            />
                            <input
                                type="text"
                                id=format!("w-{key}")
                                class="weight-number"
                                inputmode="decimal"
                                autocomplete="off"
                                size="5"
                                value=value
                                prop:value=value
                                disabled=locked
                                aria-invalid=move || error().is_some().to_string()
                                aria-describedby=format!("err-{key}")
                                on:change=move |ev| set_weight(i, event_target_value(&ev))
                            />
                            <span class="unit">"%"</span>
                            <label class="lock">
                                <input
                                    type="checkbox"
                                    id=format!("lock-{key}")
                                    checked=locked
                                    prop:checked=locked
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        state.locked.update(|l| if let Some(x) = l.get_mut(i) { *x = on });
                                    }
                                />
                                " lock"
                            </label>
                            <span id=format!("err-{key}") class="field-error">
                                {move || {
                                    error()
                                        .map(|msg| {
                                            view! {
                                                <span role="alert" data-testid=testid.clone()>
                                                    {msg}
                                                </span>
                                            }
                                        })
                                }}
                            </span>
                        </div>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}
